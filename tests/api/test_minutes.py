"""The verbale over HTTP: who gets which version, approval freezing the exact bytes, the
draft's reconciliation, signatures, publication, the public text and the contributions table."""

from __future__ import annotations

import hashlib
import io

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from boards.models import Board, Item, ItemKind, Meeting, Person
from tests.api.support import assert_error

NOTES = ["Servono più educatori di strada", "=HYPERLINK(\"http://evil.example\")"]


def minutes_url(world, suffix: str = "") -> str:
    return f"/api/v1/meetings/{world.meeting['id']}/minutes{suffix}"


def add_note(engine, world, text: str, who: str = "participant") -> int:
    with Session(engine) as session:
        board = session.exec(select(Board).where(Board.meeting_id == world.meeting["id"])).first()
        person = session.get(Person, world.participant["person"] if who == "participant" else who)
        item = Item(board_id=board.id, kind=ItemKind.note, text=text, author_id=person.id,
                    organization_id=person.organization_id)
        session.add(item)
        session.commit()
        return item.id


@pytest.fixture
def meeting_with_notes(world, engine):
    for text in NOTES:
        add_note(engine, world, text)
    return world


def test_staff_export_the_draft_and_members_wait_for_approval(client, meeting_with_notes):
    world = meeting_with_notes
    answer = client.get(minutes_url(world), headers=world.facilitator.auth)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/markdown; charset=utf-8"
    assert answer.headers["content-disposition"] == 'attachment; filename="verbale-1-2026-12-01.md"'
    text = answer.text
    assert "# Verbale dell'incontro n. 1: Primo incontro" in text
    assert "Servono più educatori di strada" in text and "Cooperativa Il Ponte" in text
    for who in (world.participant, world.observer):
        assert_error(client.get(minutes_url(world), headers=world.bearer(who["token"])), 403, "not approved")
    pdf = client.get(minutes_url(world), params={"format": "pdf"}, headers=world.secretary.auth)
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert pdf.headers["content-disposition"].endswith('verbale-1-2026-12-01.pdf"')
    assert_error(client.get(minutes_url(world), params={"format": "rtf"}, headers=world.facilitator.auth), 422)


def test_approval_freezes_the_exact_bytes_and_corrections_make_new_versions(client, meeting_with_notes):
    world = meeting_with_notes
    staff = world.facilitator.auth
    approved = client.post(minutes_url(world, "/approve"), headers=staff)
    assert approved.status_code == 200, approved.text
    assert set(approved.json()) == {"version", "sha256"} and approved.json()["version"] == 1
    first = client.get(minutes_url(world), params={"version": 1}, headers=staff).content
    assert hashlib.sha256(first).hexdigest() == approved.json()["sha256"]
    participant = world.bearer(world.participant["token"])
    assert client.get(minutes_url(world), headers=participant).content == first
    html = client.get(minutes_url(world), params={"format": "html"}, headers=participant)
    assert html.headers["content-type"] == "text/html; charset=utf-8"
    assert "Servono più educatori di strada" in html.text

    draft = client.get(minutes_url(world, "/draft"), headers=staff).json()
    corrected = draft["markdown"] + "\nNota a verbale: correzione del refuso.\n"
    saved = client.put(minutes_url(world, "/draft"), headers=world.secretary.auth,
                       json={"markdown": corrected, "generated": draft["generated"]})
    assert saved.status_code == 200 and saved.json()["edited"] is True
    second = client.post(minutes_url(world, "/approve"), headers=world.secretary.auth,
                         json={"note": "Refuso"}).json()
    assert second["version"] == 2 and second["sha256"] != approved.json()["sha256"]
    again = client.get(minutes_url(world), params={"version": 1, "format": "md"}, headers=participant).content
    assert again == first and hashlib.sha256(again).hexdigest() == approved.json()["sha256"]
    latest = client.get(minutes_url(world), headers=participant).text
    assert "correzione del refuso" in latest
    history = client.get(minutes_url(world, "/versions"), headers=participant).json()
    assert [(v["version"], v["sha256"], v["note"]) for v in history["versions"]] == [
        (1, approved.json()["sha256"], ""), (2, second["sha256"], "Refuso")]
    assert history["draft"] is None
    assert client.get(minutes_url(world, "/versions"), headers=staff).json()["draft"]["edited_by_name"] == "Marco Zanin"
    assert_error(client.get(minutes_url(world), params={"version": 3}, headers=participant), 404)


def test_the_edited_draft_keeps_its_edits_and_offers_new_notes(client, engine, meeting_with_notes):
    world = meeting_with_notes
    staff = world.facilitator.auth
    draft = client.get(minutes_url(world, "/draft"), headers=staff).json()
    assert draft["offered"] == [] and draft["edited"] is False
    edited = draft["markdown"].replace("Servono più educatori di strada", "Servono educatori (testo rivisto)")
    client.put(minutes_url(world, "/draft"), headers=staff, json={"markdown": edited})
    new = add_note(engine, world, "Un centro diurno aperto la sera")
    draft = client.get(minutes_url(world, "/draft"), headers=staff).json()
    assert draft["markdown"] == edited
    assert any("Un centro diurno aperto la sera" in block and f"C{new}" in block for block in draft["offered"])
    client.put(minutes_url(world, "/draft"), headers=staff,
               json={"markdown": draft["markdown"], "generated": draft["generated"]})
    assert client.get(minutes_url(world, "/draft"), headers=staff).json()["offered"] == []
    assert_error(client.put(minutes_url(world, "/draft"), headers=staff, json={"markdown": " "}), 422, "markdown")
    for who in (world.participant, world.observer):
        token = world.bearer(who["token"])
        assert_error(client.get(minutes_url(world, "/draft"), headers=token), 403)
        assert_error(client.put(minutes_url(world, "/draft"), headers=token, json={"markdown": "# mio"}), 403)
        assert_error(client.post(minutes_url(world, "/approve"), headers=token), 403)
    assert client.get(minutes_url(world, "/draft"), headers=staff).json()["markdown"] == draft["markdown"]


def test_chair_and_minute_taker_sign(client, engine, meeting_with_notes):
    world = meeting_with_notes
    with Session(engine) as session:
        meeting = session.get(Meeting, world.meeting["id"])
        chair = session.exec(select(Person).where(Person.process_id == world.process,
                                                  Person.name == "Giulia Ferraro")).one()
        meeting.chair_id = chair.id
        session.add(meeting)
        session.commit()
    sign = minutes_url(world, "/versions/1/sign")
    assert_error(client.post(sign, headers=world.facilitator.auth, json={"capacity": "chair"}), 404)
    client.post(minutes_url(world, "/approve"), headers=world.facilitator.auth)
    assert_error(client.post(sign, headers=world.bearer(world.participant["token"]),
                             json={"capacity": "chair"}), 403)
    assert_error(client.post(sign, headers=world.secretary.auth, json={"capacity": "chair"}), 403, "chair")
    assert_error(client.post(sign, headers=world.secretary.auth, json={"capacity": "boss"}), 422)
    signed = client.post(sign, headers=world.facilitator.auth, json={"capacity": "chair"})
    assert signed.status_code == 201 and signed.json()["name"] == "Giulia Ferraro"
    assert client.post(sign, headers=world.secretary.auth, json={"capacity": "minute_taker"}).status_code == 201
    assert_error(client.post(sign, headers=world.facilitator.auth, json={"capacity": "chair"}), 409)
    versions = client.get(minutes_url(world, "/versions"), headers=world.facilitator.auth).json()["versions"]
    assert [(s["capacity"], s["name"]) for s in versions[0]["signatures"]] == [
        ("chair", "Giulia Ferraro"), ("minute_taker", "Marco Zanin")]
    assert all(s["signed_at"].endswith("Z") for s in versions[0]["signatures"])


def test_the_public_text_is_published_pseudonymised(client, meeting_with_notes):
    world = meeting_with_notes
    public = f"/api/v1/public/meetings/{world.meeting['id']}/minutes"
    assert_error(client.get(public), 404, "not published")
    client.post(minutes_url(world, "/approve"), headers=world.facilitator.auth)
    assert_error(client.post(minutes_url(world, "/versions/1/publish"),
                             headers=world.bearer(world.participant["token"])), 403)
    assert_error(client.get(public), 404)
    published = client.post(minutes_url(world, "/versions/1/publish"), headers=world.secretary.auth)
    assert published.status_code == 200 and published.json()["published_at"].endswith("Z")
    assert_error(client.post(minutes_url(world, "/versions/1/publish"), headers=world.secretary.auth), 409)
    for fmt in ("md", "html"):
        answer = client.get(public, params={"format": fmt})
        assert answer.status_code == 200, answer.text
        for name in ("Persona participant", "Persona observer", "Giulia Ferraro", "Marco Zanin",
                     "Persona", "Giulia", "Zanin"):
            assert name not in answer.text, (fmt, name)
        for kept in ("Cooperativa Il Ponte", "Comune di Padova", "Servono più educatori di strada",
                     "Partecipante"):
            assert kept in answer.text, (fmt, kept)


def test_contributions_as_a_spreadsheet_safe_from_formulas(client, meeting_with_notes):
    world = meeting_with_notes
    url = f"/api/v1/meetings/{world.meeting['id']}/contributions"
    answer = client.get(url, headers=world.facilitator.auth)
    assert answer.status_code == 200 and answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"] == 'attachment; filename="contributi-1-2026-12-01.csv"'
    text = answer.content.decode("utf-8-sig")
    assert "Servono più educatori di strada" in text and "Cooperativa Il Ponte" in text
    assert "'=HYPERLINK" in text and ";=HYPERLINK" not in text
    workbook = load_workbook(io.BytesIO(client.get(url, params={"format": "xlsx"},
                                                   headers=world.secretary.auth).content))
    cells = [cell.value for row in workbook.active.iter_rows() for cell in row]
    assert "Servono più educatori di strada" in cells
    formula = next(cell for row in workbook.active.iter_rows() for cell in row
                   if cell.value and "HYPERLINK" in str(cell.value))
    assert formula.data_type == "s"
    assert_error(client.get(url, headers=world.bearer(world.participant["token"])), 403)


def test_a_save_from_a_stale_draft_answers_409_with_the_stored_one(client, meeting_with_notes):
    world = meeting_with_notes
    read = client.get(minutes_url(world, "/draft"), headers=world.facilitator.auth).json()
    assert read["sha256"] == hashlib.sha256(read["markdown"].encode("utf-8")).hexdigest()
    chair = read["markdown"] + "\nNota della presidente.\n"
    first = client.put(minutes_url(world, "/draft"), headers=world.facilitator.auth,
                       json={"markdown": chair, "base_sha256": read["sha256"]})
    assert first.status_code == 200, first.text
    assert first.json()["sha256"] == hashlib.sha256(chair.encode("utf-8")).hexdigest()

    # The secretary read the same draft: their save must not replace the chair's.
    secretary = read["markdown"] + "\nNota della segretaria.\n"
    stale = client.put(minutes_url(world, "/draft"), headers=world.secretary.auth,
                       json={"markdown": secretary, "base_sha256": read["sha256"]})
    assert_error(stale, 409, "draft changed")
    current = stale.json()["current"]
    assert current["markdown"] == chair and current["sha256"] == first.json()["sha256"]
    assert current["edited_by"] is not None and current["updated_at"]
    assert client.get(minutes_url(world, "/draft"), headers=world.facilitator.auth).json()["markdown"] == chair

    # Knowingly, from the new base; and without a base, as before, the last save wins.
    merged = chair + "\nNota della segretaria.\n"
    again = client.put(minutes_url(world, "/draft"), headers=world.secretary.auth,
                       json={"markdown": merged, "base_sha256": current["sha256"]})
    assert again.status_code == 200 and again.json()["markdown"] == merged
    blind = client.put(minutes_url(world, "/draft"), headers=world.facilitator.auth, json={"markdown": chair})
    assert blind.status_code == 200 and blind.json()["markdown"] == chair

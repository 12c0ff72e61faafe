"""A person's data on the pages: a facilitator erases a participant after a confirmation
that says what happens and what is kept; staff and the person themself download their data;
the pages afterwards name them nowhere."""

from __future__ import annotations

from sqlmodel import Session, select

from boards.models import AuditEntry, Board, Item, ItemKind, Person
from tests.pages.conftest import post_form, sign_in

NAME = "Elena Moretti"


def _elena(client, engine, world) -> dict:
    invite = client.post(f"/api/v1/processes/{world.process}/invites", headers=world.facilitator.auth,
                         json={"name": NAME, "organization": world.organizations["third_sector"],
                               "role": "participant"}).json()
    joined = client.post("/api/v1/join", json={"invite": invite["invite"]}).json()
    with Session(engine) as session:
        board = session.exec(select(Board).where(Board.meeting_id == world.meeting["id"])).first()
        session.add(Item(board_id=board.id, kind=ItemKind.note, text="Come dice Elena Moretti",
                         author_id=world.participant["person"]))
        session.commit()
    return {"person": invite["person"], "token": joined["token"]}


def test_a_facilitator_erases_a_participant_after_confirming(facilitator_client, engine, world):
    client = facilitator_client
    elena = _elena(client, engine, world)
    process_page = client.get(f"/processes/{world.process}").text
    assert f'href="/people/{elena["person"]}/erase"' in process_page
    assert f'href="/api/v1/people/{elena["person"]}/export"' in process_page

    confirm = client.get(f"/people/{elena['person']}/erase")
    assert confirm.status_code == 200
    assert "Cancella i dati personali" in confirm.text  # Italian by default
    assert "17(3)(b)" in confirm.text and NAME in confirm.text
    assert 'name="csrf_token"' in confirm.text and 'name="reason"' in confirm.text

    # No reason: the form comes back, nothing erased.
    empty = post_form(client, f"/people/{elena['person']}/erase", {"reason": ""},
                      page=f"/people/{elena['person']}/erase")
    assert empty.status_code == 422 and "Motivo" in empty.text
    # No CSRF token: refused, nothing erased.
    forged = client.post(f"/people/{elena['person']}/erase", data={"reason": "Richiesta"})
    assert forged.status_code == 403
    with Session(engine) as session:
        assert session.get(Person, elena["person"]).name == NAME

    done = post_form(client, f"/people/{elena['person']}/erase", {"reason": "Richiesta di Elena Moretti"},
                     page=f"/people/{elena['person']}/erase")
    assert done.status_code == 200, done.text
    with Session(engine) as session:
        pseudonym = session.get(Person, elena["person"]).name
        reason = session.exec(select(AuditEntry).where(AuditEntry.action == "person.erase",
                                                       AuditEntry.process_id == world.process)).one().detail["reason"]
    assert pseudonym.startswith("Partecipante ") and pseudonym in done.text
    assert NAME not in done.text and reason == f"Richiesta di {pseudonym}"
    assert "17(3)(b)" in done.text
    # Every page generated after names her nowhere.
    for path in (f"/processes/{world.process}", f"/processes/{world.process}/audit",
                 f"/meetings/{world.meeting['id']}/minutes", f"/meetings/{world.meeting['id']}/attendance"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert NAME not in page.text and "Moretti" not in page.text, path


def test_a_secretary_downloads_but_does_not_erase(client, engine, world):
    elena = _elena(client, engine, world)
    sign_in(client, world.secretary.email)
    page = client.get(f"/processes/{world.process}").text
    assert f'href="/api/v1/people/{elena["person"]}/export"' in page
    assert f'href="/people/{elena["person"]}/erase"' not in page
    assert client.get(f"/people/{elena['person']}/erase").status_code == 403
    download = client.get(f"/api/v1/people/{elena['person']}/export")
    assert download.status_code == 200 and download.json()["person"]["name"] == NAME
    assert download.headers["content-disposition"].startswith("attachment;")


def test_a_participant_downloads_their_own_data(client, engine, world):
    elena = _elena(client, engine, world)
    client.cookies.set("tavolo_session", elena["token"])
    page = client.get(f"/processes/{world.process}")
    assert "I miei dati" in page.text
    assert f'href="/api/v1/people/{elena["person"]}/export"' in page.text
    own = client.get(f"/api/v1/people/{elena['person']}/export")
    assert own.status_code == 200 and own.json()["person"]["name"] == NAME
    assert any("altre persone" in entry["what"] for entry in own.json()["not_included"])
    assert client.get(f"/api/v1/people/{world.participant['person']}/export").status_code == 403
    assert client.get(f"/people/{elena['person']}/erase").status_code == 403

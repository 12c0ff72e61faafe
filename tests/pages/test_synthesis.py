"""The synthesis editor page: statements written under lines of work with their source
contributions picked from a list (the line's first), reordered and removed; the preview with
its citations; approval of the text shown; the members' and the public pages."""

from __future__ import annotations

import re
import secrets

import html5lib
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.exports import synthesis_source
from boards import synthesis
from boards.accounts import resolve_token
from boards.exports.store import ExportStore
from boards.models import (Board, BoardKind, BreakoutGroup, DocumentKind, DocumentVersion, Item, ItemKind, LineOfWork,
                           LineOfWorkItem, Process)
from tests.pages.conftest import csrf_of, post_form

NOTES = ["Un dormitorio aperto anche di giorno", "Una mensa serale", "Persona participant propone uno sportello"]


@pytest.fixture
def record(engine, world):
    """Three notes of the participant: two on a group board, in a line of work; one in plenary."""
    with Session(engine) as session:
        group = BreakoutGroup(meeting_id=world.meeting["id"], name="Gruppo Abitare", position=1)
        session.add(group)
        session.flush()
        board = Board(meeting_id=world.meeting["id"], title="Gruppo Abitare", kind=BoardKind.group, group_id=group.id)
        session.add(board)
        session.flush()
        boards = [board.id, board.id, world.meeting["plenary_board"]]
        items = [Item(board_id=b, kind=ItemKind.note, text=text, author_id=world.participant["person"],
                      organization_id=world.organizations["third_sector"]) for b, text in zip(boards, NOTES)]
        session.add_all(items)
        session.flush()
        line = LineOfWork(process_id=world.process, meeting_id=world.meeting["id"], title="Accoglienza")
        session.add(line)
        session.flush()
        session.add_all([LineOfWorkItem(line_id=line.id, item_id=i.id) for i in items[:2]])
        session.commit()
        world.notes, world.line = [i.id for i in items], line.id
    return world


@pytest.fixture
def member_client(app, world):
    """A second browser: the world's participant, entered by their link."""
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    with TestClient(app, client=(address, 50000)) as browser:
        page = browser.get(f"/join/{world.participant['invite']}")
        browser.post(f"/join/{world.participant['invite']}", data={"csrf_token": csrf_of(page.text)})
        yield browser


def choices(html: str) -> list[tuple[int, bool]]:
    """The picker's contributions in order, with whether each is ticked."""
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    return [(int(box.get("value")), box.get("checked") is not None)
            for box in tree.iter("input") if box.get("name") == "sources"]


def test_a_statement_is_written_under_its_line_with_its_sources(facilitator_client, record):
    client, path = facilitator_client, f"/processes/{record.process}/synthesis"
    page = client.get(path)
    assert page.status_code == 200 and "<h3 id=\"line-%s-title\" class=\"h4\">Accoglienza</h3>" % record.line in page.text
    new = client.get(f"{path}/statements/new?line={record.line}")
    assert "Linea di lavoro: Accoglienza" in new.text
    # The line's own notes come first, none ticked; the search field is there for JavaScript.
    assert choices(new.text) == [(record.notes[0], False), (record.notes[1], False), (record.notes[2], False)]
    assert "Contributi di questa linea di lavoro" in new.text and 'data-filter="source-list"' in new.text
    assert "Incontro n. 1 del 1 dic 2026 · Gruppo Abitare · Cooperativa Il Ponte" in new.text

    refused = post_form(client, f"{path}/statements", {"text": " ", "line": str(record.line)},
                        page=f"{path}/statements/new?line={record.line}")
    assert refused.status_code == 422 and 'aria-invalid="true"' in refused.text
    answer = client.post(f"{path}/statements", data={
        "text": "Accoglienza diurna e serale", "line": str(record.line),
        "sources": [str(record.notes[1]), str(record.notes[0])], "csrf_token": csrf_of(new.text)},
        follow_redirects=False)
    assert answer.status_code == 303, answer.text
    statement = int(re.search(r"#statement-(\d+)", answer.headers["location"]).group(1))
    page = client.get(answer.headers["location"]).text
    assert "Affermazione aggiunta." in page
    tree = html5lib.parse(page, namespaceHTMLElements=False)
    item = next(li for li in tree.iter("li") if li.get("id") == f"statement-{statement}")
    assert " ".join("".join(item.itertext()).split()).startswith(
        f"Accoglienza diurna e serale C{record.notes[0]} {NOTES[0]} — incontro n. 1, Gruppo Abitare, Cooperativa Il Ponte")
    # The preview cites both and carries their annex entries.
    preview = next(div for div in tree.iter("div") if "synthesis-preview" in (div.get("class") or ""))
    assert [a.get("href") for a in preview.iter("a")] == [f"#c{record.notes[0]}", f"#c{record.notes[1]}"]
    assert {e.get("id") for e in preview.iter() if (e.get("id") or "").startswith("c")} == {
        f"c{record.notes[0]}", f"c{record.notes[1]}"}

    edit = client.get(f"/synthesis/statements/{statement}/edit")
    assert choices(edit.text)[:2] == [(record.notes[0], True), (record.notes[1], True)]
    saved = client.post(f"/synthesis/statements/{statement}", data={
        "text": "Accoglienza tutto il giorno", "sources": [str(record.notes[2])], "csrf_token": csrf_of(edit.text)},
        follow_redirects=False)
    assert saved.status_code == 303
    page = client.get(path).text
    assert "Accoglienza tutto il giorno" in page and f"[C{record.notes[2]}]" not in page
    assert f'href="#c{record.notes[2]}"' in page and f'href="#c{record.notes[0]}"' not in page


def test_statements_move_and_go(facilitator_client, record):
    client, path = facilitator_client, f"/processes/{record.process}/synthesis"
    ids = []
    for text in ("Primo punto", "Secondo punto"):
        page = client.get(f"{path}/statements/new")
        answer = client.post(f"{path}/statements", data={"text": text, "csrf_token": csrf_of(page.text)},
                             follow_redirects=False)
        ids.append(int(re.search(r"#statement-(\d+)", answer.headers["location"]).group(1)))
    moved = post_form(client, f"/synthesis/statements/{ids[1]}/move", {"position": "0"}, page=path)
    assert moved.status_code == 303
    page = client.get(moved.headers["location"]).text
    assert page.index("Secondo punto") < page.index("Primo punto") and "Affermazione spostata." in page
    removed = post_form(client, f"/synthesis/statements/{ids[0]}/remove", {}, page=path)
    assert removed.status_code == 303
    page = client.get(removed.headers["location"]).text
    assert "Primo punto" not in page and "Affermazione tolta dal documento." in page
    described = post_form(client, f"/lines/{record.line}/description", {"description": "Posti letto e pasti"},
                          page=path)
    assert described.status_code == 303 and "Posti letto e pasti" in client.get(path).text


def test_approval_members_and_the_public_page(facilitator_client, member_client, record):
    client, path = facilitator_client, f"/processes/{record.process}/synthesis"
    assert "non ha ancora una versione approvata" in member_client.get(path).text
    page = client.get(f"{path}/statements/new")
    client.post(f"{path}/statements", data={"text": "Sportello legale, come propone Persona participant",
                                            "sources": [str(record.notes[2])], "csrf_token": csrf_of(page.text)})
    page = client.get(path).text
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', page).group(1)
    # A draft that changed after it was read is not approved.
    stale = post_form(client, f"{path}/approve", {"sha256": "0" * 64}, page=path)
    assert stale.status_code == 409 and "La bozza è cambiata" in stale.text
    approved = post_form(client, f"{path}/approve", {"sha256": sha}, page=path)
    assert approved.status_code == 303 and approved.headers["location"].endswith("?approved=1#history")
    page = client.get(approved.headers["location"]).text
    assert "La versione 1 è approvata e non può più cambiare." in page and sha in page
    assert "Nulla è cambiato dall&#39;ultima versione approvata." in page or \
        "Nulla è cambiato dall'ultima versione approvata." in page
    member = member_client.get(path).text
    assert "Versione 1, approvata il" in member and "Sportello legale" in member and 'name="sha256"' not in member
    assert f'/api/v1/processes/{record.process}/synthesis?format=pdf&amp;version=1' in member

    assert post_form(client, f"{path}/publish", {"version": "1"}, page=path).status_code == 303
    with TestClient(client.app) as anonymous:
        public = anonymous.get(f"/public/processes/{record.process}/synthesis")
    assert public.status_code == 200 and "Sportello legale" in public.text
    assert "Persona participant" not in public.text and "Cooperativa Il Ponte" in public.text


def test_only_staff_edit_and_the_page_is_in_english_too(facilitator_client, member_client, record):
    path = f"/processes/{record.process}/synthesis"
    assert member_client.get(f"{path}/statements/new").status_code == 403
    assert post_form(member_client, f"/lines/{record.line}/description", {"description": "x"},
                     page=f"/processes/{record.process}").status_code == 403
    page = facilitator_client.get(path, headers={"Accept-Language": "en"}).text
    assert '<html lang="en">' in page and "<h1>Synthesis document</h1>" in page
    assert "Lines of work and statements" in page and "Approve as version 1" in page


def test_the_process_page_links_here_for_those_who_take_part_in_all_of_it(facilitator_client, member_client,
                                                                          client, record):
    link = f'href="/processes/{record.process}/synthesis"'
    assert link in facilitator_client.get(f"/processes/{record.process}").text
    member = member_client.get(f"/processes/{record.process}").text
    assert link in member and f'href="/processes/{record.process}/pledges"' in member
    # Someone invited to one meeting only is not shown what they may not open.
    invite = client.post(f"/api/v1/processes/{record.process}/invites", headers=record.facilitator.auth,
                         json={"name": "Ospite", "organization": record.organizations["third_sector"],
                               "role": "participant", "meetings": [record.meeting["id"]]}).json()
    with TestClient(client.app, client=("10.8.8.8", 50000)) as limited:
        page = limited.get(f"/join/{invite['invite']}")
        limited.post(f"/join/{invite['invite']}", data={"csrf_token": csrf_of(page.text)})
        assert link not in limited.get(f"/processes/{record.process}").text
        assert limited.get(f"/processes/{record.process}/synthesis").status_code == 403


def test_a_statement_saved_meanwhile_is_shown_and_not_replaced(facilitator_client, record, engine):
    client = facilitator_client
    with Session(engine) as session:
        statement = synthesis.add_statement(
            session, actor=resolve_token(session, record.facilitator.token), process_id=record.process,
            line_id=record.line, text="Accoglienza diurna", item_ids=[record.notes[0]])
        session.commit()
        statement_id = statement.id
    edit = client.get(f"/synthesis/statements/{statement_id}/edit").text
    base = re.search(r'name="base_sha" value="([0-9a-f]{64})"', edit).group(1)
    # The secretary changes it from another editor meanwhile.
    with Session(engine) as session:
        synthesis.update_statement(session, actor=resolve_token(session, record.secretary.token),
                                   statement_id=statement_id, text="Accoglienza diurna e serale",
                                   item_ids=[record.notes[0], record.notes[1]])
        session.commit()
    mine = {"text": "Accoglienza tutto il giorno", "sources": [str(record.notes[2])], "base_sha": base}
    answer = client.post(f"/synthesis/statements/{statement_id}", data={**mine, "csrf_token": csrf_of(edit)},
                         follow_redirects=False)
    assert answer.status_code == 409
    assert re.search(r'role="alert" tabindex="-1" autofocus>Marco Zanin ha salvato l’affermazione il', answer.text)
    tree = html5lib.parse(answer.text, namespaceHTMLElements=False)
    assert next(e for e in tree.iter("textarea") if e.get("name") == "text").text == "Accoglienza tutto il giorno"
    assert [c for c in choices(answer.text) if c[1]] == [(record.notes[2], True)]
    stored = next(e for e in tree.iter("section") if "synthesis-conflict" in (e.get("class") or ""))
    assert " ".join("".join(stored.itertext()).split()) == (
        f"L’affermazione salvata nel frattempo Accoglienza diurna e serale "
        f"Fonti: C{record.notes[0]}, C{record.notes[1]}")
    new_base = re.search(r'name="base_sha" value="([0-9a-f]{64})"', answer.text).group(1)
    assert new_base == synthesis.statement_sha256("Accoglienza diurna e serale", sorted(record.notes[:2]))

    again = client.post(f"/synthesis/statements/{statement_id}", data={
        **mine, "base_sha": new_base, "csrf_token": csrf_of(answer.text)}, follow_redirects=False)
    assert again.status_code == 303
    assert "Accoglienza tutto il giorno" in client.get(f"/processes/{record.process}/synthesis").text


def test_approval_and_publication_on_the_page_store_the_files(facilitator_client, record, engine, settings):
    client, path = facilitator_client, f"/processes/{record.process}/synthesis"
    store = ExportStore(settings.data_dir / "exports")
    page = client.get(f"{path}/statements/new")
    client.post(f"{path}/statements", data={"text": "Un dormitorio aperto di giorno",
                                            "sources": [str(record.notes[0])], "csrf_token": csrf_of(page.text)})
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', client.get(path).text).group(1)
    assert post_form(client, f"{path}/approve", {"sha256": sha}, page=path).status_code == 303

    def stored(public: bool) -> list[str]:
        with Session(engine) as session:
            document = session.exec(select(DocumentVersion).where(
                DocumentVersion.kind == DocumentKind.synthesis, DocumentVersion.process_id == record.process,
                DocumentVersion.version == 1)).one()
            markdown, head = synthesis_source(session.get(Process, record.process), document, public=public)
        return [fmt for fmt in ("pdf", "docx", "odt") if store.path(markdown, fmt, head).exists()]

    assert stored(public=False) == ["pdf", "docx", "odt"] and stored(public=True) == []
    assert post_form(client, f"{path}/publish", {"version": "1"}, page=path).status_code == 303
    assert stored(public=True) == ["pdf", "docx", "odt"]

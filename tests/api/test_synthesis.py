"""The synthesis document over HTTP: statements and their sources, exports in five formats
whose every statement resolves to the contributions it came from, approval that freezes
versions, and the public text that names no participant."""

from __future__ import annotations

import hashlib
import io
import re

import docx
import html5lib
import pypdf
import pytest
from odf import teletype
from odf import text as odf_text
from odf.opendocument import load as load_odt
from sqlmodel import Session

from boards.models import Item, ItemKind, LineOfWork, LineOfWorkItem
from tests.api.support import assert_error

P = "/api/v1/processes"
PARTICIPANT = "Elena Moretti"
NOTES = [
    "Un dormitorio aperto anche di giorno",
    "Una mensa serale vicino alla stazione",
    "Elena Moretti propone uno sportello legale",
]


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def record(client, engine, world):
    """The world's meeting with three notes of a participant, a line of work holding two."""
    invite = client.post(f"{P}/{world.process}/invites", headers=world.facilitator.auth,
                         json={"name": PARTICIPANT, "organization": world.organizations["third_sector"],
                               "role": "participant"}).json()
    joined = client.post("/api/v1/join", json={"invite": invite["invite"]}).json()
    with Session(engine) as session:
        items = [Item(board_id=world.meeting["plenary_board"], kind=ItemKind.note, text=text,
                      author_id=joined["participant"]["id"], organization_id=world.organizations["third_sector"])
                 for text in NOTES]
        session.add_all(items)
        session.flush()
        line = LineOfWork(process_id=world.process, meeting_id=world.meeting["id"], title="Accoglienza")
        session.add(line)
        session.flush()
        session.add_all([LineOfWorkItem(line_id=line.id, item_id=item.id) for item in items[:2]])
        session.commit()
        world.notes = [item.id for item in items]
        world.line = line.id
    world.member = {"Authorization": f"Bearer {joined['token']}"}
    return world


def add(client, world, text, sources, line=None):
    answer = client.post(f"{P}/{world.process}/synthesis/statements", headers=world.facilitator.auth,
                         json={"text": text, "line": line, "sources": sources})
    assert answer.status_code == 201, answer.text
    return answer.json()


def get(client, world, fmt, headers=None, **params):
    answer = client.get(f"{P}/{world.process}/synthesis", headers=headers or world.facilitator.auth,
                        params={"format": fmt, **params})
    assert answer.status_code == 200, answer.text
    return answer


STATEMENTS = [("Serve un'accoglienza diurna e serale", [0, 1]), ("Tutela legale per chi vive in strada", [2])]


def test_every_statement_of_every_format_resolves_to_its_contributions(client, record):
    for text, sources in STATEMENTS:
        add(client, record, text, [record.notes[i] for i in sources], line=record.line)

    markdown = get(client, record, "md")
    assert markdown.headers["content-type"] == "text/markdown; charset=utf-8"
    assert 'filename="sintesi-' in markdown.headers["content-disposition"]

    html = get(client, record, "html")
    assert html.headers["content-type"] == "text/html; charset=utf-8"
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    tree = parser.parse(html.text)
    assert tree.get("lang") == "it"
    targets = {e.get("id"): flat("".join(e.itertext())) for e in tree.iter() if re.fullmatch(r"c\d+", e.get("id") or "")}
    for text, sources in STATEMENTS:
        item = next(li for li in tree.iter("li") if flat("".join(li.itertext())).startswith(text))
        links = [a.get("href") for a in item.iter("a")]
        assert links == [f"#c{record.notes[i]}" for i in sources]
        for i in sources:
            # The link's target exists, and it is that contribution, with where it came from.
            assert targets[f"c{record.notes[i]}"] == (
                f"C{record.notes[i]} {NOTES[i]} — incontro n. 1 del 01/12/2026 · plenaria · Cooperativa Il Ponte")

    documents = {
        "docx": lambda data: "\n".join(
            [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
            + [c.text for t in docx.Document(io.BytesIO(data)).tables for r in t.rows for c in r.cells]),
        "odt": lambda data: "\n".join(
            teletype.extractText(e) for doc in [load_odt(io.BytesIO(data))]
            for e in doc.getElementsByType(odf_text.H) + doc.getElementsByType(odf_text.P)),
        "pdf": lambda data: "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages),
    }
    for fmt, read in documents.items():
        text = flat(read(get(client, record, fmt).content))
        for statement, sources in STATEMENTS:
            labels = ", ".join(f"C{record.notes[i]}" for i in sources)
            assert f"{statement} ({labels})" in text, fmt
            for i in sources:
                assert f"C{record.notes[i]} {NOTES[i]} — incontro n. 1 del 01/12/2026" in text, fmt
        assert "Bozza non approvata" in text or fmt != "pdf", fmt


def test_approval_freezes_a_version_and_members_read_only_approved_ones(client, record):
    assert_error(client.get(f"{P}/{record.process}/synthesis", headers=record.member), 403, "no approved version")
    add(client, record, "Prima stesura", [record.notes[0]])
    answer = client.post(f"{P}/{record.process}/synthesis/approve", headers=record.facilitator.auth)
    assert answer.status_code == 200, answer.text
    first = answer.json()
    assert set(first) == {"version", "sha256"} and first["version"] == 1
    frozen = get(client, record, "md", version=1).content
    assert hashlib.sha256(frozen).hexdigest() == first["sha256"]
    assert_error(client.post(f"{P}/{record.process}/synthesis/approve", headers=record.facilitator.auth), 409,
                 "nothing has changed")
    assert_error(client.post(f"{P}/{record.process}/synthesis/approve", headers=record.member), 403)

    add(client, record, "Correzione successiva", [record.notes[1]])
    assert "Correzione successiva" in get(client, record, "md").text
    # Members get the latest approved version, not the draft.
    assert "Correzione successiva" not in get(client, record, "md", headers=record.member).text
    second = client.post(f"{P}/{record.process}/synthesis/approve", headers=record.secretary.auth,
                         json={"note": "Aggiunta una correzione"}).json()
    assert second["version"] == 2 and second["sha256"] != first["sha256"]
    assert get(client, record, "md", version=1).content == frozen
    assert hashlib.sha256(get(client, record, "md", headers=record.member, version=1).content).hexdigest() == first["sha256"]
    latest = get(client, record, "md", headers=record.member)
    assert hashlib.sha256(latest.content).hexdigest() == second["sha256"]
    assert "Versione 2 approvata il" in get(client, record, "html", headers=record.member).text
    history = client.get(f"{P}/{record.process}/synthesis/versions", headers=record.member).json()
    assert [(v["version"], v["sha256"], v["note"]) for v in history] == [
        (1, first["sha256"], ""), (2, second["sha256"], "Aggiunta una correzione")]
    assert_error(client.get(f"{P}/{record.process}/synthesis", headers=record.member, params={"version": 3}), 404)
    assert_error(client.get(f"{P}/{record.process}/synthesis", headers=record.member,
                            params={"format": "exe"}), 422)


def test_the_public_export_names_organisations_and_no_participant(client, record):
    add(client, record, f"Come propone {PARTICIPANT}, uno sportello legale", [record.notes[2]])
    assert_error(client.get(f"{P}/{record.process}/synthesis/public"), 404, "not been published")
    assert_error(client.post(f"{P}/{record.process}/synthesis/publish", headers=record.facilitator.auth), 409,
                 "approve")
    client.post(f"{P}/{record.process}/synthesis/approve", headers=record.facilitator.auth)
    assert PARTICIPANT in get(client, record, "md", version=1).text
    answer = client.post(f"{P}/{record.process}/synthesis/publish", headers=record.facilitator.auth)
    assert answer.status_code == 200, answer.text
    assert answer.json()["version"] == 1 and answer.json()["published_at"]
    for fmt in ("md", "html", "pdf"):
        public = client.get(f"{P}/{record.process}/synthesis/public", params={"format": fmt})
        assert public.status_code == 200, public.text
        text = flat(public.text if fmt != "pdf" else "\n".join(
            page.extract_text() for page in pypdf.PdfReader(io.BytesIO(public.content)).pages))
        for name in (PARTICIPANT, "Elena", "Moretti", "Persona participant", "Giulia Ferraro"):
            assert name not in text, (fmt, name)
        assert "Cooperativa Il Ponte" in text and "sportello legale" in text
    assert_error(client.post(f"{P}/{record.process}/synthesis/publish", headers=record.facilitator.auth), 409,
                 "already published")


def test_statements_cite_only_contributions_of_the_process(client, record, make_account):
    other = make_account("facilitator")
    process = client.post(P, headers=other.auth, json={"title": "Altro", "kind": "co-design"}).json()["id"]
    assert_error(client.post(f"{P}/{process}/synthesis/statements", headers=other.auth,
                             json={"text": "Altrove", "sources": [record.notes[0]]}), 422, "not a contribution")
    assert_error(client.post(f"{P}/{record.process}/synthesis/statements", headers=record.facilitator.auth,
                             json={"text": "", "sources": []}), 422, "text")
    statement = add(client, record, "Da riordinare", [])
    second = add(client, record, "Prima", [record.notes[1]])
    moved = client.patch(f"/api/v1/synthesis/statements/{second['id']}", headers=record.facilitator.auth,
                         json={"position": 0, "sources": [record.notes[0], record.notes[2]]})
    assert moved.status_code == 200, moved.text
    assert moved.json()["sources"] == sorted([record.notes[0], record.notes[2]]) and moved.json()["position"] == 0
    outline = client.get(f"{P}/{record.process}/synthesis/statements", headers=record.facilitator.auth).json()
    assert [s["text"] for s in outline["general"]] == ["Prima", "Da riordinare"]
    assert outline["lines"][0]["title"] == "Accoglienza" and outline["lines"][0]["statements"] == []
    assert client.delete(f"/api/v1/synthesis/statements/{statement['id']}",
                         headers=record.facilitator.auth).status_code == 204
    assert_error(client.patch(f"/api/v1/synthesis/statements/{statement['id']}", headers=record.facilitator.auth,
                              json={"text": "Ancora"}), 404)
    assert_error(client.patch(f"/api/v1/synthesis/statements/{second['id']}", headers=record.facilitator.auth,
                              json={}), 422, "at least one")
    described = client.patch(f"/api/v1/lines/{record.line}", headers=record.facilitator.auth,
                             json={"description": "Posti letto e pasti"})
    assert described.json()["description"] == "Posti letto e pasti"


def test_the_contribution_picker_puts_the_lines_notes_first_and_searches(client, record):
    url = f"{P}/{record.process}/synthesis/contributions"
    found = client.get(url, headers=record.facilitator.auth, params={"line": record.line}).json()
    assert [c["id"] for c in found] == record.notes
    assert found[0] == {"id": record.notes[0], "label": f"C{record.notes[0]}", "text": NOTES[0],
                        "meeting": record.meeting["id"], "meeting_number": 1, "meeting_date": "2026-12-01",
                        "group": None, "organization": "Cooperativa Il Ponte", "asynchronous": False,
                        "lines": [record.line]}
    assert [c["id"] for c in client.get(url, headers=record.facilitator.auth,
                                        params={"q": "SPORTELLO"}).json()] == [record.notes[2]]
    assert_error(client.get(url, headers=record.member), 403)


def test_a_statement_changed_since_it_was_read_answers_409(client, record):
    statement = add(client, record, "Serve un dormitorio", [record.notes[0]])
    url = f"/api/v1/synthesis/statements/{statement['id']}"
    first = client.patch(url, headers=record.facilitator.auth,
                         json={"sources": [record.notes[0], record.notes[1]], "base_sha256": statement["sha256"]})
    assert first.status_code == 200, first.text
    stale = client.patch(url, headers=record.facilitator.auth,
                         json={"text": "Serve un dormitorio aperto di giorno", "base_sha256": statement["sha256"]})
    assert_error(stale, 409, "statement changed")
    assert stale.json()["current"] == first.json()
    assert first.json()["text"] == "Serve un dormitorio" and first.json()["sources"] == sorted(record.notes[:2])
    again = client.patch(url, headers=record.facilitator.auth,
                         json={"text": "Serve un dormitorio aperto di giorno", "base_sha256": first.json()["sha256"]})
    assert again.status_code == 200 and again.json()["text"] == "Serve un dormitorio aperto di giorno"

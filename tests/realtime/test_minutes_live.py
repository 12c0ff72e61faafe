"""From a live meeting to its verbale, over real websockets then HTTP: the meeting starts,
people of several organisations answer a guiding question on their group boards, a group
votes, a decision and an action are recorded, the meeting ends. The verbale, exported in all
five formats and read back (python-docx, odfpy, pypdf, html5lib), holds every contribution,
every organisation present, every decision and every action; the PDF is PDF/A with its fonts
embedded. Approval freezes version 1 byte for byte; a participant reads only approved
versions; the public text names no one.

No sleeps: every wait is for a frame.
"""

from __future__ import annotations

import asyncio
import hashlib
import io

import docx
import html5lib
import pypdf
from odf import teletype
from odf import text as odf_text
from odf.opendocument import load as load_odt

from tests import pdfa
from tests.realtime.support import Client

ORGANIZATIONS = [("Comune di Abano Terme", "public"), ("Consultorio familiare Arcella", "health"),
                 ("Associazione Porte Aperte", "third_sector")]
QUESTION = "Di che cosa hanno bisogno le famiglie del quartiere?"
DECISION = "Aprire uno sportello di ascolto serale"
ACTION = "Mappare gli sportelli attivi"


def flat(text: str) -> str:
    return " ".join(text.split())


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [paragraph.text for paragraph in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return flat("\n".join(parts))


def odt_text(content: bytes) -> str:
    document = load_odt(io.BytesIO(content))
    elements = document.getElementsByType(odf_text.H) + document.getElementsByType(odf_text.P)
    return flat("\n".join(teletype.extractText(element) for element in elements))


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return flat("\n".join(page.extract_text() for page in reader.pages))


def html_text(content: bytes) -> str:
    # Strict: any parse error raises.
    tree = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(content)
    return flat("".join(tree.itertext()))


def assert_pdf_a(content: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(content))
    assert pdfa.identification(reader) == {"part": "3", "conformance": "B"}
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for face in [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]:
                if "/FontDescriptor" in face:
                    descriptor = face["/FontDescriptor"].get_object()
                    fonts[str(face["/BaseFont"])] = [key for key in descriptor if key.startswith("/FontFile")]
    assert fonts and all(fonts.values()), fonts


async def test_a_live_meeting_becomes_its_verbale_in_five_formats(live_server, room):
    auth = room.world.facilitator.auth
    http = room.client
    organizations = {}
    for name, kind in ORGANIZATIONS:
        answer = http.post(f"/api/v1/processes/{room.process}/organizations", headers=auth,
                           json={"name": name, "kind": kind})
        assert answer.status_code == 201, answer.text
        organizations[name] = answer.json()["id"]
    members = []
    for name, organization in organizations.items():
        for n in (1, 2):
            invite = http.post(f"/api/v1/processes/{room.process}/invites", headers=auth,
                               json={"name": f"Rappresentante {n} {name.split()[-1]}",
                                     "organization": organization, "role": "participant"}).json()
            joined = http.post("/api/v1/join", json={"invite": invite["invite"]}).json()
            members.append((joined["participant"], joined["token"], name))
    # An organisation nobody of which comes: absent in the attendance table.
    absent = http.post(f"/api/v1/processes/{room.process}/organizations", headers=auth,
                       json={"name": "Fondazione Assente", "kind": "other"}).json()["id"]
    http.post(f"/api/v1/processes/{room.process}/invites", headers=auth,
              json={"name": "Persona Assente", "organization": absent, "role": "participant"})

    url, meeting = live_server.ws_url, room.meeting
    staff = await Client.open(url, meeting, room.facilitator.token)
    secretary = await Client.open(url, meeting, room.secretary.token)
    people = await asyncio.gather(*[Client.open(url, meeting, token) for _, token, _ in members])
    assert (await staff.op("meeting", "meeting.start", {}))["type"] == "ack"
    prompt = (await staff.op("meeting", "prompt.open", {"text": QUESTION}))["result"]["prompt"]["id"]
    made = await staff.op("meeting", "groups.create", {"strategy": "balanced", "count": 2})
    assert made["type"] == "ack", made
    groups = made["result"]["groups"]
    assert (await staff.op("meeting", "groups.start", {}))["type"] == "ack"
    board_of = {person: group["board"] for group in groups for person in group["members"]}

    texts = {}
    for (participant, _, organization), client in zip(members, people):
        text = f"Proposta di {participant['name']}: servizi vicini per {organization}"
        stream = f"board:{board_of[participant['id']]}"
        ack = await client.op(stream, "item.create", {"kind": "note", "x": 0, "y": 0, "prompt": prompt,
                                                      "text": text})
        assert ack["type"] == "ack", ack
        texts[ack["result"]["item"]["id"]] = text
    # The plenary gets a note from the participant of the world (Cooperativa Il Ponte).
    own = await Client.open(url, meeting, room.participant.token)
    ack = await own.op(room.board, "item.create", {"kind": "note", "x": 0, "y": 0, "text": "Più spazi per i giovani"})
    texts[ack["result"]["item"]["id"]] = "Più spazi per i giovani"

    first_group = groups[0]
    voting_board = f"board:{first_group['board']}"
    assert (await staff.op(voting_board, "voting.start", {"budget": 2}))["type"] == "ack"
    voters = [(participant, client) for (participant, _, _), client in zip(members, people)
              if participant["id"] in first_group["members"]]
    favourite = next(item for item, text in texts.items() if voters[0][0]["name"] in text)
    for _, client in voters:
        assert (await client.op(voting_board, "vote.cast", {"item": favourite}))["type"] == "ack"
    ended = await staff.op(voting_board, "voting.end", {})
    assert ended["result"]["results"][0] == {"item": favourite, "votes": len(voters), "rank": 1}

    decided = await secretary.op("meeting", "decision.record", {
        "text": DECISION, "method": "vote", "outcome": "Approvata",
        "votes": {"for": 6, "against": 1, "abstained": 0}, "items": [favourite]})
    assert decided["type"] == "ack", decided
    added = await secretary.op("meeting", "action.add", {
        "text": ACTION, "owner": organizations["Associazione Porte Aperte"], "due": "2026-12-15"})
    assert added["type"] == "ack", added
    assert (await staff.op("meeting", "meeting.end", {}))["type"] == "ack"
    for client in [staff, secretary, own, *people]:
        await client.close()

    # The verbale, as staff export the draft, in every format.
    minutes = f"/api/v1/meetings/{meeting}/minutes"
    present = [name for name, _ in ORGANIZATIONS] + ["Cooperativa Il Ponte"]
    expected = [*texts.values(), *present, DECISION, "Approvata", ACTION, QUESTION]
    files = {}
    for fmt in ("md", "html", "docx", "odt", "pdf"):
        answer = http.get(minutes, params={"format": fmt}, headers=room.world.secretary.auth)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-disposition"].endswith(f'.{fmt}"')
        files[fmt] = answer.content
    readers = {"md": lambda content: flat(content.decode("utf-8")), "html": html_text, "docx": docx_text,
               "odt": odt_text, "pdf": pdf_text}
    for fmt, read in readers.items():
        text = read(files[fmt])
        for wanted in expected:
            assert flat(wanted) in text, (fmt, wanted)
    markdown = files["md"].decode("utf-8")
    assert "| Fondazione Assente | altro | assente |" in markdown
    assert "Inizio:** " in markdown and "non iniziato" not in markdown and "non concluso" not in markdown
    assert "favorevoli 6 · contrari 1 · astenuti 0" in markdown
    assert_pdf_a(files["pdf"])

    # A participant cannot export a draft; approval freezes version 1 byte for byte.
    participant = room.world.bearer(room.participant.token)
    assert http.get(minutes, headers=participant).status_code == 403
    approved = http.post(f"{minutes}/approve", headers=room.world.secretary.auth).json()
    first = http.get(minutes, params={"format": "md", "version": 1}, headers=participant).content
    assert approved["version"] == 1 and hashlib.sha256(first).hexdigest() == approved["sha256"]
    assert http.get(minutes, params={"format": "pdf"}, headers=participant).content.startswith(b"%PDF-")
    draft = http.get(f"{minutes}/draft", headers=auth).json()
    http.put(f"{minutes}/draft", headers=auth,
             json={"markdown": draft["markdown"] + "\nRettifica: l'incontro è terminato in anticipo.\n"})
    assert http.post(f"{minutes}/approve", headers=auth).json()["version"] == 2
    again = http.get(minutes, params={"format": "md", "version": 1}, headers=participant).content
    assert again == first and hashlib.sha256(again).hexdigest() == approved["sha256"]
    assert "Rettifica" in http.get(minutes, headers=participant).text

    # The public text names organisations, never people.
    assert http.post(f"{minutes}/versions/2/publish", headers=auth).status_code == 200
    public = http.get(f"/api/v1/public/meetings/{meeting}/minutes", params={"format": "md"}).text
    names = [participant["name"] for participant, _, _ in members] + [
        "Persona participant", "Persona observer", "Giulia Ferraro", "Marco Zanin", "Persona Assente"]
    for name in names:
        assert name not in public, name
    for name in present:
        assert name in public, name
    assert "Rettifica" in public and "Partecipante" in public

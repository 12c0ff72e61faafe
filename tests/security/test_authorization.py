"""Who may open which page, and what no page, export or socket lets slip.

The API's table is tests/api/test_permissions.py and the protocol's
tests/realtime/test_permission_matrix.py; this module shares the API's roles and world
(`build_scenario`) and adds: every page × every role (status, and no text the role may not
read anywhere in the answer), the verbale's draft hidden from members, public documents
without names, and connections refused to people outside the meeting.
"""

from __future__ import annotations

import json
import re

import pytest
from sqlmodel import Session
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from boards.models import Board, Item, ItemKind
from realtime.frames import Op
from realtime.identity import Identity
from realtime.messages import OPS
from realtime.ops import execute
from realtime.streams import parse_wire
from tests.api.support import bearer
from tests.api.test_permissions import ROLES, Scenario, build_scenario
from tests.conftest import cheap_password_hashing, unique

STAFF = {"facilitator", "secretary"}
# Who may read each of the scenario's guarded texts (staff of P always may).
READERS = {
    "note-A": STAFF | {"participant", "observer", "code_participant", "limited_invitee"},
    "note-B": STAFF | {"participant", "observer"},
    "note-group": STAFF | {"participant"},
    "note-other-group": STAFF | {"code_participant"},
    "private": STAFF | {"code_participant"},
}


@pytest.fixture(scope="module")
def scenario(app, engine) -> Scenario:
    with cheap_password_hashing():
        world = build_scenario(app, engine)
    world.statement = world.as_facilitator(
        "POST", f"/api/v1/processes/{world.process}/synthesis/statements",
        json={"text": unique("Affermazione"), "sources": []})["id"]
    world.pledge = world.as_facilitator("POST", f"/api/v1/processes/{world.process}/pledges", json={
        "organization": world.organization, "kind": "spaces", "description": unique("Sala"),
        "quantity": "1", "unit": "m²", "value_eur": "1"})["id"]
    return world


# fmt: off
#                                              anon  fac  sec part  obs o.part o.fac code limited
PAGES = {
    "/":                                        (303, 303, 303, 303, 303, 303, 303, 303, 303),
    "/accessibilita":                           (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "/login":                                   (200, 303, 303, 200, 200, 200, 303, 200, 200),
    "/code":                                    (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "/processes":                               (303, 200, 200, 200, 200, 200, 200, 200, 200),
    "/processes/{P}":                           (303, 200, 200, 200, 200, 403, 403, 200, 200),
    "/processes/{Q}":                           (303, 403, 403, 403, 403, 200, 200, 403, 403),
    "/processes/{P}/audit":                     (303, 200, 200, 403, 403, 403, 403, 403, 403),
    "/processes/{P}/pledges":                   (303, 200, 200, 200, 200, 403, 403, 403, 403),
    "/pledges/{G}/edit":                        (303, 200, 403, 403, 403, 403, 403, 403, 403),
    "/processes/{P}/reflection":                (303, 200, 200, 200, 200, 403, 403, 200, 200),
    "/processes/{P}/synthesis":                 (303, 200, 200, 200, 200, 403, 403, 403, 403),
    "/processes/{P}/synthesis/statements/new":  (303, 200, 200, 403, 403, 403, 403, 403, 403),
    # The notices of a change since the page's version (0: any); 204 when there is none.
    "/processes/{P}/synthesis/changes":         (303, 200, 200, 204, 204, 403, 403, 403, 403),
    "/processes/{P}/pledges/changes":           (303, 200, 200, 200, 200, 403, 403, 403, 403),
    "/synthesis/statements/{S}/changes":        (303, 204, 204, 403, 403, 403, 403, 403, 403),
    "/synthesis/statements/{S}/edit":           (303, 200, 200, 403, 403, 403, 403, 403, 403),
    "/meetings/{A}/setup":                      (303, 200, 200, 403, 403, 403, 403, 403, 403),
    "/meetings/{A}/attendance":                 (303, 200, 200, 403, 403, 403, 403, 403, 403),
    "/meetings/{A}/documents":                  (303, 200, 200, 200, 200, 403, 403, 200, 200),
    "/meetings/{A}/minutes":                    (303, 200, 200, 200, 200, 403, 403, 200, 200),
    "/meetings/{B}/minutes":                    (303, 200, 200, 200, 200, 403, 403, 403, 403),
    "/meetings/{A}/minutes/approve":            (303, 200, 200, 403, 403, 403, 403, 403, 403),
    "/meetings/{A}/reflection":                 (303, 200, 200, 200, 200, 403, 403, 200, 200),
    "/meetings/{A}/room":                       (303, 200, 200, 200, 200, 403, 403, 200, 200),
    "/meetings/{B}/room":                       (303, 200, 200, 200, 200, 403, 403, 403, 403),
    # Asking the room for a board one may not read opens one's own: never the one asked for.
    "/meetings/{A}/room?board={GA2}":           (303, 200, 200, 200, 200, 403, 403, 200, 200),
    "/meetings/{A}/room?board={PB}":            (303, 200, 200, 200, 200, 403, 403, 200, 200),
    "/meetings/{A}/room?board={PA}&view=list":  (303, 200, 200, 200, 200, 403, 403, 200, 200),
    "/processes/{P}/insights":                  (303, 200, 200, 200, 200, 403, 403, 403, 403),
    "/insights":                                (303, 200, 200, 200, 200, 200, 200, 200, 200),
    "/people/{E}/erase":                        (303, 200, 403, 403, 403, 403, 403, 403, 403),
    # No recording link: members are sent back to the meeting, outsiders refused.
    "/meetings/{A}/consent":                    (303, 303, 303, 303, 303, 403, 403, 303, 303),
    # Not published yet: nothing to show to anyone.
    "/public/meetings/{A}/minutes":             (404, 404, 404, 404, 404, 404, 404, 404, 404),
    "/public/processes/{P}/synthesis":          (404, 404, 404, 404, 404, 404, 404, 404, 404),
}
# fmt: on


def _url(s: Scenario, page: str) -> str:
    return page.format(P=s.process, Q=s.other_process, A=s.meeting_a["id"], B=s.meeting_b["id"],
                       S=s.statement, G=s.pledge, E=s.people["observer"], GA2=s.other_group_board,
                       PB=s.meeting_b["plenary_board"], PA=s.meeting_a["plenary_board"])


@pytest.mark.parametrize("page", list(PAGES))
def test_page_for_every_role(scenario, page):
    """Each role gets its status; no answer holds a text the role may not read."""
    wrong = []
    for role, expected in zip(ROLES, PAGES[page], strict=True):
        answer = scenario.client.get(_url(scenario, page), headers=bearer(scenario.tokens[role]),
                                     follow_redirects=False)
        if answer.status_code != expected:
            wrong.append(f"{role}: expected {expected}, got {answer.status_code}")
            continue
        leaked = [name for name, text in scenario.secrets.items()
                  if text in answer.text and role not in READERS[name]]
        if leaked:
            wrong.append(f"{role}: shows {leaked}")
        if expected == 303 and role == "anonymous" and page != "/":
            assert answer.headers["location"].startswith("/login")
        if expected == 403:
            assert answer.headers["content-type"].startswith("text/html")
    assert not wrong, f"{page}:\n" + "\n".join(wrong)


def test_the_room_shows_notes_so_the_check_above_is_worth_something(scenario):
    for role, page, secret in [("participant", "/meetings/{A}/room", "note-A"),
                               ("code_participant", "/meetings/{A}/room?board={GA2}", "note-other-group"),
                               ("code_participant", "/meetings/{A}/room", "private")]:
        answer = scenario.client.get(_url(scenario, page), headers=bearer(scenario.tokens[role]))
        assert scenario.secrets[secret] in answer.text, (role, page)


def test_every_page_route_is_in_the_table(app):
    """A new GET page must get a row: the table says who may open it."""
    from app.pages import routes

    paths = {
        route.path
        for module in vars(routes).values() if hasattr(module, "router") and module is not routes
        for route in module.router.routes if "GET" in getattr(route, "methods", ())
    }
    # Pages reached with a secret (join links, codes) and the English aliases are tested
    # by their own modules; the public minutes of a given version is a file download.
    skipped = {"/join/{secret}", "/code/{code}", "/accessibility", "/public/meetings/{meeting_id}/minutes/{version}"}
    rows = {re.sub(r"\{[A-Z]\}", "{id}", page.partition("?")[0]) for page in PAGES}
    assert {re.sub(r"\{[^}]+\}", "{id}", path) for path in paths - skipped} == rows


# --- the verbale's draft and the public documents ------------------------------------


def test_the_draft_verbale_is_for_staff_only(scenario):
    meeting = scenario.meeting_a["id"]
    draft = scenario.as_facilitator("GET", f"/api/v1/meetings/{meeting}/minutes/draft")
    marker = unique("Bozza-riservata")
    scenario.as_facilitator("PUT", f"/api/v1/meetings/{meeting}/minutes/draft",
                            json={"markdown": draft["markdown"] + f"\n\n{marker}\n"})
    for role in ROLES:
        for url in (f"/meetings/{meeting}/minutes", f"/api/v1/meetings/{meeting}/minutes?format=md",
                    f"/api/v1/meetings/{meeting}/minutes/draft", f"/api/v1/meetings/{meeting}/minutes?format=html"):
            answer = scenario.client.get(url, headers=bearer(scenario.tokens[role]), follow_redirects=False)
            if role in STAFF and "format=" not in url or role in STAFF and answer.status_code == 200:
                continue
            assert marker not in answer.text, (role, url)


@pytest.fixture
def published(app, engine) -> Scenario:
    """A world of its own: publishing here must not change what the page table expects."""
    with cheap_password_hashing():
        return build_scenario(app, engine)


def test_public_documents_name_nobody(published):
    """The public verbale and synthesis pseudonymise people; organisations stay."""
    scenario = published
    person_name = "Ermenegilda Zanzottera"
    invite = scenario.as_facilitator("POST", f"/api/v1/processes/{scenario.process}/invites", json={
        "name": person_name, "organization": scenario.organization, "role": "participant"})
    joined = scenario.client.post("/api/v1/join", json={"invite": invite["invite"]}).json()
    with Session(scenario.engine) as session:
        item = Item(board_id=scenario.meeting_a["plenary_board"], kind=ItemKind.note,
                    text=unique("Proposta"), author_id=joined["participant"]["id"],
                    organization_id=scenario.organization)
        session.add(item)
        session.commit()
        item_id = item.id
    meeting = scenario.meeting_a["id"]
    # Someone present in the room without an invite, and the chair of the steering committee.
    in_room = "Gualtiero Brambillasca"
    scenario.as_facilitator("POST", f"/api/v1/meetings/{meeting}/attendance", json={
        "name": in_room, "organization": scenario.organization, "title": "Assessore"})
    steering = "Ottavia Pellizzari"
    scenario.as_facilitator("POST", f"/api/v1/processes/{scenario.process}/steering",
                            json={"name": steering, "position": "Presidente"})
    # The draft follows the record again (another test edited it).
    draft = scenario.as_facilitator("GET", f"/api/v1/meetings/{meeting}/minutes/draft")
    scenario.as_facilitator("PUT", f"/api/v1/meetings/{meeting}/minutes/draft",
                            json={"markdown": draft["generated"]})
    version = scenario.as_facilitator("POST", f"/api/v1/meetings/{meeting}/minutes/approve")["version"]
    scenario.as_facilitator("POST", f"/api/v1/meetings/{meeting}/minutes/versions/{version}/publish")
    scenario.as_facilitator("POST", f"/api/v1/processes/{scenario.process}/synthesis/statements",
                            json={"text": unique("Affermazione"), "sources": [item_id]})
    scenario.as_facilitator("POST", f"/api/v1/processes/{scenario.process}/synthesis/approve")
    scenario.as_facilitator("POST", f"/api/v1/processes/{scenario.process}/synthesis/publish")

    staff = scenario.client.get(f"/api/v1/meetings/{meeting}/minutes?version={version}&format=md",
                                headers=bearer(scenario.tokens["facilitator"]))
    assert person_name in staff.text and in_room in staff.text  # the check below is worth something
    for url in [f"/api/v1/public/meetings/{meeting}/minutes?format={fmt}" for fmt in ("md", "html")] + [
        f"/api/v1/processes/{scenario.process}/synthesis/public?format={fmt}" for fmt in ("md", "html")] + [
            f"/public/meetings/{meeting}/minutes", f"/public/processes/{scenario.process}/synthesis"]:
        answer = scenario.client.get(url)
        assert answer.status_code == 200, (url, answer.text[:200])
        for name in (person_name, in_room, steering):
            assert not set(name.split()) & set(re.findall(r"\w+", answer.text)), (url, name)
        assert "Cooperativa Il Ponte" in answer.text or "synthesis" in url


# --- the socket: who may not even connect ------------------------------------------------

@pytest.mark.parametrize(("role", "meeting", "code"), [
    ("anonymous", "A", 4401),
    ("outside_participant", "A", 4403),
    ("outside_facilitator", "A", 4403),
    ("code_participant", "B", 4403),
    ("limited_invitee", "B", 4403),
    ("participant", "A", None),
    ("code_participant", "A", None),
])
def test_connections_outside_ones_meeting_are_refused(scenario, live_server, role, meeting, code):
    meeting_id = scenario.meeting_a["id"] if meeting == "A" else scenario.meeting_b["id"]
    with connect(f"{live_server.ws_url}/ws/meetings/{meeting_id}", open_timeout=10) as ws:
        hello = {"type": "hello"}
        if scenario.tokens[role]:
            hello["token"] = scenario.tokens[role]
        ws.send(json.dumps(hello))
        if code is None:
            assert json.loads(ws.recv(timeout=10))["type"] == "welcome"
            return
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                message = ws.recv(timeout=10)
                assert not any(text in message for text in scenario.secrets.values())
        assert closed.value.rcvd.code == code


def test_a_member_of_another_group_is_refused_that_groups_board(scenario, live_server):
    """Subscribing to a group's board one is not in: an error that shows none of it."""
    with connect(f"{live_server.ws_url}/ws/meetings/{scenario.meeting_a['id']}", open_timeout=10) as ws:
        ws.send(json.dumps({"type": "hello", "token": scenario.tokens["participant"]}))
        assert json.loads(ws.recv(timeout=10))["type"] == "welcome"
        ws.send(json.dumps({"type": "subscribe", "stream": f"board:{scenario.other_group_board}"}))
        while True:
            message = ws.recv(timeout=10)
            frame = json.loads(message)
            frames = frame["frames"] if frame["type"] == "batch" else [frame]
            answer = next((f for f in frames if f.get("stream") == f"board:{scenario.other_group_board}"), None)
            if answer:
                break
        assert answer["type"] == "error" and answer["code"] == "forbidden", answer
        assert scenario.secrets["note-other-group"] not in message
        # The own group's board, and the plenary with a private note in it, redacted.
        ws.send(json.dumps({"type": "subscribe", "stream": f"board:{scenario.meeting_a['plenary_board']}"}))
        seen = ""
        while '"synced"' not in seen:
            seen += ws.recv(timeout=10)
        assert scenario.secrets["note-A"] in seen
        assert scenario.secrets["private"] not in seen


# --- ops naming objects of another meeting or process ---------------------------------


class Desk:
    """Ops applied through the real-time core's own path (no socket), as one person."""

    def __init__(self, engine, person_id: int, meeting_id: int) -> None:
        from boards.models import Person

        with Session(engine) as session:
            person = session.get(Person, person_id)
            self.identity = Identity(person.id, person.name, person.organization_id, person.role, meeting_id, "it")
        self.engine = engine

    def op(self, stream: str, name: str, data: dict) -> dict:
        """The ack's result; raises the op's DomainError."""
        spec = OPS[name]
        with Session(self.engine) as session:
            outcome = execute(session, identity=self.identity, op=Op(unique("op"), stream, name, data), spec=spec,
                              data=spec.read(data), stream=parse_wire(stream, meeting_id=self.identity.meeting_id))
        return outcome.ack["result"]


def _objects(desk: Desk, board: int, participant: int, organization: int, group_board: int | None = None) -> dict:
    """A meeting's notes, frame, question, action and group, made by its facilitator.

    Given a meeting's group board, its group is used: making groups would dissolve the
    meeting's own, whose boards the whole meeting may then read (reporting back), and the
    page table above, which may run after this under xdist, would see them."""
    stream = f"board:{board}"
    desk.op("meeting", "meeting.start", {})
    frame = desk.op(stream, "item.create", {"kind": "frame", "x": 0, "y": 0, "text": "Cornice"})["item"]["id"]
    note = desk.op(stream, "item.create", {"kind": "note", "x": 1, "y": 1, "text": "Nota"})["item"]["id"]
    prompt = desk.op("meeting", "prompt.open", {"text": "Domanda?"})["prompt"]["id"]
    action = desk.op("meeting", "action.add", {"text": "Azione", "owner": organization})["action"]["id"]
    if group_board is None:
        made = desk.op("meeting", "groups.create", {"strategy": "manual", "assignments": {str(participant): 0}})
        group, group_board = made["groups"][0]["id"], made["groups"][0]["board"]
    else:
        with Session(desk.engine) as session:
            group = session.get(Board, group_board).group_id
    return {"board": board, "frame": frame, "note": note, "prompt": prompt, "action": action,
            "group": group, "group_board": group_board, "participant": participant, "organization": organization}


@pytest.fixture(scope="module")
def desks(scenario):
    """Meeting A's facilitator with its objects, and the objects of meeting B (same process)
    and of process Q (another facilitator)."""
    s = scenario
    staff = {m["role"]: m["person"] for m in s.as_facilitator("GET", f"/api/v1/processes/{s.process}")["staff"]}
    ours = Desk(s.engine, staff["facilitator"], s.meeting_a["id"])
    other_meeting = Desk(s.engine, staff["facilitator"], s.meeting_b["id"])
    q = s.client.get(f"/api/v1/processes/{s.other_process}", headers=bearer(s.tokens["outside_facilitator"])).json()
    q_staff = {m["role"]: m["person"] for m in q["staff"]}
    q_meeting = s.client.post(f"/api/v1/processes/{s.other_process}/meetings",
                              headers=bearer(s.tokens["outside_facilitator"]), json={
                                  "title": "Incontro Q", "starts_at": "2026-12-01T14:00:00Z", "mode": "online",
                                  "agenda": ["Uno"]}).json()
    q_org = q["organizations"][0]["id"] if q.get("organizations") else None
    q_person = s.client.get(f"/api/v1/processes/{s.other_process}/invites",
                            headers=bearer(s.tokens["outside_facilitator"])).json()
    q_person = (q_person["invites"] if isinstance(q_person, dict) else q_person)[0]["person"]
    theirs = Desk(s.engine, q_staff["facilitator"], q_meeting["id"])
    return {
        "A": (ours, _objects(ours, s.meeting_a["plenary_board"], s.people["participant"], s.organization,
                             group_board=s.group_board)),
        "B": (other_meeting, _objects(other_meeting, s.meeting_b["plenary_board"], s.people["participant"],
                                      s.organization)),
        "Q": (theirs, _objects(theirs, q_meeting["plenary_board"], q_person, q_org)),
    }


# What meeting A's facilitator sends, naming the foreign meeting's object `f` (own: `o`).
CROSS = {
    "comment on their note": ("board", "comment.add", lambda o, f: {"item": f["note"], "text": "x"}),
    "reply under their comment's note": ("board", "comment.add",
                                         lambda o, f: {"item": o["note"], "parent": f["note"], "text": "x"}),
    "update their note": ("board", "item.update", lambda o, f: {"item": f["note"], "text": "x"}),
    "move their note": ("board", "item.move", lambda o, f: {"item": f["note"], "x": 2, "y": 2}),
    "delete their note": ("board", "item.delete", lambda o, f: {"item": f["note"]}),
    "a note in their frame": ("board", "item.create",
                              lambda o, f: {"kind": "note", "x": 1, "y": 1, "text": "x", "frame": f["frame"]}),
    "a note answering their question": ("board", "item.create",
                                        lambda o, f: {"kind": "note", "x": 1, "y": 1, "text": "x", "prompt": f["prompt"]}),
    "our note into their frame": ("board", "item.update", lambda o, f: {"item": o["note"], "frame": f["frame"]}),
    "a decision citing their note": ("meeting", "decision.record", lambda o, f: {
        "text": "x", "method": "consensus", "outcome": "ok", "items": [f["note"]]}),
    "an action for their organisation": ("meeting", "action.add",
                                         lambda o, f: {"text": "x", "owner": f["organization"]}),
    "update their action": ("meeting", "action.update", lambda o, f: {"action": f["action"], "status": "done"}),
    "our action to their organisation": ("meeting", "action.update",
                                         lambda o, f: {"action": o["action"], "owner": f["organization"]}),
    "close their question": ("meeting", "prompt.close", lambda o, f: {"prompt": f["prompt"]}),
    "a question for their group": ("meeting", "prompt.open", lambda o, f: {"text": "x", "groups": [f["group"]]}),
    "summon to their board": ("meeting", "summon", lambda o, f: {"board": f["board"], "x": 0, "y": 0, "zoom": 1}),
    "a message to their group": ("meeting", "message.broadcast", lambda o, f: {"text": "x", "groups": [f["group"]]}),
    "promote their frame": ("meeting", "line.promote", lambda o, f: {"board": f["board"], "frame": f["frame"], "title": "x"}),
    "promote their frame from our board": ("meeting", "line.promote",
                                           lambda o, f: {"board": o["board"], "frame": f["frame"], "title": "x"}),
    "their person into our group": ("meeting", "groups.assign",
                                    lambda o, f: {"participant": f["participant"], "group": o["group"]}),
    "our person into their group": ("meeting", "groups.assign",
                                    lambda o, f: {"participant": o["participant"], "group": f["group"]}),
    "remove their person": ("meeting", "participant.remove", lambda o, f: {"participant": f["participant"]}),
    "groups of their people": ("meeting", "groups.create",
                               lambda o, f: {"strategy": "manual", "assignments": {str(f["participant"]): 0}}),
    "write on their board": ("their-board", "item.create", lambda o, f: {"kind": "note", "x": 1, "y": 1, "text": "x"}),
    "write on their group's board": ("their-group-board", "item.create",
                                     lambda o, f: {"kind": "note", "x": 1, "y": 1, "text": "x"}),
}


# Organisations and people belong to the whole process: meeting B shares A's.
PROCESS_WIDE = {"an action for their organisation", "our action to their organisation", "remove their person",
                "groups of their people"}


@pytest.mark.parametrize(("what", "where"), [(what, where) for what in CROSS for where in ("B", "Q")
                                             if not (where == "B" and what in PROCESS_WIDE)])
def test_an_op_naming_another_meetings_object_is_refused_and_changes_nothing(scenario, desks, what, where):
    """Meeting B of the same process, or process Q: its notes, frames, questions, actions,
    groups, boards and people are out of reach of an op sent to meeting A."""
    from boards.errors import DomainError
    from realtime.errors import code_of
    from tests.api.support import nothing_stored

    desk, own = desks["A"]
    _desk, foreign = desks[where]
    kind, name, data = CROSS[what]
    stream = {"board": f"board:{own['board']}", "meeting": "meeting", "their-board": f"board:{foreign['board']}",
              "their-group-board": f"board:{foreign['group_board']}"}[kind]
    with nothing_stored(scenario.engine, scenario.process, scenario.other_process):
        with pytest.raises(DomainError) as refused:
            desk.op(stream, name, data(own, foreign))
    assert code_of(refused.value) in ("not_found", "bad_request", "forbidden"), refused.value


# --- HTTP writes naming objects of another process ----------------------------------------


@pytest.fixture(scope="module")
def foreign(scenario, desks) -> dict:
    """Process Q's organisation, person, note, meeting, table and line, by id."""
    s = scenario
    auth = bearer(s.tokens["outside_facilitator"])
    _desk, objects = desks["Q"]
    table = s.client.post(f"/api/v1/processes/{s.other_process}/tables", headers=auth,
                          json={"title": "Tavolo Q"}).json()["id"]
    meetings = s.client.get(f"/api/v1/processes/{s.other_process}", headers=auth).json()["meetings"]
    with Session(s.engine) as session:
        from boards.models import LineOfWork

        line = LineOfWork(process_id=s.other_process, meeting_id=meetings[0]["id"], title="Linea Q")
        session.add(line)
        session.commit()
        line_id = line.id
    return {**objects, "table": table, "line": line_id, "meeting": meetings[0]["id"]}


CROSS_HTTP = {
    "invite into their organisation": ("POST", "/api/v1/processes/{P}/invites",
                                       lambda f: {"name": "X", "organization": f["organization"], "role": "participant"}),
    "invite to their meeting": ("POST", "/api/v1/processes/{P}/invites",
                                lambda f: {"name": "X", "organization": "{O}", "role": "participant",
                                           "meetings": [f["meeting"]]}),
    "a pledge of their organisation": ("POST", "/api/v1/processes/{P}/pledges", lambda f: {
        "organization": f["organization"], "kind": "spaces", "description": "x", "quantity": "1", "unit": "m",
        "value_eur": "1"}),
    "a statement citing their note": ("POST", "/api/v1/processes/{P}/synthesis/statements",
                                      lambda f: {"text": "x", "sources": [f["note"]]}),
    "a statement on their line": ("POST", "/api/v1/processes/{P}/synthesis/statements",
                                  lambda f: {"text": "x", "line": f["line"]}),
    "their person's attendance": ("PATCH", "/api/v1/meetings/{A}/attendance",
                                  lambda f: {"participant": f["participant"], "status": "present"}),
    "a proxy for their person": ("PATCH", "/api/v1/meetings/{A}/attendance", lambda f: {
        "participant": "{part}", "status": "proxy", "proxy_for": f["participant"]}),
    "present for their organisation": ("POST", "/api/v1/meetings/{A}/attendance",
                                       lambda f: {"name": "X", "organization": f["organization"]}),
    "their organisation's attendance": ("PATCH", "/api/v1/meetings/{A}/attendance/organizations/{f_org}",
                                        lambda f: {"status": "excused"}),
    "steering member of their organisation": ("POST", "/api/v1/processes/{P}/steering",
                                              lambda f: {"name": "X", "organization": f["organization"]}),
    "a meeting at their table": ("POST", "/api/v1/processes/{P}/meetings", lambda f: {
        "title": "X", "starts_at": "2027-01-01T10:00:00Z", "mode": "online", "agenda": ["a"],
        "thematic_table": f["table"]}),
}


@pytest.mark.parametrize("what", list(CROSS_HTTP))
def test_a_write_naming_another_process_object_is_refused_and_changes_nothing(scenario, foreign, what):
    from tests.api.support import assert_error, nothing_stored

    method, url, body = CROSS_HTTP[what]
    url = url.format(P=scenario.process, A=scenario.meeting_a["id"], f_org=foreign["organization"])
    values = json.loads(json.dumps(body(foreign)).replace('"{O}"', str(scenario.organization))
                        .replace('"{part}"', str(scenario.people["participant"])))
    with nothing_stored(scenario.engine, scenario.process, scenario.other_process):
        answer = scenario.client.request(method, url, json=values, headers=bearer(scenario.tokens["facilitator"]))
        assert answer.status_code in (400, 403, 404, 409, 422), f"{answer.status_code} {answer.text[:300]}"
    assert_error(answer, answer.status_code)


# --- private mode over the socket: live, replayed, snapshot ---------------------------------


class Wire:
    """A synchronous protocol connection: frames read in order, batches unwrapped."""

    def __init__(self, ws, token: str) -> None:
        self.ws, self.pending, self.raw = ws, [], []
        self.send({"type": "hello", "token": token})
        assert self.until(lambda f: True)["type"] == "welcome"

    def send(self, frame: dict) -> None:
        self.ws.send(json.dumps(frame))

    def until(self, predicate) -> dict:
        while True:
            while self.pending:
                frame = self.pending.pop(0)
                if predicate(frame):
                    return frame
            message = self.ws.recv(timeout=10)
            self.raw.append(message)
            frame = json.loads(message)
            self.pending.extend(frame["frames"] if frame["type"] == "batch" else [frame])

    def subscribe(self, stream: str, since: int = 0) -> list[dict]:
        """Every frame for `stream` up to `synced`."""
        self.send({"type": "subscribe", "stream": stream, "since": since})
        got = []
        while not got or got[-1]["type"] not in ("synced", "error"):
            got.append(self.until(lambda f: f.get("stream") == stream))
        return got


def test_private_notes_stay_private_live_in_replays_and_snapshots(scenario, desks, live_server):
    desk, _own = desks["A"]
    board_id = desk.op("meeting", "board.create", {"title": "Idee riservate"})["board"]["id"]
    stream = f"board:{board_id}"
    desk.op(stream, "private.start", {})
    first, second = unique("Idea-segreta"), unique("Idea-corretta")
    url = f"{live_server.ws_url}/ws/meetings/{scenario.meeting_a['id']}"
    with connect(url, open_timeout=10) as a, connect(url, open_timeout=10) as b, \
            connect(url, open_timeout=10) as c, connect(url, open_timeout=10) as d:
        author, watcher = Wire(a, scenario.tokens["code_participant"]), Wire(b, scenario.tokens["participant"])
        author.subscribe(stream)
        watcher.subscribe(stream)
        author.send({"type": "op", "id": "p1", "stream": stream, "name": "item.create",
                     "data": {"kind": "note", "x": 1, "y": 1, "text": first}})
        item = author.until(lambda f: f.get("id") == "p1")["result"]["item"]
        assert item["text"] == first
        author.send({"type": "op", "id": "p2", "stream": stream, "name": "item.update",
                     "data": {"item": item["id"], "text": second}})
        assert author.until(lambda f: f.get("id") == "p2")["type"] == "ack"
        created = watcher.until(lambda f: f.get("name") == "item.created")
        updated = watcher.until(lambda f: f.get("name") == "item.updated")
        assert created["data"]["item"]["text"] is None and created["data"]["item"]["redacted"] is True
        assert updated["data"]["fields"]["text"] is None
        # Coming later, from the start of the log, or as a snapshot: the same veil.
        for token in (scenario.tokens["limited_invitee"], scenario.tokens["observer"]):
            with connect(url, open_timeout=10) as late_ws:
                late = Wire(late_ws, token)
                snapshot = late.subscribe(stream)
                assert [f["type"] for f in snapshot] == ["snapshot", "synced"]
                replay = late.subscribe(stream, since=1)
                assert [f.get("name") for f in replay if f["type"] == "event"] == ["item.created", "item.updated"]
                assert not any(text in message for message in late.raw for text in (first, second))
        assert not any(text in message for message in watcher.raw for text in (first, second))
        # The author and staff read it whole; the reveal lifts the veil for everyone.
        staff = Wire(c, scenario.tokens["facilitator"])
        assert second in json.dumps(staff.subscribe(stream))
        other = Wire(d, scenario.tokens["code_participant"])
        assert second in json.dumps(other.subscribe(stream, since=1))
        desk.op(stream, "private.reveal", {})
        assert second in json.dumps(watcher.subscribe(stream))

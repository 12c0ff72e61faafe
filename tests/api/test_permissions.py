"""Every endpoint of the API × every role, with the exact status each must get.

One process P with two meetings: A, which a code-joined participant and a limited invite
admit to, and B, which they do not; two breakout groups on A, the participant in the first
and the code-joined participant in the second; and a second process Q whose facilitator and
participant are outsiders to P. Every refused write is checked to have stored nothing, and
every refused answer to say nothing of what it guards: no note of A, B or a group, no
private note, in any error. `build_scenario` is shared with tests/security.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from sqlmodel import Session

from boards.models import (Board, BoardKind, BreakoutGroup, GroupMember, Meeting, Item, ItemKind, LineOfWork, Organization,
                           Process)
from tests.api.support import (
    assert_error,
    bearer,
    client_from,
    mint_token,
    nothing_stored,
    staff_account,
)
from tests.conftest import PASSWORD, unique

ROLES = [
    "anonymous",
    "facilitator",           # staff of P, created it
    "secretary",             # staff of P
    "participant",           # invited to P, every meeting, member of the group on A
    "observer",              # invited to P, every meeting
    "outside_participant",   # invited to Q only
    "outside_facilitator",   # facilitator of Q only
    "code_participant",      # joined P with meeting A's code
    "limited_invitee",       # invited to P for meeting A only
]


@dataclass
class Scenario:
    client: object
    engine: object
    process: int
    other_process: int
    organization: int
    meeting_a: dict
    meeting_b: dict
    group_board: int
    people: dict[str, int]
    tokens: dict[str, str | None] = field(default_factory=dict)
    # The second group's board, whose member is the code-joined participant.
    other_group_board: int = 0
    # Texts that only some roles may read: a note on each board, and a private note on A's
    # plenary by the code-joined participant (others see it redacted).
    secrets: dict[str, str] = field(default_factory=dict)
    facilitator_email: str = ""
    # What `once` made, by name.
    made: dict[str, object] = field(default_factory=dict)

    def once(self, what: str, make: Callable[[], object]) -> object:
        """What `make()` returns, made at the first call for `what` only: an approved version
        that every role reads need not be approved again for each (each approval prints its
        PDF, DOCX and ODT)."""
        if what not in self.made:
            self.made[what] = make()
        return self.made[what]

    def as_facilitator(self, method: str, url: str, **kwargs):
        answer = self.client.request(method, url, headers=bearer(self.tokens["facilitator"]),
                                     **kwargs)
        assert answer.status_code < 300, answer.text
        return answer.json() if answer.content else None

    def new_invite(self, meetings: list[int] | None = None) -> dict:
        body = {"name": unique("Persona"), "organization": self.organization,
                "role": "participant"}
        if meetings is not None:
            body["meetings"] = meetings
        return self.as_facilitator("POST", f"/api/v1/processes/{self.process}/invites", json=body)


@pytest.fixture(scope="module")
def scenario(app, engine, quick_password_hashing) -> Scenario:
    return build_scenario(app, engine)


def build_scenario(app, engine) -> Scenario:
    """The roles' world (see the module's docstring); a dozen requests."""
    client = client_from(app, f"10.251.{secrets.randbelow(250)}.{secrets.randbelow(250)}")
    tokens: dict[str, str | None] = {"anonymous": None}
    emails = {}
    for role, account_role in [("facilitator", "facilitator"), ("secretary", "secretary"),
                               ("outside_facilitator", "facilitator")]:
        emails[role] = f"{unique(role)}@example.org"
        _, tokens[role] = staff_account(engine, account_role, emails[role], role.title(), PASSWORD)

    def call(role, method, url, **kwargs):
        answer = client.request(method, url, headers=bearer(tokens[role]), **kwargs)
        assert answer.status_code < 300, answer.text
        return answer.json() if answer.content else None

    def join(**body):
        return call("anonymous", "POST", "/api/v1/join", json=body)

    process = call("facilitator", "POST", "/api/v1/processes",
                   json={"title": "Percorso P", "kind": "co-design"})["id"]
    call("facilitator", "POST", f"/api/v1/processes/{process}/staff",
         json={"email": emails["secretary"], "role": "secretary"})
    organization = call("facilitator", "POST", f"/api/v1/processes/{process}/organizations",
                        json={"name": "Cooperativa Il Ponte", "kind": "third_sector"})["id"]
    meetings = [
        call("facilitator", "POST", f"/api/v1/processes/{process}/meetings",
             json={"title": title, "starts_at": "2026-12-01T14:00:00Z", "mode": "online",
                   "agenda": ["Apertura"]})
        for title in ("Incontro A", "Incontro B")
    ]
    people = {}
    for role, limit in [("participant", None), ("observer", None),
                        ("limited_invitee", [meetings[0]["id"]])]:
        body = {"name": role, "organization": organization,
                "role": "observer" if role == "observer" else "participant"}
        if limit:
            body["meetings"] = limit
        invite = call("facilitator", "POST", f"/api/v1/processes/{process}/invites", json=body)
        joined = join(invite=invite["invite"])
        tokens[role], people[role] = joined["token"], joined["participant"]["id"]
    code = call("facilitator", "POST", f"/api/v1/meetings/{meetings[0]['id']}/code")["code"]
    joined = join(code=code, name="Ospite", organization_name="Associazione Ospite")
    tokens["code_participant"], people["code_participant"] = (
        joined["token"], joined["participant"]["id"])

    other = call("outside_facilitator", "POST", "/api/v1/processes",
                 json={"title": "Percorso Q", "kind": "co-programming"})["id"]
    other_org = call("outside_facilitator", "POST", f"/api/v1/processes/{other}/organizations",
                     json={"name": "Comune di Q", "kind": "public"})["id"]
    invite = call("outside_facilitator", "POST", f"/api/v1/processes/{other}/invites",
                  json={"name": "Esterna", "organization": other_org, "role": "participant"})
    tokens["outside_participant"] = join(invite=invite["invite"])["token"]

    # Breakout groups and notes are made over the real-time protocol; here the rows are enough.
    group_boards = []
    with Session(engine) as session:
        for position, member in [(1, "participant"), (2, "code_participant")]:
            group = BreakoutGroup(meeting_id=meetings[0]["id"], name=f"Gruppo {position}",
                                  position=position)
            session.add(group)
            session.flush()
            board = Board(meeting_id=meetings[0]["id"], title=f"Gruppo {position}",
                          kind=BoardKind.group, group_id=group.id)
            session.add(board)
            session.flush()
            group.board_id = board.id
            session.add(GroupMember(group_id=group.id, person_id=people[member]))
            group_boards.append(board.id)
        secrets_ = {name: unique(f"Riservato-{name}") for name in
                    ("note-A", "note-B", "note-group", "note-other-group", "private")}
        for name, board_id, author, private in [
            ("note-A", meetings[0]["plenary_board"], "participant", False),
            ("note-B", meetings[1]["plenary_board"], "participant", False),
            ("note-group", group_boards[0], "participant", False),
            ("note-other-group", group_boards[1], "code_participant", False),
            ("private", meetings[0]["plenary_board"], "code_participant", True),
        ]:
            session.add(Item(board_id=board_id, kind=ItemKind.note, text=secrets_[name],
                             author_id=people[author], private=private))
        session.commit()

    return Scenario(client, engine, process, other, organization, meetings[0], meetings[1],
                    group_boards[0], people, tokens, other_group_board=group_boards[1],
                    secrets=secrets_, facilitator_email=emails["facilitator"])


@dataclass
class Request:
    method: str
    url: str
    json: dict | None = None
    files: dict | None = None
    # Each role gets a fresh token: this request ends the one it uses.
    fresh_token: bool = False


def _fresh_account_email(s: Scenario) -> str:
    email = f"{unique('staff')}@example.org"
    staff_account(s.engine, "secretary", email, "Nuovo Staff", PASSWORD)
    return email


def _join_code(s: Scenario) -> Request:
    code = s.as_facilitator("POST", f"/api/v1/meetings/{s.meeting_a['id']}/code")["code"]
    return Request("POST", "/api/v1/join",
                   {"code": code, "name": unique("Ospite"), "organization": s.organization})


P = "/api/v1/processes"


def _contribution(s: Scenario) -> int:
    """A note of meeting A, that statements may cite."""
    with Session(s.engine) as session:
        item = Item(board_id=s.meeting_a["plenary_board"], kind=ItemKind.note, text=unique("Contributo"),
                    author_id=s.people["participant"], organization_id=s.organization)
        session.add(item)
        session.commit()
        return item.id


def _statement(s: Scenario) -> int:
    return s.as_facilitator("POST", f"{P}/{s.process}/synthesis/statements",
                            json={"text": unique("Affermazione"), "sources": [_contribution(s)]})["id"]


def _approved_synthesis(s: Scenario, *, published: bool = False) -> None:
    """A new approved version of the synthesis (something changed: a new statement)."""
    _statement(s)
    s.as_facilitator("POST", f"{P}/{s.process}/synthesis/approve")
    if published:
        s.as_facilitator("POST", f"{P}/{s.process}/synthesis/publish")


def _line(s: Scenario) -> int:
    with Session(s.engine) as session:
        line = LineOfWork(process_id=s.process, meeting_id=s.meeting_a["id"], title=unique("Linea"))
        session.add(line)
        session.commit()
        return line.id


def _pledge(s: Scenario, *, confirmed: bool = False) -> int:
    pledge = s.as_facilitator("POST", f"{P}/{s.process}/pledges", json={
        "organization": s.organization, "kind": "spaces", "description": unique("Sala"), "quantity": "40",
        "unit": "m²", "value_eur": "1200.00"})["id"]
    if confirmed:
        s.as_facilitator("POST", f"/api/v1/pledges/{pledge}/confirm")
    return pledge


def _then(prepare: Callable[[], object], request: Request) -> Request:
    prepare()
    return request


def _recorded_a(s: Scenario) -> None:
    """Meeting A with a recording link: its members are asked for their consent."""
    with Session(s.engine) as session:
        meeting = session.get(Meeting, s.meeting_a["id"])
        meeting.recording_url = "https://video.example.org/incontro-a"
        session.add(meeting)
        session.commit()


# The smallest file the upload accepts as a PDF.
PDF = b"%PDF-1.4\n%%EOF\n"


def _document(s: Scenario) -> int:
    answer = s.client.post(f"/api/v1/meetings/{s.meeting_a['id']}/documents",
                           headers=bearer(s.tokens["facilitator"]),
                           files={"file": ("Relazione.pdf", PDF, "application/pdf")})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def _minutes(s: Scenario, suffix: str = "") -> str:
    return f"/api/v1/meetings/{s.meeting_a['id']}/minutes{suffix}"


def _approved_minutes(s: Scenario, *, published: bool = False) -> int:
    """A new approved version of meeting A's verbale (published if asked); its number."""
    version = s.as_facilitator("POST", _minutes(s, "/approve"))["version"]
    if published:
        s.as_facilitator("POST", _minutes(s, f"/versions/{version}/publish"))
    return version


ADMINISTRATION = "Comune di Prova"


def _administration(s: Scenario) -> None:
    """Process P belongs to an administration, for the readings across its processes."""
    with Session(s.engine) as session:
        process = session.get(Process, s.process)
        process.administration = ADMINISTRATION
        session.add(process)
        session.commit()


# What each endpoint is called with; builders make fresh targets where a success would
# otherwise change what the next role sees.
REQUESTS: dict[str, Callable[[Scenario], Request]] = {
    "GET /healthz": lambda s: Request("GET", "/healthz"),
    "POST /session": lambda s: Request(
        "POST", "/api/v1/session", {"email": s.facilitator_email, "password": PASSWORD}),
    "DELETE /session": lambda s: Request("DELETE", "/api/v1/session", fresh_token=True),
    "POST /join invite": lambda s: Request("POST", "/api/v1/join",
                                           {"invite": s.new_invite()["invite"]}),
    "POST /join code": _join_code,
    "GET /processes": lambda s: Request("GET", P),
    "POST /processes": lambda s: Request("POST", P, {"title": unique("Nuovo"),
                                                     "kind": "co-design"}),
    "GET /processes/P": lambda s: Request("GET", f"{P}/{s.process}"),
    "POST /processes/P/staff": lambda s: Request(
        "POST", f"{P}/{s.process}/staff", {"email": _fresh_account_email(s), "role": "secretary"}),
    "POST /processes/P/organizations": lambda s: Request(
        "POST", f"{P}/{s.process}/organizations", {"name": unique("Ente"), "kind": "other"}),
    "PATCH /organizations/O": lambda s: Request(
        "PATCH", f"/api/v1/organizations/{s.organization}", {"name": unique("Cooperativa")}),
    "POST /processes/P/tables": lambda s: Request(
        "POST", f"{P}/{s.process}/tables", {"title": unique("Tavolo")}),
    "POST /processes/P/steering": lambda s: Request(
        "POST", f"{P}/{s.process}/steering", {"name": unique("Membro")}),
    "GET /processes/P/audit": lambda s: Request("GET", f"{P}/{s.process}/audit"),
    "POST /processes/P/invites": lambda s: Request(
        "POST", f"{P}/{s.process}/invites",
        {"name": unique("Invitata"), "organization": s.organization, "role": "observer"}),
    "GET /processes/P/invites": lambda s: Request("GET", f"{P}/{s.process}/invites"),
    "POST /invites/I/renew": lambda s: Request(
        "POST", f"/api/v1/invites/{s.new_invite()['id']}/renew"),
    "DELETE /invites/I": lambda s: Request("DELETE", f"/api/v1/invites/{s.new_invite()['id']}"),
    "POST /processes/P/meetings": lambda s: Request(
        "POST", f"{P}/{s.process}/meetings",
        {"title": unique("Incontro"), "starts_at": "2027-01-10T09:30:00Z", "mode": "hybrid",
         "location": "Sala consiliare", "agenda": ["Uno", "Due"]}),
    "GET /meetings/A": lambda s: Request("GET", f"/api/v1/meetings/{s.meeting_a['id']}"),
    "GET /meetings/B": lambda s: Request("GET", f"/api/v1/meetings/{s.meeting_b['id']}"),
    "PATCH /meetings/A": lambda s: Request(
        "PATCH", f"/api/v1/meetings/{s.meeting_a['id']}", {"title": unique("Incontro A")}),
    "POST /meetings/A/code": lambda s: Request(
        "POST", f"/api/v1/meetings/{s.meeting_a['id']}/code"),
    "DELETE /meetings/A/code": lambda s: Request(
        "DELETE", f"/api/v1/meetings/{s.meeting_a['id']}/code"),
    "GET /boards/plenary-A": lambda s: Request(
        "GET", f"/api/v1/boards/{s.meeting_a['plenary_board']}"),
    "GET /boards/plenary-B": lambda s: Request(
        "GET", f"/api/v1/boards/{s.meeting_b['plenary_board']}"),
    "GET /boards/group-A": lambda s: Request("GET", f"/api/v1/boards/{s.group_board}"),
    "GET /boards/group-A2": lambda s: Request("GET", f"/api/v1/boards/{s.other_group_board}"),
    "GET /meetings/A/notes": lambda s: Request("GET", f"/api/v1/meetings/{s.meeting_a['id']}/notes"),
    "GET /meetings/B/notes": lambda s: Request("GET", f"/api/v1/meetings/{s.meeting_b['id']}/notes"),
    "GET /meetings/A/attendance": lambda s: Request(
        "GET", f"/api/v1/meetings/{s.meeting_a['id']}/attendance"),
    "PATCH /meetings/A/attendance": lambda s: Request(
        "PATCH", f"/api/v1/meetings/{s.meeting_a['id']}/attendance",
        {"participant": s.people["participant"], "status": "excused", "note": unique("nota")}),
    "POST /meetings/A/attendance": lambda s: Request(
        "POST", f"/api/v1/meetings/{s.meeting_a['id']}/attendance",
        {"name": unique("In sala"), "organization": s.organization, "title": "Presidente"}),
    "PATCH /meetings/A/attendance/organizations/O": lambda s: Request(
        "PATCH", f"/api/v1/meetings/{s.meeting_a['id']}/attendance/organizations/{s.organization}",
        {"status": "excused", "note": unique("nota")}),
    "PUT /meetings/A/consent": lambda s: _then(lambda: _recorded_a(s), Request(
        "PUT", f"/api/v1/meetings/{s.meeting_a['id']}/consent", {"consent": True})),
    "POST /meetings/A/documents": lambda s: Request(
        "POST", f"/api/v1/meetings/{s.meeting_a['id']}/documents",
        files={"file": ("Relazione.pdf", PDF, "application/pdf")}),
    "GET /meetings/A/documents": lambda s: Request(
        "GET", f"/api/v1/meetings/{s.meeting_a['id']}/documents"),
    "GET /documents/D": lambda s: Request("GET", f"/api/v1/documents/{_document(s)}"),
    "DELETE /documents/D": lambda s: Request("DELETE", f"/api/v1/documents/{_document(s)}"),
    "GET /processes/P/synthesis": lambda s: _then(lambda: s.once("approved synthesis", lambda: _approved_synthesis(s)),
                                                  Request("GET", f"{P}/{s.process}/synthesis?format=md")),
    "POST /processes/P/synthesis/approve": lambda s: _then(
        lambda: _statement(s), Request("POST", f"{P}/{s.process}/synthesis/approve")),
    "GET /processes/P/synthesis/versions": lambda s: Request("GET", f"{P}/{s.process}/synthesis/versions"),
    "POST /processes/P/synthesis/publish": lambda s: _then(
        lambda: (_statement(s), s.as_facilitator("POST", f"{P}/{s.process}/synthesis/approve")),
        Request("POST", f"{P}/{s.process}/synthesis/publish")),
    "GET /processes/P/synthesis/public": lambda s: _then(
        lambda: s.once("published synthesis", lambda: _approved_synthesis(s, published=True)),
        Request("GET", f"{P}/{s.process}/synthesis/public")),
    "GET /processes/P/synthesis/statements": lambda s: Request("GET", f"{P}/{s.process}/synthesis/statements"),
    "POST /processes/P/synthesis/statements": lambda s: Request(
        "POST", f"{P}/{s.process}/synthesis/statements",
        {"text": unique("Affermazione"), "sources": [_contribution(s)]}),
    "PATCH /synthesis/statements/S": lambda s: Request(
        "PATCH", f"/api/v1/synthesis/statements/{_statement(s)}", {"text": unique("Riscritta")}),
    "DELETE /synthesis/statements/S": lambda s: Request(
        "DELETE", f"/api/v1/synthesis/statements/{_statement(s)}"),
    "GET /processes/P/synthesis/contributions": lambda s: Request(
        "GET", f"{P}/{s.process}/synthesis/contributions?q=contributo"),
    "PATCH /lines/L": lambda s: Request("PATCH", f"/api/v1/lines/{_line(s)}", {"description": unique("Linea")}),
    "GET /processes/P/pledges": lambda s: Request("GET", f"{P}/{s.process}/pledges"),
    "POST /processes/P/pledges": lambda s: Request("POST", f"{P}/{s.process}/pledges", {
        "organization": s.organization, "kind": "volunteers", "description": unique("Volontari"),
        "quantity": "4", "unit": "persone", "value_eur": "0"}),
    "PATCH /pledges/G": lambda s: Request("PATCH", f"/api/v1/pledges/{_pledge(s)}", {"value_eur": "1300"}),
    "DELETE /pledges/G": lambda s: Request("DELETE", f"/api/v1/pledges/{_pledge(s)}"),
    "POST /pledges/G/confirm": lambda s: Request("POST", f"/api/v1/pledges/{_pledge(s)}/confirm"),
    "DELETE /pledges/G/confirm": lambda s: Request(
        "DELETE", f"/api/v1/pledges/{_pledge(s, confirmed=True)}/confirm"),
    # The verbale: meeting A has approved versions, meeting B never does.
    "GET /meetings/A/minutes": lambda s: _then(lambda: s.once("approved minutes", lambda: _approved_minutes(s)),
                                               Request("GET", _minutes(s, "?format=md"))),
    "GET /meetings/B/minutes": lambda s: Request("GET", f"/api/v1/meetings/{s.meeting_b['id']}/minutes"),
    "POST /meetings/A/minutes/approve": lambda s: Request("POST", _minutes(s, "/approve")),
    "GET /meetings/A/minutes/draft": lambda s: Request("GET", _minutes(s, "/draft")),
    "PUT /meetings/A/minutes/draft": lambda s: Request(
        "PUT", _minutes(s, "/draft"), {"markdown": f"# Verbale\n\n{unique('Testo')}\n"}),
    "GET /meetings/A/minutes/versions": lambda s: Request("GET", _minutes(s, "/versions")),
    "POST /meetings/A/minutes/versions/N/sign": lambda s: Request(
        "POST", _minutes(s, f"/versions/{_approved_minutes(s)}/sign"), {"capacity": "minute_taker"}),
    "POST /meetings/A/minutes/versions/N/publish": lambda s: Request(
        "POST", _minutes(s, f"/versions/{_approved_minutes(s)}/publish")),
    "GET /public/meetings/A/minutes": lambda s: _then(
        lambda: s.once("published minutes", lambda: _approved_minutes(s, published=True)),
        Request("GET", f"/api/v1/public/meetings/{s.meeting_a['id']}/minutes")),
    "GET /meetings/A/contributions": lambda s: Request(
        "GET", f"/api/v1/meetings/{s.meeting_a['id']}/contributions?format=csv"),
    # Personal data: each erasure gets a new person; the export is of the participant.
    "POST /people/E/erase": lambda s: Request(
        "POST", f"/api/v1/people/{s.new_invite()['person']}/erase", {"reason": "Richiesta scritta"}),
    "GET /people/E/export": lambda s: Request("GET", f"/api/v1/people/{s.people['participant']}/export"),
    # Insights and open data (the administration's: P's, set here).
    "GET /processes/P/insights": lambda s: Request("GET", f"{P}/{s.process}/insights?kind=third_sector"),
    "GET /administrations/insights": lambda s: _then(
        lambda: _administration(s), Request("GET", f"/api/v1/administrations/insights?administration={ADMINISTRATION}")),
    "GET /processes/P/opendata": lambda s: Request("GET", f"{P}/{s.process}/opendata?format=json"),
    "GET /administrations/opendata": lambda s: _then(
        lambda: _administration(s), Request("GET", f"/api/v1/administrations/opendata?administration={ADMINISTRATION}")),
    "PUT /items/I/publishable": lambda s: Request(
        "PUT", f"/api/v1/items/{_contribution(s)}/publishable", {"publishable": True}),
}

# fmt: off
#                                    anon  fac  sec part  obs o.part o.fac code limited
EXPECTED = {
    "GET /healthz":                  (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "POST /session":                 (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "DELETE /session":               (401, 204, 204, 204, 204, 204, 204, 204, 204),
    "POST /join invite":             (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "POST /join code":               (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "GET /processes":                (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "POST /processes":               (401, 201, 403, 403, 403, 403, 201, 403, 403),
    "GET /processes/P":              (401, 200, 200, 200, 200, 403, 403, 200, 200),
    "POST /processes/P/staff":       (401, 201, 403, 403, 403, 403, 403, 403, 403),
    "POST /processes/P/organizations": (401, 201, 201, 403, 403, 403, 403, 403, 403),
    "PATCH /organizations/O":        (401, 200, 200, 403, 403, 403, 403, 403, 403),
    "POST /processes/P/tables":      (401, 201, 201, 403, 403, 403, 403, 403, 403),
    "POST /processes/P/steering":    (401, 201, 201, 403, 403, 403, 403, 403, 403),
    "GET /processes/P/audit":        (401, 200, 200, 403, 403, 403, 403, 403, 403),
    "POST /processes/P/invites":     (401, 201, 201, 403, 403, 403, 403, 403, 403),
    "GET /processes/P/invites":      (401, 200, 200, 403, 403, 403, 403, 403, 403),
    "POST /invites/I/renew":         (401, 200, 200, 403, 403, 403, 403, 403, 403),
    "DELETE /invites/I":             (401, 204, 204, 403, 403, 403, 403, 403, 403),
    "POST /processes/P/meetings":    (401, 201, 201, 403, 403, 403, 403, 403, 403),
    "GET /meetings/A":               (401, 200, 200, 200, 200, 403, 403, 200, 200),
    "GET /meetings/B":               (401, 200, 200, 200, 200, 403, 403, 403, 403),
    "PATCH /meetings/A":             (401, 200, 200, 403, 403, 403, 403, 403, 403),
    "POST /meetings/A/code":         (401, 200, 200, 403, 403, 403, 403, 403, 403),
    "DELETE /meetings/A/code":       (401, 204, 204, 403, 403, 403, 403, 403, 403),
    "GET /boards/plenary-A":         (401, 200, 200, 200, 200, 403, 403, 200, 200),
    "GET /boards/plenary-B":         (401, 200, 200, 200, 200, 403, 403, 403, 403),
    "GET /boards/group-A":           (401, 200, 200, 200, 403, 403, 403, 403, 403),
    # A member of another group (the participant) may not read this one.
    "GET /boards/group-A2":          (401, 200, 200, 403, 403, 403, 403, 200, 403),
    # The notes of every board of the meeting the caller may read (checked in _check_success).
    "GET /meetings/A/notes":         (401, 200, 200, 200, 200, 403, 403, 200, 200),
    "GET /meetings/B/notes":         (401, 200, 200, 200, 200, 403, 403, 403, 403),
    "GET /meetings/A/attendance":    (401, 200, 200, 403, 403, 403, 403, 403, 403),
    "PATCH /meetings/A/attendance":  (401, 200, 200, 403, 403, 403, 403, 403, 403),
    "POST /meetings/A/attendance":   (401, 201, 201, 403, 403, 403, 403, 403, 403),
    "PATCH /meetings/A/attendance/organizations/O": (401, 200, 200, 403, 403, 403, 403, 403, 403),
    # Every member of meeting A answers for themself.
    "PUT /meetings/A/consent":       (401, 200, 200, 200, 200, 403, 403, 200, 200),
    "POST /meetings/A/documents":    (401, 201, 201, 403, 403, 403, 403, 403, 403),
    "GET /meetings/A/documents":     (401, 200, 200, 200, 200, 403, 403, 200, 200),
    "GET /documents/D":              (401, 200, 200, 200, 200, 403, 403, 200, 200),
    "DELETE /documents/D":           (401, 204, 204, 403, 403, 403, 403, 403, 403),
    # The synthesis and the pledges span the whole process: not for people admitted to
    # some meetings only (a code, a limited invite). Pledges are changed by their author.
    "GET /processes/P/synthesis":    (401, 200, 200, 200, 200, 403, 403, 403, 403),
    "POST /processes/P/synthesis/approve": (401, 200, 200, 403, 403, 403, 403, 403, 403),
    "GET /processes/P/synthesis/versions": (401, 200, 200, 200, 200, 403, 403, 403, 403),
    "POST /processes/P/synthesis/publish": (401, 200, 200, 403, 403, 403, 403, 403, 403),
    "GET /processes/P/synthesis/public": (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "GET /processes/P/synthesis/statements": (401, 200, 200, 403, 403, 403, 403, 403, 403),
    "POST /processes/P/synthesis/statements": (401, 201, 201, 403, 403, 403, 403, 403, 403),
    "PATCH /synthesis/statements/S": (401, 200, 200, 403, 403, 403, 403, 403, 403),
    "DELETE /synthesis/statements/S": (401, 204, 204, 403, 403, 403, 403, 403, 403),
    "GET /processes/P/synthesis/contributions": (401, 200, 200, 403, 403, 403, 403, 403, 403),
    "PATCH /lines/L":                (401, 200, 200, 403, 403, 403, 403, 403, 403),
    "GET /processes/P/pledges":      (401, 200, 200, 200, 200, 403, 403, 403, 403),
    "POST /processes/P/pledges":     (401, 201, 201, 201, 403, 403, 403, 403, 403),
    "PATCH /pledges/G":              (401, 200, 403, 403, 403, 403, 403, 403, 403),
    "DELETE /pledges/G":             (401, 204, 403, 403, 403, 403, 403, 403, 403),
    "POST /pledges/G/confirm":       (401, 200, 403, 403, 403, 403, 403, 403, 403),
    "DELETE /pledges/G/confirm":     (401, 200, 403, 403, 403, 403, 403, 403, 403),
    # The verbale: members admitted to the meeting read approved versions only; the
    # minute-taker (here the process's secretary) signs as such; the public text is for all.
    "GET /meetings/A/minutes":       (401, 200, 200, 200, 200, 403, 403, 200, 200),
    "GET /meetings/B/minutes":       (401, 200, 200, 403, 403, 403, 403, 403, 403),
    "POST /meetings/A/minutes/approve": (401, 200, 200, 403, 403, 403, 403, 403, 403),
    "GET /meetings/A/minutes/draft": (401, 200, 200, 403, 403, 403, 403, 403, 403),
    "PUT /meetings/A/minutes/draft": (401, 200, 200, 403, 403, 403, 403, 403, 403),
    "GET /meetings/A/minutes/versions": (401, 200, 200, 200, 200, 403, 403, 200, 200),
    "POST /meetings/A/minutes/versions/N/sign": (401, 403, 201, 403, 403, 403, 403, 403, 403),
    "POST /meetings/A/minutes/versions/N/publish": (401, 200, 200, 403, 403, 403, 403, 403, 403),
    "GET /public/meetings/A/minutes": (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "GET /meetings/A/contributions": (401, 200, 200, 403, 403, 403, 403, 403, 403),
    # Facilitators erase; a person's data is for them and the process's staff.
    "POST /people/E/erase":          (401, 200, 403, 403, 403, 403, 403, 403, 403),
    "GET /people/E/export":          (401, 200, 200, 200, 403, 403, 403, 403, 403),
    # Readings for members of the whole process; across an administration and open data for
    # its staff (the outside facilitator is staff of none of its processes); facilitators
    # decide what text is publishable.
    "GET /processes/P/insights":     (401, 200, 200, 200, 200, 403, 403, 403, 403),
    "GET /administrations/insights": (401, 200, 200, 403, 403, 403, 404, 403, 403),
    "GET /processes/P/opendata":     (401, 200, 200, 403, 403, 403, 403, 403, 403),
    "GET /administrations/opendata": (401, 200, 200, 403, 403, 403, 404, 403, 403),
    "PUT /items/I/publishable":      (401, 200, 403, 403, 403, 403, 403, 403, 403),
}
# fmt: on


def test_the_table_covers_every_endpoint(app):
    """A new endpoint in /openapi.json must get a row here: the table says who may do what."""
    routes = {
        f"{method.upper()} " + re.sub(r"\{[^}]+\}", "{id}", path.removeprefix("/api/v1"))
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    rows = {
        re.sub(r"/(P|O|I|A|B|S|L|G|D|N|E|plenary-A|plenary-B|group-A|group-A2)(?=/|$)", "/{id}",
               name.removesuffix(" invite").removesuffix(" code"))
        for name in EXPECTED
    }
    assert routes == rows
    assert set(EXPECTED) == set(REQUESTS)


# Who reads the texts of meeting A that not every member of A reads.
READERS_OF_A = {"note-group": {"facilitator", "secretary", "participant"},
                "note-other-group": {"facilitator", "secretary", "code_participant"},
                "private": {"facilitator", "secretary", "code_participant"}}


def _check_success(s: Scenario, name: str, role: str, request: Request, token: str | None,
                   answer) -> None:
    if request.url.endswith("/notes"):
        readable = ({"note-A"} | {secret for secret, roles in READERS_OF_A.items() if role in roles}
                    if name == "GET /meetings/A/notes" else {"note-B"})
        shown = {secret for secret, text in s.secrets.items() if text in answer.text}
        assert shown == readable, f"{role}: {name} shows {shown}"
    if "/boards/" in request.url and role not in ("facilitator", "secretary", "code_participant"):
        # Redacted for everyone but its author and staff.
        assert s.secrets["private"] not in answer.text
    if answer.status_code == 204:
        assert answer.content == b""
        if name == "DELETE /session":
            assert_error(s.client.get("/api/v1/processes", headers=bearer(token)), 401)
        return
    if not answer.headers["content-type"].startswith("application/json"):
        assert answer.content  # a document (the synthesis, the verbale): read by its own tests
        return
    body = answer.json()
    last = request.url.rsplit("/", 1)[1]
    if request.method == "GET" and last.isdigit():
        assert body["id"] == int(last)
    if "/boards/" in request.url:
        assert {"seq", "items"} <= set(body)
    if answer.status_code == 201:
        assert isinstance(body.get("id", body.get("account", body.get("participant"))), int)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_permission(scenario, name):
    """Each role in turn; the refused ones first, together, inside one nothing-stored check."""
    expected = dict(zip(ROLES, EXPECTED[name], strict=True))
    refused = [role for role in ROLES if expected[role] >= 400]
    allowed = [role for role in ROLES if expected[role] < 400]
    prepared = {}

    def prepare(role, request=None):
        request = request or REQUESTS[name](scenario)
        token = scenario.tokens[role]
        if request.fresh_token and token is not None:
            token = mint_token(scenario.engine, token)
        prepared[role] = (request, token)

    def send(role):
        request, token = prepared[role]
        return scenario.client.request(request.method, request.url, json=request.json,
                                       files=request.files, headers=bearer(token))

    # One target, made before the check, serves every refused role: none of them may change
    # it (the check says so), and making it can cost an approval, which prints three files.
    # The allowed ones get theirs just before their turn (a new join code replaces the
    # previous one).
    target = REQUESTS[name](scenario) if refused else None
    for role in refused:
        prepare(role, target)
    wrong = []
    with nothing_stored(scenario.engine, scenario.process, scenario.other_process):
        for role in refused:
            answer = send(role)
            if answer.status_code != expected[role]:
                wrong.append(f"{role}: expected {expected[role]}, got {answer.status_code} "
                             f"{answer.text[:200]}")
                continue
            assert_error(answer, expected[role])
            leaked = [name for name, text in scenario.secrets.items() if text in answer.text]
            assert not leaked, f"{role}: the refusal of {name} shows {leaked}"
            if expected[role] == 401:
                assert answer.headers["www-authenticate"] == "Bearer"
    for role in allowed:
        prepare(role)
        answer = send(role)
        if answer.status_code != expected[role]:
            wrong.append(f"{role}: expected {expected[role]}, got {answer.status_code} "
                         f"{answer.text[:200]}")
            continue
        request, token = prepared[role]
        _check_success(scenario, name, role, request, token, answer)
    assert not wrong, f"{name}:\n" + "\n".join(wrong)


def test_nothing_stored_notices_a_change(scenario):
    """The check above is worth something: an added row or a changed one fails it."""
    with pytest.raises(AssertionError, match="added or removed"):
        with nothing_stored(scenario.engine, scenario.process):
            scenario.new_invite()
    with pytest.raises(AssertionError, match="table organization changed"):
        with nothing_stored(scenario.engine, scenario.process):
            with Session(scenario.engine) as session:
                organization = session.get(Organization, scenario.organization)
                organization.needs_review = not organization.needs_review
                session.add(organization)
                session.commit()

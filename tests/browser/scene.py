"""A whole process built once for the browser tests that walk every page: staff, bodies, two
meetings (one live, one whose verbale is approved and published), participants, contributions,
a line of work, a synthesis statement approved and published, pledges, a document, a recording
link. Built through the HTTP API (a TestClient on the app) and the real-time protocol (a
websocket to the live server), the way the product is used; the database directly only where
no interface exists for a test to use (contributions with known ids in bulk, a recording link).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from fastapi.testclient import TestClient
from sqlmodel import Session
from websockets.sync.client import connect

from boards import accounts
from boards.models import AccountRole, Item, ItemKind, LineOfWork, LineOfWorkItem, Meeting
from tests.conftest import PASSWORD, Staff, unique

NOTES = ["Un dormitorio aperto anche di giorno", "Una mensa serale vicino alla stazione",
         "Uno sportello legale in piazza"]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class Socket:
    """Someone at another computer: protocol v1 over websockets' synchronous client."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.count = 0

    def frames(self):
        while True:
            frame = json.loads(self.ws.recv(timeout=10))
            yield from frame["frames"] if frame["type"] == "batch" else [frame]

    def wait(self, predicate) -> dict:
        return next(frame for frame in self.frames() if predicate(frame))

    def send(self, stream: str, name: str, **data) -> str:
        """Send an op without waiting for its answer; its id."""
        self.count += 1
        op_id = f"scene-{self.count}"
        self.ws.send(json.dumps({"type": "op", "id": op_id, "stream": stream, "name": name, "data": data}))
        return op_id

    def op(self, stream: str, name: str, **data) -> dict:
        op_id = self.send(stream, name, **data)
        answer = self.wait(lambda frame: frame.get("id") == op_id)
        assert answer["type"] == "ack", answer
        return answer["result"]

    def acks(self, op_ids: list[str]) -> None:
        """Wait until every op of `op_ids` is acknowledged."""
        waiting = set(op_ids)
        for frame in self.frames():
            if frame.get("id") in waiting:
                assert frame["type"] == "ack", frame
                waiting.discard(frame["id"])
                if not waiting:
                    return


@contextmanager
def socket(live_server, meeting: int, token: str) -> Iterator[Socket]:
    with connect(f"{live_server.ws_url}/ws/meetings/{meeting}", open_timeout=10) as ws:
        ws.send(json.dumps({"type": "hello", "token": token, "client": "tests/1"}))
        client = Socket(ws)
        client.wait(lambda frame: frame["type"] == "welcome")
        yield client


@dataclass
class Scene:
    client: TestClient
    facilitator: Staff
    secretary: Staff
    process: int
    organizations: dict[str, int]
    meeting: dict
    approved: dict
    people: dict[str, dict] = field(default_factory=dict)
    notes: list[int] = field(default_factory=list)
    line: int = 0
    statement: int = 0
    pledge: int = 0
    invite: str = ""
    code: str = ""

    def bearer(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def invite_person(self, name: str, kind: str = "third_sector", role: str = "participant") -> dict:
        """Invite someone and join for them: the invite, their token and their person id."""
        invite = self.client.post(
            f"/api/v1/processes/{self.process}/invites", headers=self.facilitator.auth,
            json={"name": name, "organization": self.organizations[kind], "role": role},
        ).json()
        joined = self.client.post("/api/v1/join", json={"invite": invite["invite"]}).json()
        return {**invite, "token": joined["token"], "person": joined["participant"]["id"]}


def staff_account(engine, client, role: str, name: str) -> Staff:
    email = f"{unique(role)}@example.org"
    with Session(engine) as session:
        account = accounts.create_account(session, email=email, name=name, role=AccountRole(role),
                                          password=PASSWORD)
        session.commit()
        account_id = account.id
    answer = client.post("/api/v1/session", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return Staff(id=account_id, email=email, token=answer.json()["token"])


def new_client(app) -> TestClient:
    # Its own address: the failed-attempt counters of other tests stay apart.
    return TestClient(app, client=(f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.9", 50000))


def build(client: TestClient, engine) -> Scene:
    """The process, its bodies and staff, two meetings and their people (no live state)."""
    facilitator = staff_account(engine, client, "facilitator", "Giulia Ferraro")
    secretary = staff_account(engine, client, "secretary", "Marco Zanin")
    auth = facilitator.auth
    process = client.post("/api/v1/processes", headers=auth,
                          json={"title": "Centro servizi grave marginalità", "kind": "co-design"}).json()["id"]
    assert client.post(f"/api/v1/processes/{process}/staff", headers=auth,
                       json={"email": secretary.email, "role": "secretary"}).status_code == 201
    organizations = {}
    for name, kind in [("Comune di Padova", "public"), ("ULSS 6 Euganea", "health"),
                       ("Cooperativa Il Ponte", "third_sector")]:
        organizations[kind] = client.post(f"/api/v1/processes/{process}/organizations", headers=auth,
                                          json={"name": name, "kind": kind}).json()["id"]
    meetings = [
        client.post(f"/api/v1/processes/{process}/meetings", headers=auth,
                    json={"title": title, "starts_at": starts_at, "mode": "online",
                          "location": "https://meet.example.org/tavolo", "agenda": ["Apertura", "Bisogni"]}).json()
        for title, starts_at in [("Primo incontro", "2026-12-01T14:00:00Z"),
                                 ("Incontro di restituzione", "2026-11-20T14:00:00Z")]
    ]
    scene = Scene(client, facilitator, secretary, process, organizations, meetings[0], meetings[1])
    scene.people["participant"] = scene.invite_person("Elena Moretti")
    scene.people["participant_en"] = scene.invite_person("Luca Ferri", "public")
    scene.people["observer"] = scene.invite_person("Sara Conte", "health", role="observer")
    return scene


def add_record(scene: Scene, engine) -> None:
    """Contributions on the live meeting's plenary, a line of work citing two of them, a
    document, and a recording link on the other meeting."""
    with Session(engine) as session:
        items = [Item(board_id=scene.meeting["plenary_board"], kind=ItemKind.note, text=text,
                      x=40 + 220 * index, y=600, author_id=scene.people["participant"]["person"],
                      organization_id=scene.organizations["third_sector"])
                 for index, text in enumerate(NOTES)]
        session.add_all(items)
        session.flush()
        line = LineOfWork(process_id=scene.process, meeting_id=scene.meeting["id"], title="Accoglienza")
        session.add(line)
        session.flush()
        session.add_all([LineOfWorkItem(line_id=line.id, item_id=item.id) for item in items[:2]])
        session.get(Meeting, scene.approved["id"]).recording_url = "https://video.example.org/incontro-2"
        session.commit()
        scene.notes, scene.line = [item.id for item in items], line.id
    answer = scene.client.post(f"/api/v1/meetings/{scene.meeting['id']}/documents", headers=scene.secretary.auth,
                               files={"file": ("relazione.pdf", PDF, "application/pdf")},
                               data={"title": "Relazione sui servizi esistenti"})
    assert answer.status_code == 201, answer.text


def approve_and_publish(scene: Scene) -> None:
    """The second meeting's verbale approved and published; a synthesis statement, approved and
    published; a pledge confirmed and one waiting."""
    client, auth = scene.client, scene.secretary.auth
    meeting = scene.approved["id"]
    answer = client.post(f"/api/v1/meetings/{meeting}/minutes/approve", headers=auth)
    assert answer.status_code == 200, answer.text
    assert client.post(f"/api/v1/meetings/{meeting}/minutes/versions/1/publish", headers=auth).status_code == 200
    staff = scene.facilitator.auth
    statement = client.post(f"/api/v1/processes/{scene.process}/synthesis/statements", headers=staff,
                            json={"text": "Accoglienza diurna", "line": scene.line, "sources": scene.notes[:2]})
    assert statement.status_code == 201, statement.text
    scene.statement = statement.json()["id"]
    pledges = []
    for value in ("1200.00", "300.00"):
        pledge = client.post(f"/api/v1/processes/{scene.process}/pledges",
                             headers=scene.bearer(scene.people["participant"]["token"]),
                             json={"organization": scene.organizations["third_sector"], "kind": "spaces",
                                   "description": "Sala riunioni", "quantity": "40", "unit": "m²",
                                   "value_eur": value})
        assert pledge.status_code == 201, pledge.text
        pledges.append(pledge.json()["id"])
    scene.pledge = pledges[0]
    assert client.post(f"/api/v1/pledges/{pledges[1]}/confirm", headers=staff).status_code == 200
    answer = client.post(f"/api/v1/processes/{scene.process}/synthesis/approve", headers=staff)
    assert answer.status_code == 200, answer.text
    answer = client.post(f"/api/v1/processes/{scene.process}/synthesis/publish", headers=staff)
    assert answer.status_code in (200, 201), answer.text
    invite = client.post(f"/api/v1/processes/{scene.process}/invites", headers=staff,
                         json={"name": "Davide Rinaldi", "role": "participant",
                               "organization": scene.organizations["third_sector"]}).json()
    scene.invite = invite["invite"]
    scene.code = client.post(f"/api/v1/meetings/{scene.meeting['id']}/code", headers=staff).json()["code"]

"""Fixtures of the real-time tests: a meeting with people holding tokens, on the database
the live server uses."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import Session

from boards.models import Board, BoardKind, Meeting, MeetingState
from tests.conftest import cheap_password_hashing


@pytest.fixture(autouse=True, scope="package")
def quick_password_hashing():
    """Every test signs two staff accounts in."""
    with cheap_password_hashing():
        yield


@dataclass
class Person:
    id: int
    token: str


@dataclass
class Room:
    """A meeting of the world fixture, seen from the real-time side."""

    meeting: int
    plenary: int
    process: int
    facilitator: Person
    secretary: Person
    participant: Person
    observer: Person
    world: object
    client: object
    engine: object

    @property
    def board(self) -> str:
        return f"board:{self.plenary}"

    def invite(self, name: str, *, role: str = "participant", kind: str = "health") -> Person:
        """Another person of the process, with a token."""
        auth = self.world.facilitator.auth
        invite = self.client.post(
            f"/api/v1/processes/{self.process}/invites", headers=auth,
            json={"name": name, "organization": self.world.organizations[kind], "role": role},
        ).json()
        joined = self.client.post("/api/v1/join", json={"invite": invite["invite"]}).json()
        return Person(joined["participant"]["id"], joined["token"])

    def set_state(self, state: MeetingState) -> None:
        with Session(self.engine) as session:
            meeting = session.get(Meeting, self.meeting)
            meeting.state = state
            session.add(meeting)
            session.commit()

    def new_board(self, title: str = "Extra", **fields) -> int:
        with Session(self.engine) as session:
            board = Board(meeting_id=self.meeting, title=title, kind=BoardKind.extra, **fields)
            session.add(board)
            session.commit()
            return board.id


@pytest.fixture
def room(world, client, engine) -> Room:
    process = client.get(f"/api/v1/processes/{world.process}", headers=world.facilitator.auth).json()
    staff = {member["role"]: member["person"] for member in process["staff"]}
    return Room(
        meeting=world.meeting["id"],
        plenary=world.meeting["plenary_board"],
        process=world.process,
        facilitator=Person(staff["facilitator"], world.facilitator.token),
        secretary=Person(staff["secretary"], world.secretary.token),
        participant=Person(world.participant["person"], world.participant["token"]),
        observer=Person(world.observer["person"], world.observer["token"]),
        world=world,
        client=client,
        engine=engine,
    )

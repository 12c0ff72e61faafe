"""A process, a meeting and its people, made through the domain (as `tavolo demo` does),
with a bearer token for each person: what a load generator needs to connect.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from sqlmodel import Session, select

from boards import accounts, invites, meetings, processes
from boards.access import Actor
from boards.clock import utcnow
from boards.groups import create_groups, start_groups
from boards.items import create_item, get_board
from boards.meetings_live import start_meeting
from boards.models import (
    AccountRole,
    AuthToken,
    Board,
    ItemKind,
    MeetingMode,
    OrganizationKind,
    Person,
    PersonRole,
    ProcessKind,
    ProcessStaff,
)

KINDS = [OrganizationKind.public, OrganizationKind.health, OrganizationKind.third_sector,
         OrganizationKind.third_sector, OrganizationKind.other]
# People per organisation: a large co-design table has dozens of bodies.
PER_ORGANIZATION = 10
TOKEN_DAYS = 1


@dataclass
class World:
    meeting_id: int
    plenary: int
    facilitator_token: str
    tokens: list[str]
    person_ids: list[int]
    # Board id of each group, and the group index of each participant (breakout only).
    group_boards: list[int] = field(default_factory=list)
    group_of: list[int] = field(default_factory=list)


def _note_text(index: int) -> str:
    return f"Contributo {index}: più posti letto in accoglienza notturna e un presidio sanitario"


def build(engine, *, participants: int, live: bool = True, groups_of: int | None = None) -> World:
    """`participants` people in organisations of every kind; groups of `groups_of` if asked."""
    with Session(engine, expire_on_commit=False) as session:
        account = accounts.create_account(session, email=f"bench-{secrets.token_hex(4)}@example.org",
                                          name="Giulia Ferraro", role=AccountRole.facilitator,
                                          password=secrets.token_urlsafe(16))
        session.flush()
        actor = Actor(token=AuthToken(token_hash="", expires_at=utcnow()), account=account)
        process = processes.create_process(session, actor=actor, title="Tavolo di co-progettazione (bench)",
                                           kind=ProcessKind.co_design)
        meeting = meetings.create_meeting(session, actor=actor, process_id=process.id, title="Plenaria",
                                          starts_at=utcnow() + timedelta(days=1), mode=MeetingMode.online)
        organizations = [
            processes.add_organization(session, actor=actor, process_id=process.id,
                                       name=f"Ente {index + 1}", kind=KINDS[index % len(KINDS)])
            for index in range(max(1, -(-participants // PER_ORGANIZATION)))
        ]
        tokens, person_ids = [], []
        for index in range(participants):
            made = invites.create_invite(session, actor=actor, process_id=process.id,
                                         name=f"Persona {index + 1}",
                                         organization_id=organizations[index // PER_ORGANIZATION].id,
                                         role=PersonRole.participant)
            tokens.append(accounts.issue_token(session, days=TOKEN_DAYS, person=made.person, invite=made.invite))
            person_ids.append(made.person.id)
        facilitator_token = accounts.issue_token(session, days=TOKEN_DAYS, account=account)
        chair = session.get(Person, session.exec(select(ProcessStaff.person_id).where(
            ProcessStaff.process_id == process.id, ProcessStaff.account_id == account.id)).one())
        world = World(meeting.id, meeting.plenary_board_id, facilitator_token, tokens, person_ids)
        if groups_of:
            count = -(-participants // groups_of)
            assignments = {person_id: index // groups_of for index, person_id in enumerate(person_ids)}
            event = create_groups(session=session, meeting=meeting, actor_person=chair, strategy="manual",
                                  assignments=assignments, count=count)
            start_groups(session=session, meeting=meeting, actor_person=chair)
            world.group_boards = [group["board"] for group in event.data["groups"]]
            world.group_of = [index // groups_of for index in range(participants)]
        if live:
            start_meeting(session=session, meeting=meeting, actor_person=chair)
        session.commit()
    return world


def fill_board(engine, board_id: int, items: int, *, per_commit: int = 500) -> None:
    """Put `items` notes on a board (one `item.created` each), as people of the meeting."""
    with Session(engine, expire_on_commit=False) as session:
        board = get_board(session, board_id)
        authors = list(session.exec(select(Person).where(Person.role == PersonRole.participant)))
        for index in range(items):
            create_item(session=session, board=board, actor_person=authors[index % len(authors)],
                        kind=ItemKind.note, x=(index % 100) * 220, y=(index // 100) * 220,
                        text=_note_text(index), color="yellow")
            if index % per_commit == per_commit - 1:
                session.commit()
                board = session.get(Board, board_id)
        session.commit()

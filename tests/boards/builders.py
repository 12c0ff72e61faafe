"""Builders for the domain tests: accounts, actors and processes made in the test's session.

Nothing here commits: each test's `session` is rolled back when it ends.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlmodel import Session

from boards import invites, meetings, processes
from boards.access import Actor
from boards.clock import utcnow
from boards.models import (
    Account,
    AccountRole,
    AuthToken,
    Meeting,
    MeetingMode,
    Organization,
    OrganizationKind,
    Person,
    PersonRole,
    Process,
    ProcessKind,
)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def account(session: Session, role: str = "facilitator", name: str = "Giulia Ferraro") -> Account:
    """An account without a usable password: hashing is tested in test_accounts.py alone."""
    row = Account(email=f"{unique(role)}@example.org", name=name, role=AccountRole(role),
                  password_hash="-")
    session.add(row)
    session.flush()
    return row


def token(**fields) -> AuthToken:
    """The token an actor came with (never stored: access checks read its fields only)."""
    return AuthToken(token_hash=unique("t"), expires_at=utcnow(), **fields)


def staff_actor(session: Session, role: str = "facilitator", name: str = "Giulia Ferraro") -> Actor:
    return Actor(token=token(), account=account(session, role, name))


def person_actor(person: Person, *, invite_id: int | None = None,
                 meeting_id: int | None = None) -> Actor:
    return Actor(token=token(person_id=person.id, invite_id=invite_id, meeting_id=meeting_id),
                 person=person)


def process(session: Session, facilitator: Actor, **fields) -> Process:
    return processes.create_process(session, actor=facilitator, title=unique("Percorso"),
                                    kind=fields.pop("kind", ProcessKind.co_design), **fields)


def organization(session: Session, actor: Actor, process_id: int, *,
                 kind: OrganizationKind = OrganizationKind.third_sector,
                 **fields) -> Organization:
    return processes.add_organization(session, actor=actor, process_id=process_id,
                                      name=fields.pop("name", unique("Ente")), kind=kind, **fields)


def meeting(session: Session, actor: Actor, process_id: int, **fields) -> Meeting:
    return meetings.create_meeting(
        session, actor=actor, process_id=process_id, title=fields.pop("title", unique("Incontro")),
        starts_at=fields.pop("starts_at", datetime(2026, 12, 1, 14, tzinfo=UTC)),
        mode=fields.pop("mode", MeetingMode.online), agenda=fields.pop("agenda", ["Apertura"]),
        **fields)


def invited(session: Session, actor: Actor, process_id: int, organization_id: int, *,
            role: PersonRole = PersonRole.participant,
            meetings: list[int] | None = None) -> tuple[invites.NewInvite, Actor]:
    """An invite and the actor its holder becomes after joining with it."""
    new = invites.create_invite(session, actor=actor, process_id=process_id,
                                name=unique("Persona"), organization_id=organization_id,
                                role=role, meetings=meetings)
    return new, person_actor(new.person, invite_id=new.invite.id)

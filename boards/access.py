"""Who is acting, and what they may do in a process or meeting.

Every role check of Tavolo lives here or in the domain function that needs it; the UI only
hides what these functions refuse anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from boards.errors import NotAllowed
from boards.models import (
    STAFF_ROLES,
    Account,
    AccountRole,
    AuthToken,
    Invite,
    Meeting,
    Person,
    PersonRole,
    ProcessStaff,
)


@dataclass(frozen=True)
class Actor:
    """An authenticated caller: a staff account, or a person of one process."""

    token: AuthToken
    account: Account | None = None
    person: Person | None = None

    @property
    def lang(self) -> str | None:
        if self.account:
            return self.account.lang
        return self.person.lang if self.person else None


def person_in_process(session: Session, actor: Actor, process_id: int) -> Person | None:
    """The actor's person in this process, or None if they are not a member."""
    if actor.account is not None:
        staff = session.exec(
            select(ProcessStaff).where(
                ProcessStaff.process_id == process_id,
                ProcessStaff.account_id == actor.account.id,
            )
        ).first()
        return session.get(Person, staff.person_id) if staff else None
    person = actor.person
    if person is None or person.process_id != process_id or person.removed_at is not None:
        return None
    return person


def require_member(session: Session, actor: Actor, process_id: int) -> Person:
    """Raises NotAllowed unless the actor takes part in the process."""
    person = person_in_process(session, actor, process_id)
    if person is None:
        raise NotAllowed("You are not a member of this process")
    return person


def require_staff(
    session: Session, actor: Actor, process_id: int, *, roles: set[PersonRole] = STAFF_ROLES
) -> Person:
    """Raises NotAllowed unless the actor is staff of the process with one of `roles`."""
    person = person_in_process(session, actor, process_id)
    if person is None or person.role not in roles:
        raise NotAllowed("Only the staff of this process may do this")
    return person


def require_facilitator_account(actor: Actor) -> Account:
    if actor.account is None or actor.account.role != AccountRole.facilitator:
        raise NotAllowed("Only facilitators may create processes")
    return actor.account


def may_attend(session: Session, actor: Actor, person: Person, meeting: Meeting) -> bool:
    """Whether this person (reached through this token) is admitted to the meeting."""
    if person.process_id != meeting.process_id or person.removed_at is not None:
        return False
    if person.role in STAFF_ROLES:
        return True
    if actor.token.meeting_id is not None and actor.token.meeting_id != meeting.id:
        return False
    if actor.token.invite_id is not None:
        invite = session.get(Invite, actor.token.invite_id)
        if invite is None or invite.revoked_at is not None:
            return False
        if invite.meetings is not None and meeting.id not in invite.meetings:
            return False
    return True


def require_meeting_member(session: Session, actor: Actor, meeting: Meeting) -> Person:
    """Raises NotAllowed unless the actor may take part in this meeting."""
    person = require_member(session, actor, meeting.process_id)
    if not may_attend(session, actor, person, meeting):
        raise NotAllowed("Your invitation does not include this meeting")
    return person


def in_whole_process(session: Session, actor: Actor, person: Person) -> bool:
    """Whether this member (reached through this token) takes part in the whole process:
    staff, or someone invited to every meeting. A meeting code or an invite limited to some
    meetings admits to those meetings only, not to what spans the process (the synthesis,
    the pledges)."""
    if person.role in STAFF_ROLES:
        return True
    if actor.token.meeting_id is not None:
        return False
    if actor.token.invite_id is not None:
        invite = session.get(Invite, actor.token.invite_id)
        if invite is None or invite.revoked_at is not None or invite.meetings is not None:
            return False
    return True


def require_whole_process(session: Session, actor: Actor, process_id: int) -> Person:
    """Raises NotAllowed unless the actor takes part in the whole process (`in_whole_process`)."""
    person = require_member(session, actor, process_id)
    if not in_whole_process(session, actor, person):
        raise NotAllowed("Your invitation covers some meetings only, not the whole process")
    return person

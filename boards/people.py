"""Read-only questions the pages ask about people: whom an invite link is for, which meetings
a member may attend (and which one is on now), and the names behind audit entries.

Nothing here changes state; joining and inviting live in `boards.invites`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlmodel import Session, select

from boards.access import Actor, may_attend, person_in_process
from boards.clock import as_utc
from boards.errors import NotFound
from boards.models import Account, Invite, Meeting, MeetingState, Person
from boards.secrets import digest

# A meeting scheduled for this morning that has not been started yet is still today's
# meeting for someone arriving late: look back this far for the "current" one.
LATE_ARRIVAL = timedelta(hours=12)


def invite_by_secret(session: Session, secret: str) -> tuple[Invite, Person]:
    """The invite behind a link and its person, without joining.

    Raises NotFound, exactly as `invites.join_with_invite` would, if unknown or revoked.
    """
    invite = session.exec(select(Invite).where(Invite.secret_hash == digest(secret))).first()
    person = session.get(Person, invite.person_id) if invite else None
    if invite is None or invite.revoked_at is not None or person is None or person.removed_at:
        raise NotFound("This invite link is not valid or has been revoked")
    return invite, person


def meetings_for(session: Session, actor: Actor, process_id: int) -> list[Meeting]:
    """The meetings of the process this actor may attend, in order (none for non-members)."""
    person = person_in_process(session, actor, process_id)
    if person is None:
        return []
    meetings = session.exec(
        select(Meeting).where(Meeting.process_id == process_id).order_by(Meeting.number)
    ).all()
    return [meeting for meeting in meetings if may_attend(session, actor, person, meeting)]


def current_meeting(meetings: Iterable[Meeting], now: datetime) -> Meeting | None:
    """The meeting someone arriving now wants: a live one, else the next scheduled one
    (including one that should have started a little while ago), else the latest."""
    meetings = list(meetings)
    live = [m for m in meetings if m.state == MeetingState.live]
    if live:
        return live[0]
    upcoming = sorted(
        (m for m in meetings
         if m.state == MeetingState.scheduled and as_utc(m.starts_at) >= now - LATE_ARRIVAL),
        key=lambda m: as_utc(m.starts_at),
    )
    if upcoming:
        return upcoming[0]
    return meetings[-1] if meetings else None


def display_names(
    session: Session, *, account_ids: Iterable[int], person_ids: Iterable[int]
) -> tuple[dict[int, str], dict[int, str]]:
    """Names of accounts and people by id, for showing who did what in the audit log."""
    account_ids, person_ids = set(account_ids), set(person_ids)
    accounts = (
        {a.id: a.name for a in session.exec(select(Account).where(Account.id.in_(account_ids)))}
        if account_ids else {}
    )
    people = (
        {p.id: p.name for p in session.exec(select(Person).where(Person.id.in_(person_ids)))}
        if person_ids else {}
    )
    return accounts, people


def meeting_numbers(session: Session, process_id: int) -> dict[int, int]:
    """Meeting ids of a process to their numbers (incontro n. 1, 2...)."""
    rows = session.exec(select(Meeting.id, Meeting.number).where(Meeting.process_id == process_id))
    return dict(rows.all())

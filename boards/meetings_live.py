"""A meeting's life: `scheduled` → `live` (`meeting.start`) → `ended` (`meeting.end`),
attendance while it is live, and removing someone from the process during it.

Starting records the facilitator as chair and everyone already connected as joined; ending
closes what is still open (groups, timer, voting rounds, private mode) and everyone's
attendance at that moment. Each function appends its events in the caller's transaction.
See docs/protocol.md ("Meeting ops", "Attendance").
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, select

from boards.board_controls import reveal
from boards.clock import iso, utcnow
from boards.errors import InvalidInput
from boards.events import append, board_stream, meeting_stream
from boards.facilitation import running_timer
from boards.groups import current_groups, place_late_joiner, stop_running_groups
from boards.guards import open_meeting_for_change
from boards.ids import fetch
from boards.items import lock_stream
from boards.models import (
    STAFF_ROLES,
    Attendance,
    AttendanceStatus,
    AuditEntry,
    AuthToken,
    Board,
    Event,
    GroupMember,
    Invite,
    Meeting,
    MeetingState,
    Person,
)
from boards.voting import close_round, running_round


def _attendance(session: Session, meeting_id: int, person_id: int) -> Attendance:
    row = session.exec(
        select(Attendance).where(Attendance.meeting_id == meeting_id, Attendance.person_id == person_id)
    ).first()
    return row or Attendance(meeting_id=meeting_id, person_id=person_id, status=AttendanceStatus.present)


def _is_present(row: Attendance) -> bool:
    return row.id is not None and row.joined_at is not None and row.left_at is None


def arrive(session: Session, meeting: Meeting, person: Person) -> list[Event]:
    """`participant.joined` (and `groups.assigned` for a participant arriving while groups
    run) when the meeting is live and the person is not present yet; else nothing.
    The caller holds the meeting stream's lock."""
    row = _attendance(session, meeting.id, person.id)
    if meeting.state != MeetingState.live or person.removed_at is not None or _is_present(row):
        return []
    row.joined_at = row.joined_at or utcnow()
    row.left_at = None
    row.status = AttendanceStatus.present
    session.add(row)
    events = [append(session, stream=meeting_stream(meeting.id), name="participant.joined",
                     data={"participant": person.id, "name": person.name, "organization": person.organization_id},
                     actor=person)]
    placed = place_late_joiner(session, meeting, person)
    return events + ([placed] if placed else [])


def leave(session: Session, meeting: Meeting, person: Person) -> list[Event]:
    """`participant.left` when the meeting is live and the person is present; else nothing.
    The caller holds the meeting stream's lock."""
    row = _attendance(session, meeting.id, person.id)
    if meeting.state != MeetingState.live or not _is_present(row):
        return []
    row.left_at = utcnow()
    session.add(row)
    return [append(session, stream=meeting_stream(meeting.id), name="participant.left",
                   data={"participant": person.id}, actor=person)]


def start_meeting(*, session: Session, meeting: Meeting, actor_person: Person, connected: Iterable[int] = (),
                  op_id: str | None = None) -> list[Event]:
    """Go live: the actor becomes the chair, and everyone in `connected` (connected now) is
    recorded as joined. Returns `meeting.started` `{at}` then their `participant.joined`
    (and `groups.assigned`). Raises NotAllowed, Locked (ended), InvalidInput (already live).
    """
    open_meeting_for_change(session, meeting=meeting, actor_person=actor_person)
    if meeting.state == MeetingState.live:
        raise InvalidInput("This meeting has already started")
    now = utcnow()
    meeting.state = MeetingState.live
    meeting.started_at = now
    meeting.chair_id = actor_person.id
    session.add(meeting)
    events = [append(session, stream=meeting_stream(meeting.id), name="meeting.started", data={"at": iso(now)},
                     actor=actor_person, op_id=op_id)]
    for person_id in sorted(set(connected)):
        person = session.get(Person, person_id)
        if person is not None and person.process_id == meeting.process_id:
            events += arrive(session, meeting, person)
    return events


def end_meeting(*, session: Session, meeting: Meeting, actor_person: Person,
                op_id: str | None = None) -> list[Event]:
    """End a live meeting: running groups end, the timer stops, each board's voting round
    ends with its results and private mode is revealed; attendance closes at this moment
    (no `participant.left`). Returns those events, `meeting.ended` `{at}` last.

    Raises NotAllowed, Locked (already ended), InvalidInput (not started).
    """
    open_meeting_for_change(session, meeting=meeting, actor_person=actor_person)
    if meeting.state != MeetingState.live:
        raise InvalidInput("This meeting has not started yet")
    events: list[Event] = []
    ended = stop_running_groups(session, meeting, actor_person=actor_person, op_id=op_id)
    events += [ended] if ended else []
    if running_timer(session, meeting.id) is not None:
        events.append(append(session, stream=meeting_stream(meeting.id), name="timer.stopped", data={},
                             actor=actor_person, op_id=op_id))
    for board in session.exec(select(Board).where(Board.meeting_id == meeting.id).order_by(Board.id)).all():
        voting = running_round(session, board.id)
        if voting is None and not board.private:
            continue
        lock_stream(session, board_stream(board.id))
        session.refresh(board)
        voting = running_round(session, board.id)
        if voting is not None:
            events.append(close_round(session, board, voting, actor_person=actor_person, op_id=op_id))
        if board.private:
            events.append(reveal(session, board, actor_person=actor_person, op_id=op_id))
    now = utcnow()
    for row in session.exec(
        select(Attendance).where(Attendance.meeting_id == meeting.id, Attendance.joined_at.is_not(None),
                                 Attendance.left_at.is_(None))
    ):
        row.left_at = now
        session.add(row)
    meeting.state = MeetingState.ended
    meeting.ended_at = now
    session.add(meeting)
    events.append(append(session, stream=meeting_stream(meeting.id), name="meeting.ended", data={"at": iso(now)},
                         actor=actor_person, op_id=op_id))
    return events


def remove_participant(*, session: Session, meeting: Meeting, actor_person: Person, person_id: int,
                       op_id: str | None = None) -> Event:
    """Remove a participant or observer from the process: their invites and tokens are
    revoked, they leave the current groups and, if present, the meeting (the caller closes
    their connections). Returns
    `participant.removed` `{participant}`. Raises NotAllowed, InvalidInput.
    """
    open_meeting_for_change(session, meeting=meeting, actor_person=actor_person, after_end=True)
    person = fetch(session, Person, person_id)
    if person is None or person.process_id != meeting.process_id or person.removed_at is not None:
        raise InvalidInput("Person {id} is not part of this process", id=person_id)
    if person.role in STAFF_ROLES:
        raise InvalidInput("Staff leave a process from its staff list, not from a meeting")
    now = utcnow()
    person.removed_at = now
    session.add(person)
    invites = session.exec(select(Invite).where(Invite.person_id == person.id, Invite.revoked_at.is_(None))).all()
    for invite in invites:
        invite.revoked_at = now
        session.add(invite)
    for token in session.exec(select(AuthToken).where(AuthToken.person_id == person.id,
                                                      AuthToken.revoked_at.is_(None))):
        token.revoked_at = now
        session.add(token)
    current = [group.id for group in current_groups(session, meeting.id)]
    if current:
        for member in session.exec(select(GroupMember).where(GroupMember.person_id == person.id,
                                                             GroupMember.group_id.in_(current))):
            session.delete(member)
    row = _attendance(session, meeting.id, person.id)
    if _is_present(row):
        row.left_at = now  # gone now: no `participant.left` will follow
        session.add(row)
    session.add(AuditEntry(process_id=meeting.process_id, account_id=actor_person.account_id,
                           person_id=actor_person.id, action="participant.remove", target=f"person:{person.id}",
                           detail={"meeting": meeting.id, "invites": [invite.id for invite in invites]}))
    return append(session, stream=meeting_stream(meeting.id), name="participant.removed",
                  data={"participant": person.id}, actor=actor_person, op_id=op_id)

"""Attendance from connections: `participant.joined` / `participant.left` on the meeting
stream while the meeting is live, and the Attendance row they keep (presenze).

Runs in a worker thread; the hub decides when (first connection of a person, last one
closed plus a grace period). Each function commits and returns the events it appended.
"""

from __future__ import annotations

from sqlmodel import Session, select

from boards.clock import utcnow
from boards.events import append, meeting_stream
from boards.items import lock_stream
from boards.models import Attendance, AttendanceStatus, Event, Meeting, MeetingState, Person


def _record(session: Session, meeting_id: int, person_id: int) -> Attendance:
    row = session.exec(
        select(Attendance).where(Attendance.meeting_id == meeting_id, Attendance.person_id == person_id)
    ).first()
    return row or Attendance(meeting_id=meeting_id, person_id=person_id, status=AttendanceStatus.present)


def _present(row: Attendance) -> bool:
    return row.id is not None and row.joined_at is not None and row.left_at is None


def record_join(session: Session, *, meeting_id: int, person_id: int) -> list[Event]:
    """`participant.joined`, unless the meeting is not live or the person is already present."""
    lock_stream(session, meeting_stream(meeting_id))
    meeting = session.get(Meeting, meeting_id, populate_existing=True)
    person = session.get(Person, person_id)
    row = _record(session, meeting_id, person_id)
    if meeting.state != MeetingState.live or _present(row):
        session.rollback()
        return []
    now = utcnow()
    row.joined_at = row.joined_at or now
    row.left_at = None
    row.status = AttendanceStatus.present
    session.add(row)
    event = append(session, stream=meeting_stream(meeting_id), name="participant.joined",
                   data={"participant": person.id, "name": person.name,
                         "organization": person.organization_id},
                   actor=person)
    session.commit()
    return [event]


def record_leave(session: Session, *, meeting_id: int, person_id: int) -> list[Event]:
    """`participant.left`, unless the meeting is not live or the person is not present."""
    lock_stream(session, meeting_stream(meeting_id))
    meeting = session.get(Meeting, meeting_id, populate_existing=True)
    person = session.get(Person, person_id)
    row = _record(session, meeting_id, person_id)
    if meeting.state != MeetingState.live or not _present(row):
        session.rollback()
        return []
    row.left_at = utcnow()
    session.add(row)
    event = append(session, stream=meeting_stream(meeting_id), name="participant.left",
                   data={"participant": person.id}, actor=person)
    session.commit()
    return [event]

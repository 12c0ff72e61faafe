"""Attendance from connections: `participant.joined` / `participant.left` on the meeting
stream while the meeting is live, and the Attendance row they keep (presenze).

Runs in a worker thread; the hub decides when (first connection of a person, last one
closed plus a grace period). The rules are `boards.meetings_live.arrive` and `leave` (a
participant arriving while groups run is also placed in one: `groups.assigned`). Each
function commits and returns the events it appended.
"""

from __future__ import annotations

from sqlmodel import Session

from boards.events import meeting_stream
from boards.items import lock_stream
from boards.meetings_live import arrive, leave
from boards.models import Event, Meeting, Person


def record_join(session: Session, *, meeting_id: int, person_id: int) -> list[Event]:
    """`participant.joined` (and `groups.assigned`), unless the meeting is not live or the
    person is already present."""
    return _record(session, arrive, meeting_id=meeting_id, person_id=person_id)


def record_leave(session: Session, *, meeting_id: int, person_id: int) -> list[Event]:
    """`participant.left`, unless the meeting is not live or the person is not present."""
    return _record(session, leave, meeting_id=meeting_id, person_id=person_id)


def _record(session: Session, change, *, meeting_id: int, person_id: int) -> list[Event]:
    """Apply `change` at the meeting stream's ordering point; commit only if it made events."""
    lock_stream(session, meeting_stream(meeting_id))
    meeting = session.get(Meeting, meeting_id, populate_existing=True)
    person = session.get(Person, person_id, populate_existing=True)
    events = change(session, meeting, person)
    if not events:
        session.rollback()
        return []
    session.commit()
    return events

"""Who presided over a meeting (presidente, the chair) and who took its minutes (segretario
verbalizzante, the minute-taker), as the verbale names them.

`meeting.start` makes its facilitator the chair (boards/meetings_live.py); staff may name
another chair and choose the minute-taker, both among the staff of the process.
"""

from __future__ import annotations

from sqlmodel import Session, select

from boards import audit
from boards.access import Actor, require_staff
from boards.errors import InvalidInput
from boards.ids import fetch
from boards.meetings import get_meeting
from boards.models import STAFF_ROLES, Meeting, Person


def staff_people(session: Session, process_id: int) -> list[Person]:
    """The facilitators and secretaries of the process, who may chair or take the minutes."""
    return list(session.exec(
        select(Person)
        .where(Person.process_id == process_id, Person.removed_at.is_(None),
               Person.role.in_([role.value for role in STAFF_ROLES]))
        .order_by(Person.name, Person.id)
    ))


def _staff_person(session: Session, meeting: Meeting, person_id: int | None, field: str) -> int | None:
    if person_id is None:
        return None
    person = fetch(session, Person, person_id)
    if (person is None or person.process_id != meeting.process_id or person.removed_at is not None
            or person.role not in STAFF_ROLES):
        raise InvalidInput("Choose a facilitator or secretary of this process", field=field)
    return person.id


def set_meeting_roles(
    session: Session,
    *,
    actor: Actor,
    meeting_id: int,
    chair_id: int | None,
    minute_taker_id: int | None,
) -> Meeting:
    """Name the chair and the minute-taker (None: nobody yet).

    Raises NotAllowed unless staff, InvalidInput for someone who is not staff of the process.
    """
    meeting = get_meeting(session, meeting_id)
    require_staff(session, actor, meeting.process_id)
    chair = _staff_person(session, meeting, chair_id, "chair")
    minute_taker = _staff_person(session, meeting, minute_taker_id, "minute_taker")
    before = (meeting.chair_id, meeting.minute_taker_id)
    meeting.chair_id, meeting.minute_taker_id = chair, minute_taker
    session.add(meeting)
    if before != (chair, minute_taker):
        audit.record(session, actor=actor, action="meeting.roles", process_id=meeting.process_id,
                     target=f"meeting:{meeting.id}", chair=chair, minute_taker=minute_taker,
                     before_chair=before[0], before_minute_taker=before[1])
    return meeting

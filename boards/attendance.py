"""Attendance (presenze) per meeting: from live joins and leaves, corrected by staff."""

from __future__ import annotations

from sqlmodel import Session, select

from boards import audit
from boards.access import Actor, require_staff
from boards.clock import iso, utcnow
from boards.errors import InvalidInput
from boards.ids import fetch
from boards.meetings import get_meeting
from boards.models import (
    STAFF_ROLES,
    Attendance,
    AttendanceStatus,
    AuthToken,
    Invite,
    Meeting,
    MeetingState,
    Organization,
    Person,
)
from boards.text import clean_text


def expected_people(session: Session, meeting: Meeting) -> list[Person]:
    """Everyone of the process admitted to this meeting (staff, invited, joined by code)."""
    people = session.exec(
        select(Person)
        .where(Person.process_id == meeting.process_id, Person.removed_at.is_(None))
        .order_by(Person.id)
    ).all()
    # A revoked invite admits nobody any more.
    limited = {
        invite.person_id: invite.meetings
        for invite in session.exec(
            select(Invite).where(
                Invite.process_id == meeting.process_id, Invite.revoked_at.is_(None)
            )
        )
    }
    recorded = set(
        session.exec(select(Attendance.person_id).where(Attendance.meeting_id == meeting.id))
    )
    # People who joined with this meeting's code hold a token for it and no invite.
    by_code = set(
        session.exec(
            select(AuthToken.person_id).where(
                AuthToken.meeting_id == meeting.id, AuthToken.person_id.is_not(None)
            )
        )
    )
    admitted = []
    for person in people:
        meetings = limited.get(person.id)
        if person.id in recorded or person.id in by_code or person.role in STAFF_ROLES:
            admitted.append(person)
        elif person.id in limited and (meetings is None or meeting.id in meetings):
            admitted.append(person)
    return admitted


def present_ids(session: Session, meeting: Meeting) -> list[int]:
    """People present now (joined and not left), while the meeting is live."""
    if meeting.state != MeetingState.live:
        return []
    rows = session.exec(
        select(Attendance.person_id).where(
            Attendance.meeting_id == meeting.id,
            Attendance.joined_at.is_not(None),
            Attendance.left_at.is_(None),
            Attendance.status == AttendanceStatus.present,
        ).order_by(Attendance.person_id)
    )
    return list(rows)


def attendance_list(session: Session, *, actor: Actor, meeting_id: int) -> list[dict]:
    """One row per person expected or recorded. Raises NotAllowed unless staff."""
    meeting = get_meeting(session, meeting_id)
    require_staff(session, actor, meeting.process_id)
    records = {
        row.person_id: row
        for row in session.exec(select(Attendance).where(Attendance.meeting_id == meeting_id))
    }
    organizations = {
        org.id: org.name
        for org in session.exec(select(Organization).where(Organization.process_id == meeting.process_id))
    }
    rows = []
    for person in expected_people(session, meeting):
        record = records.get(person.id)
        rows.append(
            {
                "participant": person.id,
                "name": person.name,
                "organization": person.organization_id,
                "organization_name": organizations.get(person.organization_id),
                "role": person.role.value,
                "joined_at": iso(record.joined_at) if record else None,
                "left_at": iso(record.left_at) if record else None,
                "status": record.status.value if record else AttendanceStatus.absent.value,
                "proxy_for": record.proxy_for if record else None,
                "note": record.note if record else "",
            }
        )
    return rows


def correct_attendance(
    session: Session,
    *,
    actor: Actor,
    meeting_id: int,
    person_id: int,
    status: AttendanceStatus,
    proxy_for: int | None = None,
    note: str = "",
) -> Attendance:
    """A staff correction: absent, excused, proxy (delega) or present in the room.

    Raises NotAllowed unless staff, InvalidInput for a person of another process or a proxy
    without whom it stands for.
    """
    meeting = get_meeting(session, meeting_id)
    staff = require_staff(session, actor, meeting.process_id)
    person = fetch(session, Person, person_id)
    if person is None or person.process_id != meeting.process_id:
        raise InvalidInput("Person {id} is not part of this process", id=person_id)
    if status == AttendanceStatus.proxy:
        represented = fetch(session, Person, proxy_for)
        if represented is None or represented.process_id != meeting.process_id:
            raise InvalidInput("A proxy needs 'proxy_for': the person being represented")
        if represented.id == person.id:
            raise InvalidInput("A person cannot hold their own proxy")
    elif proxy_for is not None:
        raise InvalidInput("'proxy_for' only goes with the status 'proxy'")
    record = session.exec(
        select(Attendance).where(Attendance.meeting_id == meeting_id, Attendance.person_id == person_id)
    ).first()
    if record is None:
        record = Attendance(meeting_id=meeting_id, person_id=person_id)
    before = record.status.value if record.id else None
    record.status = status
    record.proxy_for = proxy_for
    record.note = clean_text(note, field="note", required=False)
    record.corrected_by = staff.account_id
    record.corrected_at = utcnow()
    if status == AttendanceStatus.present and record.joined_at is None:
        # Present in the room of a hybrid meeting: from the start, unless it has not begun.
        record.joined_at = meeting.started_at or utcnow()
    session.add(record)
    audit.record(session, actor=actor, action="attendance.correct", process_id=meeting.process_id,
                 target=f"meeting:{meeting_id}", person=person_id, before=before,
                 status=status.value, proxy_for=proxy_for, note=record.note)
    return record


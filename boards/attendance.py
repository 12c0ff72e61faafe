"""Attendance (presenze) per meeting: from live joins and leaves, corrected by staff.

Staff (facilitators and the secretary) correct one person (absent, excused, present, proxy:
a delega, possibly for someone of another body), a whole body at once (absent or excused),
and add people present in the room of a hybrid meeting who never connected. Every
correction goes to the audit log with what the record said before. See docs/api.md.
"""

from __future__ import annotations

from sqlmodel import Session, select

from datetime import datetime

from boards import audit
from boards.access import Actor, require_staff
from boards.clock import iso, typed_moment, utcnow
from boards.errors import InvalidInput
from boards.ids import fetch
from boards.invites import organization_by_name
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
    OrganizationKind,
    Person,
    PersonRole,
    RecordingConsent,
    Representation,
)
from boards.processes import organization_of_process
from boards.text import clean_name, clean_text

# What a whole body can be marked as at once: presence and proxies are per person.
BODY_STATUSES = {AttendanceStatus.absent, AttendanceStatus.excused}


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
    """One row per person expected or recorded. Raises NotAllowed unless staff.

    Beyond the contract's keys a row has the organisation's name and kind, the person's
    title (role in their body), `in_person`, `proxy_for` and `represented_by` (who holds
    this person's proxy), the note and `recording_consent` (true, false or null: not asked).
    """
    meeting = get_meeting(session, meeting_id)
    require_staff(session, actor, meeting.process_id)
    return meeting_rows(session, meeting)


def meeting_rows(session: Session, meeting: Meeting) -> list[dict]:
    """The rows of `attendance_list` without the permission check, for the record (verbale)."""
    records = {
        row.person_id: row
        for row in session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id))
    }
    organizations = {
        org.id: org
        for org in session.exec(select(Organization).where(Organization.process_id == meeting.process_id))
    }
    consents = {
        row.person_id: row.consent
        for row in session.exec(select(RecordingConsent).where(RecordingConsent.meeting_id == meeting.id))
    }
    titles = _titles(session, meeting)
    represented_by: dict[int, list[int]] = {}
    for record in records.values():
        if record.status == AttendanceStatus.proxy and record.proxy_for is not None:
            represented_by.setdefault(record.proxy_for, []).append(record.person_id)
    rows = []
    for person in expected_people(session, meeting):
        record = records.get(person.id)
        organization = organizations.get(person.organization_id)
        rows.append(
            {
                "participant": person.id,
                "name": person.name,
                "organization": person.organization_id,
                "organization_name": organization.name if organization else None,
                "organization_kind": organization.kind.value if organization else None,
                "title": titles.get(person.id, ""),
                "role": person.role.value,
                "joined_at": iso(record.joined_at) if record else None,
                "left_at": iso(record.left_at) if record else None,
                "status": record.status.value if record else AttendanceStatus.absent.value,
                "proxy_for": record.proxy_for if record else None,
                "represented_by": sorted(represented_by.get(person.id, [])),
                "in_person": record.in_person if record else False,
                "note": record.note if record else "",
                "recording_consent": consents.get(person.id),
            }
        )
    return rows


def attendance_by_organization(session: Session, *, actor: Actor, meeting_id: int) -> list[dict]:
    """The rows grouped by body, public bodies first, then by name; people of no body
    (usually staff) last. Raises NotAllowed unless staff."""
    meeting = get_meeting(session, meeting_id)
    require_staff(session, actor, meeting.process_id)
    organizations = {
        org.id: org
        for org in session.exec(select(Organization).where(Organization.process_id == meeting.process_id))
    }
    groups: dict[int | None, list[dict]] = {}
    for row in meeting_rows(session, meeting):
        groups.setdefault(row["organization"], []).append(row)
    # The enum's order: public administrations, health authorities, Third Sector, others.
    order = list(OrganizationKind)

    def key(org_id: int | None) -> tuple:
        organization = organizations.get(org_id)
        if organization is None:
            return (len(order), "")
        return (order.index(organization.kind), organization.name.casefold())

    return [
        {"organization": organizations.get(org_id), "rows": groups[org_id]}
        for org_id in sorted(groups, key=key)
    ]


def _titles(session: Session, meeting: Meeting) -> dict[int, str]:
    """Each person's title in their body: the one given for this meeting, else their general one."""
    titles: dict[int, str] = {}
    rows = session.exec(
        select(Representation)
        .join(Person, Person.id == Representation.person_id)
        .where(Person.process_id == meeting.process_id)
        .where((Representation.meeting_id == meeting.id) | Representation.meeting_id.is_(None))
        .order_by(Representation.id)
    )
    for row in rows:
        if row.title and (row.meeting_id is not None or row.person_id not in titles):
            titles[row.person_id] = row.title
    return titles


def _record_of(session: Session, meeting_id: int, person_id: int) -> Attendance:
    record = session.exec(
        select(Attendance).where(Attendance.meeting_id == meeting_id, Attendance.person_id == person_id)
    ).first()
    return record or Attendance(meeting_id=meeting_id, person_id=person_id)


def _before(record: Attendance) -> dict:
    """What a record said before a change, for the audit entry (flat: the audit page lists
    keys and values)."""
    if record.id is None:
        return {"before_status": None, "before_proxy_for": None, "before_note": ""}
    return {"before_status": record.status.value, "before_proxy_for": record.proxy_for,
            "before_note": record.note}


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

    A proxy holder may be of another body than the person they stand for; both must be
    people of the process. Raises NotAllowed unless staff, InvalidInput for a person of
    another process or a proxy without whom it stands for.
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
    note = clean_text(note, field="note", required=False)
    record = _record_of(session, meeting_id, person_id)
    before = _before(record)
    record.status = status
    record.proxy_for = proxy_for
    record.note = note
    record.corrected_by = staff.account_id
    record.corrected_at = utcnow()
    if status == AttendanceStatus.present and record.joined_at is None:
        # Present in the room of a hybrid meeting: from the start, unless it has not begun.
        record.joined_at = meeting.started_at or utcnow()
    session.add(record)
    session.flush()
    audit.record(session, actor=actor, action="attendance.correct", process_id=meeting.process_id,
                 target=f"meeting:{meeting_id}", person=person_id, status=status.value,
                 proxy_for=proxy_for, note=note, **before)
    return record


def mark_organization(
    session: Session,
    *,
    actor: Actor,
    meeting_id: int,
    organization_id: int,
    status: AttendanceStatus,
    note: str = "",
) -> list[Attendance]:
    """Mark a whole body absent or excused: every person of it expected at the meeting.

    Raises NotAllowed unless staff, InvalidInput for another status, an organisation of
    another process or a body with nobody expected.
    """
    meeting = get_meeting(session, meeting_id)
    staff = require_staff(session, actor, meeting.process_id)
    if status not in BODY_STATUSES:
        raise InvalidInput("A whole organisation can only be marked absent or excused",
                           field="status")
    organization = organization_of_process(session, meeting.process_id, organization_id)
    note = clean_text(note, field="note", required=False)
    people = [p for p in expected_people(session, meeting) if p.organization_id == organization.id]
    if not people:
        raise InvalidInput("Nobody of {name} is expected at this meeting", name=organization.name)
    records, before = [], []
    for person in people:
        record = _record_of(session, meeting_id, person.id)
        before.append(record.status.value if record.id else None)
        record.status, record.proxy_for, record.note = status, None, note
        record.corrected_by, record.corrected_at = staff.account_id, utcnow()
        session.add(record)
        records.append(record)
    session.flush()
    audit.record(session, actor=actor, action="attendance.organization",
                 process_id=meeting.process_id, target=f"meeting:{meeting_id}",
                 organization=organization.id, status=status.value, note=note,
                 people=[p.id for p in people], before_status=before)
    return records


def add_in_room(
    session: Session,
    *,
    actor: Actor,
    meeting_id: int,
    name: str,
    organization_id: int | None = None,
    organization_name: str = "",
    title: str = "",
    joined_at: datetime | None = None,
    note: str = "",
) -> Attendance:
    """Someone present in the room who has no link (hybrid meetings): a new person of the
    process (participant, no invite), present from `joined_at` (default now).

    A new organisation name makes an organisation of kind other for the staff to review.
    Raises NotAllowed unless staff, InvalidInput for a missing name or organisation.
    """
    meeting = get_meeting(session, meeting_id)
    staff = require_staff(session, actor, meeting.process_id)
    name = clean_name(name, field="name")
    title = clean_name(title, field="title", required=False)
    note = clean_text(note, field="note", required=False)
    if organization_id is not None:
        organization = organization_of_process(session, meeting.process_id, organization_id)
    elif organization_name.strip():
        organization = organization_by_name(session, meeting.process_id, organization_name)
    else:
        raise InvalidInput("Say which organisation the person represents", field="organization")
    try:
        joined = typed_moment(joined_at) if joined_at else utcnow()
    except OverflowError:
        raise InvalidInput("'joined_at' is not a usable time", field="joined_at") from None
    person = Person(process_id=meeting.process_id, name=name, organization_id=organization.id,
                    role=PersonRole.participant)
    session.add(person)
    session.flush()
    if title:
        session.add(Representation(person_id=person.id, organization_id=organization.id,
                                   title=title, meeting_id=meeting.id))
    record = Attendance(meeting_id=meeting.id, person_id=person.id, joined_at=joined,
                        status=AttendanceStatus.present, in_person=True, note=note,
                        corrected_by=staff.account_id, corrected_at=utcnow())
    session.add(record)
    session.flush()
    audit.record(session, actor=actor, action="attendance.add", process_id=meeting.process_id,
                 target=f"meeting:{meeting_id}", person=person.id, name=name,
                 organization=organization.id, title=title, joined_at=iso(joined), note=note)
    return record

"""The attendance page of a meeting (presenze) for its staff: who is expected, who came and
when, by organisation, with the corrections of the secretary and facilitators — one person,
a whole organisation, someone present in the room — and the answers to the recording
question."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.deps import SessionDep
from app.errors import status_of
from app.i18n import gettext as _
from app.pages.deps import PageActor, PageRoute
from app.pages.forms import FORM_ERRORS, Forms, FormState, form_error, parse_id, parse_local_datetime
from app.pages.rendering import is_htmx, render, render_part, see_other
from boards import attendance, meetings, processes
from boards.access import Actor
from boards.errors import InvalidInput
from boards.models import AttendanceStatus, Meeting, Person

router = APIRouter(route_class=PageRoute)

PAGE = "attendance.html"


def field_names() -> dict[str, dict[str, str]]:
    """The labels of the page's fields by form, also naming the field an error is about."""
    return {
        "person": {
            "participant": _("Person"),
            "status": _("Attendance status"),
            "proxy_for": _("Proxy for"),
            "note": _("Note"),
        },
        "body": {
            "organization": _("Organisation"),
            "status": _("Mark as"),
            "note": _("Note"),
        },
        "room": {
            "name": _("Name and surname"),
            "organization": _("Organisation"),
            "organization_name": _("Or a new organisation"),
            "title": _("Role or title in the organisation"),
            "joined_at": _("Arrived at"),
            "note": _("Note"),
        },
    }


def status_choices() -> list[tuple[str, str]]:
    return [
        ("present", _("Present")),
        ("absent", _("Absent")),
        ("excused", _("Excused")),
        ("proxy", _("Present as proxy")),
    ]


def page_context(session: Session, actor: Actor, meeting: Meeting, **forms: FormState) -> dict:
    """Everything the page shows. Raises NotAllowed unless staff of the process."""
    groups = attendance.attendance_by_organization(session, actor=actor, meeting_id=meeting.id)
    process = processes.get_process(session, meeting.process_id)
    rows = [row for group in groups for row in group["rows"]]
    names = {row["participant"]: row["name"] for row in rows}
    for row in rows:
        row["proxy_for_name"] = names.get(row["proxy_for"]) or _person_name(session, row["proxy_for"])
        row["represented_by_names"] = ", ".join(names[p] for p in row["represented_by"] if p in names)
    people = sorted(((str(r["participant"]), _person_choice(r)) for r in rows),
                    key=lambda choice: choice[1].casefold())
    organizations = [
        (str(group["organization"].id), group["organization"].name)
        for group in groups if group["organization"] is not None
    ]
    all_organizations = processes.process_view(session, process)["organizations"]
    counts = {status: sum(1 for r in rows if r["status"] == status) for status in AttendanceStatus}
    return {
        "meeting": meeting,
        "process": process,
        "groups": groups,
        "people": people,
        "organizations": organizations,
        "all_organizations": [(str(o["id"]), o["name"]) for o in all_organizations],
        "statuses": status_choices(),
        "counts": counts,
        "show_consent": bool(meeting.recording_url) or any(
            r["recording_consent"] is not None for r in rows),
        "L": field_names(),
        "forms": Forms(forms),
    }


def _person_name(session: Session, person_id: int | None) -> str:
    """A proxy may stand for someone not expected at this meeting."""
    person = session.get(Person, person_id) if person_id else None
    return person.name if person else ""


def _person_choice(row: dict) -> str:
    return f"{row['name']} ({row['organization_name']})" if row["organization_name"] else row["name"]


def _status(value: str) -> AttendanceStatus:
    try:
        return AttendanceStatus(value)
    except ValueError:
        raise InvalidInput("Choose the attendance to record", field="status") from None


def _answer(request: Request, session: Session, actor: Actor, meeting: Meeting,
            form: FormState, status: int = 200) -> Response:
    return render_part(request, PAGE, "attendance", status=status,
                       **page_context(session, actor, meeting, **{form.name: form}))


def _failed(request: Request, session: Session, actor: Actor, meeting: Meeting, name: str,
            values: dict, error) -> Response:
    session.rollback()
    form = form_error(name, values, error, field_names()[name])
    return _answer(request, session, actor, meeting, form, status_of(error))


def _done(request: Request, session: Session, actor: Actor, meeting: Meeting, name: str,
          message: str) -> Response:
    session.commit()
    if not is_htmx(request):
        return see_other(request, f"/meetings/{meeting.id}/attendance")
    return _answer(request, session, actor, meeting, FormState(name, done=message))


@router.get("/meetings/{meeting_id}/attendance")
def attendance_page(meeting_id: int, request: Request, actor: PageActor,
                    session: SessionDep) -> Response:
    """The attendance of the meeting, by organisation, with the corrections (staff)."""
    meeting = meetings.get_meeting(session, meeting_id)
    return render(request, PAGE, **page_context(session, actor, meeting))


@router.post("/meetings/{meeting_id}/attendance")
def correct_person(
    meeting_id: int, request: Request, actor: PageActor, session: SessionDep,
    participant: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "",
    proxy_for: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Correct one person's attendance: present, absent, excused, or present as proxy."""
    meeting = meetings.get_meeting(session, meeting_id)
    values = {"participant": participant, "status": status, "proxy_for": proxy_for, "note": note}
    try:
        person_id = parse_id(participant)
        if person_id is None:
            raise InvalidInput("Choose the person", field="participant")
        record = attendance.correct_attendance(
            session, actor=actor, meeting_id=meeting_id, person_id=person_id,
            status=_status(status), proxy_for=parse_id(proxy_for), note=note,
        )
    except FORM_ERRORS as error:
        return _failed(request, session, actor, meeting, "person", values, error)
    name = session.get(Person, record.person_id).name
    return _done(request, session, actor, meeting, "person",
                 _("Attendance of {name} saved.", name=name))


@router.post("/meetings/{meeting_id}/attendance/organization")
def correct_body(
    meeting_id: int, request: Request, actor: PageActor, session: SessionDep,
    organization: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Mark everyone of an organisation absent or excused."""
    meeting = meetings.get_meeting(session, meeting_id)
    values = {"organization": organization, "status": status, "note": note}
    try:
        organization_id = parse_id(organization)
        if organization_id is None:
            raise InvalidInput("Choose the organisation", field="organization")
        attendance.mark_organization(
            session, actor=actor, meeting_id=meeting_id, organization_id=organization_id,
            status=_status(status), note=note,
        )
    except FORM_ERRORS as error:
        return _failed(request, session, actor, meeting, "body", values, error)
    name = processes.get_organization(session, organization_id).name
    return _done(request, session, actor, meeting, "body",
                 _("Attendance of everyone of {name} saved.", name=name))


@router.post("/meetings/{meeting_id}/attendance/in-room")
def add_in_room(
    meeting_id: int, request: Request, actor: PageActor, session: SessionDep,
    name: Annotated[str, Form()] = "",
    organization: Annotated[str, Form()] = "",
    organization_name: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    joined_at: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Add someone present in the room who has no link."""
    meeting = meetings.get_meeting(session, meeting_id)
    values = {"name": name, "organization": organization, "organization_name": organization_name,
              "title": title, "joined_at": joined_at, "note": note}
    try:
        record = attendance.add_in_room(
            session, actor=actor, meeting_id=meeting_id, name=name,
            organization_id=parse_id(organization), organization_name=organization_name,
            title=title, note=note,
            joined_at=(parse_local_datetime(joined_at, field_name="joined_at")
                       if joined_at.strip() else None),
        )
    except FORM_ERRORS as error:
        return _failed(request, session, actor, meeting, "room", values, error)
    added = session.get(Person, record.person_id)
    return _done(request, session, actor, meeting, "room",
                 _("{name} is recorded as present in the room.", name=added.name))

"""The forms of the process page: organisations (enti), thematic tables, steering committee
(cabina di regia), staff, and scheduling a meeting.

Each answers an htmx request with its section of the page (the new row, or the form with
its errors) and a plain form post with a redirect back to the page or the full page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.deps import SessionDep
from app.errors import status_of
from app.i18n import gettext as _
from app.pages.deps import PageActor, PageRoute
from app.pages.forms import (
    FORM_ERRORS,
    FormState,
    form_error,
    lines,
    parse_date,
    parse_id,
    parse_local_datetime,
)
from app.pages.labels import label, names
from app.pages.processes import process_page
from app.pages.rendering import is_htmx, render, render_part, see_other
from boards import meetings, processes
from boards.access import Actor
from boards.errors import NotFound
from boards.models import AccountRole, MeetingMode, OrganizationKind

router = APIRouter(route_class=PageRoute)


def answer(
    request: Request,
    session: Session,
    actor: Actor,
    process_id: int,
    *,
    form: str,
    section: str,
    values: dict[str, str],
    action: Callable[[], str],
    errors: tuple[type[Exception], ...] = FORM_ERRORS,
) -> Response:
    """Run `action` (which returns the success note), then answer with the section or the
    page; a mistake in the form brings it back with the message (4xx, swapped by htmx)."""
    process = processes.get_process(session, process_id)
    try:
        done = action()
    except errors as error:
        session.rollback()
        state = form_error(form, values, error, names(f"form:{form}"))
        # Something typed that names nothing (an unknown email) is bad input, not a lost page.
        status = 422 if isinstance(error, NotFound) else status_of(error)
        return render_part(request, "process.html", section, status=status,
                           **process_page(session, actor, process, **{form: state}))
    session.commit()
    if not is_htmx(request):
        return see_other(request, f"/processes/{process_id}#{section}")
    return render(request, "process.html", block=section,
                  **process_page(session, actor, process, **{form: FormState(form, done=done)}))


@router.post("/processes/{process_id}/organizations")
def add_organization(
    process_id: int, request: Request, actor: PageActor, session: SessionDep,
    name: Annotated[str, Form()] = "",
    kind: Annotated[OrganizationKind, Form()] = OrganizationKind.third_sector,
    ats_lead: Annotated[bool, Form()] = False,
) -> Response:
    """Add an organisation (ente) to the process."""
    def action() -> str:
        organization = processes.add_organization(
            session, actor=actor, process_id=process_id, name=name, kind=kind, ats_lead=ats_lead
        )
        return _("Organisation {name} added.", name=organization.name)

    values = {"name": name, "kind": kind.value, "ats_lead": "1" if ats_lead else ""}
    return answer(request, session, actor, process_id, form="organization",
                  section="organizations", values=values, action=action)


@router.post("/organizations/{organization_id}/review")
def review_organization(
    organization_id: int, request: Request, actor: PageActor, session: SessionDep
) -> Response:
    """Mark an organisation typed in by someone joining with a code as checked."""
    organization = processes.get_organization(session, organization_id)

    def action() -> str:
        processes.update_organization(session, actor=actor, organization_id=organization_id,
                                      reviewed=True)
        return _("Organisation {name} marked as checked.", name=organization.name)

    return answer(request, session, actor, organization.process_id, form="organization",
                  section="organizations", values={}, action=action)


@router.post("/processes/{process_id}/tables")
def add_table(
    process_id: int, request: Request, actor: PageActor, session: SessionDep,
    title: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
) -> Response:
    """Add a thematic table (tavolo / ambito)."""
    def action() -> str:
        table = processes.add_thematic_table(session, actor=actor, process_id=process_id,
                                             title=title, description=description)
        return _("Thematic table {title} added.", title=table.title)

    return answer(request, session, actor, process_id, form="table", section="tables",
                  values={"title": title, "description": description}, action=action)


@router.post("/processes/{process_id}/steering")
def add_steering_member(
    process_id: int, request: Request, actor: PageActor, session: SessionDep,
    name: Annotated[str, Form()] = "",
    position: Annotated[str, Form()] = "",
    organization: Annotated[str, Form()] = "",
    started_on: Annotated[str, Form()] = "",
    ended_on: Annotated[str, Form()] = "",
) -> Response:
    """Add a member of the steering committee (cabina di regia)."""
    def action() -> str:
        member = processes.add_steering_member(
            session, actor=actor, process_id=process_id, name=name, position=position,
            organization_id=parse_id(organization),
            started_on=parse_date(started_on, field_name="started_on"),
            ended_on=parse_date(ended_on, field_name="ended_on"),
        )
        return _("{name} added to the steering committee.", name=member.name)

    values = {"name": name, "position": position, "organization": organization,
              "started_on": started_on, "ended_on": ended_on}
    return answer(request, session, actor, process_id, form="steering", section="steering",
                  values=values, action=action)


@router.post("/processes/{process_id}/staff")
def add_staff(
    process_id: int, request: Request, actor: PageActor, session: SessionDep,
    email: Annotated[str, Form()] = "",
    role: Annotated[AccountRole, Form()] = AccountRole.secretary,
) -> Response:
    """Add an account as facilitator or secretary of the process."""
    def action() -> str:
        staff = processes.add_staff(session, actor=actor, process_id=process_id, email=email,
                                    role=role)
        return _("{email} added to the staff as {role}.", email=email.strip().lower(),
                 role=label("role", staff.role))

    # An unknown email is a typing mistake here, not a missing page.
    return answer(request, session, actor, process_id, form="staff", section="staff",
                  values={"email": email, "role": role.value}, action=action,
                  errors=(*FORM_ERRORS, NotFound))


@router.post("/processes/{process_id}/meetings")
def schedule_meeting(
    process_id: int, request: Request, actor: PageActor, session: SessionDep,
    title: Annotated[str, Form()] = "",
    starts_at: Annotated[str, Form()] = "",
    mode: Annotated[MeetingMode, Form()] = MeetingMode.online,
    location: Annotated[str, Form()] = "",
    agenda: Annotated[str, Form()] = "",
    thematic_table: Annotated[str, Form()] = "",
) -> Response:
    """Schedule the next meeting; its set-up page (agenda, invites, code) comes next."""
    values = {"title": title, "starts_at": starts_at, "mode": mode.value, "location": location,
              "agenda": agenda, "thematic_table": thematic_table}
    process = processes.get_process(session, process_id)
    try:
        meeting = meetings.create_meeting(
            session, actor=actor, process_id=process_id, title=title,
            starts_at=parse_local_datetime(starts_at, field_name="starts_at"), mode=mode,
            location=location, agenda=lines(agenda), thematic_table_id=parse_id(thematic_table),
        )
    except FORM_ERRORS as error:
        session.rollback()
        state = form_error("meeting", values, error, names("form:meeting"))
        return render_part(request, "process.html", "meetings", status=status_of(error),
                           **process_page(session, actor, process, meeting=state))
    session.commit()
    return see_other(request, f"/meetings/{meeting.id}/setup")

"""The facilitator's processes (percorsi): the list, creating one, and the process page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.deps import SessionDep
from app.errors import status_of
from app.pages import invites as invite_pages
from app.pages import reflection as reflection_pages
from app.pages.deps import PageActor, PageRoute
from app.pages.forms import FORM_ERRORS, Forms, FormState, form_error
from app.pages.labels import names
from app.pages.rendering import render, render_part, see_other
from boards import invites, processes, reflection
from boards.access import Actor, in_whole_process, person_in_process, require_member
from boards.clock import utcnow
from boards.models import STAFF_ROLES, AccountRole, OrganizationKind, PersonRole, Process, ProcessKind
from boards.people import current_meeting, meetings_for

router = APIRouter(route_class=PageRoute)


def may_create(actor: Actor) -> bool:
    return actor.account is not None and actor.account.role == AccountRole.facilitator


@router.get("/processes")
def process_list(request: Request, actor: PageActor, session: SessionDep) -> Response:
    """The processes the visitor takes part in, and a form to create one (facilitators)."""
    return render(
        request, "processes.html", processes=processes.list_processes(session, actor=actor),
        may_create=may_create(actor), forms=Forms(),
    )


@router.post("/processes")
def create_process(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    title: Annotated[str, Form()] = "",
    kind: Annotated[ProcessKind, Form()] = ProcessKind.co_design,
    description: Annotated[str, Form()] = "",
    administration: Annotated[str, Form()] = "",
    procedure_ref: Annotated[str, Form()] = "",
    rup_name: Annotated[str, Form()] = "",
) -> Response:
    """Create a process; its page comes next."""
    values = {"title": title, "kind": kind.value, "description": description,
              "administration": administration, "procedure_ref": procedure_ref,
              "rup_name": rup_name}
    try:
        process = processes.create_process(
            session, actor=actor, title=title, kind=kind, description=description,
            administration=administration, procedure_ref=procedure_ref, rup_name=rup_name,
        )
    except FORM_ERRORS as error:
        session.rollback()
        form = form_error("process", values, error, names("form:process"))
        return render_part(
            request, "processes.html", "create", status=status_of(error),
            processes=processes.list_processes(session, actor=actor),
            may_create=may_create(actor), forms=Forms(process=form),
        )
    session.commit()
    return see_other(request, f"/processes/{process.id}")


def process_page(session: Session, actor: Actor, process: Process, **forms: FormState) -> dict:
    """Everything the staff's process page shows. Raises NotAllowed unless staff."""
    pairs = invites.list_invites(session, actor=actor, process_id=process.id)
    view = processes.process_view(session, process)
    organizations = view["organizations"]
    return {
        "process": process,
        "view": view,
        "groups": [
            (kind.value, [o for o in organizations if o["kind"] == kind.value])
            for kind in OrganizationKind
        ],
        "organization_names": {o["id"]: o["name"] for o in organizations},
        "table_options": [(str(t["id"]), t["title"]) for t in view["thematic_tables"]],
        "people": invite_pages.people_rows(view, pairs),
        # Erasing personal data is for facilitators (boards.personal_data checks it again).
        "may_erase": person_in_process(session, actor, process.id).role == PersonRole.facilitator,
        "forms": Forms(forms),
    }


@router.get("/processes/{process_id}")
def process_detail(process_id: int, request: Request, actor: PageActor, session: SessionDep) -> Response:
    """The process page: the staff's workspace, or a member's list of meetings."""
    process = processes.get_process(session, process_id)
    person = require_member(session, actor, process_id)
    since = reflection.record_visit(session, person=person)
    session.commit()
    between = reflection_pages.summary(session, actor, person, process, since)
    if person.role not in STAFF_ROLES:
        meetings = meetings_for(session, actor, process_id)
        return render(request, "process_member.html", process=process, person=person, meetings=meetings,
                      current=current_meeting(meetings, utcnow()), between=between,
                      whole_process=in_whole_process(session, actor, person))
    return render(request, "process.html", between=between, **process_page(session, actor, process))


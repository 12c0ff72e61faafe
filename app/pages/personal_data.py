"""A person's data on the pages: the facilitator's erasure, with a confirmation step saying
what happens and what is kept (docs/operations.md, "Personal data"). Downloads are the
API's export (`GET /api/v1/people/{id}/export`), which the session cookie authenticates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.api.personal_data import publish_erasure
from app.deps import SessionDep
from app.errors import status_of
from app.i18n import gettext as _
from app.pages.deps import PageActor, PageRoute
from app.pages.forms import FORM_ERRORS, Forms, FormState, form_error
from app.pages.rendering import render
from boards import personal_data, processes
from boards.access import Actor, require_staff
from boards.errors import NotFound
from boards.models import Organization, Person, PersonRole

router = APIRouter(route_class=PageRoute)

PAGE = "personal_data_erase.html"


def export_url(person_id: int) -> str:
    return f"/api/v1/people/{person_id}/export"


def erase_page(session: Session, actor: Actor, person_id: int, **forms: FormState) -> dict:
    """The person and their process, for facilitators only. Raises NotFound, NotAllowed."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("Person {id} not found", id=person_id)
    require_staff(session, actor, person.process_id, roles={PersonRole.facilitator})
    organization = session.get(Organization, person.organization_id) if person.organization_id else None
    return {"person": person, "organization": organization,
            "process": processes.get_process(session, person.process_id),
            "export_url": export_url(person.id), "forms": Forms(forms)}


@router.get("/people/{person_id}/erase")
def erase_confirmation(person_id: int, request: Request, actor: PageActor, session: SessionDep) -> Response:
    """What erasing this person does and keeps, and the form to do it (facilitators)."""
    return render(request, PAGE, **erase_page(session, actor, person_id))


@router.post("/people/{person_id}/erase")
def erase(person_id: int, request: Request, actor: PageActor, session: SessionDep,
          reason: Annotated[str, Form()] = "") -> Response:
    """Erase the person, then show what was done and what was kept."""
    erase_page(session, actor, person_id)
    try:
        erasure = personal_data.erase_person(session, actor=actor, person_id=person_id, reason=reason)
    except FORM_ERRORS as error:
        session.rollback()
        state = form_error("erase", {"reason": reason}, error, {"reason": _("Reason")})
        return render(request, PAGE, status=status_of(error), **erase_page(session, actor, person_id, erase=state))
    session.commit()
    publish_erasure(request, erasure)
    return render(request, PAGE, **erase_page(session, actor, person_id), erasure=erasure,
                  changed=[(changed_label(kind), count) for kind, count in erasure.changed.items()])


def changed_label(kind: str) -> str:
    """What a kind of text in `Erasure.changed` is, in the page's language."""
    labels = {
        "process": _("Description of the process"), "meetings": _("Meetings"), "agenda": _("Agenda items"),
        "questions": _("Guiding questions"), "contributions": _("Contributions"), "comments": _("Comments"),
        "boards": _("Boards"), "groups": _("Groups"), "attendance": _("Attendance notes"),
        "decisions": _("Decisions"), "actions": _("Actions"), "lines_of_work": _("Lines of work"),
        "statements": _("Synthesis statements"), "pledges": _("Resource pledges"),
        "documents": _("Documents examined"), "steering_committee": _("Steering committee"),
        "drafts": _("Drafts of the minutes and of the synthesis"), "events": _("Live event log"),
        "audit": _("Audit log"),
    }
    return labels.get(kind, kind)

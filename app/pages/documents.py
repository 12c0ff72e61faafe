"""The documents examined at a meeting (documenti esaminati): the list for its members, the
upload form and removal for its staff. Files are downloaded from the API
(`/api/v1/documents/{id}`, as attachments).

The upload arrives through the pages' form parsing (the CSRF check reads the form first), so
the file is spooled to disk there; the size limit is enforced while copying it into storage.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlmodel import Session

from app.deps import SessionDep, SettingsDep
from app.errors import status_of
from app.i18n import gettext as _
from app.pages.deps import PageActor, PageRoute
from app.pages.forms import FORM_ERRORS, Forms, FormState, form_error
from app.pages.rendering import is_htmx, render, render_part, see_other
from app.settings import Settings
from boards import meeting_documents, meetings, processes
from boards.access import Actor, require_meeting_member
from boards.errors import InvalidInput, NotFound
from boards.models import STAFF_ROLES, Meeting
from boards.people import display_names

router = APIRouter(route_class=PageRoute)

PAGE = "documents.html"


def field_names() -> dict[str, str]:
    return {"file": _("File"), "title": _("Title of the document")}


def page_context(session: Session, actor: Actor, meeting: Meeting, settings: Settings,
                 **forms: FormState) -> dict:
    """What the page shows. Raises NotAllowed unless a member of the meeting."""
    person = require_meeting_member(session, actor, meeting)
    documents = meeting_documents.list_documents(session, actor=actor, meeting_id=meeting.id)
    _accounts, names = display_names(session, account_ids=[],
                                     person_ids=[d.uploaded_by for d in documents])
    return {
        "meeting": meeting,
        "process": processes.get_process(session, meeting.process_id),
        "documents": [{**meeting_documents.document_view(d), "uploader": names.get(d.uploaded_by, "")}
                      for d in documents],
        "is_staff": person.role in STAFF_ROLES,
        "accept": ",".join(meeting_documents.ACCEPTED_EXTENSIONS),
        "limit_mb": meeting_documents.megabytes(settings.upload_max_bytes),
        "L": field_names(),
        "forms": Forms(forms),
    }


@router.get("/meetings/{meeting_id}/documents")
def documents_page(meeting_id: int, request: Request, actor: PageActor, session: SessionDep,
                   settings: SettingsDep) -> Response:
    """The documents examined at the meeting (members; staff also upload and remove)."""
    meeting = meetings.get_meeting(session, meeting_id)
    return render(request, PAGE, **page_context(session, actor, meeting, settings))


@router.post("/meetings/{meeting_id}/documents")
def upload_document(
    meeting_id: int, request: Request, actor: PageActor, session: SessionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile | None, File()] = None,
    title: Annotated[str, Form()] = "",
) -> Response:
    """Attach a document to the meeting (staff)."""
    meeting = meetings.get_meeting(session, meeting_id)
    try:
        if file is None or not file.filename:
            raise InvalidInput("Choose the file to upload", field="file")
        document = meeting_documents.store_document(
            session, actor=actor, meeting_id=meeting_id, source=file.file,
            filename=file.filename, media_type=file.content_type, title=title,
            uploads_dir=settings.uploads_dir, max_bytes=settings.upload_max_bytes,
        )
    except FORM_ERRORS as error:
        session.rollback()
        state = form_error("upload", {"title": title}, error, field_names())
        return render_part(request, PAGE, "documents", status=status_of(error),
                           **page_context(session, actor, meeting, settings, upload=state))
    session.commit()
    if not is_htmx(request):
        return see_other(request, f"/meetings/{meeting_id}/documents")
    state = FormState("upload", done=_("“{title}” is attached to the meeting.", title=document.title))
    return render(request, PAGE, block="documents",
                  **page_context(session, actor, meeting, settings, upload=state))


@router.post("/meetings/{meeting_id}/documents/{document_id}/remove")
def remove_document(meeting_id: int, document_id: int, request: Request, actor: PageActor,
                    session: SessionDep, settings: SettingsDep) -> Response:
    """Take a document off the meeting (staff)."""
    meeting = meetings.get_meeting(session, meeting_id)
    document = meeting_documents.get_document(session, actor=actor, document_id=document_id)
    if document.meeting_id != meeting.id:
        raise NotFound("Document {id} does not exist", id=document_id)
    meeting_documents.remove_document(session, actor=actor, document_id=document_id)
    session.commit()
    if not is_htmx(request):
        return see_other(request, f"/meetings/{meeting_id}/documents")
    state = FormState("upload", done=_("“{title}” is no longer attached to the meeting.",
                                       title=document.title))
    return render(request, PAGE, block="documents",
                  **page_context(session, actor, meeting, settings, upload=state))

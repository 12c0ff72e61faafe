"""The documents examined at a meeting (documenti esaminati): the list for its members, the
upload form and removal for its staff. Files are downloaded from the API
(`/api/v1/documents/{id}`, as attachments).

The upload reads its own body (app/uploads.py, shared with the API) rather than going through
the pages' form parsing, which would read and spool the whole file before anyone could refuse
it: a declared length over the limit is refused before reading the file, a body that passes
the limit as soon as it does, with the message in the form. It then checks the CSRF token
itself, so its route is on `upload_router`, which app/pages/routes.py includes without
`csrf_protect`.

A refused upload gives the form back with the title as typed, even when the body was cut
short: the form puts the title before the file, and browsers send the parts in the form's
order, so it has been read before the file is. Browsers cannot put the file back, so the
form asks for it again.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlmodel import Session

from app.deps import SessionDep, SettingsDep
from app.errors import status_of
from app.i18n import gettext as _
from app.pages.deps import PageActor, PageRoute, require_csrf
from app.pages.forms import FORM_ERRORS, Forms, FormState, form_error
from app.pages.rendering import is_htmx, render, render_part, see_other
from app.security import CSRF_FIELD
from app.settings import Settings
from app.uploads import Upload, is_multipart, read_form
from boards import meeting_documents, meetings, processes
from boards.access import Actor, require_meeting_member
from boards.errors import DomainError, InvalidInput, NotFound
from boards.models import STAFF_ROLES, Meeting
from boards.people import display_names

router = APIRouter(route_class=PageRoute)
# Included without the pages' CSRF dependency: see the module docstring.
upload_router = APIRouter(route_class=PageRoute)

PAGE = "documents.html"


def field_names() -> dict[str, str]:
    return {"file": _("File"), "title": _("Title of the document")}


def page_context(session: Session, actor: Actor, meeting: Meeting, settings: Settings,
                 choose_again: bool = False, **forms: FormState) -> dict:
    """What the page shows, `choose_again` when the upload form comes back without the file
    it sent. Raises NotAllowed unless a member of the meeting."""
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
        "choose_again": choose_again,
    }


@router.get("/meetings/{meeting_id}/documents")
def documents_page(meeting_id: int, request: Request, actor: PageActor, session: SessionDep,
                   settings: SettingsDep) -> Response:
    """The documents examined at the meeting (members; staff also upload and remove)."""
    meeting = meetings.get_meeting(session, meeting_id)
    return render(request, PAGE, **page_context(session, actor, meeting, settings))


@upload_router.post("/meetings/{meeting_id}/documents")
async def upload_document(meeting_id: int, request: Request, actor: PageActor,
                          session: SessionDep, settings: SettingsDep) -> Response:
    """Attach a document to the meeting (staff)."""
    await run_in_threadpool(meeting_documents.check_may_upload, session, actor=actor,
                            meeting_id=meeting_id)
    if not is_multipart(request):  # a form without its file field: small, read whole
        form = await request.form()
        require_csrf(request, form.get(CSRF_FIELD))
        return await run_in_threadpool(_refused, request, actor, session, settings, meeting_id,
                                       InvalidInput("Choose the file to upload", field="file"),
                                       str(form.get("title", "")), file_sent=False)
    typed: dict[str, str] = {}
    try:
        upload = await read_form(request, settings.upload_max_bytes, typed)
    except InvalidInput as error:
        # Refusing changes nothing, so it needs no CSRF token (the rest of the body is unread).
        return await run_in_threadpool(_refused, request, actor, session, settings, meeting_id,
                                       error, typed.get("title", ""), file_sent=True)
    try:
        require_csrf(request, upload.fields.get(CSRF_FIELD))
        return await run_in_threadpool(_attach, request, actor, session, settings, meeting_id,
                                       upload)
    finally:
        await upload.close()


def _attach(request: Request, actor: Actor, session: Session, settings: Settings,
            meeting_id: int, upload: Upload) -> Response:
    meeting = meetings.get_meeting(session, meeting_id)
    try:
        if upload.file is None or not upload.file.filename:
            raise InvalidInput("Choose the file to upload", field="file")
        document = meeting_documents.store_document(
            session, actor=actor, meeting_id=meeting_id, source=upload.file.file,
            filename=upload.file.filename, media_type=upload.file.content_type,
            title=upload.title, uploads_dir=settings.uploads_dir,
            max_bytes=settings.upload_max_bytes,
        )
    except FORM_ERRORS as error:
        session.rollback()
        return _refused(request, actor, session, settings, meeting_id, error, upload.title,
                        file_sent=upload.file is not None and bool(upload.file.filename))
    session.commit()
    if not is_htmx(request):
        return see_other(request, f"/meetings/{meeting_id}/documents")
    state = FormState("upload", done=_("“{title}” is attached to the meeting.", title=document.title))
    return render(request, PAGE, block="documents",
                  **page_context(session, actor, meeting, settings, upload=state))


def _refused(request: Request, actor: Actor, session: Session, settings: Settings,
             meeting_id: int, error: DomainError, title: str, *, file_sent: bool) -> Response:
    """The upload form back with the title as typed and what went wrong (413 for a file over
    the limit), asking for the file again if one was sent."""
    meeting = meetings.get_meeting(session, meeting_id)
    state = form_error("upload", {"title": title}, error, field_names())
    if state.message:  # an error naming no field is about the file: its size, kind or content
        state = FormState("upload", values=state.values, errors={"file": state.message})
    return render_part(request, PAGE, "documents", status=status_of(error),
                       **page_context(session, actor, meeting, settings, choose_again=file_sent,
                                      upload=state))


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

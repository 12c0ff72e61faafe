"""The verbale of a meeting in the browser: the secretary's editor with a live preview and
the new material regenerating offers (never forced), approval of numbered versions with their
SHA-256, signatures of chair and minute-taker, publication; the latest approved version for
participants and observers; and the public, pseudonymised page.

The rules (who edits, approves, signs, publishes) live in boards/versions.py and
boards/minutes_versions.py; the routes here only choose what to show and which domain
function to call.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.deps import SessionDep
from app.errors import status_of
from app.exports import ExportStoreDep, document_file, minutes_source, prepare
from app.i18n import gettext as _
from app.pages.deps import MaybeActor, PageActor, PageRoute
from app.pages.forms import FORM_ERRORS, Forms, FormState, form_error
from app.pages.rendering import is_htmx, local_datetime, render, render_part, see_other
from boards import exports, meetings, minutes, minutes_versions, processes, pseudonyms, versions
from boards.access import Actor, require_meeting_member, require_staff
from boards.errors import Conflict, InvalidInput, NotFound
from boards.models import STAFF_ROLES, DocumentKind, DocumentVersion, Meeting, Person
from boards.people import display_names

router = APIRouter(route_class=PageRoute)

PAGE = "minutes.html"
KIND = DocumentKind.minutes
FORMATS = ("md", "html", "docx", "odt", "pdf")


def format_names() -> dict[str, str]:
    return {"md": _("Markdown"), "html": _("HTML"), "docx": _("Word (DOCX)"),
            "odt": _("OpenDocument (ODT)"), "pdf": _("PDF/A")}


def capacity_names() -> dict[str, str]:
    return {"chair": _("chair"), "minute_taker": _("minute-taker")}


def api_downloads(meeting_id: int, version: int | None) -> list[tuple[str, str]]:
    """(format name, URL) of a version's files, served by the API from the same domain code."""
    names = format_names()
    suffix = f"&version={version}" if version else ""
    return [(names[fmt], f"/api/v1/meetings/{meeting_id}/minutes?format={fmt}{suffix}")
            for fmt in FORMATS]


def public_downloads(meeting_id: int, version: int) -> list[tuple[str, str]]:
    names = format_names()
    return [(names[fmt], f"/public/meetings/{meeting_id}/minutes/{version}?format={fmt}")
            for fmt in FORMATS]


def current_draft(session: Session, actor: Actor, meeting: Meeting) -> tuple[DocumentVersion, str]:
    """The draft reconciled with the verbale generated now, and that generated text.
    Raises NotAllowed unless staff."""
    draft = minutes_versions.current_draft(session, actor=actor, meeting_id=meeting.id)
    return draft.document, draft.generated


def history(session: Session, meeting: Meeting, person: Person) -> list[dict]:
    """The approved versions, newest first, with who approved and signed them and what
    this person may still sign."""
    approved = versions.approved_versions(session, kind=KIND, process_id=meeting.process_id,
                                          meeting_id=meeting.id)
    signed = {document.id: versions.signatures(session, document) for document in approved}
    _accounts, people = display_names(session, account_ids=[], person_ids=[
        *(d.approved_by for d in approved if d.approved_by),
        *(s.person_id for found in signed.values() for s in found),
    ])
    capacities = capacity_names()
    rows = []
    for document in reversed(approved):
        done = {s.capacity for s in signed[document.id]}
        rows.append({
            "version": document.version,
            "approved_at": document.approved_at,
            "approved_by": people.get(document.approved_by, ""),
            "sha256": document.sha256,
            "note": document.note,
            "published_at": document.published_at,
            "signatures": [{"capacity": capacities.get(s.capacity, s.capacity),
                            "name": people.get(s.person_id, ""), "at": s.signed_at}
                           for s in signed[document.id]],
            "may_sign": [(capacity, capacities[capacity]) for capacity in versions.CAPACITIES
                         if capacity not in done
                         and versions.may_sign(session, document, person, capacity)],
            "downloads": api_downloads(meeting.id, document.version),
        })
    return rows


def staff_page(session: Session, actor: Actor, meeting: Meeting, person: Person, *,
               draft: DocumentVersion | None = None, generated: str | None = None,
               base_sha: str | None = None, conflict: bool = False, **forms: FormState) -> dict:
    """Everything the secretary's editor shows: `base_sha`, the draft the form's text started
    from, is the stored one unless given; `conflict` shows the stored text beside the
    editor's. Raises NotAllowed unless staff."""
    require_staff(session, actor, meeting.process_id)
    if draft is None or generated is None:
        draft, generated = current_draft(session, actor, meeting)
    forms.setdefault("editor", FormState("editor", values={"markdown": draft.markdown}))
    _accounts, people = display_names(session, account_ids=[],
                                      person_ids=[draft.edited_by] if draft.edited_by else [])
    return {
        "staff": True,
        "draft": draft,
        "edited_by": people.get(draft.edited_by, ""),
        "base_sha": base_sha or versions.sha256_of(draft.markdown),
        "conflict": conflict,
        "generated_sha": versions.sha256_of(generated),
        "offers": versions.offered(draft, generated),
        "preview": exports.html_fragment(forms["editor"].value("markdown")),
        "draft_downloads": api_downloads(meeting.id, None),
        "history": history(session, meeting, person),
        "forms": Forms(forms),
    }


def member_page(session: Session, meeting: Meeting) -> dict:
    """What participants and observers see: the latest approved version, never the draft."""
    latest = versions.latest_approved(session, kind=KIND, process_id=meeting.process_id,
                                      meeting_id=meeting.id)
    if latest is None:
        return {"staff": False, "latest": None}
    return {
        "staff": False,
        "latest": latest,
        "approved_html": exports.html_fragment(latest.markdown),
        "downloads": api_downloads(meeting.id, latest.version),
    }


def page_base(session: Session, meeting: Meeting) -> dict:
    return {"meeting": meeting, "process": processes.get_process(session, meeting.process_id)}


def changed_meanwhile(session: Session, draft: DocumentVersion) -> str:
    """What the editor says when the draft was saved by someone else after it was opened."""
    when = local_datetime(draft.updated_at)
    if draft.edited_by is None:
        # Nobody edited it: an untouched draft follows what the meeting records.
        return _("The draft changed on {when}, after you opened it: the meeting recorded more. Your text is "
                 "still in the editor: compare it with the saved text below, then save again to replace it.",
                 when=when)
    _accounts, people = display_names(session, account_ids=[], person_ids=[draft.edited_by])
    return _("{name} saved the draft on {when}, after you opened it. Your text is still in the editor: "
             "compare it with the saved text below, then save again to replace it.",
             name=people.get(draft.edited_by, ""), when=when)


DONE = {
    "saved": lambda: _("Draft saved."),
    "inserted": lambda: _("The new material is in the draft, at its end: move it where it belongs."),
    "seen": lambda: _("The new material is marked as seen; the draft is unchanged."),
}


@router.get("/meetings/{meeting_id}/minutes")
def minutes_page(meeting_id: int, request: Request, actor: PageActor, session: SessionDep,
                 done: str = "", approved: int | None = None) -> Response:
    """The verbale: the editor and the version history for staff, the latest approved
    version for participants and observers."""
    meeting = meetings.get_meeting(session, meeting_id)
    person = require_meeting_member(session, actor, meeting)
    if person.role not in STAFF_ROLES:
        return render(request, PAGE, **page_base(session, meeting), **member_page(session, meeting))
    context = staff_page(session, actor, meeting, person)
    if done in DONE:
        context["forms"]["editor"].done = DONE[done]()
    # Looking at the page creates the draft, or lets an untouched one follow the meeting.
    session.commit()
    just_approved = next((v for v in context["history"] if v["version"] == approved), None)
    return render(request, PAGE, **page_base(session, meeting), **context,
                  just_approved=just_approved)


@router.post("/meetings/{meeting_id}/minutes/preview")
def preview(meeting_id: int, request: Request, actor: PageActor, session: SessionDep,
            markdown: Annotated[str, Form()] = "") -> Response:
    """The draft being typed, rendered as the documents will show it (staff)."""
    meeting = meetings.get_meeting(session, meeting_id)
    require_staff(session, actor, meeting.process_id)
    if len(markdown) > versions.MARKDOWN_LIMIT:
        raise InvalidInput("The field '{field}' is longer than {limit} characters",
                           field="markdown", limit=versions.MARKDOWN_LIMIT)
    return render(request, "partials/minutes_preview.html", preview=exports.html_fragment(markdown))


@router.post("/meetings/{meeting_id}/minutes")
def save(
    meeting_id: int, request: Request, actor: PageActor, session: SessionDep,
    markdown: Annotated[str, Form()] = "",
    generated_sha: Annotated[str, Form()] = "",
    base_sha: Annotated[str, Form()] = "",
    insert: Annotated[str | None, Form()] = None,
    action: Annotated[str, Form()] = "save",
) -> Response:
    """Save the draft the page showed (`base_sha`); with `insert`, one offered block appended
    to it; with action `seen`, the offers marked as seen; with action `approve`, on to the
    approval's confirmation."""
    meeting = meetings.get_meeting(session, meeting_id)
    person = require_staff(session, actor, meeting.process_id)
    draft, generated = current_draft(session, actor, meeting)
    text = markdown.rstrip()
    if insert:
        text = f"{text}\n\n{insert.strip()}" if text else insert.strip()
    # Marking as seen what the secretary did not read would hide it: only the offers of the
    # generated text the page showed are marked.
    stale = action == "seen" and generated_sha != versions.sha256_of(generated)
    try:
        versions.save_draft(session, actor=actor, draft=draft, markdown=text,
                            generated=generated if action == "seen" and not stale else None,
                            base_sha256=base_sha or None)
    except FORM_ERRORS as error:
        session.rollback()
        draft, generated = current_draft(session, actor, meeting)
        conflict = isinstance(error, Conflict)
        if conflict:
            # The typed text stays in the editor and the form now starts from the stored
            # draft: saving again replaces it knowingly.
            state = FormState("editor", values={"markdown": text}, message=changed_meanwhile(session, draft))
        else:
            state = form_error("editor", {"markdown": text}, error, {"markdown": _("Text of the minutes")})
        return render_part(request, PAGE, "editor", status=status_of(error),
                           **page_base(session, meeting),
                           **staff_page(session, actor, meeting, person, draft=draft, generated=generated,
                                        base_sha=None if conflict else base_sha, conflict=conflict,
                                        editor=state))
    session.commit()
    if action == "approve":
        return see_other(request, f"/meetings/{meeting_id}/minutes/approve")
    done = "inserted" if insert else "seen" if action == "seen" else "saved"
    if not is_htmx(request) and not stale:
        return see_other(request, f"/meetings/{meeting_id}/minutes?done={done}#editor")
    state = FormState("editor", values={"markdown": draft.markdown})
    if stale:
        state.message = _("Draft saved, but new material arrived while you were reading: "
                          "look at it below before marking it as seen.")
    else:
        state.done = DONE[done]()
    return render_part(request, PAGE, "editor", **page_base(session, meeting),
                       **staff_page(session, actor, meeting, person, draft=draft,
                                    generated=generated, editor=state))


def approval_page(session: Session, actor: Actor, meeting: Meeting, **forms: FormState) -> dict:
    """The confirmation step: what will be frozen, as which version, with which digest."""
    require_staff(session, actor, meeting.process_id)
    draft, _generated = current_draft(session, actor, meeting)
    approved = versions.approved_versions(session, kind=KIND, process_id=meeting.process_id,
                                          meeting_id=meeting.id)
    return {
        "draft": draft,
        "next_version": len(approved) + 1,
        "previous": approved[-1] if approved else None,
        "sha256": versions.sha256_of(draft.markdown),
        "preview": exports.html_fragment(draft.markdown),
        "forms": Forms(forms),
    }


@router.get("/meetings/{meeting_id}/minutes/approve")
def approve_confirmation(meeting_id: int, request: Request, actor: PageActor,
                         session: SessionDep) -> Response:
    """Confirm the approval of the saved draft (staff)."""
    meeting = meetings.get_meeting(session, meeting_id)
    context = approval_page(session, actor, meeting)
    session.commit()
    return render(request, "minutes_approve.html", **page_base(session, meeting), **context)


@router.post("/meetings/{meeting_id}/minutes/approve")
def approve(
    meeting_id: int, request: Request, actor: PageActor, session: SessionDep, store: ExportStoreDep,
    tasks: BackgroundTasks,
    sha256: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Freeze the draft as the next numbered version, if it is still the text confirmed."""
    meeting = meetings.get_meeting(session, meeting_id)
    require_staff(session, actor, meeting.process_id)
    draft, _generated = current_draft(session, actor, meeting)
    try:
        if sha256 != versions.sha256_of(draft.markdown):
            raise Conflict("The draft changed after you read it: read it again before approving")
        version = versions.approve(session, actor=actor, draft=draft, note=note)
    except FORM_ERRORS as error:
        session.rollback()
        state = form_error("approve", {"note": note}, error, {"note": _("Correction note")})
        return render(request, "minutes_approve.html", status=status_of(error),
                      **page_base(session, meeting),
                      **approval_page(session, actor, meeting, approve=state))
    session.commit()
    prepare(tasks, store, minutes_source(session, version))
    return see_other(request, f"/meetings/{meeting_id}/minutes?approved={version.version}#history")


@router.post("/meetings/{meeting_id}/minutes/versions/{version}/sign")
def sign(meeting_id: int, version: int, request: Request, actor: PageActor, session: SessionDep,
         capacity: Annotated[str, Form()] = "") -> Response:
    """Sign an approved version as chair or minute-taker (only that person)."""
    minutes_versions.sign(session, actor=actor, meeting_id=meeting_id, version=version,
                          capacity=capacity)
    session.commit()
    return see_other(request, f"/meetings/{meeting_id}/minutes#version-{version}")


@router.post("/meetings/{meeting_id}/minutes/versions/{version}/publish")
def publish(meeting_id: int, version: int, request: Request, actor: PageActor,
            session: SessionDep, store: ExportStoreDep, tasks: BackgroundTasks) -> Response:
    """Publish an approved version in its pseudonymised form (staff)."""
    document = minutes_versions.publish(session, actor=actor, meeting_id=meeting_id, version=version)
    session.commit()
    prepare(tasks, store, minutes_source(session, document, public=True))
    return see_other(request, f"/meetings/{meeting_id}/minutes#version-{version}")


# --- the public page ------------------------------------------------------------------------


def published_versions(session: Session, meeting_id: int) -> tuple[Meeting, list[DocumentVersion]]:
    """The meeting and its published versions, newest first. Raises NotFound when none is
    published: nothing about an unpublished verbale is public, not even that it exists."""
    meeting = meetings.get_meeting(session, meeting_id)
    found = [d for d in versions.approved_versions(session, kind=KIND, process_id=meeting.process_id,
                                                   meeting_id=meeting.id)
             if d.published_at is not None and d.public_markdown]
    if not found:
        raise NotFound("No version of these minutes is published")
    return meeting, list(reversed(found))


@router.get("/public/meetings/{meeting_id}/minutes")
def public_page(meeting_id: int, request: Request, actor: MaybeActor,
                session: SessionDep) -> Response:
    """The published verbale, people pseudonymised (no sign-in)."""
    meeting, published = published_versions(session, meeting_id)

    def public(text: str) -> str:
        return pseudonyms.pseudonymise(session, process_id=meeting.process_id, markdown=text)

    # A correction note is the secretary's free text: it may name people too.
    rows = [{"version": d.version, "approved_at": d.approved_at, "published_at": d.published_at,
             "note": public(d.note) if d.note else "",
             "html": exports.html_fragment(d.public_markdown),
             "downloads": public_downloads(meeting.id, d.version)} for d in published]
    process = processes.get_process(session, meeting.process_id)
    # Titles are free text too: a meeting may be named after a person.
    return render(request, "minutes_public.html", meeting=meeting, published=rows,
                  title=public(meeting.title), process_title=public(process.title))


@router.get("/public/meetings/{meeting_id}/minutes/{version}")
def public_download(meeting_id: int, version: int, session: SessionDep, store: ExportStoreDep,
                    format: str = "pdf") -> Response:
    """A published version's public form as a file (no sign-in)."""
    meeting, published = published_versions(session, meeting_id)
    document = next((d for d in published if d.version == version), None)
    if document is None:
        raise NotFound("Version {version} is not published", version=version)
    if format not in FORMATS:
        raise InvalidInput("'format' must be one of: {values}", values=", ".join(FORMATS))
    body = document_file(store, document, minutes_source(session, document, public=True), format)
    stem, _dot, extension = minutes.filename(meeting, exports.EXTENSIONS[format]).rpartition(".")
    filename = f"{stem}-v{document.version}-pubblico.{extension}"
    return Response(body, media_type=exports.MEDIA_TYPES[format], headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


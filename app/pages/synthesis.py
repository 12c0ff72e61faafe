"""The synthesis document in the browser: the staff's editor (lines of work with their
statements, each statement's source contributions picked from a searchable list), the
preview of the document, approval, downloads in every format and the version history; the
latest approved version for members; and the public, pseudonymised page.

The rules live in boards/synthesis.py and boards/versions.py; the routes only choose what to
show and which domain function to call.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.deps import SessionDep
from app.errors import status_of
from app.exports import ExportStoreDep, prepare, synthesis_source
from app.i18n import gettext as _
from app.pages import changes as page_changes
from app.pages.deps import MaybeActor, PageActor, PageRoute
from app.pages.forms import FORM_ERRORS, Forms, FormState, form_error, parse_id
from app.pages.labels import names
from app.pages.minutes import format_names
from app.pages.rendering import local_datetime, render, see_other
from boards import changes, exports, processes, synthesis, versions
from boards.access import Actor, require_staff, require_whole_process
from boards.errors import Conflict
from boards.ids import fetch
from boards.meetings import meetings_of
from boards.models import STAFF_ROLES, DocumentKind, LineOfWork, Process, SynthesisStatement
from boards.people import display_names

router = APIRouter(route_class=PageRoute)

PAGE = "synthesis.html"
KIND = DocumentKind.synthesis


def downloads(process_id: int, version: int | None) -> list[tuple[str, str]]:
    """(format name, URL) of a version's files (the draft when `version` is None), from the API."""
    suffix = f"&version={version}" if version else ""
    return [(name, f"/api/v1/processes/{process_id}/synthesis?format={fmt}{suffix}")
            for fmt, name in format_names().items()]


def public_downloads(process_id: int) -> list[tuple[str, str]]:
    return [(name, f"/api/v1/processes/{process_id}/synthesis/public?format={fmt}")
            for fmt, name in format_names().items()]


def history(session: Session, process: Process) -> list[dict]:
    """The approved versions, newest first, with who approved them."""
    approved = versions.approved_versions(session, kind=KIND, process_id=process.id, meeting_id=None)
    _accounts, people = display_names(session, account_ids=[],
                                      person_ids={d.approved_by for d in approved if d.approved_by})
    return [{"version": d.version, "approved_at": d.approved_at, "approved_by": people.get(d.approved_by, ""),
             "sha256": d.sha256, "published_at": d.published_at, "downloads": downloads(process.id, d.version)}
            for d in reversed(approved)]


def outline(session: Session, actor: Actor, process: Process) -> list[dict]:
    """The lines of work (and the general remarks, line None) with their statements, each
    statement with its sources as contributions."""
    found = synthesis.outline(session, actor=actor, process_id=process.id)
    cited = {i for part in [*found["lines"], {"statements": found["general"]}] for s in part["statements"]
             for i in s["sources"]}
    contributions = {c.id: c for c in synthesis.contributions(session, process.id, item_ids=sorted(cited),
                                                              include_hidden=True)}
    meetings = {m.id: m for m in meetings_of(session, process.id)}

    def statements(rows: list[dict]) -> list[dict]:
        return [{**row, "sources": [contributions[i] for i in row["sources"] if i in contributions]} for row in rows]

    parts = [{**line, "meeting_number": meetings[line["meeting"]].number, "statements": statements(line["statements"])}
             for line in found["lines"]]
    parts.append({"id": None, "title": _("General remarks"), "description": "", "meeting_number": None,
                  "statements": statements(found["general"])})
    return parts


def staff_context(session: Session, actor: Actor, process: Process, **forms: FormState) -> dict:
    """Everything the staff's editor shows. Raises NotAllowed unless staff."""
    # The version first: a change committed while the page is read then shows as news,
    # never as already seen.
    since = changes.version(changes.synthesis_change(session, actor=actor, process_id=process.id))
    draft = synthesis.draft(session, actor=actor, process_id=process.id)
    rows = history(session, process)
    return {
        "staff": True,
        "parts": outline(session, actor, process),
        "draft": draft,
        "sha256": versions.sha256_of(draft.markdown),
        "changed": not rows or rows[0]["sha256"] != versions.sha256_of(draft.markdown),
        "preview": exports.html_fragment(draft.markdown),
        "draft_downloads": downloads(process.id, None),
        "history": rows,
        "public_downloads": public_downloads(process.id) if any(r["published_at"] for r in rows) else [],
        "forms": Forms(forms),
        "since": since,
    }


def member_context(session: Session, actor: Actor, process: Process) -> dict:
    """Members of the whole process: the latest approved version, never the draft."""
    since = changes.version(changes.synthesis_change(session, actor=actor, process_id=process.id))
    rows = history(session, process)
    latest = versions.latest_approved(session, kind=KIND, process_id=process.id, meeting_id=None)
    return {"staff": False, "latest": latest, "history": rows, "since": since,
            "approved_html": exports.html_fragment(latest.markdown) if latest else ""}


DONE = {
    "added": lambda: _("Statement added."),
    "saved": lambda: _("Statement saved."),
    "moved": lambda: _("Statement moved."),
    "removed": lambda: _("Statement removed from the document."),
    "described": lambda: _("Description of the line of work saved."),
    "published": lambda: _("Published: the public page shows the text with people pseudonymised."),
}


@router.get("/processes/{process_id}/synthesis")
def synthesis_page(process_id: int, request: Request, actor: PageActor, session: SessionDep,
                   done: str = "", approved: int | None = None) -> Response:
    """The synthesis document: the editor for staff, the latest approved version for members."""
    process = processes.get_process(session, process_id)
    person = require_whole_process(session, actor, process_id)
    if person.role not in STAFF_ROLES:
        return render(request, PAGE, process=process, **member_context(session, actor, process))
    context = staff_context(session, actor, process)
    # Looking at the page brings the draft up to date with the record: keep that.
    session.commit()
    just_approved = next((v for v in context["history"] if v["version"] == approved), None)
    return render(request, PAGE, process=process, **context, just_approved=just_approved,
                  done=DONE[done]() if done in DONE else None)


@router.get("/processes/{process_id}/synthesis/changes")
def synthesis_changes(process_id: int, request: Request, actor: PageActor, session: SessionDep,
                      since: int = 0) -> Response:
    """204 while the page rendered at version `since` is current, else the notice of who changed it."""
    processes.get_process(session, process_id)
    change = changes.synthesis_change(session, actor=actor, process_id=process_id)
    return page_changes.answer(request, session, change, since, page=f"/processes/{process_id}/synthesis",
                               message=_("The synthesis document was changed by {name} {when}."))


@router.post("/processes/{process_id}/synthesis/approve")
def approve(process_id: int, request: Request, actor: PageActor, session: SessionDep, store: ExportStoreDep,
            tasks: BackgroundTasks, sha256: Annotated[str, Form()] = "") -> Response:
    """Freeze the draft as the next version, if it is still the text the page showed (staff)."""
    process = processes.get_process(session, process_id)
    require_staff(session, actor, process_id)
    try:
        draft = synthesis.draft(session, actor=actor, process_id=process_id)
        if sha256 != versions.sha256_of(draft.markdown):
            raise Conflict("The draft changed after you read it: read it again before approving")
        version = synthesis.approve(session, actor=actor, process_id=process_id)
    except FORM_ERRORS as error:
        session.rollback()
        state = FormState("approve", message=_(error.message, **error.params))
        return render(request, PAGE, status=status_of(error), process=process,
                      **staff_context(session, actor, process, approve=state))
    session.commit()
    prepare(tasks, store, synthesis_source(process, version))
    return see_other(request, f"/processes/{process_id}/synthesis?approved={version.version}#history")


@router.post("/processes/{process_id}/synthesis/publish")
def publish(process_id: int, request: Request, actor: PageActor, session: SessionDep, store: ExportStoreDep,
            tasks: BackgroundTasks, version: Annotated[int, Form()] = 0) -> Response:
    """Publish an approved version in its pseudonymised form (staff)."""
    document = synthesis.publish(session, actor=actor, process_id=process_id, version=version or None)
    session.commit()
    prepare(tasks, store, synthesis_source(processes.get_process(session, process_id), document, public=True))
    return see_other(request, f"/processes/{process_id}/synthesis?done=published#history")


# --- one statement ---------------------------------------------------------------------------


def statement_context(session: Session, actor: Actor, process: Process, *, line: LineOfWork | None,
                      statement: SynthesisStatement | None, form: FormState, query: str = "",
                      base_sha: str = "", conflict: bool = False) -> dict:
    """The statement form with its picker: the contributions of the line first, the chosen
    ones ticked; `base_sha`, the statement the form's values started from, is the stored one
    unless given; `conflict` shows the stored text and sources above the form. Raises
    NotAllowed unless staff."""
    found = synthesis.suggest(session, actor=actor, process_id=process.id, line_id=line.id if line else None)
    # Read after the statement: a save in between goes unannounced, but saving still answers 409.
    change = changes.statement_change(session, actor=actor, statement_id=statement.id) if statement else None
    chosen = {int(i) for i in form.values.get("sources", []) if str(i).isdigit()}
    stored = synthesis.sources_of(session, [statement.id])[statement.id] if statement else []
    return {
        "process": process, "line": line, "statement": statement, "forms": Forms(statement=form),
        "own": [c for c in found if line is not None and line.id in c.line_ids],
        "others": [c for c in found if line is None or line.id not in c.line_ids],
        "chosen": chosen, "query": query,
        "base_sha": base_sha or (synthesis.statement_sha256(statement.text, stored) if statement else ""),
        "conflict": conflict,
        "since": changes.version(change),
        "saved_sources": [c.label for c in synthesis.contributions(session, process.id, item_ids=stored,
                                                                   include_hidden=True)] if conflict else [],
    }


def changed_meanwhile(session: Session, statement: SynthesisStatement) -> str:
    """What the form says when the statement was saved by someone else after it was opened."""
    change = synthesis.last_change(session, statement)
    name = ""
    if change is not None:
        accounts, people = display_names(session, account_ids=[change.account_id] if change.account_id else [],
                                         person_ids=[change.person_id] if change.person_id else [])
        name = people.get(change.person_id) or accounts.get(change.account_id) or ""
    when = local_datetime(statement.updated_at)
    if not name:
        return _("The statement changed on {when}, after you opened it. Your text and sources are still in the "
                 "form: compare them with the saved ones, then save again to replace them.", when=when)
    return _("{name} saved the statement on {when}, after you opened it. Your text and sources are still in the "
             "form: compare them with the saved ones, then save again to replace them.", name=name, when=when)


def _line(session: Session, process_id: int, line_id: int | None) -> LineOfWork | None:
    """The line of work of this process with this id, or None (the general remarks)."""
    line = fetch(session, LineOfWork, line_id) if line_id is not None else None
    return line if line is not None and line.process_id == process_id else None


@router.get("/processes/{process_id}/synthesis/statements/new")
def new_statement(process_id: int, request: Request, actor: PageActor, session: SessionDep,
                  line: str = "") -> Response:
    """The form for a new statement of a line of work (or of the general remarks)."""
    process = processes.get_process(session, process_id)
    chosen_line = _line(session, process_id, parse_id(line))
    form = FormState("statement")
    return render(request, "synthesis_statement.html",
                  **statement_context(session, actor, process, line=chosen_line, statement=None, form=form))


@router.post("/processes/{process_id}/synthesis/statements")
def add_statement(process_id: int, request: Request, actor: PageActor, session: SessionDep,
                  text: Annotated[str, Form()] = "", line: Annotated[str, Form()] = "",
                  sources: Annotated[list[str] | None, Form()] = None) -> Response:
    """Add a statement at the end of its line."""
    process = processes.get_process(session, process_id)
    chosen_line = _line(session, process_id, parse_id(line))
    values = {"text": text, "sources": sources or []}
    try:
        statement = synthesis.add_statement(session, actor=actor, process_id=process_id, text=text,
                                            line_id=chosen_line.id if chosen_line else None,
                                            item_ids=[int(i) for i in sources or [] if i.isdigit()])
    except FORM_ERRORS as error:
        session.rollback()
        form = form_error("statement", values, error, names("form:statement"))
        return render(request, "synthesis_statement.html", status=status_of(error),
                      **statement_context(session, actor, process, line=chosen_line, statement=None, form=form))
    session.commit()
    return see_other(request, f"/processes/{process_id}/synthesis?done=added#statement-{statement.id}")


@router.get("/synthesis/statements/{statement_id}/edit")
def edit_statement(statement_id: int, request: Request, actor: PageActor, session: SessionDep) -> Response:
    """The form of a statement, its text and sources filled in."""
    statement = synthesis.get_statement(session, statement_id)
    process = processes.get_process(session, statement.process_id)
    sources = synthesis.sources_of(session, [statement.id])[statement.id]
    form = FormState("statement", values={"text": statement.text, "sources": [str(i) for i in sources]})
    return render(request, "synthesis_statement.html",
                  **statement_context(session, actor, process, line=_line(session, process.id, statement.line_id),
                                      statement=statement, form=form))


@router.get("/synthesis/statements/{statement_id}/changes")
def statement_changes(statement_id: int, request: Request, actor: PageActor, session: SessionDep,
                      since: int = 0) -> Response:
    """204 while the statement form rendered at version `since` is current, else who saved or removed it."""
    change = changes.statement_change(session, actor=actor, statement_id=statement_id)
    if change is not None and change.action == "statement.remove":
        message = _("This statement was removed from the document by {name} {when}.")
    else:
        message = _("This statement was saved by {name} {when}, after you opened it. What you typed stays in the "
                    "form: saving shows you the saved text beside it.")
    # No reload link: reloading would lose what is being typed.
    return page_changes.answer(request, session, change, since, page=None, message=message)


@router.post("/synthesis/statements/{statement_id}")
def save_statement(statement_id: int, request: Request, actor: PageActor, session: SessionDep,
                   text: Annotated[str, Form()] = "",
                   sources: Annotated[list[str] | None, Form()] = None,
                   base_sha: Annotated[str, Form()] = "") -> Response:
    """Save a statement's text and sources, if the statement is still the one the form showed (`base_sha`)."""
    statement = synthesis.get_statement(session, statement_id)
    process = processes.get_process(session, statement.process_id)
    values = {"text": text, "sources": sources or []}
    try:
        synthesis.update_statement(session, actor=actor, statement_id=statement_id, text=text,
                                   item_ids=[int(i) for i in sources or [] if i.isdigit()],
                                   base_sha256=base_sha or None)
    except FORM_ERRORS as error:
        session.rollback()
        statement = synthesis.get_statement(session, statement_id)
        conflict = isinstance(error, Conflict)
        if conflict:
            # What was typed and ticked stays in the form, which now starts from the stored
            # statement: saving again replaces it knowingly.
            form = FormState("statement", values=values, message=changed_meanwhile(session, statement))
        else:
            form = form_error("statement", values, error, names("form:statement"))
        return render(request, "synthesis_statement.html", status=status_of(error),
                      **statement_context(session, actor, process, line=_line(session, process.id, statement.line_id),
                                          statement=statement, form=form, conflict=conflict,
                                          base_sha="" if conflict else base_sha))
    session.commit()
    return see_other(request, f"/processes/{process.id}/synthesis?done=saved#statement-{statement_id}")


@router.post("/synthesis/statements/{statement_id}/move")
def move_statement(statement_id: int, request: Request, actor: PageActor, session: SessionDep,
                   position: Annotated[int, Form()] = 0) -> Response:
    """Move a statement up or down within its line."""
    statement = synthesis.move_statement(session, actor=actor, statement_id=statement_id, position=position)
    session.commit()
    return see_other(request, f"/processes/{statement.process_id}/synthesis?done=moved#statement-{statement_id}")


@router.post("/synthesis/statements/{statement_id}/remove")
def remove_statement(statement_id: int, request: Request, actor: PageActor, session: SessionDep) -> Response:
    """Take a statement out of the document."""
    statement = synthesis.get_statement(session, statement_id)
    synthesis.remove_statement(session, actor=actor, statement_id=statement_id)
    session.commit()
    anchor = f"line-{statement.line_id}" if statement.line_id else "line-general"
    return see_other(request, f"/processes/{statement.process_id}/synthesis?done=removed#{anchor}")


@router.post("/lines/{line_id}/description")
def describe_line(line_id: int, request: Request, actor: PageActor, session: SessionDep,
                  description: Annotated[str, Form()] = "") -> Response:
    """Save the description of a line of work (staff)."""
    line = synthesis.describe_line(session, actor=actor, line_id=line_id, description=description)
    session.commit()
    return see_other(request, f"/processes/{line.process_id}/synthesis?done=described#line-{line_id}")


# --- the public page ------------------------------------------------------------------------


@router.get("/public/processes/{process_id}/synthesis")
def public_page(process_id: int, request: Request, actor: MaybeActor, session: SessionDep) -> Response:
    """The published synthesis document, people pseudonymised (no sign-in)."""
    document = synthesis.published(session, process_id=process_id)
    process = processes.get_process(session, process_id)
    return render(request, "synthesis_public.html", process=process, document=document,
                  html=exports.html_fragment(document.public_markdown), downloads=public_downloads(process_id))

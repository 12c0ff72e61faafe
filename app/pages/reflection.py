"""Between meetings (riflessione tra un incontro e l'altro): the questions open with a
deadline and their answers, comments and replies on the notes of every meeting, and what
changed since the person's previous visit.

Every change is made by `boards.reflection` and published to the room after commit, as an op
would be (docs/protocol.md, "Before, during and after a meeting"). Without JavaScript the
forms post and come back to the page; with htmx they swap the question or note they are in.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from babel.dates import format_timedelta
from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session, select

from app.deps import SessionDep
from app.errors import status_of
from app.i18n import current_language
from app.i18n import gettext as _
from app.pages.deps import PageActor, PageRoute
from app.pages.forms import FORM_ERRORS, Forms, FormState, form_error, parse_id, parse_local_datetime
from app.pages.rendering import is_htmx, render, render_error, render_part, see_other
from boards import decisions, meetings, opendata, processes, reflection
from boards.access import Actor, require_meeting_member, require_member
from boards.clock import as_utc, utcnow
from boards.errors import InvalidInput, NotFound
from boards.ids import fetch
from boards.items import get_board
from boards.models import (
    STAFF_ROLES,
    Action,
    Decision,
    Event,
    Item,
    Meeting,
    MeetingState,
    Person,
    PersonRole,
    Process,
    Prompt,
)
from boards.people import meetings_for

router = APIRouter(route_class=PageRoute)

PAGE = "reflection.html"
MEETING_PAGE = "reflection_meeting.html"
QUESTION = "partials/reflection_question.html"
NOTE = "partials/reflection_note.html"


def field_names() -> dict[str, str]:
    """The forms' field labels, also naming the field a domain error is about."""
    return {"text": _("Text"), "meeting": _("Meeting"), "deadline": _("Deadline")}


def time_left(deadline: datetime, now: datetime) -> str:
    """"in 3 days", "tra 3 giorni": how long a question stays open, in the page's language."""
    return format_timedelta(as_utc(deadline) - now, add_direction=True, threshold=1,
                            locale=current_language.get())


def publish(request: Request, meeting_id: int, event: Event) -> None:
    """Send a committed event to everyone with the meeting's room open."""
    request.app.state.hub.publish_from_thread(meeting_id, [event])


# --- where things are ------------------------------------------------------------------------


def page_path(process_id: int) -> str:
    return f"/processes/{process_id}/reflection"


def meeting_path(meeting_id: int) -> str:
    return f"/meetings/{meeting_id}/reflection"


def change_href(change: reflection.Change, process_id: int, question_ids: set[int]) -> str:
    """Where a change of `boards.reflection.changes_since` can be seen."""
    notes = meeting_path(change.meeting_id)
    if change.kind in ("replies", "comments"):
        return f"{notes}#comment-{change.id}"
    if change.kind == "contributions":
        return f"{notes}#item-{change.id}"
    if change.kind == "questions":
        if change.id in question_ids:
            return f"{page_path(process_id)}#question-{change.id}"
        return f"/meetings/{change.meeting_id}/room"
    if change.kind == "decisions":
        return f"{notes}#decision-{change.id}"
    if change.kind == "actions":
        return f"{notes}#action-{change.id}"
    if change.kind == "minutes":
        return f"/api/v1/meetings/{change.meeting_id}/minutes?format=html&version={change.version}"
    return f"/meetings/{change.meeting_id}/room"


def summary(session: Session, actor: Actor, person: Person, process: Process,
            since: datetime | None) -> dict:
    """What the process page says about the time between meetings: counts of what changed
    since the previous visit and how many questions are open."""
    admitted = meetings_for(session, actor, process.id)
    changes = reflection.changes_since(session, person=person, since=since, meetings=admitted)
    open_questions = [q for q in reflection.questions(session, person=person, meetings=admitted) if q.open]
    return {"changes": changes, "open_questions": len(open_questions), "href": page_path(process.id)}


# --- the page --------------------------------------------------------------------------------


def page_context(session: Session, actor: Actor, process: Process, **forms: FormState) -> dict:
    """Everything the page shows. Raises NotAllowed unless a member of the process."""
    person = require_member(session, actor, process.id)
    admitted = meetings_for(session, actor, process.id)
    since = as_utc(person.previous_visit_at) if person.previous_visit_at else None
    now = utcnow()
    asked = reflection.questions(session, person=person, meetings=admitted, now=now)
    changes = reflection.changes_since(session, person=person, since=since, meetings=admitted)
    ids = {q.prompt.id for q in asked}
    return {
        "process": process,
        "person": person,
        "may_open": person.role == PersonRole.facilitator,
        "changes": changes,
        "hrefs": {(c.kind, c.id): change_href(c, process.id, ids)
                  for entries in changes.entries.values() for c in entries},
        "open_questions": [q for q in asked if q.open],
        "past_questions": [q for q in asked if not q.open],
        "meetings": admitted,
        "question_meetings": [(str(m.id), _("Meeting no. %(number)s: %(title)s", number=m.number, title=m.title))
                              for m in admitted if m.state != MeetingState.live],
        "now": now,
        "time_left": time_left,
        "back": "process",
        "forms": Forms(forms),
    }


def process_of(session: Session, meeting_id: int) -> Process:
    return processes.get_process(session, session.get(Meeting, meeting_id).process_id)


@router.get("/processes/{process_id}/reflection")
def page(process_id: int, request: Request, actor: PageActor, session: SessionDep) -> Response:
    """Between meetings: what changed since the last visit, open questions, the meetings' notes."""
    process = processes.get_process(session, process_id)
    person = require_member(session, actor, process_id)
    reflection.record_visit(session, person=person)
    session.commit()
    return render(request, PAGE, **page_context(session, actor, process))


@router.post("/processes/{process_id}/reflection/questions")
def open_question(
    process_id: int, request: Request, actor: PageActor, session: SessionDep,
    meeting: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    deadline: Annotated[str, Form()] = "",
) -> Response:
    """A facilitator opens a question for reflection, with a deadline."""
    process = processes.get_process(session, process_id)
    values = {"meeting": meeting, "text": text, "deadline": deadline}
    try:
        meeting_id = parse_id(meeting)
        chosen = fetch(session, Meeting, meeting_id) if meeting_id else None
        if chosen is None or chosen.process_id != process_id:
            raise InvalidInput("Choose the meeting the question belongs to", field="meeting")
        when = parse_local_datetime(deadline, field_name="deadline") if deadline.strip() else None
        event = reflection.open_question(session=session, actor=actor, meeting_id=chosen.id, text=text,
                                         deadline=when)
    except FORM_ERRORS as error:
        session.rollback()
        state = form_error("question", values, error, field_names())
        return render_part(request, PAGE, "questions", status=status_of(error),
                           **page_context(session, actor, process, question=state))
    session.commit()
    publish(request, chosen.id, event)
    if not is_htmx(request):
        return see_other(request, f"{page_path(process_id)}#questions")
    done = FormState("question", done=_("The question is open until its deadline."))
    return render(request, PAGE, block="questions", **page_context(session, actor, process, question=done))


@router.post("/reflection/questions/{prompt_id}/close")
def close_question(prompt_id: int, request: Request, actor: PageActor, session: SessionDep) -> Response:
    """A facilitator closes a question before its deadline."""
    prompt = fetch(session, Prompt, prompt_id)
    if prompt is None:
        raise NotFound("Question {id} does not exist", id=prompt_id)
    process = process_of(session, prompt.meeting_id)
    try:
        event = reflection.close_question(session=session, actor=actor, prompt_id=prompt_id)
    except FORM_ERRORS as error:
        session.rollback()
        state = form_error("question", {}, error, field_names())
        return render_part(request, PAGE, "questions", status=status_of(error),
                           **page_context(session, actor, process, question=state))
    session.commit()
    publish(request, prompt.meeting_id, event)
    if not is_htmx(request):
        return see_other(request, f"{page_path(process.id)}#question-{prompt_id}")
    done = FormState("question", done=_("The question is closed: its answers stay readable."))
    return render(request, PAGE, block="questions", **page_context(session, actor, process, question=done))


def question_part(session: Session, actor: Actor, process: Process, prompt_id: int,
                  **forms: FormState) -> dict:
    """The page's context with the one question htmx swaps (None if it is not listed: a
    question without a deadline is answered in the room)."""
    context = page_context(session, actor, process, **forms)
    asked = context["open_questions"] + context["past_questions"]
    return {**context, "question": next((q for q in asked if q.prompt.id == prompt_id), None)}


@router.post("/reflection/questions/{prompt_id}/answers")
def answer(prompt_id: int, request: Request, actor: PageActor, session: SessionDep,
           text: Annotated[str, Form()] = "") -> Response:
    """Answer a question open between meetings: a note on its board, marked asynchronous."""
    prompt = fetch(session, Prompt, prompt_id)
    if prompt is None:
        raise NotFound("Question {id} does not exist", id=prompt_id)
    process = process_of(session, prompt.meeting_id)
    name = f"answer-{prompt_id}"
    try:
        event = reflection.contribute(session=session, actor=actor, prompt_id=prompt_id, text=text)
    except FORM_ERRORS as error:
        session.rollback()
        state = form_error(name, {"text": text}, error, field_names())
        part = question_part(session, actor, process, prompt_id, **{name: state})
        if is_htmx(request) and part["question"] is not None:
            return render(request, QUESTION, status=status_of(error), **part)
        if is_htmx(request):
            return render_error(request, status_of(error), state.message or "")
        return render(request, PAGE, status=status_of(error),
                      **page_context(session, actor, process, **{name: state}))
    session.commit()
    publish(request, prompt.meeting_id, event)
    item_id = event.data["item"]["id"]
    if not is_htmx(request):
        return see_other(request, f"{page_path(process.id)}#item-{item_id}")
    done = FormState(name, done=_("Your contribution is saved: everyone in the process can read it."))
    return render(request, QUESTION, **question_part(session, actor, process, prompt_id, **{name: done}))


# --- comments on any note ----------------------------------------------------------------------


def note_part(session: Session, actor: Actor, item: Item, back: str, **forms: FormState) -> dict:
    board = get_board(session, item.board_id)
    meeting = session.get(Meeting, board.meeting_id)
    person = require_meeting_member(session, actor, meeting)
    names = reflection.Names.of_process(session, meeting.process_id)
    [note] = reflection.note_views(session, person=person, items=[item], boards={board.id: board}, names=names)
    return {"note": note, "person": person, "back": back, "forms": Forms(forms)}


@router.post("/reflection/notes/{item_id}/comments")
def add_comment(item_id: int, request: Request, actor: PageActor, session: SessionDep,
                text: Annotated[str, Form()] = "",
                parent: Annotated[str, Form()] = "",
                back: Annotated[str, Form()] = "meeting") -> Response:
    """Comment on a note, or reply to one of its comments (`parent`)."""
    item = fetch(session, Item, item_id)
    if item is None:
        raise NotFound("Note {id} does not exist", id=item_id)
    meeting = session.get(Meeting, get_board(session, item.board_id).meeting_id)
    parent_id = parse_id(parent)
    name = f"reply-{parent_id}" if parent_id else f"comment-{item_id}"
    back = "process" if back == "process" else "meeting"
    try:
        event = reflection.comment(session=session, actor=actor, item_id=item_id, text=text,
                                   parent_id=parent_id)
    except FORM_ERRORS as error:
        session.rollback()
        state = form_error(name, {"text": text}, error, field_names())
        if is_htmx(request):
            return render(request, NOTE, status=status_of(error),
                          **note_part(session, actor, item, back, **{name: state}))
        if back == "process":
            return render(request, PAGE, status=status_of(error),
                          **page_context(session, actor, process_of(session, meeting.id), **{name: state}))
        return render(request, MEETING_PAGE, status=status_of(error),
                      **meeting_context(session, actor, meeting, **{name: state}))
    session.commit()
    publish(request, meeting.id, event)
    comment_id = event.data["comment"]["id"]
    if not is_htmx(request):
        path = page_path(meeting.process_id) if back == "process" else meeting_path(meeting.id)
        return see_other(request, f"{path}#comment-{comment_id}")
    done = FormState(name, done=_("Your comment is saved."))
    return render(request, NOTE, **note_part(session, actor, item, back, **{name: done}))


@router.post("/reflection/notes/{item_id}/publishable")
def mark_publishable(item_id: int, request: Request, actor: PageActor, session: SessionDep,
                     publishable: Annotated[str, Form()] = "",
                     back: Annotated[str, Form()] = "meeting") -> Response:
    """A facilitator marks a note's text publishable in open data, or takes the mark back."""
    item = fetch(session, Item, item_id)
    if item is None:
        raise NotFound("Note {id} does not exist", id=item_id)
    if publishable not in ("true", "false"):
        raise InvalidInput("'publishable' must be true or false")
    meeting = session.get(Meeting, get_board(session, item.board_id).meeting_id)
    back = "process" if back == "process" else "meeting"
    opendata.mark_publishable(session, actor=actor, item_id=item_id, publishable=publishable == "true")
    session.commit()
    if not is_htmx(request):
        path = page_path(meeting.process_id) if back == "process" else meeting_path(meeting.id)
        return see_other(request, f"{path}#item-{item_id}")
    done = FormState(f"publishable-{item_id}",
                     done=_("The note's text will be published in open data, with names replaced.")
                     if publishable == "true" else _("The note's text will not be published in open data."))
    return render(request, NOTE, **note_part(session, actor, item, back, **{f"publishable-{item_id}": done}))


# --- one meeting's notes -------------------------------------------------------------------------


def meeting_context(session: Session, actor: Actor, meeting: Meeting, **forms: FormState) -> dict:
    """A meeting's notes with their comments, its decisions and actions. Raises NotAllowed."""
    boards = reflection.meeting_notes(session, actor=actor, meeting=meeting)
    person = require_meeting_member(session, actor, meeting)
    process = processes.get_process(session, meeting.process_id)
    names = reflection.Names.of_process(session, meeting.process_id)
    view = meetings.meeting_view(session, meeting)
    group_names = {g["board"]: g["name"] for g in view["groups"]}
    return {
        "process": process,
        "meeting": meeting,
        "person": person,
        "boards": boards,
        "board_names": {b.board.id: _("Plenary") if b.board.kind.value == "plenary"
                        else group_names.get(b.board.id) or b.group or b.board.title for b in boards},
        "decisions": [(row.id, decisions.decision_view(row)) for row in session.exec(
            select(Decision).where(Decision.meeting_id == meeting.id).order_by(Decision.id))],
        "actions": [(row.id, decisions.action_view(row)) for row in session.exec(
            select(Action).where(Action.meeting_id == meeting.id).order_by(Action.id))],
        "organizations": names.organizations,
        "is_staff": person.role in STAFF_ROLES,
        "back": "meeting",
        "forms": Forms(forms),
    }


@router.get("/meetings/{meeting_id}/reflection")
def meeting_page(meeting_id: int, request: Request, actor: PageActor, session: SessionDep) -> Response:
    """A meeting's notes, comments, decisions and actions, to keep working on between meetings."""
    meeting = meetings.get_meeting(session, meeting_id)
    return render(request, MEETING_PAGE, **meeting_context(session, actor, meeting))

"""A meeting's set-up page (details and agenda, invites, join code) and its room."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.deps import SessionDep, SettingsDep
from app.errors import status_of
from app.i18n import gettext as _
from app.pages.deps import PageActor, PageRoute
from app.pages.forms import (
    FORM_ERRORS,
    Forms,
    FormState,
    form_error,
    lines,
    local_input,
    parse_id,
    parse_local_datetime,
)
from app.pages.invites import invite_rows, new_link
from app.pages.labels import names
from app.pages.qr import qr_svg
from app.pages.rendering import is_htmx, render, render_part, see_other, target_id
from app.pages.room import room_board
from app.settings import Settings
from boards import invites, meeting_roles, meetings, processes, recording
from boards.access import Actor, require_meeting_member, require_staff
from boards.errors import InvalidInput
from boards.models import STAFF_ROLES, Meeting, MeetingMode, PersonRole

router = APIRouter(route_class=PageRoute)

SETUP = "meeting_setup.html"
CONSENT = "recording_consent.html"


def details_form(session: Session, meeting: Meeting) -> FormState:
    """The details form filled with what the meeting has now."""
    return FormState("details", values={
        "title": meeting.title,
        "starts_at": local_input(meeting.starts_at),
        "mode": meeting.mode.value,
        "location": meeting.location,
        "agenda": "\n".join(meetings.agenda_of(session, meeting.id)),
    })


def record_form(meeting: Meeting) -> FormState:
    """The chair, minute-taker and recording form filled with what the meeting has now."""
    return FormState("record", values={
        "chair": str(meeting.chair_id or ""),
        "minute_taker": str(meeting.minute_taker_id or ""),
        "recording_url": meeting.recording_url or "",
    })


def record_names() -> dict[str, str]:
    return {
        "chair": _("Chair"),
        "minute_taker": _("Minute-taker"),
        "recording_url": _("Link of the recording"),
    }


def setup_page(session: Session, actor: Actor, meeting: Meeting, *, code: dict | None = None,
               link: dict | None = None, **forms: FormState) -> dict:
    """Everything the set-up page shows. Raises NotAllowed unless staff of the process."""
    require_staff(session, actor, meeting.process_id)
    process = processes.get_process(session, meeting.process_id)
    view = processes.process_view(session, process)
    forms.setdefault("details", details_form(session, meeting))
    forms.setdefault("record", record_form(meeting))
    return {
        "meeting": meeting,
        "process": process,
        "agenda": meetings.agenda_of(session, meeting.id),
        "organizations": [(str(o["id"]), o["name"]) for o in view["organizations"]],
        "rows": invite_rows(
            session, invites.list_invites(session, actor=actor, process_id=process.id), process.id
        ),
        "has_code": invites.has_join_code(session, meeting.id),
        "staff": [(str(p.id), p.name) for p in meeting_roles.staff_people(session, process.id)],
        "record_names": record_names(),
        "code": code,
        "link": link,
        "forms": Forms(forms),
    }


@router.get("/meetings/{meeting_id}/setup")
def setup(meeting_id: int, request: Request, actor: PageActor, session: SessionDep) -> Response:
    """The meeting set-up page (staff)."""
    meeting = meetings.get_meeting(session, meeting_id)
    return render(request, SETUP, **setup_page(session, actor, meeting))


@router.post("/meetings/{meeting_id}")
def update_details(
    meeting_id: int, request: Request, actor: PageActor, session: SessionDep,
    title: Annotated[str, Form()] = "",
    starts_at: Annotated[str, Form()] = "",
    mode: Annotated[MeetingMode, Form()] = MeetingMode.online,
    location: Annotated[str, Form()] = "",
    agenda: Annotated[str, Form()] = "",
) -> Response:
    """Change title, time, mode, place or link, and the agenda (one point per line)."""
    meeting = meetings.get_meeting(session, meeting_id)
    values = {"title": title, "starts_at": starts_at, "mode": mode.value, "location": location,
              "agenda": agenda}
    try:
        meetings.update_meeting(
            session, actor=actor, meeting_id=meeting_id, title=title,
            starts_at=parse_local_datetime(starts_at, field_name="starts_at"), mode=mode,
            location=location, agenda=lines(agenda),
        )
    except FORM_ERRORS as error:
        session.rollback()
        state = form_error("details", values, error, names("form:meeting"))
        return render_part(request, SETUP, "details", status=status_of(error),
                           **setup_page(session, actor, meeting, details=state))
    session.commit()
    if not is_htmx(request):
        return see_other(request, f"/meetings/{meeting_id}/setup")
    state = details_form(session, meeting)
    state.done = _("Meeting details saved.")
    return render(request, SETUP, block="details",
                  **setup_page(session, actor, meeting, details=state))


@router.post("/meetings/{meeting_id}/record")
def update_record(
    meeting_id: int, request: Request, actor: PageActor, session: SessionDep,
    chair: Annotated[str, Form()] = "",
    minute_taker: Annotated[str, Form()] = "",
    recording_url: Annotated[str, Form()] = "",
) -> Response:
    """Name the chair and the minute-taker, and set or clear the recording link."""
    meeting = meetings.get_meeting(session, meeting_id)
    values = {"chair": chair, "minute_taker": minute_taker, "recording_url": recording_url}
    try:
        meeting_roles.set_meeting_roles(session, actor=actor, meeting_id=meeting_id,
                                        chair_id=parse_id(chair),
                                        minute_taker_id=parse_id(minute_taker))
        recording.set_recording_url(session, actor=actor, meeting_id=meeting_id, url=recording_url)
    except FORM_ERRORS as error:
        session.rollback()
        state = form_error("record", values, error, record_names())
        return render_part(request, SETUP, "record", status=status_of(error),
                           **setup_page(session, actor, meeting, record=state))
    session.commit()
    if not is_htmx(request):
        return see_other(request, f"/meetings/{meeting_id}/setup#record")
    state = record_form(meeting)
    state.done = _("Chair, minute-taker and recording saved.")
    return render(request, SETUP, block="record",
                  **setup_page(session, actor, meeting, record=state))


@router.post("/meetings/{meeting_id}/invites")
def create_invite(
    meeting_id: int, request: Request, actor: PageActor, session: SessionDep,
    settings: SettingsDep,
    name: Annotated[str, Form()] = "",
    organization: Annotated[str, Form()] = "",
    role: Annotated[PersonRole, Form()] = PersonRole.participant,
    email: Annotated[str, Form()] = "",
    scope: Annotated[str, Form()] = "all",
) -> Response:
    """Invite a person of an organisation; their link is shown this once, with a QR code."""
    meeting = meetings.get_meeting(session, meeting_id)
    values = {"name": name, "organization": organization, "role": role.value, "email": email,
              "scope": scope}
    try:
        organization_id = parse_id(organization)
        if organization_id is None:
            raise InvalidInput("Choose the organisation the person represents",
                               field="organization")
        new = invites.create_invite(
            session, actor=actor, process_id=meeting.process_id, name=name,
            organization_id=organization_id, role=role, email=email or None,
            meetings=[meeting.id] if scope == "this" else None,
        )
    except FORM_ERRORS as error:
        session.rollback()
        state = form_error("invite", values, error, names("form:invite"))
        return render_part(request, SETUP, "invites", status=status_of(error),
                           **setup_page(session, actor, meeting, invite=state))
    session.commit()
    link = new_link(settings, new)
    return render_part(request, SETUP, "invites", **setup_page(session, actor, meeting, link=link))


def code_view(settings: Settings, code: str) -> dict:
    url = settings.url(f"/code/{code}")
    return {"code": code, "url": url, "qr": qr_svg(url, _("QR code of the meeting link"))}


@router.post("/meetings/{meeting_id}/code")
def set_code(
    meeting_id: int, request: Request, actor: PageActor, session: SessionDep, settings: SettingsDep
) -> Response:
    """Create or replace the meeting's join code; shown this once."""
    meeting = meetings.get_meeting(session, meeting_id)
    code = invites.set_join_code(session, actor=actor, meeting_id=meeting_id)
    session.commit()
    return render_part(request, SETUP, "join_code",
                       **setup_page(session, actor, meeting, code=code_view(settings, code)))


@router.post("/meetings/{meeting_id}/code/disable")
def disable_code(meeting_id: int, request: Request, actor: PageActor, session: SessionDep) -> Response:
    """Disable the meeting's join code."""
    meeting = meetings.get_meeting(session, meeting_id)
    invites.disable_join_code(session, actor=actor, meeting_id=meeting_id)
    session.commit()
    if not is_htmx(request):
        return see_other(request, f"/meetings/{meeting_id}/setup#join-code")
    return render(request, SETUP, block="join_code",
                  **setup_page(session, actor, meeting, joincode=FormState(
                      "joincode", done=_("The meeting code is disabled: it no longer works."))))


def video_link(location: str) -> str | None:
    """The place is a video-call link when it is a web address."""
    location = location.strip()
    return location if location.startswith(("https://", "http://")) and " " not in location else None


# The regions of the room htmx may fetch on their own, by element id.
ROOM_BLOCKS = {"board": "board", "board-list": "board_list"}


@router.get("/meetings/{meeting_id}/room")
def room(meeting_id: int, request: Request, actor: PageActor, session: SessionDep,
         board: int | None = None) -> Response:
    """The meeting room: its header, the live board and its list view (`?board=` another
    board the person may read)."""
    meeting = meetings.get_meeting(session, meeting_id)
    person = require_meeting_member(session, actor, meeting)
    process = processes.get_process(session, meeting.process_id)
    if recording.needs_answer(session, meeting, person):
        # Asked before taking part: the room opens once the person has answered.
        return render(request, CONSENT, meeting=meeting, process=process)
    return render(
        request, "room.html", block=ROOM_BLOCKS.get(target_id(request) or ""),
        meeting=meeting, process=process, person=person,
        agenda=meetings.agenda_of(session, meeting.id), video=video_link(meeting.location),
        is_staff=person.role in STAFF_ROLES, **room_board(session, meeting, person, board),
    )


@router.get("/meetings/{meeting_id}/consent")
def consent_page(meeting_id: int, request: Request, actor: PageActor,
                 session: SessionDep) -> Response:
    """The recording question, with the member's present answer, to change it."""
    meeting = meetings.get_meeting(session, meeting_id)
    person = require_meeting_member(session, actor, meeting)
    if not meeting.recording_url:
        return see_other(request, f"/meetings/{meeting_id}/room")
    answer = recording.consent_of(session, meeting.id, person.id)
    return render(request, CONSENT, meeting=meeting,
                  process=processes.get_process(session, meeting.process_id),
                  answer=answer.consent if answer else None)


@router.post("/meetings/{meeting_id}/consent")
def answer_consent(meeting_id: int, request: Request, actor: PageActor, session: SessionDep,
                   consent: Annotated[str, Form()] = "") -> Response:
    """The member's answer to the recording question; then the room."""
    meeting = meetings.get_meeting(session, meeting_id)
    if consent not in ("yes", "no"):
        process = processes.get_process(session, meeting.process_id)
        require_meeting_member(session, actor, meeting)
        return render(request, CONSENT, status=422, meeting=meeting, process=process,
                      error=_("Answer yes or no to enter the meeting."))
    recording.answer_consent(session, actor=actor, meeting_id=meeting_id, consent=consent == "yes")
    session.commit()
    return see_other(request, f"/meetings/{meeting_id}/room")

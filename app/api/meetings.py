"""Meetings of a process and their join codes."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel

from app.deps import CurrentActor, SessionDep, SettingsDep
from boards import invites, meetings
from boards.access import require_meeting_member
from boards.models import MeetingMode
from boards.processes import get_process

router = APIRouter(tags=["meetings"])


class MeetingCreate(BaseModel):
    title: str
    starts_at: datetime
    mode: MeetingMode
    location: str = ""
    agenda: list[str]
    thematic_table: int | None = None


class MeetingUpdate(BaseModel):
    title: str | None = None
    starts_at: datetime | None = None
    mode: MeetingMode | None = None
    location: str | None = None
    agenda: list[str] | None = None


@router.post("/processes/{process_id}/meetings", status_code=201)
def create_meeting(
    process_id: int, body: MeetingCreate, actor: CurrentActor, session: SessionDep
) -> dict:
    """Schedule the next meeting of the process with its plenary board (staff)."""
    get_process(session, process_id)
    meeting = meetings.create_meeting(
        session, actor=actor, process_id=process_id, title=body.title, starts_at=body.starts_at,
        mode=body.mode, location=body.location, agenda=body.agenda,
        thematic_table_id=body.thematic_table,
    )
    session.commit()
    return meetings.meeting_view(session, meeting)


@router.get("/meetings/{meeting_id}")
def get_meeting(meeting_id: int, actor: CurrentActor, session: SessionDep) -> dict:
    """The meeting with its boards, groups, prompts and state (members)."""
    meeting = meetings.get_meeting(session, meeting_id)
    require_meeting_member(session, actor, meeting)
    return meetings.meeting_view(session, meeting)


@router.patch("/meetings/{meeting_id}")
def update_meeting(
    meeting_id: int, body: MeetingUpdate, actor: CurrentActor, session: SessionDep
) -> dict:
    """Change title, time, mode, place or agenda before the meeting ends (staff; extension)."""
    meeting = meetings.update_meeting(session, actor=actor, meeting_id=meeting_id,
                                      **body.model_dump(exclude_unset=True))
    session.commit()
    return meetings.meeting_view(session, meeting)


@router.post("/meetings/{meeting_id}/code")
def set_code(meeting_id: int, actor: CurrentActor, session: SessionDep, settings: SettingsDep) -> dict:
    """Create or replace the meeting's join code (staff)."""
    code = invites.set_join_code(session, actor=actor, meeting_id=meeting_id)
    session.commit()
    return {"code": code, "url": settings.url(f"/code/{code}")}


@router.delete("/meetings/{meeting_id}/code", status_code=204)
def disable_code(meeting_id: int, actor: CurrentActor, session: SessionDep) -> Response:
    """Disable the meeting's join code (staff)."""
    invites.disable_join_code(session, actor=actor, meeting_id=meeting_id)
    session.commit()
    return Response(status_code=204)

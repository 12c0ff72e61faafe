"""Attendance of a meeting and its corrections by staff."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from app.deps import CurrentActor, SessionDep
from boards import attendance
from boards.models import AttendanceStatus

router = APIRouter(tags=["attendance"])


class AttendanceCorrection(BaseModel):
    participant: int
    status: AttendanceStatus
    proxy_for: int | None = None
    note: str = ""


@router.get("/meetings/{meeting_id}/attendance")
def get_attendance(meeting_id: int, actor: CurrentActor, session: SessionDep) -> list[dict]:
    """Who was expected, who joined and left, and their status (staff)."""
    return attendance.attendance_list(session, actor=actor, meeting_id=meeting_id)


@router.patch("/meetings/{meeting_id}/attendance")
def correct_attendance(
    meeting_id: int, body: AttendanceCorrection, actor: CurrentActor, session: SessionDep
) -> list[dict]:
    """Record one correction (absent, excused, proxy, present in the room) in the audit log."""
    attendance.correct_attendance(
        session, actor=actor, meeting_id=meeting_id, person_id=body.participant,
        status=body.status, proxy_for=body.proxy_for, note=body.note,
    )
    session.commit()
    return attendance.attendance_list(session, actor=actor, meeting_id=meeting_id)

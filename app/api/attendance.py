"""Attendance of a meeting and its corrections by staff; a member's consent to recording."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from app.deps import CurrentActor, SessionDep
from boards import attendance, recording
from boards.clock import iso
from boards.models import AttendanceStatus

router = APIRouter(tags=["attendance"])


class AttendanceCorrection(BaseModel):
    participant: int
    status: AttendanceStatus
    proxy_for: int | None = None
    note: str = ""


class PresentInRoom(BaseModel):
    name: str
    organization: int | None = None
    organization_name: str = ""
    title: str = ""
    joined_at: datetime | None = None
    note: str = ""


class BodyCorrection(BaseModel):
    status: AttendanceStatus
    note: str = ""


class Consent(BaseModel):
    consent: bool


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


@router.post("/meetings/{meeting_id}/attendance", status_code=201)
def add_present_in_room(
    meeting_id: int, body: PresentInRoom, actor: CurrentActor, session: SessionDep
) -> dict:
    """Add someone present in the room who has no link (staff): a new person of the process."""
    record = attendance.add_in_room(
        session, actor=actor, meeting_id=meeting_id, name=body.name,
        organization_id=body.organization, organization_name=body.organization_name,
        title=body.title, joined_at=body.joined_at, note=body.note,
    )
    session.commit()
    rows = attendance.attendance_list(session, actor=actor, meeting_id=meeting_id)
    return next(row for row in rows if row["participant"] == record.person_id)


@router.patch("/meetings/{meeting_id}/attendance/organizations/{organization_id}")
def correct_body(
    meeting_id: int, organization_id: int, body: BodyCorrection, actor: CurrentActor,
    session: SessionDep,
) -> list[dict]:
    """Mark every expected person of a body absent or excused (staff)."""
    attendance.mark_organization(
        session, actor=actor, meeting_id=meeting_id, organization_id=organization_id,
        status=body.status, note=body.note,
    )
    session.commit()
    return attendance.attendance_list(session, actor=actor, meeting_id=meeting_id)


@router.put("/meetings/{meeting_id}/consent")
def answer_consent(meeting_id: int, body: Consent, actor: CurrentActor, session: SessionDep) -> dict:
    """The member's own consent to the meeting's recording (changeable)."""
    row = recording.answer_consent(session, actor=actor, meeting_id=meeting_id,
                                   consent=body.consent)
    session.commit()
    return {"meeting": meeting_id, "participant": row.person_id, "consent": row.consent,
            "at": iso(row.at)}

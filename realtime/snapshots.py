"""Snapshot `state` of the two kinds of stream, as the contract lays them out.

The board state is `boards.items.board_state`, the same as GET /api/v1/boards/{id}; the
meeting state gathers facilitation (prompts, groups, timer), attendance and the record.
"""

from __future__ import annotations

from sqlmodel import Session, select

from boards.clock import iso, utcnow
from boards.events import meeting_stream
from boards.meetings import meeting_view
from boards.models import (
    Action,
    Attendance,
    AttendanceStatus,
    Decision,
    Event,
    Meeting,
    MeetingState,
)

TIMER_EVENTS = ("timer.started", "timer.stopped")


def present(session: Session, meeting: Meeting) -> list[int]:
    """People present now: joined and not left, while the meeting is live."""
    if meeting.state != MeetingState.live:
        return []
    rows = session.exec(
        select(Attendance.person_id).where(
            Attendance.meeting_id == meeting.id,
            Attendance.joined_at.is_not(None),
            Attendance.left_at.is_(None),
            Attendance.status == AttendanceStatus.present,
        ).order_by(Attendance.person_id)
    )
    return list(rows)


def timer(session: Session, meeting: Meeting) -> dict | None:
    """The running timer, from the last timer event; none once its end has passed."""
    last = session.exec(
        select(Event)
        .where(Event.stream == meeting_stream(meeting.id), Event.name.in_(TIMER_EVENTS))
        .order_by(Event.seq.desc())
        .limit(1)
    ).first()
    if last is None or last.name != "timer.started":
        return None
    ends_at = last.data.get("ends_at")
    if not isinstance(ends_at, str) or ends_at <= iso(utcnow()):
        return None
    return {"ends_at": ends_at, "label": last.data.get("label")}


def decision_view(decision: Decision) -> dict:
    votes = None
    if decision.votes_for is not None or decision.votes_against is not None:
        votes = {"for": decision.votes_for, "against": decision.votes_against,
                 "abstained": decision.votes_abstained}
    return {"id": decision.id, "text": decision.text, "method": decision.method.value,
            "outcome": decision.outcome, "votes": votes, "items": decision.item_ids or []}


def action_view(action: Action) -> dict:
    return {"id": action.id, "text": action.text, "owner": action.owner_id,
            "due": action.due.isoformat() if action.due else None, "status": action.status.value}


def meeting_state(session: Session, meeting: Meeting) -> dict:
    """The meeting snapshot `state` (the same for every member)."""
    view = meeting_view(session, meeting)
    groups = [{"id": g["id"], "name": g["name"], "board": g["board"], "members": g["members"]}
              for g in view["groups"]]
    decisions = session.exec(select(Decision).where(Decision.meeting_id == meeting.id).order_by(Decision.id))
    actions = session.exec(select(Action).where(Action.meeting_id == meeting.id).order_by(Action.id))
    return {
        "meeting": {"id": meeting.id, "title": meeting.title, "state": meeting.state.value,
                    "started_at": iso(meeting.started_at), "ended_at": iso(meeting.ended_at)},
        "present": present(session, meeting),
        "prompts": view["prompts"],
        "groups": groups,
        "running": any(g["running"] for g in view["groups"]),
        "timer": timer(session, meeting),
        "decisions": [decision_view(d) for d in decisions],
        "actions": [action_view(a) for a in actions],
    }

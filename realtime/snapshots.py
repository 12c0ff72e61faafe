"""Snapshot `state` of the two kinds of stream, as the contract lays them out.

The board state is `boards.items.board_state`, the same as GET /api/v1/boards/{id}; the
meeting state gathers facilitation (prompts, groups, timer), attendance and the record.
"""

from __future__ import annotations

from sqlmodel import Session

from boards.attendance import present_ids
from boards.clock import iso
from boards.decisions import action_view, actions_of, decision_view, decisions_of
from boards.facilitation import running_timer
from boards.lines import lines_of
from boards.meetings import meeting_view
from boards.models import Meeting


def present(session: Session, meeting: Meeting) -> list[int]:
    """People present now: joined and not left, while the meeting is live."""
    return present_ids(session, meeting)


def timer(session: Session, meeting: Meeting) -> dict | None:
    """The running timer, from the last timer event; none once its end has passed."""
    return running_timer(session, meeting.id)


def meeting_state(session: Session, meeting: Meeting) -> dict:
    """The meeting snapshot `state` (the same for every member)."""
    view = meeting_view(session, meeting)
    groups = [{"id": g["id"], "name": g["name"], "board": g["board"], "members": g["members"]}
              for g in view["groups"]]
    return {
        "meeting": {"id": meeting.id, "title": meeting.title, "state": meeting.state.value,
                    "started_at": iso(meeting.started_at), "ended_at": iso(meeting.ended_at),
                    # Extension: the chair (the facilitator who started the meeting).
                    "chair": meeting.chair_id},
        "present": present(session, meeting),
        "prompts": view["prompts"],
        "groups": groups,
        "running": any(g["running"] for g in view["groups"]),
        "timer": timer(session, meeting),
        "decisions": [decision_view(d) for d in decisions_of(session, meeting.id)],
        "actions": [action_view(a) for a in actions_of(session, meeting.id)],
        # Extension: the lines of work promoted during this meeting.
        "lines": lines_of(session, meeting.id),
    }

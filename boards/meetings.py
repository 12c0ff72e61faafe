"""Meetings (incontri): scheduling, agenda, and what members see of them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from boards import audit
from boards.access import Actor, require_staff
from boards.clock import iso, typed_moment
from boards.errors import InvalidInput, Locked, NotFound
from boards.ids import fetch
from boards.models import (
    TEXT_LIMIT,
    AgendaItem,
    Board,
    BoardKind,
    BreakoutGroup,
    GroupMember,
    Meeting,
    MeetingMode,
    MeetingState,
    Prompt,
    ThematicTable,
)
from boards.processes import get_process
from boards.text import clean_name, clean_text

# An agenda longer than this is a mistake, not a meeting.
AGENDA_LIMIT = 50


def get_meeting(session: Session, meeting_id: int) -> Meeting:
    meeting = fetch(session, Meeting, meeting_id)
    if meeting is None:
        raise NotFound("Meeting {id} does not exist", id=meeting_id)
    return meeting


def create_meeting(
    session: Session,
    *,
    actor: Actor,
    process_id: int,
    title: str,
    starts_at: datetime,
    mode: MeetingMode,
    location: str = "",
    agenda: list[str] | None = None,
    thematic_table_id: int | None = None,
) -> Meeting:
    """Schedule the next meeting of a process, numbered in order, with its plenary board.

    Raises NotAllowed, NotFound, InvalidInput.
    """
    require_staff(session, actor, process_id)
    get_process(session, process_id)
    last = session.exec(
        select(Meeting.number).where(Meeting.process_id == process_id).order_by(Meeting.number.desc())
    ).first()
    meeting = Meeting(
        process_id=process_id,
        number=(last or 0) + 1,
        title=clean_name(title, field="title"),
        starts_at=_start_time(starts_at),
        mode=mode,
        location=clean_text(location, field="location", limit=500, required=False),
        thematic_table_id=_table_of_process(session, process_id, thematic_table_id),
    )
    session.add(meeting)
    session.flush()
    _replace_agenda(session, meeting, agenda or [])
    board = Board(meeting_id=meeting.id, title="Plenaria", kind=BoardKind.plenary)
    session.add(board)
    session.flush()
    meeting.plenary_board_id = board.id
    session.add(meeting)
    audit.record(session, actor=actor, action="meeting.create", process_id=process_id,
                 target=f"meeting:{meeting.id}", number=meeting.number, title=meeting.title)
    return meeting


def update_meeting(
    session: Session,
    *,
    actor: Actor,
    meeting_id: int,
    title: str | None = None,
    starts_at: datetime | None = None,
    mode: MeetingMode | None = None,
    location: str | None = None,
    agenda: list[str] | None = None,
) -> Meeting:
    """Change a meeting that has not ended. Raises NotAllowed, Locked, InvalidInput."""
    meeting = get_meeting(session, meeting_id)
    require_staff(session, actor, meeting.process_id)
    if meeting.state == MeetingState.ended:
        raise Locked("This meeting has ended and can no longer be changed")
    changes: dict[str, object] = {}
    if title is not None:
        meeting.title = changes["title"] = clean_name(title, field="title")
    if starts_at is not None:
        meeting.starts_at = _start_time(starts_at)
        changes["starts_at"] = iso(meeting.starts_at)
    if mode is not None:
        meeting.mode = mode
        changes["mode"] = mode.value
    if location is not None:
        meeting.location = changes["location"] = clean_text(
            location, field="location", limit=500, required=False
        )
    if agenda is not None:
        changes["agenda"] = _replace_agenda(session, meeting, agenda)
    session.add(meeting)
    audit.record(session, actor=actor, action="meeting.update", process_id=meeting.process_id,
                 target=f"meeting:{meeting.id}", **changes)
    return meeting


def _start_time(starts_at: datetime) -> datetime:
    """In UTC; raises InvalidInput for a moment that UTC cannot hold (year 1 at +05:00) or
    that no page could show in local time (year 9999)."""
    try:
        return typed_moment(starts_at)
    except OverflowError:
        raise InvalidInput("'starts_at' is not a usable date") from None


def _table_of_process(session: Session, process_id: int, table_id: int | None) -> int | None:
    if table_id is None:
        return None
    table = fetch(session, ThematicTable, table_id)
    if table is None or table.process_id != process_id:
        raise InvalidInput("Thematic table {id} is not part of this process", id=table_id)
    return table_id


def _replace_agenda(session: Session, meeting: Meeting, agenda: list[str]) -> list[str]:
    if len(agenda) > AGENDA_LIMIT:
        raise InvalidInput("An agenda has at most {limit} points", limit=AGENDA_LIMIT)
    points = [clean_text(point, field="agenda", limit=TEXT_LIMIT) for point in agenda]
    for old in session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)):
        session.delete(old)
    for position, text in enumerate(points, start=1):
        session.add(AgendaItem(meeting_id=meeting.id, position=position, text=text))
    return points


def agenda_of(session: Session, meeting_id: int) -> list[str]:
    rows = session.exec(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position)
    )
    return [row.text for row in rows]


def meetings_of(session: Session, process_id: int) -> list[Meeting]:
    return list(
        session.exec(select(Meeting).where(Meeting.process_id == process_id).order_by(Meeting.number))
    )


def meeting_view(session: Session, meeting: Meeting) -> dict:
    """The meeting with its boards, groups, prompts and state (GET /api/v1/meetings/{id})."""
    boards = session.exec(select(Board).where(Board.meeting_id == meeting.id).order_by(Board.id)).all()
    groups = session.exec(
        select(BreakoutGroup)
        .where(BreakoutGroup.meeting_id == meeting.id, BreakoutGroup.dissolved_at.is_(None))
        .order_by(BreakoutGroup.position)
    ).all()
    members: dict[int, list[int]] = {group.id: [] for group in groups}
    if groups:
        for member in session.exec(
            select(GroupMember).where(GroupMember.group_id.in_(list(members))).order_by(GroupMember.id)
        ):
            members[member.group_id].append(member.person_id)
    prompts = session.exec(
        select(Prompt).where(Prompt.meeting_id == meeting.id).order_by(Prompt.id)
    ).all()
    return {
        "id": meeting.id,
        "process": meeting.process_id,
        "number": meeting.number,
        "title": meeting.title,
        "starts_at": iso(meeting.starts_at),
        "mode": meeting.mode.value,
        "location": meeting.location,
        "agenda": agenda_of(session, meeting.id),
        "state": meeting.state.value,
        "started_at": iso(meeting.started_at),
        "ended_at": iso(meeting.ended_at),
        "thematic_table": meeting.thematic_table_id,
        "plenary_board": meeting.plenary_board_id,
        "boards": [
            {"id": b.id, "title": b.title, "kind": b.kind.value, "group": b.group_id,
             "locked": b.locked, "private": b.private}
            for b in boards
        ],
        "groups": [
            {"id": g.id, "name": g.name, "board": g.board_id, "members": members[g.id],
             "running": g.running}
            for g in groups
        ],
        "prompts": [prompt_view(p) for p in prompts],
    }


def prompt_view(prompt: Prompt) -> dict:
    return {
        "id": prompt.id,
        "text": prompt.text,
        "groups": prompt.group_ids,
        "deadline": iso(prompt.deadline),
        "open": prompt.closed_at is None,
    }

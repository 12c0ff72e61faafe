"""Lines of work (linee di lavoro): a frame of clustered notes promoted to a line of the
process, keeping the links to the notes it came from, so that the synthesis document can
cite them. See docs/protocol.md ("Meeting ops").
"""

from __future__ import annotations

from sqlmodel import Session, select

from boards.errors import InvalidInput, NotFound
from boards.events import append, meeting_stream
from boards.guards import open_meeting_for_change
from boards.ids import fetch
from boards.items import live_item
from boards.models import Board, Event, Item, ItemKind, LineOfWork, LineOfWorkItem, Meeting, Person
from boards.text import clean_name


def line_view(line: LineOfWork, item_ids: list[int], board_id: int | None) -> dict:
    return {"id": line.id, "title": line.title, "items": item_ids, "board": board_id, "frame": line.frame_id}


def promote_line(*, session: Session, meeting: Meeting, actor_person: Person, board_id: int, frame_id: int,
                 title: str, op_id: str | None = None) -> Event:
    """Make a frame of a board of this meeting a line of work linked to the notes it holds.
    Allowed after the meeting has ended (the synthesis often comes later).

    Returns `line.promoted`. Raises NotAllowed, NotFound, InvalidInput (not a frame, or
    already promoted).
    """
    open_meeting_for_change(session, meeting=meeting, actor_person=actor_person, after_end=True)
    board = fetch(session, Board, board_id)
    if board is None or board.meeting_id != meeting.id:
        raise NotFound("Board {id} is not part of this meeting", id=board_id)
    frame = live_item(session, board, frame_id)
    if frame.kind != ItemKind.frame:
        raise InvalidInput("Item {id} is not a frame", id=frame_id)
    if session.exec(select(LineOfWork.id).where(LineOfWork.frame_id == frame.id)).first() is not None:
        raise InvalidInput("This frame is already a line of work")
    notes = session.exec(
        select(Item.id).where(Item.board_id == board.id, Item.frame_id == frame.id, Item.kind == ItemKind.note,
                              Item.deleted_at.is_(None)).order_by(Item.id)
    ).all()
    line = LineOfWork(process_id=meeting.process_id, meeting_id=meeting.id, frame_id=frame.id,
                      title=clean_name(title, field="title"))
    session.add(line)
    session.flush()
    session.add_all([LineOfWorkItem(line_id=line.id, item_id=note) for note in notes])
    return append(session, stream=meeting_stream(meeting.id), name="line.promoted",
                  data={"line": line_view(line, list(notes), board.id)}, actor=actor_person, op_id=op_id)


def lines_of(session: Session, meeting_id: int) -> list[dict]:
    """The meeting's lines of work as `line.promoted` shows them."""
    lines = session.exec(select(LineOfWork).where(LineOfWork.meeting_id == meeting_id).order_by(LineOfWork.id)).all()
    if not lines:
        return []
    links: dict[int, list[int]] = {line.id: [] for line in lines}
    for row in session.exec(
        select(LineOfWorkItem).where(LineOfWorkItem.line_id.in_(list(links))).order_by(LineOfWorkItem.item_id)
    ):
        links[row.line_id].append(row.item_id)
    frames = {line.frame_id for line in lines if line.frame_id}
    boards = dict(session.exec(select(Item.id, Item.board_id).where(Item.id.in_(frames))).all()) if frames else {}
    return [line_view(line, links[line.id], boards.get(line.frame_id)) for line in lines]

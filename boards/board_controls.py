"""The facilitator's controls of a board: extra boards (`board.create`, with a template),
lock and unlock, private mode and its reveal.

While a board is private, the items created or updated on it are redacted for everyone but
their author, facilitators and secretaries (`boards.items.item_view`, and
`realtime.visibility` for events); the reveal shows them all and ends private mode. Each
function appends its events in the caller's transaction. See docs/protocol.md.
"""

from __future__ import annotations

from sqlmodel import Session, select

from boards.errors import InvalidInput
from boards.events import append, board_stream, meeting_stream
from boards.guards import open_board_control, open_meeting_for_change
from boards.items import item_view
from boards.models import Board, BoardKind, Event, Item, Meeting, Person
from boards.templates import apply_template, parts
from boards.text import clean_name


def create_board(*, session: Session, meeting: Meeting, actor_person: Person, title: str,
                 template: str | None = None, lang: str = "it", op_id: str | None = None) -> list[Event]:
    """A new board for the whole meeting, optionally laid out with a template.

    Returns the template's `item.created` events (on the new board's stream), then
    `board.created` (on the meeting's). Raises NotAllowed, Locked (ended meeting), InvalidInput.
    """
    open_meeting_for_change(session, meeting=meeting, actor_person=actor_person)
    title = clean_name(title, field="title")
    if template is not None:
        parts(template, lang=lang, prompts=[])  # an unknown template is refused before anything
    board = Board(meeting_id=meeting.id, title=title, kind=BoardKind.extra)
    session.add(board)
    session.flush()
    events = []
    if template is not None:
        events = apply_template(session=session, board=board, actor_person=actor_person, template=template,
                                lang=lang, op_id=op_id)
    events.append(append(session, stream=meeting_stream(meeting.id), name="board.created",
                         data={"board": {"id": board.id, "title": board.title}}, actor=actor_person,
                         op_id=op_id))
    return events


def lock_board(*, session: Session, board: Board, actor_person: Person, op_id: str | None = None) -> Event:
    """Refuse everyone's ops on the board but the facilitators'; returns `board.locked`.
    Raises NotAllowed, Locked (ended meeting), InvalidInput (already locked)."""
    open_board_control(session, board=board, actor_person=actor_person)
    if board.locked:
        raise InvalidInput("This board is already locked")
    board.locked = True
    session.add(board)
    return append(session, stream=board_stream(board.id), name="board.locked", data={}, actor=actor_person,
                  op_id=op_id)


def unlock_board(*, session: Session, board: Board, actor_person: Person, op_id: str | None = None) -> Event:
    """Returns `board.unlocked`. Raises NotAllowed, Locked (ended meeting), InvalidInput."""
    open_board_control(session, board=board, actor_person=actor_person)
    if not board.locked:
        raise InvalidInput("This board is not locked")
    board.locked = False
    session.add(board)
    return append(session, stream=board_stream(board.id), name="board.unlocked", data={}, actor=actor_person,
                  op_id=op_id)


def start_private(*, session: Session, board: Board, actor_person: Person, op_id: str | None = None) -> Event:
    """From now on, new and changed items are hidden from the others until the reveal.
    Returns `private.started`. Raises NotAllowed, Locked, InvalidInput (already private)."""
    open_board_control(session, board=board, actor_person=actor_person)
    if board.private:
        raise InvalidInput("This board is already in private mode")
    board.private = True
    session.add(board)
    return append(session, stream=board_stream(board.id), name="private.started", data={},
                  actor=actor_person, op_id=op_id)


def reveal_private(*, session: Session, board: Board, actor_person: Person, op_id: str | None = None) -> Event:
    """Show every item created or updated while private, and end private mode.
    Returns `private.revealed`. Raises NotAllowed, Locked, InvalidInput (not private)."""
    open_board_control(session, board=board, actor_person=actor_person)
    if not board.private:
        raise InvalidInput("This board is not in private mode")
    return reveal(session, board, actor_person=actor_person, op_id=op_id)


def reveal(session: Session, board: Board, *, actor_person: Person | None, op_id: str | None = None) -> Event:
    """`private.revealed` with the board's private items, now public (also when the meeting
    ends). The caller holds the board stream's lock."""
    hidden = session.exec(
        select(Item).where(Item.board_id == board.id, Item.private.is_(True), Item.deleted_at.is_(None))
        .order_by(Item.id)
    ).all()
    views = []
    for item in hidden:
        item.private = False
        session.add(item)
        views.append(item_view(item, actor_person))
    board.private = False
    session.add(board)
    return append(session, stream=board_stream(board.id), name="private.revealed", data={"items": views},
                  actor=actor_person, op_id=op_id)

"""Boards and their items (notes, frames, texts): who may read them and what they see."""

from __future__ import annotations

import math
import re
import weakref
from collections.abc import Iterable

from sqlalchemy import ColumnElement, Row, bindparam, exists
from sqlalchemy import select as sa_select
from sqlalchemy import text as sql_text
from sqlalchemy import update as sa_update
from sqlmodel import Session, select

from boards.access import Actor, require_meeting_member
from boards.clock import utcnow
from boards.errors import InvalidInput, Locked, NotAllowed, NotFound
from boards.events import append, board_stream
from boards.ids import fetch
from boards.models import (
    STAFF_ROLES,
    Board,
    BoardKind,
    BreakoutGroup,
    Comment,
    Event,
    GroupMember,
    Item,
    ItemKind,
    Meeting,
    MeetingState,
    Person,
    PersonRole,
    Prompt,
    Vote,
    VotingRound,
)
from boards.rows import core_execute, insert_now
from boards.text import clean_text


def get_board(session: Session, board_id: int) -> Board:
    board = fetch(session, Board, board_id)
    if board is None:
        raise NotFound("Board {id} does not exist", id=board_id)
    return board


_MEMBERS = GroupMember.__table__
# Asked on every op on a group board: built once, and a Core statement, cheaper than the ORM's.
_MEMBERSHIP = sa_select(_MEMBERS.c.id).where(
    _MEMBERS.c.group_id == bindparam("group"), _MEMBERS.c.person_id == bindparam("person"))


# Membership read already in the current transaction (`know_membership`).
_KNOWN_MEMBERSHIP = "tavolo.known_membership"


def membership(person_id: ColumnElement, group_id: ColumnElement) -> ColumnElement[bool]:
    """Whether the person is in the group, as a column: for a caller that reads the person
    and the board in one statement, and tells `know_membership` (an op: `realtime.ops`)."""
    return exists().where(_MEMBERS.c.group_id == group_id, _MEMBERS.c.person_id == person_id)


def know_membership(session: Session, group_id: int, person_id: int, member: bool) -> None:
    """Record for the rest of the transaction what `membership` read, sparing a statement."""
    session.info[_KNOWN_MEMBERSHIP] = (weakref.ref(session.get_transaction()), group_id, person_id, member)


def _in_group_of(session: Session, person: Person, board: Board) -> bool:
    known = session.info.get(_KNOWN_MEMBERSHIP)
    if known is not None and known[0]() is session.get_transaction() and known[1:3] == (board.group_id, person.id):
        return known[3]
    return core_execute(session, _MEMBERSHIP, {"group": board.group_id, "person": person.id}).first() is not None


def may_read_board(session: Session, person: Person, board: Board) -> bool:
    """Group boards are for their members and staff, and for the whole meeting once their
    group has ended (reporting back); every other board for the whole meeting."""
    if board.kind != BoardKind.group or person.role in STAFF_ROLES:
        return True
    if _in_group_of(session, person, board):
        return True
    group = session.get(BreakoutGroup, board.group_id) if board.group_id else None
    return group is not None and not group.running and (
        group.ended_at is not None or group.dissolved_at is not None)


def may_write_board(session: Session, person: Person, board: Board) -> bool:
    """Group boards are written by their members and staff, other boards by everyone but
    observers."""
    if person.role == PersonRole.observer:
        return False
    if board.kind != BoardKind.group or person.role in STAFF_ROLES:
        return True
    return _in_group_of(session, person, board)


def require_board_reader(session: Session, actor: Actor, board: Board) -> Person:
    """Raises NotAllowed unless the actor may read the board."""
    meeting = session.get(Meeting, board.meeting_id)
    person = require_meeting_member(session, actor, meeting)
    if not may_read_board(session, person, board):
        raise NotAllowed("This board belongs to another group")
    return person


# The columns an item's view is made of, in the order `item_views` unpacks them.
ITEM_VIEW_COLUMNS = ("id", "kind", "x", "y", "w", "h", "text", "color", "author_id", "organization_id",
                     "prompt_id", "frame_id", "version", "private")


def item_views(rows: Iterable[tuple], viewer: Person) -> list[dict]:
    """Items as the protocol shows them to `viewer`, redacted in private mode; each row holds
    ITEM_VIEW_COLUMNS in order. One loop of plain tuples: a snapshot makes thousands."""
    viewer_id, sees_private = viewer.id, viewer.role in STAFF_ROLES
    views = []
    for (id_, kind, x, y, w, h, text, color, author_id, organization_id, prompt_id, frame_id, version,
         private) in rows:
        view = {"id": id_, "kind": kind.value, "x": x, "y": y, "w": w, "h": h, "text": text, "color": color,
                "author": author_id, "organization": organization_id, "prompt": prompt_id, "frame": frame_id,
                "version": version}
        if private and viewer_id != author_id and not sees_private:
            view["text"] = None
            view["redacted"] = True
        views.append(view)
    return views


def item_view(item: Item, viewer: Person) -> dict:
    """An item as the protocol shows it to `viewer`, redacted in private mode."""
    return item_views([tuple(getattr(item, column) for column in ITEM_VIEW_COLUMNS)], viewer)[0]


def comment_view(comment: Comment | Row) -> dict:
    return {
        "id": comment.id,
        "item": comment.item_id,
        "parent": comment.parent_id,
        "text": comment.text,
        "author": comment.author_id,
        "organization": comment.organization_id,
    }


def live_items(session: Session, board_id: int) -> list[Item]:
    return list(
        session.exec(
            select(Item).where(Item.board_id == board_id, Item.deleted_at.is_(None)).order_by(Item.id)
        )
    )


_ITEMS = Item.__table__
_COMMENTS = Comment.__table__
# A snapshot reads thousands of rows: Core rows of the columns it shows, not ORM objects,
# and the comments of the board's live items by a join, not a list of their ids.
_LIVE_ITEM_ROWS = (
    sa_select(*(_ITEMS.c[name] for name in ITEM_VIEW_COLUMNS))
    .where(_ITEMS.c.board_id == bindparam("board"), _ITEMS.c.deleted_at.is_(None))
    .order_by(_ITEMS.c.id)
)
_LIVE_COMMENT_ROWS = (
    sa_select(*(_COMMENTS.c[name] for name in (
        "id", "item_id", "parent_id", "text", "author_id", "organization_id")))
    .join(_ITEMS, _ITEMS.c.id == _COMMENTS.c.item_id)
    .where(_ITEMS.c.board_id == bindparam("board"), _ITEMS.c.deleted_at.is_(None))
    .order_by(_COMMENTS.c.id)
)


def board_state(session: Session, board: Board, viewer: Person) -> dict:
    """The protocol's board snapshot `state` for one viewer."""
    items = session.execute(_LIVE_ITEM_ROWS, {"board": board.id}).all()
    comments = session.execute(_LIVE_COMMENT_ROWS, {"board": board.id}).all() if items else []
    voting = None
    results = None
    last = session.exec(
        select(VotingRound).where(VotingRound.board_id == board.id).order_by(VotingRound.id.desc()).limit(1)
    ).first()
    if last is not None and last.ended_at is None:
        my_votes = session.exec(
            select(Vote.item_id)
            .where(Vote.round_id == last.id, Vote.person_id == viewer.id)
            .order_by(Vote.id)
        ).all()
        voting = {"budget": last.budget, "my_votes": list(my_votes)}
    elif last is not None:
        results = last.results
    return {
        "items": item_views(items, viewer),
        "comments": [comment_view(c) for c in comments],
        "voting": voting,
        # Extension: the counts of the board's last ended voting round, until the next starts.
        "results": results,
        "private": board.private,
        "locked": board.locked,
    }


# --- live changes: the board ops of the real-time protocol ------------------------------
#
# Each function changes one board in the caller's transaction and appends the event that
# records it (`boards.events.append`), so that committing the transaction stores both or
# neither. The caller commits, then publishes the returned event. Every function first
# takes the board stream's ordering lock (`lock_stream`): writers of one board are
# serialised by the database, across server processes too, so each reads the state that
# the previous writer committed and the event order is the order of the changes.
# See docs/protocol.md.

# Board coordinates and sizes are in board units; beyond these a client is misbehaving.
COORDINATE_LIMIT = 1_000_000
SIZE_LIMIT = 100_000
# A palette name (`yellow`, `light-blue`) or a CSS hex colour: never markup or a URL.
COLOR_PATTERN = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-z][a-z0-9-]{0,31})$")
# What a new item measures when the client does not say: a square note, a roomy frame.
DEFAULT_SIZE = {ItemKind.note: (200.0, 200.0), ItemKind.frame: (800.0, 600.0), ItemKind.text: (300.0, 60.0)}
DEFAULT_COLOR = "yellow"
# The fields `item.update` may change (position has its own op, `item.move`).
UPDATABLE_FIELDS = ("text", "color", "w", "h", "frame")
# Primary keys are 32-bit integers on PostgreSQL: a larger number names no row.
ID_LIMIT = 2**31 - 1
# Server-side notes on an event, never sent: keys of event data starting with "_".
PRIVATE_AUTHOR = "_private_author"

_LOCK_STREAM = sql_text(
    "INSERT INTO streamhead (stream, seq) VALUES (:stream, 0) "
    "ON CONFLICT (stream) DO UPDATE SET seq = streamhead.seq"
)


# `session.info` key: the transaction that took a stream's lock before reading what it checks.
_HELD_STREAM = "tavolo.held_stream"


def lock_stream(session: Session, stream: str) -> None:
    """Hold the stream's ordering lock until the transaction ends.

    The same row `boards.events.append` increments: a no-op update of it takes the row lock
    on PostgreSQL and the write lock on SQLite, before anything is read.
    """
    core_execute(session, _LOCK_STREAM, {"stream": stream})


def hold_stream(session: Session, stream: str) -> None:
    """Take the stream's lock first, for a caller that then reads (with `populate_existing`)
    the board, person and meeting it hands down to a change.

    Until the transaction ends, `open_board_for_change` and `open_board_control` trust those
    rows as the last writer committed them instead of reading them a second time: an op's
    cost is mostly its statements (docs/performance.md).
    """
    lock_stream(session, stream)
    # A weak reference: the transaction refers to the session, and a strong one here would
    # make every op's session a reference cycle, left for the garbage collector to find
    # while every connection waits.
    session.info[_HELD_STREAM] = (weakref.ref(session.get_transaction()), stream)


def holds_stream(session: Session, stream: str) -> bool:
    """Whether `hold_stream` took this stream's lock in the current transaction."""
    held = session.info.get(_HELD_STREAM)
    if held is None or held[1] != stream:
        return False
    transaction = held[0]()
    return transaction is not None and transaction is session.get_transaction()


def require_board_writer(session: Session, person: Person, board: Board) -> None:
    """Raises NotAllowed for observers and for people outside a group board's group."""
    if person.role == PersonRole.observer:
        raise NotAllowed("Observers follow the meeting but do not change its boards")
    if not may_write_board(session, person, board):
        raise NotAllowed("This board belongs to another group")


def open_board_for_change(session: Session, *, board: Board, actor_person: Person) -> Meeting:
    """Lock the board's stream, reload the board and check the actor may write on it.

    Returns the board's meeting. Raises NotAllowed; Locked for a locked board (but for
    facilitators). What an ended meeting still accepts is for each op to decide.
    """
    fresh = holds_stream(session, board_stream(board.id))
    if not fresh:
        lock_stream(session, board_stream(board.id))
        session.refresh(board)
        session.refresh(actor_person)
    if actor_person.removed_at is not None:
        raise NotAllowed("You are no longer a member of this process")
    require_board_writer(session, actor_person, board)
    if board.locked and actor_person.role != PersonRole.facilitator:
        raise Locked("This board is locked by the facilitator")
    return session.get(Meeting, board.meeting_id, populate_existing=not fresh)


def _refuse_after_end(meeting: Meeting) -> None:
    if meeting.state == MeetingState.ended:
        raise Locked("This meeting has ended: its boards only accept comments now")


def _coordinate(value: float, *, field: str) -> float:
    value = float(value)
    if not math.isfinite(value) or abs(value) > COORDINATE_LIMIT:
        raise InvalidInput("The field '{field}' must be a number between -{limit} and {limit}",
                           field=field, limit=COORDINATE_LIMIT)
    return value


def _size(value: float, *, field: str) -> float:
    value = float(value)
    if not math.isfinite(value) or not 0 < value <= SIZE_LIMIT:
        raise InvalidInput("The field '{field}' must be a number above 0 and at most {limit}",
                           field=field, limit=SIZE_LIMIT)
    return value


def _color(value: str) -> str:
    if not isinstance(value, str) or not COLOR_PATTERN.match(value):
        raise InvalidInput("'{color}' is not a colour: use a palette name or #rrggbb", color=str(value)[:40])
    return value


def is_id(value: object) -> bool:
    """Whether a value from outside can name a row (32-bit integer primary keys)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= ID_LIMIT


def live_item(session: Session, board: Board, item_id: int) -> Item:
    """The item as last committed, if it is still on this board. Raises NotFound."""
    item = session.get(Item, item_id, populate_existing=True) if is_id(item_id) else None
    if item is None or item.board_id != board.id or item.deleted_at is not None:
        raise NotFound("Item {id} is not on this board", id=item_id)
    return item


def _frame_of(session: Session, board: Board, frame_id: int | None, *, item_id: int | None = None) -> int | None:
    if frame_id is None:
        return None
    frame = live_item(session, board, frame_id)
    if frame.kind != ItemKind.frame or frame.id == item_id:
        raise InvalidInput("Item {id} is not a frame that can hold this item", id=frame_id)
    return frame.id


def _is_own(item: Item, person: Person) -> bool:
    return item.author_id == person.id or person.role == PersonRole.facilitator


def _touch(item: Item, board: Board) -> None:
    item.version += 1
    item.updated_at = utcnow()
    if board.private:
        item.private = True


def _visibility(data: dict, item: Item) -> dict:
    """Mark an event about an item that is private, for per-recipient redaction."""
    if item.private:
        data[PRIVATE_AUTHOR] = item.author_id
    return data


def create_item(
    *,
    session: Session,
    board: Board,
    actor_person: Person,
    kind: ItemKind,
    x: float,
    y: float,
    w: float | None = None,
    h: float | None = None,
    text: str = "",
    color: str | None = None,
    prompt_id: int | None = None,
    frame_id: int | None = None,
    op_id: str | None = None,
) -> Event:
    """Put a note, frame or text on the board; returns its `item.created` event.

    After the meeting has ended, only answers to a prompt whose deadline has not passed are
    accepted (riflessione asincrona). Raises NotAllowed, Locked, InvalidInput, NotFound.
    """
    meeting = open_board_for_change(session, board=board, actor_person=actor_person)
    prompt = None
    if prompt_id is not None:
        prompt = session.get(Prompt, prompt_id) if is_id(prompt_id) else None
        if prompt is None or prompt.meeting_id != meeting.id:
            raise InvalidInput("Prompt {id} is not part of this meeting", id=prompt_id)
        if prompt.closed_at is not None:
            raise Locked("This guiding question is closed: its answers stay readable")
    ended = meeting.state == MeetingState.ended
    if ended and (prompt is None or prompt.deadline is None or prompt.deadline <= utcnow()):
        raise Locked("This meeting has ended: new notes only answer a prompt still open for reflection")
    kind = ItemKind(kind)
    default_w, default_h = DEFAULT_SIZE[kind]
    item = insert_now(
        session, Item,
        board_id=board.id,
        kind=kind,
        x=_coordinate(x, field="x"),
        y=_coordinate(y, field="y"),
        w=_size(w if w is not None else default_w, field="w"),
        h=_size(h if h is not None else default_h, field="h"),
        text=clean_text(text, field="text", required=False),
        color=_color(color) if color is not None else DEFAULT_COLOR,
        author_id=actor_person.id,
        organization_id=actor_person.organization_id,
        prompt_id=prompt_id,
        frame_id=_frame_of(session, board, frame_id),
        private=board.private,
        asynchronous=ended,
    )
    data = _visibility({"item": item_view(item, actor_person)}, item)
    return append(session, stream=board_stream(board.id), name="item.created", data=data,
                  actor=actor_person, op_id=op_id)


def update_item(
    *,
    session: Session,
    board: Board,
    actor_person: Person,
    item_id: int,
    fields: dict[str, object],
    op_id: str | None = None,
) -> Event:
    """Change some of `text`, `color`, `w`, `h`, `frame` (last writer wins per field).

    Participants and secretaries change their own items, facilitators any item.
    Returns the `item.updated` event. Raises NotAllowed, Locked, InvalidInput, NotFound.
    """
    unknown = sorted(set(fields) - set(UPDATABLE_FIELDS))
    if unknown:
        raise InvalidInput("'{field}' cannot be changed with item.update", field=unknown[0])
    if not fields:
        raise InvalidInput("item.update needs at least one of: {fields}", fields=", ".join(UPDATABLE_FIELDS))
    meeting = open_board_for_change(session, board=board, actor_person=actor_person)
    _refuse_after_end(meeting)
    item = live_item(session, board, item_id)
    if not _is_own(item, actor_person):
        raise NotAllowed("Only its author or a facilitator may change this item")
    changed: dict[str, object] = {}
    for name in UPDATABLE_FIELDS:
        if name not in fields:
            continue
        value = fields[name]
        if name == "text":
            if not isinstance(value, str):
                raise InvalidInput("The field '{field}' must be a text", field="text")
            item.text = changed["text"] = clean_text(value, field="text", required=False)
        elif name == "color":
            item.color = changed["color"] = _color(value)
        elif name in ("w", "h"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidInput("The field '{field}' must be a number", field=name)
            setattr(item, name, _size(value, field=name))
            changed[name] = getattr(item, name)
        else:
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise InvalidInput("The field '{field}' must be an item id or null", field="frame")
            item.frame_id = changed["frame"] = _frame_of(session, board, value, item_id=item.id)
    _touch(item, board)
    session.add(item)
    data = _visibility({"item": item.id, "fields": changed, "version": item.version}, item)
    return append(session, stream=board_stream(board.id), name="item.updated", data=data,
                  actor=actor_person, op_id=op_id)


# The commonest op in one statement that finds the live item and moves it, instead of a
# read and a flush through the session.
_MOVE = (
    sa_update(_ITEMS)
    .where(_ITEMS.c.id == bindparam("item"), _ITEMS.c.board_id == bindparam("board"),
           _ITEMS.c.deleted_at.is_(None))
    .values(x=bindparam("new_x"), y=bindparam("new_y"), version=_ITEMS.c.version + 1,
            updated_at=bindparam("now"))
    .returning(_ITEMS.c.version)
)


def move_item(
    *,
    session: Session,
    board: Board,
    actor_person: Person,
    item_id: int,
    x: float,
    y: float,
    op_id: str | None = None,
) -> Event:
    """Move any item of a board the actor may write on; returns the `item.moved` event.

    Raises NotAllowed, Locked, InvalidInput, NotFound.
    """
    x = _coordinate(x, field="x")
    y = _coordinate(y, field="y")
    meeting = open_board_for_change(session, board=board, actor_person=actor_person)
    _refuse_after_end(meeting)
    moved = core_execute(session, _MOVE, {"item": item_id, "board": board.id, "new_x": x, "new_y": y,
                                    "now": utcnow()}).first() if is_id(item_id) else None
    if moved is None:
        raise NotFound("Item {id} is not on this board", id=item_id)
    cached = session.identity_map.get(session.identity_key(Item, item_id))
    if cached is not None:
        session.expire(cached)  # read again when next used: the UPDATE went around it
    data = {"item": item_id, "x": x, "y": y, "version": moved.version}
    return append(session, stream=board_stream(board.id), name="item.moved", data=data,
                  actor=actor_person, op_id=op_id)


def delete_item(
    *,
    session: Session,
    board: Board,
    actor_person: Person,
    item_id: int,
    op_id: str | None = None,
) -> Event:
    """Remove an item (kept in the database for the record); returns `item.deleted`.

    Its comments leave the board with it. Participants and secretaries delete their own
    items, facilitators any item. Raises NotAllowed, Locked, NotFound.
    """
    meeting = open_board_for_change(session, board=board, actor_person=actor_person)
    _refuse_after_end(meeting)
    item = live_item(session, board, item_id)
    if not _is_own(item, actor_person):
        raise NotAllowed("Only its author or a facilitator may delete this item")
    item.deleted_at = utcnow()
    item.version += 1
    session.add(item)
    return append(session, stream=board_stream(board.id), name="item.deleted", data={"item": item.id},
                  actor=actor_person, op_id=op_id)

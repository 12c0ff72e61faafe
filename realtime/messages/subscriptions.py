"""`subscribe` / `unsubscribe`: what a subscriber is owed before live events, read from the
database in a worker thread — a replay of the log since `since`, or a snapshot.

The hub registers the subscription before calling `catch_up`, so every event committed
after the read reaches it live; `seq` says where the read stopped. See docs/protocol.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from boards.errors import NotAllowed, NotFound
from boards.items import board_state, is_id, lock_stream, may_read_board
from boards.models import Board, Event, Meeting, Person, StreamHead
from realtime.identity import Identity
from realtime.snapshots import meeting_state
from realtime.streams import LogEvent, StreamName

# Past this many events behind, a snapshot is smaller and quicker than the replay: this is
# what "older than the server retains" means for replay (the log itself is kept whole).
REPLAY_LIMIT = 2000
# Reading a snapshot while writers commit: tries without blocking them before the last,
# which holds the stream's lock.
SNAPSHOT_TRIES = 5


@dataclass(frozen=True)
class CatchUp:
    """Either `events` (a replay) or `state` (a snapshot), as of `seq`."""

    seq: int
    events: list[LogEvent] | None = None
    state: dict | None = None


def head(session: Session, log_stream: str) -> int:
    """The stream's last committed seq, read afresh (never from the identity map)."""
    seq = session.exec(select(StreamHead.seq).where(StreamHead.stream == log_stream)).first()
    return seq or 0


def require_readable(session: Session, identity: Identity, stream: StreamName) -> Board | Meeting:
    """The board (or meeting) behind a stream of this connection's meeting.

    Raises NotFound (no such board in this meeting), NotAllowed (another group's board).
    """
    meeting = session.get(Meeting, identity.meeting_id)
    if stream.kind == "meeting":
        return meeting
    board = session.get(Board, stream.id) if is_id(stream.id) else None
    if board is None or board.meeting_id != identity.meeting_id:
        raise NotFound("Board {id} is not part of this meeting", id=stream.id)
    person = session.get(Person, identity.person_id)
    if not may_read_board(session, person, board):
        raise NotAllowed("This board belongs to another group")
    return board


def catch_up(session: Session, *, identity: Identity, stream: StreamName, since: int) -> CatchUp:
    """Replay since `since` when possible, else a snapshot. Raises NotFound, NotAllowed."""
    target = require_readable(session, identity, stream)
    last = head(session, stream.log)
    if 0 < since <= last and last - since <= REPLAY_LIMIT:
        rows = session.exec(
            select(Event).where(Event.stream == stream.log, Event.seq > since).order_by(Event.seq)
        )
        events = [LogEvent.from_row(row) for row in rows]
        return CatchUp(seq=events[-1].seq if events else since, events=events)
    return _snapshot(session, identity, stream, target)


def _snapshot(session: Session, identity: Identity, stream: StreamName, target: Board | Meeting) -> CatchUp:
    # No commit of this stream between two equal head reads: what was read between them is
    # the state at that seq (every change of the stream commits with its event). Writers
    # that keep committing in between get the last try read under the stream's lock.
    for attempt in range(SNAPSHOT_TRIES):
        if attempt == SNAPSHOT_TRIES - 1:
            lock_stream(session, stream.log)
        session.expire_all()
        before = head(session, stream.log)
        session.refresh(target)
        if stream.kind == "meeting":
            state = meeting_state(session, target)
        else:
            state = board_state(session, target, session.get(Person, identity.person_id))
        if head(session, stream.log) == before:
            break
    session.rollback()
    return CatchUp(seq=before, state=state)


def since(session: Session, *, log_stream: str, first: int, last: int) -> list[LogEvent]:
    """Events `first`..`last` of a stream, to fill a gap in what the hub received."""
    rows = session.exec(
        select(Event)
        .where(Event.stream == log_stream, Event.seq >= first, Event.seq <= last)
        .order_by(Event.seq)
    )
    return [LogEvent.from_row(row) for row in rows]

"""Applying one op: idempotency, the stream's board, the handler, the receipt, the commit.

Runs in a worker thread with its own session; nothing here knows about sockets. The ack is
built only once the transaction has committed, and the hub publishes the returned events
only then. See docs/protocol.md ("An op, from frame to ack").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Row, bindparam, delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from boards.clock import utcnow
from boards.errors import DomainError, NotAllowed, NotFound
from boards.items import hold_stream, is_id, know_membership, membership
from boards.models import Board, Meeting, OpReceipt, Person
from boards.rows import core_execute
from realtime.frames import Op
from realtime.identity import Identity
from realtime.messages.spec import OpContext, OpSpec
from realtime.streams import LogEvent, StreamName
from realtime.visibility import data_for

# The contract asks for at least 24 hours; a client offline over a weekend still gets its ack.
RECEIPT_DAYS = 3


@dataclass(frozen=True)
class Outcome:
    ack: dict
    events: list[LogEvent]
    # People whose connections to the meeting close (4403) now: `participant.remove`.
    close: tuple[int, ...] = ()


def ack_frame(op_id: str, seq: int, result: dict) -> dict:
    return {"type": "ack", "id": op_id, "seq": seq, "result": result}


_RECEIPTS = OpReceipt.__table__
_NEW_RECEIPT = insert(_RECEIPTS)
_RECEIPT = select(_RECEIPTS.c.seq, _RECEIPTS.c.result).where(
    _RECEIPTS.c.person_id == bindparam("person"), _RECEIPTS.c.op_id == bindparam("op"))


def receipt_of(session: Session, person_id: int, op_id: str) -> Row | None:
    """The `seq` and `result` of an op already acknowledged."""
    return session.execute(_RECEIPT, {"person": person_id, "op": op_id}).first()


def execute(session: Session, *, identity: Identity, op: Op, spec: OpSpec, data: dict,
            stream: StreamName, connected: frozenset[int] = frozenset()) -> Outcome:
    """Apply the op in one transaction and commit; an op id already acknowledged gets its
    first ack again, changing nothing. `connected`: who has a connection to the meeting
    (for `meeting.start`). Raises the handler's DomainError (nothing stored).

    The receipt is looked for only when the op fails: a resent op runs again and its
    receipt's INSERT conflicts with the first one's, which undoes it. Resends are rare, and
    reading the receipt first was a tenth of every op's CPU.
    """
    try:
        if stream.kind == "board" and is_id(stream.id):
            # Every board op starts by taking this lock: taken before the reads below, it
            # spares the handler reading the person, meeting and board again.
            hold_stream(session, stream.log)
        person, meeting, board = _context(session, identity, stream)
        applied = spec.apply(OpContext(session, person, meeting, board, op.id, lang=identity.lang,
                                       connected=connected), data)
        events = [LogEvent.from_row(row) for row in applied.events]
        result = applied.result if applied.result is not None else data_for(events[-1], identity.viewer)
        core_execute(session, _NEW_RECEIPT, {"person_id": person.id, "op_id": op.id, "stream": op.stream,
                                            "seq": events[-1].seq, "result": result,
                                            "created_at": utcnow()})
        session.commit()
    except (IntegrityError, DomainError):
        # Sent before and acknowledged (the receipt's INSERT conflicted, or the op cannot
        # apply twice, as deleting a note): its first ack again. Otherwise the error stands.
        session.rollback()
        receipt = receipt_of(session, identity.person_id, op.id)
        if receipt is None:
            raise
        return Outcome(ack_frame(op.id, receipt.seq, receipt.result), [])
    except BaseException:
        session.rollback()
        raise
    return Outcome(ack_frame(op.id, events[-1].seq, result), events, applied.close)


# The rows every op checks, read in one statement rather than one each (a third of the CPU),
# with the sender's membership of a group board's group.
_BOARD_ROWS = select(Person, Meeting, Board, membership(Person.id, Board.group_id)).where(
    Person.id == bindparam("person"), Meeting.id == bindparam("meeting"), Board.id == bindparam("board"),
    Person.process_id == Meeting.process_id, Board.meeting_id == Meeting.id,
).execution_options(populate_existing=True)
_MEETING_ROWS = select(Person, Meeting).where(
    Person.id == bindparam("person"), Meeting.id == bindparam("meeting"),
    Person.process_id == Meeting.process_id,
).execution_options(populate_existing=True)


def _context(session: Session, identity: Identity, stream: StreamName) -> tuple[Person, Meeting, Board | None]:
    """The sender, the meeting and the stream's board, as last committed.

    Raises NotAllowed for a removed sender, NotFound for a board not in the meeting.
    """
    keys = {"person": identity.person_id, "meeting": identity.meeting_id}
    row = None
    if stream.kind == "meeting":
        row = session.execute(_MEETING_ROWS, keys).first()
        row = (*row, None) if row is not None else None
    elif is_id(stream.id):
        row = session.execute(_BOARD_ROWS, {**keys, "board": stream.id}).first()
        if row is not None:
            person, meeting, board, member = row
            if board.group_id is not None:
                know_membership(session, board.group_id, person.id, member)
            row = (person, meeting, board)
    if row is not None and row[0].removed_at is None:
        return tuple(row)
    # Something is missing or refused: the rows one by one say what.
    person = session.get(Person, identity.person_id, populate_existing=True)
    if person is None or person.removed_at is not None:
        raise NotAllowed("You are no longer a member of this process")
    meeting = session.get(Meeting, identity.meeting_id, populate_existing=True)
    board = None
    if stream.kind == "board":
        board = session.get(Board, stream.id, populate_existing=True) if is_id(stream.id) else None
        if board is None or board.meeting_id != meeting.id:
            raise NotFound("Board {id} is not part of this meeting", id=stream.id)
    return person, meeting, board


def prune_receipts(session: Session) -> int:
    """Forget receipts older than RECEIPT_DAYS; returns how many."""
    horizon = utcnow() - timedelta(days=RECEIPT_DAYS)
    result = session.execute(delete(OpReceipt).where(OpReceipt.created_at < horizon))
    session.commit()
    return result.rowcount or 0

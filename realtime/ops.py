"""Applying one op: idempotency, the stream's board, the handler, the receipt, the commit.

Runs in a worker thread with its own session; nothing here knows about sockets. The ack is
built only once the transaction has committed, and the hub publishes the returned events
only then. See docs/protocol.md ("An op, from frame to ack").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from boards.clock import utcnow
from boards.errors import NotAllowed, NotFound
from boards.items import is_id
from boards.models import Board, Meeting, OpReceipt, Person
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


def receipt_of(session: Session, person_id: int, op_id: str) -> OpReceipt | None:
    return session.exec(
        select(OpReceipt).where(OpReceipt.person_id == person_id, OpReceipt.op_id == op_id)
    ).first()


def execute(session: Session, *, identity: Identity, op: Op, spec: OpSpec, data: dict,
            stream: StreamName, connected: frozenset[int] = frozenset()) -> Outcome:
    """Apply the op in one transaction and commit; an op id already acknowledged gets its
    first ack again, changing nothing. `connected`: who has a connection to the meeting
    (for `meeting.start`). Raises the handler's DomainError (nothing stored)."""
    receipt = receipt_of(session, identity.person_id, op.id)
    if receipt is not None:
        return Outcome(ack_frame(op.id, receipt.seq, receipt.result), [])
    person = session.get(Person, identity.person_id)
    if person is None or person.removed_at is not None:
        raise NotAllowed("You are no longer a member of this process")
    meeting = session.get(Meeting, identity.meeting_id)
    board = None
    if stream.kind == "board":
        board = session.get(Board, stream.id) if is_id(stream.id) else None
        if board is None or board.meeting_id != meeting.id:
            raise NotFound("Board {id} is not part of this meeting", id=stream.id)
    try:
        applied = spec.apply(OpContext(session, person, meeting, board, op.id, lang=identity.lang,
                                       connected=connected), data)
        events = [LogEvent.from_row(row) for row in applied.events]
        result = applied.result if applied.result is not None else data_for(events[-1], identity.viewer)
        session.add(OpReceipt(person_id=person.id, op_id=op.id, stream=op.stream,
                              seq=events[-1].seq, result=result))
        session.commit()
    except IntegrityError:
        # The same op id, sent again on another connection, committed first.
        session.rollback()
        receipt = receipt_of(session, identity.person_id, op.id)
        if receipt is None:
            raise
        return Outcome(ack_frame(op.id, receipt.seq, receipt.result), [])
    except BaseException:
        session.rollback()
        raise
    return Outcome(ack_frame(op.id, events[-1].seq, result), events, applied.close)


def prune_receipts(session: Session) -> int:
    """Forget receipts older than RECEIPT_DAYS; returns how many."""
    horizon = utcnow() - timedelta(days=RECEIPT_DAYS)
    result = session.execute(delete(OpReceipt).where(OpReceipt.created_at < horizon))
    session.commit()
    return result.rowcount or 0

"""The durable event log: per-stream sequence numbers handed out by the database.

An event is appended in the same transaction as the change it records, so that what is
acknowledged is what is stored. See docs/protocol.md.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session, select

from boards.models import Event, Person, StreamHead
from boards.rows import core_execute, insert_now

# One statement for both SQLite (3.35+) and PostgreSQL: the row lock it takes orders
# concurrent writers of a stream, across server processes too.
_NEXT_SEQ = text(
    "INSERT INTO streamhead (stream, seq) VALUES (:stream, 1) "
    "ON CONFLICT (stream) DO UPDATE SET seq = streamhead.seq + 1 RETURNING seq"
)


def board_stream(board_id: int) -> str:
    return f"board:{board_id}"


def meeting_stream(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


def head(session: Session, stream: str) -> int:
    """The last seq of a stream, 0 when nothing happened yet."""
    row = session.get(StreamHead, stream)
    return row.seq if row else 0


def append(
    session: Session,
    *,
    stream: str,
    name: str,
    data: dict,
    actor: Person | None,
    op_id: str | None = None,
) -> Event:
    """Add an event to the current transaction with the stream's next seq.

    The row is inserted at once (`boards.rows.insert_now`): the Event returned is not in
    the session.
    """
    seq = core_execute(session, _NEXT_SEQ, {"stream": stream}).scalar_one()
    return insert_now(session, Event, stream=stream, seq=seq, name=name, data=data,
                      actor_person_id=actor.id if actor else None,
                      actor_organization_id=actor.organization_id if actor else None, op_id=op_id)


def since(session: Session, stream: str, seq: int) -> list[Event]:
    return list(
        session.exec(select(Event).where(Event.stream == stream, Event.seq > seq).order_by(Event.seq))
    )

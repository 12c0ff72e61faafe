"""What every op handler is made of: a data reader (no I/O) and an apply function (one
transaction), with the stream kind and roles it is for.

See docs/protocol.md for how an op travels from frame to ack.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session

from boards.errors import InvalidInput
from boards.items import ID_LIMIT
from boards.models import Board, Event, Meeting, Person, PersonRole

# Everyone but observers, who only send presence.
WRITERS = frozenset({PersonRole.facilitator, PersonRole.secretary, PersonRole.participant})
FACILITATORS = frozenset({PersonRole.facilitator})


@dataclass
class OpContext:
    """Where an op runs: its transaction, who sends it, and the stream's meeting and board."""

    session: Session
    person: Person
    meeting: Meeting
    board: Board | None
    op_id: str


@dataclass
class Applied:
    """The events an op appended, in order, and its `result` when not the last event's data."""

    events: list[Event]
    result: dict | None = None


@dataclass(frozen=True)
class OpSpec:
    """One entry of the dispatch table."""

    stream: str  # "board" or "meeting"
    read: Callable[[dict], dict]
    apply: Callable[[OpContext, dict], Applied]
    roles: frozenset[PersonRole] = field(default=WRITERS)


# --- reading op data: shapes only; the domain checks ranges and rules --------------------

def number(data: dict, key: str, *, required: bool = False) -> float | None:
    value = data.get(key)
    if value is None:
        if required:
            raise InvalidInput("The field '{field}' is required", field=key)
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInput("The field '{field}' must be a number", field=key)
    return float(value)


def ident(data: dict, key: str, *, required: bool = False, nullable: bool = True) -> int | None:
    value = data.get(key)
    if value is None:
        if required or (key in data and not nullable):
            raise InvalidInput("The field '{field}' must be an id", field=key)
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= ID_LIMIT:
        raise InvalidInput("The field '{field}' must be an id", field=key)
    return value


def text(data: dict, key: str, *, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise InvalidInput("The field '{field}' is required", field=key)
        return None
    if not isinstance(value, str):
        raise InvalidInput("The field '{field}' must be a text", field=key)
    return value


def choice(data: dict, key: str, allowed: tuple[str, ...]) -> str:
    value = data.get(key)
    if value not in allowed:
        raise InvalidInput("The field '{field}' must be one of: {allowed}", field=key,
                           allowed=", ".join(allowed))
    return value

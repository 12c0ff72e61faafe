"""What every op handler is made of: a data reader (no I/O) and an apply function (one
transaction), with the stream kind and roles it is for.

See docs/protocol.md for how an op travels from frame to ack.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from boards.errors import InvalidInput
from boards.items import ID_LIMIT
from boards.models import Board, Event, Meeting, Person, PersonRole

# Everyone but observers, who only send presence.
WRITERS = frozenset({PersonRole.facilitator, PersonRole.secretary, PersonRole.participant})
FACILITATORS = frozenset({PersonRole.facilitator})
STAFF = frozenset({PersonRole.facilitator, PersonRole.secretary})
# Ids in one list (groups of a prompt, items of a decision): more is not a real request.
IDS_LIMIT = 200


@dataclass
class OpContext:
    """Where an op runs: its transaction, who sends it, and the stream's meeting and board.

    `lang` is the sender's language (names and templates they make are written in it);
    `connected` the people with a connection to the meeting in this process (`meeting.start`
    records them as joined).
    """

    session: Session
    person: Person
    meeting: Meeting
    board: Board | None
    op_id: str
    lang: str = "it"
    connected: frozenset[int] = frozenset()


@dataclass
class Applied:
    """The events an op appended, in order, and its `result` when not the last event's data.

    `close` lists people whose connections to the meeting must close (4403) once committed.
    """

    events: list[Event]
    result: dict | None = None
    close: tuple[int, ...] = ()


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


def integer(data: dict, key: str, *, required: bool = False) -> int | None:
    value = data.get(key)
    if value is None:
        if required:
            raise InvalidInput("The field '{field}' is required", field=key)
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > ID_LIMIT:
        raise InvalidInput("The field '{field}' must be a whole number", field=key)
    return value


def id_list(data: dict, key: str) -> list[int] | None:
    """A list of ids, or None when absent or null."""
    values = data.get(key)
    if values is None:
        return None
    if not isinstance(values, list) or len(values) > IDS_LIMIT:
        raise InvalidInput("The field '{field}' must be a list of ids", field=key)
    return [ident({key: value}, key, required=True) for value in values]


def mapping(data: dict, key: str) -> dict | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidInput("The field '{field}' must be an object", field=key)
    return value


def moment(data: dict, key: str) -> datetime | None:
    """An ISO 8601 date and time (`2026-12-01T18:00:00Z`; without a zone, UTC)."""
    value = data.get(key)
    if value is None:
        return None
    try:
        if not isinstance(value, str) or len(value) > 40:
            raise ValueError
        return datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput("The field '{field}' must be a date and time like 2026-12-01T18:00:00Z",
                           field=key) from None


def day(data: dict, key: str) -> date | None:
    """An ISO 8601 date (`2026-12-01`)."""
    value = data.get(key)
    if value is None:
        return None
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("The field '{field}' must be a date like 2026-12-01", field=key) from None

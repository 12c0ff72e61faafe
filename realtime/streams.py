"""Stream names and events as the hub carries them.

The event log names a meeting's streams `meeting:{id}` and `board:{id}` (see
`boards.events`); on the wire, inside a connection that belongs to one meeting, they are
`meeting` and `board:{id}`. See docs/protocol.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import orjson

from boards.clock import iso
from boards.events import board_stream, meeting_stream
from boards.models import Event

MEETING = "meeting"
_BOARD = re.compile(r"board:([1-9][0-9]{0,9})")


@dataclass(frozen=True)
class StreamName:
    """One stream of one meeting: `kind` is "meeting" or "board", `id` the row id."""

    kind: str
    id: int

    @property
    def wire(self) -> str:
        return MEETING if self.kind == "meeting" else f"board:{self.id}"

    @property
    def log(self) -> str:
        return meeting_stream(self.id) if self.kind == "meeting" else board_stream(self.id)


def parse_wire(name: object, *, meeting_id: int) -> StreamName | None:
    """The stream a client names, or None when it is not a stream name at all."""
    if name == MEETING:
        return StreamName("meeting", meeting_id)
    if isinstance(name, str) and (match := _BOARD.fullmatch(name)):
        return StreamName("board", int(match.group(1)))
    return None


def wire_name(log_stream: str) -> str:
    """`meeting:5` → `meeting`; `board:12` stays."""
    return MEETING if log_stream.startswith("meeting:") else log_stream


@dataclass(frozen=True)
class LogEvent:
    """A committed event, as published between processes and fanned out to connections.

    `data` is the stored data: keys starting with "_" are server-side notes (visibility)
    that `visibility` removes before anything reaches a client.
    """

    stream: str
    seq: int
    name: str
    data: dict
    actor_person: int | None
    actor_organization: int | None
    op: str | None
    at: str

    @classmethod
    def from_row(cls, row: Event) -> LogEvent:
        return cls(
            stream=row.stream,
            seq=row.seq,
            name=row.name,
            data=row.data,
            actor_person=row.actor_person_id,
            actor_organization=row.actor_organization_id,
            op=row.op_id,
            at=iso(row.at),
        )

    def to_json(self) -> dict:
        return {
            "stream": self.stream,
            "seq": self.seq,
            "name": self.name,
            "data": self.data,
            "actor_person": self.actor_person,
            "actor_organization": self.actor_organization,
            "op": self.op,
            "at": self.at,
        }

    @classmethod
    def from_json(cls, value: dict) -> LogEvent:
        return cls(**value)


def pack(events: list[LogEvent]) -> bytes:
    """The broker message for the events of one transaction."""
    return orjson.dumps([event.to_json() for event in events])


def unpack(message: bytes | str) -> list[LogEvent]:
    return [LogEvent.from_json(value) for value in orjson.loads(message)]

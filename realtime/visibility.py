"""Who sees what of an event: visibility classes.

Every recipient of an event falls in one class (`class_of`); the event is rendered and
encoded once per class present among its recipients, never once per recipient. Rules are
per event name; an event without a rule has one class, everyone. Keys of stored event data
starting with "_" are the server's notes for these rules and never leave the server.
See docs/protocol.md ("Visibility classes").
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

from boards.items import PRIVATE_AUTHOR
from boards.models import STAFF_ROLES, PersonRole
from realtime.streams import LogEvent, wire_name

EVERYONE = "everyone"
REDACTED = "redacted"
SECRET = "secret"


@dataclass(frozen=True)
class Viewer:
    person_id: int
    role: PersonRole


@dataclass(frozen=True)
class Rule:
    class_of: Callable[[LogEvent, Viewer], str]
    # Changes a copy of the `data` of the event for one class (other than EVERYONE).
    redact: Callable[[dict, str], None]
    # Whether classes other than EVERYONE also lose the event's `actor` (sent as null).
    hides_actor: bool = False


def _private_item_class(event: LogEvent, viewer: Viewer) -> str:
    """Private mode: the author, facilitators and secretaries see the text; others do not."""
    author = event.data.get(PRIVATE_AUTHOR)
    if author is None or viewer.person_id == author or viewer.role in STAFF_ROLES:
        return EVERYONE
    return REDACTED


def _redact_created(data: dict, _class: str) -> None:
    data["item"]["text"] = None
    data["item"]["redacted"] = True


def _redact_updated(data: dict, _class: str) -> None:
    # Even when the update did not touch the text: its absence would tell nothing, its
    # presence would tell that it changed.
    data["fields"]["text"] = None
    data["fields"]["redacted"] = True


def _ballot_class(event: LogEvent, viewer: Viewer) -> str:
    """The secret ballot: a vote is whole for the voter and the facilitators; the others
    (secretaries too) learn that someone voted, not who nor for what. Votes are only cast
    or retracted while voting runs, so every vote event is secret, in replays too."""
    if viewer.person_id == event.actor_person or viewer.role == PersonRole.facilitator:
        return EVERYONE
    return SECRET


def _redact_ballot(data: dict, _class: str) -> None:
    data["item"] = None


RULES: dict[str, Rule] = {
    "item.created": Rule(_private_item_class, _redact_created),
    "item.updated": Rule(_private_item_class, _redact_updated),
    "vote.cast": Rule(_ballot_class, _redact_ballot, hides_actor=True),
    "vote.retracted": Rule(_ballot_class, _redact_ballot, hides_actor=True),
}


def class_of(event: LogEvent, viewer: Viewer) -> str:
    rule = RULES.get(event.name)
    return rule.class_of(event, viewer) if rule else EVERYONE


def data_for_class(event: LogEvent, klass: str) -> dict:
    data = {key: value for key, value in event.data.items() if not key.startswith("_")}
    if klass != EVERYONE:
        data = copy.deepcopy(data)
        RULES[event.name].redact(data, klass)
    return data


def data_for(event: LogEvent, viewer: Viewer) -> dict:
    """The event's data as `viewer` sees it (an ack's `result`)."""
    return data_for_class(event, class_of(event, viewer))


def event_frame(event: LogEvent, klass: str) -> dict:
    """The `event` frame for one visibility class."""
    actor = {"participant": event.actor_person, "organization": event.actor_organization}
    op = event.op
    if klass != EVERYONE and RULES[event.name].hides_actor:
        # The op id too: clients choose it, and may make it say who they are.
        actor = op = None
    return {
        "type": "event",
        "stream": wire_name(event.stream),
        "seq": event.seq,
        "name": event.name,
        "data": data_for_class(event, klass),
        "actor": actor,
        "op": op,
        "at": event.at,
    }

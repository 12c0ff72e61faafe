"""The facilitator's signals to the room: the timer, summoning everyone's view to a spot
(`summon`), and messages to everyone or to some groups (`message.broadcast`).

They are events of the meeting stream and nothing else: the running timer is read back from
the last timer event. Each function appends its event in the caller's transaction.
See docs/protocol.md ("Meeting ops").
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlmodel import Session, select

from boards.clock import iso, utcnow
from boards.errors import InvalidInput, NotFound
from boards.events import append, meeting_stream
from boards.groups import require_current_groups
from boards.guards import open_meeting_for_change
from boards.ids import fetch
from boards.items import COORDINATE_LIMIT
from boards.models import Board, Event, Meeting, Person
from boards.text import clean_name, clean_text

# A workshop activity is timed in minutes; a day is surely a typo.
TIMER_LIMIT = 24 * 60 * 60
# From a whole-room overview to one note's detail.
ZOOM_MIN, ZOOM_MAX = 0.05, 20.0
TIMER_EVENTS = ("timer.started", "timer.stopped")


def running_timer(session: Session, meeting_id: int, *, now: datetime | None = None) -> dict | None:
    """`{ends_at, label}` of the timer running now, from the last timer event; None once its
    end has passed or it was stopped."""
    last = session.exec(
        select(Event)
        .where(Event.stream == meeting_stream(meeting_id), Event.name.in_(TIMER_EVENTS))
        .order_by(Event.seq.desc())
        .limit(1)
    ).first()
    if last is None or last.name != "timer.started":
        return None
    ends_at = last.data.get("ends_at")
    if not isinstance(ends_at, str) or ends_at <= iso(now or utcnow()):
        return None
    return {"ends_at": ends_at, "label": last.data.get("label")}


def start_timer(*, session: Session, meeting: Meeting, actor_person: Person, seconds: float,
                label: str | None = None, op_id: str | None = None) -> Event:
    """A countdown everyone sees (a new one replaces the running one); returns
    `timer.started` `{ends_at, label}`. Raises NotAllowed, Locked, InvalidInput."""
    open_meeting_for_change(session, meeting=meeting, actor_person=actor_person)
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not math.isfinite(seconds) \
            or not 1 <= seconds <= TIMER_LIMIT:
        raise InvalidInput("The timer must last between 1 and {limit} seconds", limit=TIMER_LIMIT)
    if label is not None:
        label = clean_name(label, field="label", required=False) or None
    ends_at = iso(utcnow() + timedelta(seconds=math.ceil(seconds)))
    return append(session, stream=meeting_stream(meeting.id), name="timer.started",
                  data={"ends_at": ends_at, "label": label}, actor=actor_person, op_id=op_id)


def stop_timer(*, session: Session, meeting: Meeting, actor_person: Person, op_id: str | None = None) -> Event:
    """Returns `timer.stopped`. Raises NotAllowed, Locked, InvalidInput (no timer running)."""
    open_meeting_for_change(session, meeting=meeting, actor_person=actor_person)
    if running_timer(session, meeting.id) is None:
        raise InvalidInput("No timer is running")
    return append(session, stream=meeting_stream(meeting.id), name="timer.stopped", data={},
                  actor=actor_person, op_id=op_id)


def summon(*, session: Session, meeting: Meeting, actor_person: Person, board_id: int, x: float, y: float,
           zoom: float, op_id: str | None = None) -> Event:
    """Bring everyone's view to a spot of a board; returns `summoned` `{board, x, y, zoom}`.
    Raises NotAllowed, Locked, NotFound, InvalidInput."""
    open_meeting_for_change(session, meeting=meeting, actor_person=actor_person)
    board = fetch(session, Board, board_id)
    if board is None or board.meeting_id != meeting.id:
        raise NotFound("Board {id} is not part of this meeting", id=board_id)
    for name, value in (("x", x), ("y", y)):
        if not math.isfinite(value) or abs(value) > COORDINATE_LIMIT:
            raise InvalidInput("The field '{field}' must be a number between -{limit} and {limit}",
                               field=name, limit=COORDINATE_LIMIT)
    if not math.isfinite(zoom) or not ZOOM_MIN <= zoom <= ZOOM_MAX:
        raise InvalidInput("The zoom must be between {low} and {high}", low=ZOOM_MIN, high=ZOOM_MAX)
    return append(session, stream=meeting_stream(meeting.id), name="summoned",
                  data={"board": board.id, "x": x, "y": y, "zoom": zoom}, actor=actor_person, op_id=op_id)


def broadcast(*, session: Session, meeting: Meeting, actor_person: Person, text: str,
              group_ids: list[int] | None = None, op_id: str | None = None) -> Event:
    """A message for everyone, or for the members of some groups (`groups`; clients show it
    to them). Returns `message.broadcast` `{text, groups}`. Raises NotAllowed, Locked,
    InvalidInput."""
    open_meeting_for_change(session, meeting=meeting, actor_person=actor_person)
    text = clean_text(text, field="text")
    if group_ids is not None:
        group_ids = require_current_groups(session, meeting.id, group_ids)
    return append(session, stream=meeting_stream(meeting.id), name="message.broadcast",
                  data={"text": text, "groups": group_ids}, actor=actor_person, op_id=op_id)

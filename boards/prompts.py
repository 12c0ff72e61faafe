"""Guiding questions (domande guida): opened by a facilitator for everyone or for some
groups, optionally with a deadline for reflection between meetings, and closed.

Notes answer a question through their `prompt`; a closed question stays readable but takes
no new notes. Each function appends its event to the meeting stream in the caller's
transaction. See docs/protocol.md ("Meeting ops").
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from boards.clock import typed_moment, utcnow
from boards.errors import InvalidInput, NotFound
from boards.events import append, meeting_stream
from boards.groups import require_current_groups
from boards.guards import open_meeting_for_change
from boards.ids import fetch
from boards.meetings import prompt_view
from boards.models import Event, Meeting, MeetingState, Person, Prompt
from boards.text import clean_text


def open_prompt(*, session: Session, meeting: Meeting, actor_person: Person, text: str,
                group_ids: list[int] | None = None, deadline: datetime | None = None,
                op_id: str | None = None) -> Event:
    """Open a guiding question; `group_ids` None means everyone. A deadline must be in the
    future. Allowed after the meeting has ended (reflection between meetings), then only with
    a deadline: after the end the board takes notes only up to it (`boards.items.create_item`),
    so a question without one could not be answered.

    Returns `prompt.opened`. Raises NotAllowed, InvalidInput.
    """
    open_meeting_for_change(session, meeting=meeting, actor_person=actor_person, after_end=True)
    text = clean_text(text, field="text")
    if group_ids is not None:
        group_ids = require_current_groups(session, meeting.id, group_ids)
    if deadline is not None:
        try:
            deadline = typed_moment(deadline)
        except OverflowError:
            raise InvalidInput("The field '{field}' must be a date and time like 2026-12-01T18:00:00Z",
                               field="deadline") from None
        if deadline <= utcnow():
            raise InvalidInput("The deadline must be in the future")
    elif meeting.state == MeetingState.ended:
        raise InvalidInput("The meeting has ended: a guiding question needs a deadline ('{field}') in the "
                           "future, until which it is answered on the board", field="deadline")
    prompt = Prompt(meeting_id=meeting.id, text=text, group_ids=group_ids, deadline=deadline)
    session.add(prompt)
    session.flush()
    view = prompt_view(prompt)
    return append(session, stream=meeting_stream(meeting.id), name="prompt.opened",
                  data={"prompt": {key: view[key] for key in ("id", "text", "groups", "deadline")}},
                  actor=actor_person, op_id=op_id)


def close_prompt(*, session: Session, meeting: Meeting, actor_person: Person, prompt_id: int,
                 op_id: str | None = None) -> Event:
    """Close an open guiding question of this meeting; returns `prompt.closed`.

    Raises NotAllowed, NotFound, InvalidInput (already closed).
    """
    open_meeting_for_change(session, meeting=meeting, actor_person=actor_person, after_end=True)
    prompt = fetch(session, Prompt, prompt_id)
    if prompt is None or prompt.meeting_id != meeting.id:
        raise NotFound("Prompt {id} is not part of this meeting", id=prompt_id)
    if prompt.closed_at is not None:
        raise InvalidInput("This guiding question is already closed")
    prompt.closed_at = utcnow()
    session.add(prompt)
    return append(session, stream=meeting_stream(meeting.id), name="prompt.closed",
                  data={"prompt": prompt.id}, actor=actor_person, op_id=op_id)

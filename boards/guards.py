"""The checks every facilitation op starts with: take the stream's ordering lock, reload what
it changes, and refuse people without the role, removed people, and ended meetings.

The meeting ops (`meeting.*`, `prompt.*`, `groups.*`...) run under the meeting stream's lock;
the facilitator's board controls (`voting.*`, `private.*`, `board.lock`...) under the board's.
See docs/protocol.md ("Meeting ops").
"""

from __future__ import annotations

from sqlmodel import Session

from boards.errors import Locked, NotAllowed
from boards.events import board_stream, meeting_stream
from boards.items import holds_stream, lock_stream
from boards.models import STAFF_ROLES, Board, Meeting, MeetingState, Person, PersonRole

FACILITATORS = frozenset({PersonRole.facilitator})
STAFF = frozenset(STAFF_ROLES)


def require_role(person: Person, roles: frozenset[PersonRole]) -> None:
    """Raises NotAllowed for removed people and people without one of `roles`."""
    if person.removed_at is not None:
        raise NotAllowed("You are no longer a member of this process")
    if person.role not in roles:
        if roles == FACILITATORS:
            raise NotAllowed("Only facilitators may do this")
        raise NotAllowed("Only the staff of this process may do this")


def refuse_after_end(meeting: Meeting) -> None:
    """Raises Locked once the meeting has ended."""
    if meeting.state == MeetingState.ended:
        raise Locked("This meeting has ended")


def open_meeting_for_change(session: Session, *, meeting: Meeting, actor_person: Person,
                            roles: frozenset[PersonRole] = FACILITATORS,
                            after_end: bool = False) -> Meeting:
    """Lock the meeting stream, reload the meeting and the actor, check the actor's role.

    Unless `after_end`, an ended meeting refuses the op. Raises NotAllowed, Locked.
    """
    lock_stream(session, meeting_stream(meeting.id))
    session.refresh(meeting)
    session.refresh(actor_person)
    require_role(actor_person, roles)
    if not after_end:
        refuse_after_end(meeting)
    return meeting


def open_board_control(session: Session, *, board: Board, actor_person: Person) -> Meeting:
    """Lock the board's stream, reload it, check the actor is a facilitator and the meeting
    has not ended (a board control bypasses the board's lock). Returns the meeting.

    Raises NotAllowed, Locked.
    """
    fresh = holds_stream(session, board_stream(board.id))
    if not fresh:
        lock_stream(session, board_stream(board.id))
        session.refresh(board)
        session.refresh(actor_person)
    require_role(actor_person, FACILITATORS)
    meeting = session.get(Meeting, board.meeting_id, populate_existing=not fresh)
    refuse_board_change_after_end(meeting)
    return meeting


def refuse_board_change_after_end(meeting: Meeting) -> None:
    """Raises Locked once the meeting has ended (for every board op but comments and
    answers to a question still open for reflection)."""
    if meeting.state == MeetingState.ended:
        raise Locked("This meeting has ended: its boards only accept comments now")

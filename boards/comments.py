"""Comments on the items of a board, threaded by `parent` (commenti ai contributi).

Adding one is a board op of the real-time protocol: it appends `comment.added` to the
board's stream in the caller's transaction. See docs/protocol.md.
"""

from __future__ import annotations

from sqlmodel import Session

from boards.errors import InvalidInput
from boards.events import append, board_stream
from boards.items import comment_view, is_id, live_item, open_board_for_change
from boards.models import Board, Comment, Event, MeetingState, Person
from boards.rows import insert_now
from boards.text import clean_text


def add_comment(
    *,
    session: Session,
    board: Board,
    actor_person: Person,
    item_id: int,
    text: str,
    parent_id: int | None = None,
    op_id: str | None = None,
) -> Event:
    """Comment on a live item of the board, or answer a comment on it.

    Still accepted after the meeting has ended (marked as asynchronous). Returns the
    `comment.added` event. Raises NotAllowed, Locked (locked board), InvalidInput, NotFound.
    """
    meeting = open_board_for_change(session, board=board, actor_person=actor_person)
    item = live_item(session, board, item_id)
    if parent_id is not None:
        parent = session.get(Comment, parent_id) if is_id(parent_id) else None
        if parent is None or parent.item_id != item.id:
            raise InvalidInput("Comment {id} is not a comment on this item", id=parent_id)
    comment = insert_now(
        session, Comment,
        item_id=item.id,
        parent_id=parent_id,
        text=clean_text(text, field="text"),
        author_id=actor_person.id,
        organization_id=actor_person.organization_id,
        asynchronous=meeting.state == MeetingState.ended,
    )
    return append(session, stream=board_stream(board.id), name="comment.added",
                  data={"comment": comment_view(comment)}, actor=actor_person, op_id=op_id)


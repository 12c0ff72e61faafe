"""Board snapshots over HTTP, and the notes of a meeting's boards, with the protocol's
visibility rules."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.deps import CurrentActor, SessionDep
from boards import decisions, events, items
from boards.access import require_meeting_member
from boards.meetings import get_meeting

router = APIRouter(tags=["boards"])


@router.get("/boards/{board_id}")
def get_board(board_id: int, actor: CurrentActor, session: SessionDep) -> dict:
    """The board's items as its snapshot shows them to the caller (those who may read it)."""
    board = items.get_board(session, board_id)
    viewer = items.require_board_reader(session, actor, board)
    seq = events.head(session, events.board_stream(board.id))
    return {"id": board.id, "title": board.title, "seq": seq,
            **items.board_state(session, board, viewer)}


# `?items=3&items=5`: the notes of one decision at most.
ItemIds = Annotated[list[int] | None, Query(alias="items", max_length=decisions.ITEMS_LIMIT)]


@router.get("/meetings/{meeting_id}/notes")
def meeting_notes(meeting_id: int, actor: CurrentActor, session: SessionDep, item_ids: ItemIds = None) -> dict:
    """The notes of every board of the meeting the caller may read, or only the `items` named (members)."""
    meeting = get_meeting(session, meeting_id)
    viewer = require_meeting_member(session, actor, meeting)
    return {"boards": decisions.citable_notes(session, meeting, viewer, item_ids)}

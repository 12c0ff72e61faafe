"""Board snapshots over HTTP, with the protocol's visibility rules."""

from __future__ import annotations

from fastapi import APIRouter

from app.deps import CurrentActor, SessionDep
from boards import events, items

router = APIRouter(tags=["boards"])


@router.get("/boards/{board_id}")
def get_board(board_id: int, actor: CurrentActor, session: SessionDep) -> dict:
    """The board's items as its snapshot shows them to the caller (those who may read it)."""
    board = items.get_board(session, board_id)
    viewer = items.require_board_reader(session, actor, board)
    seq = events.head(session, events.board_stream(board.id))
    return {"id": board.id, "title": board.title, "seq": seq,
            **items.board_state(session, board, viewer)}

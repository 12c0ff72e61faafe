"""Boards and their items (notes, frames, texts): who may read them and what they see."""

from __future__ import annotations

from sqlmodel import Session, select

from boards.access import Actor, require_meeting_member
from boards.errors import NotAllowed, NotFound
from boards.ids import fetch
from boards.models import (
    STAFF_ROLES,
    Board,
    BoardKind,
    Comment,
    GroupMember,
    Item,
    Meeting,
    Person,
    Vote,
    VotingRound,
)


def get_board(session: Session, board_id: int) -> Board:
    board = fetch(session, Board, board_id)
    if board is None:
        raise NotFound("Board {id} does not exist", id=board_id)
    return board


def may_read_board(session: Session, person: Person, board: Board) -> bool:
    """Group boards are for their members and staff; every other board for the whole meeting."""
    if board.kind != BoardKind.group or person.role in STAFF_ROLES:
        return True
    return session.exec(
        select(GroupMember.id).where(
            GroupMember.group_id == board.group_id, GroupMember.person_id == person.id
        )
    ).first() is not None


def require_board_reader(session: Session, actor: Actor, board: Board) -> Person:
    """Raises NotAllowed unless the actor may read the board."""
    meeting = session.get(Meeting, board.meeting_id)
    person = require_meeting_member(session, actor, meeting)
    if not may_read_board(session, person, board):
        raise NotAllowed("This board belongs to another group")
    return person


def item_view(item: Item, viewer: Person) -> dict:
    """An item as the protocol shows it to `viewer`, redacted in private mode."""
    view = {
        "id": item.id,
        "kind": item.kind.value,
        "x": item.x,
        "y": item.y,
        "w": item.w,
        "h": item.h,
        "text": item.text,
        "color": item.color,
        "author": item.author_id,
        "organization": item.organization_id,
        "prompt": item.prompt_id,
        "frame": item.frame_id,
        "version": item.version,
    }
    if item.private and viewer.id != item.author_id and viewer.role not in STAFF_ROLES:
        view["text"] = None
        view["redacted"] = True
    return view


def comment_view(comment: Comment) -> dict:
    return {
        "id": comment.id,
        "item": comment.item_id,
        "parent": comment.parent_id,
        "text": comment.text,
        "author": comment.author_id,
        "organization": comment.organization_id,
    }


def live_items(session: Session, board_id: int) -> list[Item]:
    return list(
        session.exec(
            select(Item).where(Item.board_id == board_id, Item.deleted_at.is_(None)).order_by(Item.id)
        )
    )


def board_state(session: Session, board: Board, viewer: Person) -> dict:
    """The protocol's board snapshot `state` for one viewer."""
    items = live_items(session, board.id)
    item_ids = [item.id for item in items]
    comments = (
        session.exec(select(Comment).where(Comment.item_id.in_(item_ids)).order_by(Comment.id)).all()
        if item_ids
        else []
    )
    voting = None
    running = session.exec(
        select(VotingRound).where(VotingRound.board_id == board.id, VotingRound.ended_at.is_(None))
    ).first()
    if running is not None:
        my_votes = session.exec(
            select(Vote.item_id)
            .where(Vote.round_id == running.id, Vote.person_id == viewer.id)
            .order_by(Vote.id)
        ).all()
        voting = {"budget": running.budget, "my_votes": list(my_votes)}
    return {
        "items": [item_view(item, viewer) for item in items],
        "comments": [comment_view(c) for c in comments],
        "voting": voting,
        "private": board.private,
        "locked": board.locked,
    }

"""Dot voting on a board (votazione a punti): a facilitator starts a round with a budget of
votes per person, people cast and retract votes on items (several on one item allowed), and
ending the round publishes the counts and the ranking.

The ballot is secret while the round runs: the real-time layer shows a vote whole only to
the voter and the facilitators (`realtime.visibility`). Each function appends its event to
the board's stream in the caller's transaction. See docs/protocol.md ("Voting").
"""

from __future__ import annotations

from collections import Counter

from sqlmodel import Session, select

from boards.clock import utcnow
from boards.errors import BudgetExhausted, InvalidInput, Locked
from boards.events import append, board_stream
from boards.guards import open_board_control, refuse_board_change_after_end
from boards.items import is_id, live_item, open_board_for_change
from boards.models import Board, Event, Item, Person, Vote, VotingRound
from boards.rows import insert_now

# Votes per person in one round: a dot-voting budget is a handful; beyond this it is a typo.
BUDGET_LIMIT = 100


def running_round(session: Session, board_id: int) -> VotingRound | None:
    return session.exec(
        select(VotingRound).where(VotingRound.board_id == board_id, VotingRound.ended_at.is_(None))
    ).first()


def start_voting(*, session: Session, board: Board, actor_person: Person, budget: int,
                 op_id: str | None = None) -> Event:
    """Start a round with `budget` votes per person; returns `voting.started`.

    Raises NotAllowed, Locked (ended meeting), InvalidInput (budget, a round already running).
    """
    open_board_control(session, board=board, actor_person=actor_person)
    if isinstance(budget, bool) or not isinstance(budget, int) or not 1 <= budget <= BUDGET_LIMIT:
        raise InvalidInput("The budget must be a whole number of votes between 1 and {limit}",
                           limit=BUDGET_LIMIT)
    if running_round(session, board.id) is not None:
        raise InvalidInput("Voting is already running on this board")
    session.add(VotingRound(board_id=board.id, budget=budget))
    return append(session, stream=board_stream(board.id), name="voting.started", data={"budget": budget},
                  actor=actor_person, op_id=op_id)


def end_voting(*, session: Session, board: Board, actor_person: Person, op_id: str | None = None) -> Event:
    """End the running round; returns `voting.ended` with the results.

    Raises NotAllowed, Locked (ended meeting), InvalidInput (no round running).
    """
    open_board_control(session, board=board, actor_person=actor_person)
    voting = running_round(session, board.id)
    if voting is None:
        raise InvalidInput("No voting is running on this board")
    return close_round(session, board, voting, actor_person=actor_person, op_id=op_id)


def close_round(session: Session, board: Board, voting: VotingRound, *, actor_person: Person | None,
                op_id: str | None = None) -> Event:
    """Count, store the results and append `voting.ended` (also when the meeting ends).
    The caller holds the board stream's lock."""
    voting.results = tally(session, voting)
    voting.ended_at = utcnow()
    session.add(voting)
    return append(session, stream=board_stream(board.id), name="voting.ended",
                  data={"results": voting.results}, actor=actor_person, op_id=op_id)


def tally(session: Session, voting: VotingRound) -> list[dict]:
    """`[{item, votes, rank}]` for the live items with votes, most voted first (ties share
    a rank, the next rank skips: 1, 1, 3), then by item id."""
    rows = session.exec(
        select(Vote.item_id).join(Item, Item.id == Vote.item_id)
        .where(Vote.round_id == voting.id, Item.deleted_at.is_(None))
    )
    counts = Counter(rows)
    ordered = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    results = []
    for index, (item_id, votes) in enumerate(ordered):
        rank = results[-1]["rank"] if results and results[-1]["votes"] == votes else index + 1
        results.append({"item": item_id, "votes": votes, "rank": rank})
    return results


def _open_ballot(session: Session, board: Board, actor_person: Person) -> VotingRound:
    meeting = open_board_for_change(session, board=board, actor_person=actor_person)
    refuse_board_change_after_end(meeting)
    voting = running_round(session, board.id)
    if voting is None:
        raise Locked("No voting is running on this board")
    return voting


def cast_vote(*, session: Session, board: Board, actor_person: Person, item_id: int,
              op_id: str | None = None) -> Event:
    """One vote on a live item of the board; returns `vote.cast`.

    Raises NotAllowed, Locked (no round running, locked board, ended meeting), NotFound,
    BudgetExhausted.
    """
    voting = _open_ballot(session, board, actor_person)
    item = live_item(session, board, item_id)
    used = len(session.exec(
        select(Vote.id).where(Vote.round_id == voting.id, Vote.person_id == actor_person.id)
    ).all())
    if used >= voting.budget:
        raise BudgetExhausted("You have used all {budget} of your votes", budget=voting.budget)
    insert_now(session, Vote, round_id=voting.id, item_id=item.id, person_id=actor_person.id)
    return append(session, stream=board_stream(board.id), name="vote.cast", data={"item": item.id},
                  actor=actor_person, op_id=op_id)


def retract_vote(*, session: Session, board: Board, actor_person: Person, item_id: int,
                 op_id: str | None = None) -> Event:
    """Take back one of one's votes on an item; returns `vote.retracted`.

    Raises NotAllowed, Locked, NotFound, InvalidInput (no vote of one's own on that item).
    """
    voting = _open_ballot(session, board, actor_person)
    vote = None if not is_id(item_id) else session.exec(
        select(Vote).where(Vote.round_id == voting.id, Vote.person_id == actor_person.id,
                           Vote.item_id == item_id)
        .order_by(Vote.id.desc())
    ).first()
    if vote is None:
        raise InvalidInput("You have no vote on item {id}", id=item_id)
    session.delete(vote)
    return append(session, stream=board_stream(board.id), name="vote.retracted", data={"item": vote.item_id},
                  actor=actor_person, op_id=op_id)

"""Dot voting (`boards.voting`): a budget per person, no vote without a running round,
retracting, and results with counts and ranking."""

from __future__ import annotations

import pytest

from boards import items, voting
from boards.errors import BudgetExhausted, InvalidInput, Locked, NotAllowed, NotFound
from boards.models import ItemKind, MeetingState
from tests.boards.workshop import build_workshop


@pytest.fixture
def workshop(session):
    return build_workshop(session)


def note(session, workshop, text="idea"):
    event = items.create_item(session=session, board=workshop.plenary, actor_person=workshop.facilitator,
                              kind=ItemKind.note, x=0, y=0, text=text)
    session.commit()
    return event.data["item"]["id"]


def start(session, workshop, budget=3):
    event = voting.start_voting(session=session, board=workshop.plenary, actor_person=workshop.facilitator,
                                budget=budget)
    session.commit()
    return event


def cast(session, workshop, person, item_id):
    event = voting.cast_vote(session=session, board=workshop.plenary, actor_person=person, item_id=item_id)
    session.commit()
    return event


def test_votes_need_a_running_round(session, workshop):
    idea = note(session, workshop)
    voter = workshop.participants[0]
    with pytest.raises(Locked):
        cast(session, workshop, voter, idea)
    session.rollback()
    with pytest.raises(Locked):
        voting.retract_vote(session=session, board=workshop.plenary, actor_person=voter, item_id=idea)
    session.rollback()
    assert start(session, workshop).data == {"budget": 3}
    assert cast(session, workshop, voter, idea).data == {"item": idea}


def test_the_budget_counts_every_vote_of_a_person_and_refuses_beyond(session, workshop):
    first, second = note(session, workshop), note(session, workshop)
    start(session, workshop, budget=3)
    voter, other = workshop.participants[:2]
    for item_id in (first, first, second):  # several votes on one item are allowed
        cast(session, workshop, voter, item_id)
    with pytest.raises(BudgetExhausted):
        cast(session, workshop, voter, second)
    session.rollback()
    cast(session, workshop, other, second)  # the budget is per person
    retracted = voting.retract_vote(session=session, board=workshop.plenary, actor_person=voter, item_id=first)
    session.commit()
    assert (retracted.name, retracted.data) == ("vote.retracted", {"item": first})
    cast(session, workshop, voter, second)  # the retracted vote is back in the budget
    with pytest.raises(InvalidInput):  # no vote of theirs on it
        voting.retract_vote(session=session, board=workshop.plenary, actor_person=other, item_id=first)


def test_ending_reports_counts_and_ranking_of_live_items(session, workshop):
    a, b, c, gone = (note(session, workshop, t) for t in "abcd")
    start(session, workshop, budget=5)
    ballots = {0: [a, a, b, gone], 1: [a, c], 2: [b, c, gone]}
    for index, votes in ballots.items():
        for item_id in votes:
            cast(session, workshop, workshop.participants[index], item_id)
    items.delete_item(session=session, board=workshop.plenary, actor_person=workshop.facilitator, item_id=gone)
    session.commit()
    ended = voting.end_voting(session=session, board=workshop.plenary, actor_person=workshop.facilitator)
    session.commit()
    assert ended.data == {"results": [{"item": a, "votes": 3, "rank": 1}, {"item": b, "votes": 2, "rank": 2},
                                      {"item": c, "votes": 2, "rank": 2}]}
    state = items.board_state(session, workshop.plenary, workshop.participants[0])
    assert state["voting"] is None and state["results"] == ended.data["results"]
    with pytest.raises(InvalidInput):
        voting.end_voting(session=session, board=workshop.plenary, actor_person=workshop.facilitator)


def test_the_snapshot_shows_each_voter_only_their_votes(session, workshop):
    a, b = note(session, workshop), note(session, workshop)
    start(session, workshop, budget=2)
    cast(session, workshop, workshop.participants[0], b)
    cast(session, workshop, workshop.participants[0], a)
    cast(session, workshop, workshop.participants[1], a)
    mine = items.board_state(session, workshop.plenary, workshop.participants[0])["voting"]
    assert mine == {"budget": 2, "my_votes": [b, a]}
    assert items.board_state(session, workshop.plenary, workshop.secretary)["voting"] == {"budget": 2, "my_votes": []}


def test_who_may_start_vote_and_what_is_refused(session, workshop):
    idea = note(session, workshop)
    with pytest.raises(NotAllowed):
        voting.start_voting(session=session, board=workshop.plenary, actor_person=workshop.secretary, budget=3)
    session.rollback()
    for budget in (0, 101, True, 2.5):
        with pytest.raises(InvalidInput):
            start(session, workshop, budget=budget)
        session.rollback()
    start(session, workshop)
    with pytest.raises(InvalidInput):  # one round at a time
        start(session, workshop)
    session.rollback()
    with pytest.raises(NotAllowed):
        cast(session, workshop, workshop.observer, idea)
    session.rollback()
    with pytest.raises(NotFound):
        cast(session, workshop, workshop.participants[0], 999999)
    session.rollback()
    cast(session, workshop, workshop.secretary, idea)  # staff vote too
    workshop.meeting.state = MeetingState.ended
    session.add(workshop.meeting)
    session.commit()
    with pytest.raises(Locked):
        cast(session, workshop, workshop.participants[0], idea)
    session.rollback()
    with pytest.raises(Locked):
        voting.end_voting(session=session, board=workshop.plenary, actor_person=workshop.facilitator)

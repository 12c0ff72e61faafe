"""Breakout groups (`boards.groups`): balanced and random planning, who is placed, boards,
manual assignment, start and end, late joiners, and who may read and write group boards."""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boards import groups, items
from boards.errors import InvalidInput, Locked, NotAllowed
from boards.groups import Candidate, plan_balanced, plan_random
from boards.meetings_live import arrive
from boards.models import Board, BreakoutGroup, ItemKind, MeetingState, OrganizationKind
from tests.boards.workshop import build_workshop, go_live

PUBLIC, HEALTH, THIRD = OrganizationKind.public, OrganizationKind.health, OrganizationKind.third_sector


def people(*orgs: tuple[int, OrganizationKind, int]) -> list[Candidate]:
    """Candidates from `(organisation id, kind, how many)`."""
    found, next_id = [], 1
    for org, kind, count in orgs:
        for _ in range(count):
            found.append(Candidate(next_id, org, kind))
            next_id += 1
    return found


def kinds_in(plan, candidates) -> list[set]:
    kind = {c.person_id: c.kind for c in candidates}
    return [{kind[p] for p in group} for group in plan]


TWELVE = people((1, PUBLIC, 2), (2, PUBLIC, 2), (3, HEALTH, 2), (4, HEALTH, 2), (5, THIRD, 2), (6, THIRD, 2))


@pytest.mark.parametrize("count", [2, 3, 4, 6])
def test_balanced_groups_mix_kinds_and_spread_organisations(count):
    for seed in range(30):
        plan = plan_balanced(TWELVE, count, random.Random(seed))
        assert sorted(p for group in plan for p in group) == list(range(1, 13))
        assert {len(group) for group in plan} == {12 // count}
        org = {c.person_id: c.organization_id for c in TWELVE}
        for group in plan:
            # Two members per organisation: never together while there are groups enough.
            assert max(Counter(org[p] for p in group).values()) == 1
        for kinds in kinds_in(plan, TWELVE):
            assert len(kinds) == (2 if count == 6 else 3)


@pytest.mark.parametrize(("candidates", "count", "mixed"), [
    # Few of the rarer kinds: every group that can have two kinds has them.
    (people((1, PUBLIC, 1), (2, HEALTH, 1), (3, THIRD, 8)), 2, 2),
    (people((1, PUBLIC, 1), (2, HEALTH, 1), (3, THIRD, 8)), 3, 2),
    (people((1, PUBLIC, 3), (2, THIRD, 3)), 2, 2),
    (people((1, PUBLIC, 5), (2, HEALTH, 1), (3, THIRD, 2)), 2, 2),
    (people((1, PUBLIC, 4), (2, HEALTH, 4), (3, THIRD, 1)), 3, 3),
    # People whose organisation is unknown form a kind of their own.
    (people((1, PUBLIC, 2), (2, THIRD, 2)) + [Candidate(99, None, None)], 2, 2),
])
def test_balanced_groups_have_two_kinds_wherever_the_people_allow(candidates, count, mixed):
    for seed in range(30):
        plan = plan_balanced(candidates, count, random.Random(seed))
        assert sum(len(kinds) >= 2 for kinds in kinds_in(plan, candidates)) == mixed


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(list(OrganizationKind)), st.integers(1, 6)), min_size=1, max_size=8),
       st.integers(1, 8), st.integers(0, 2**32))
def test_any_balanced_plan_is_even_and_spreads_each_organisation(orgs, count, seed):
    candidates = people(*[(index, kind, size) for index, (kind, size) in enumerate(orgs, start=1)])
    plan = plan_balanced(candidates, count, random.Random(seed))
    sizes = [len(group) for group in plan]
    assert sum(sizes) == len(candidates) and max(sizes) - min(sizes) <= 1
    org = {c.person_id: c.organization_id for c in candidates}
    for index, (_kind, size) in enumerate(orgs, start=1):
        assert max(sum(org[p] == index for p in group) for group in plan) <= math.ceil(size / count)


def test_random_groups_place_everyone_once_with_even_sizes():
    plan = plan_random(TWELVE, 5, random.Random(1))
    assert sorted(p for group in plan for p in group) == list(range(1, 13))
    assert sorted(len(group) for group in plan) == [2, 2, 2, 3, 3]


@pytest.fixture
def workshop(session):
    return build_workshop(session)


def make(session, workshop, **options):
    event = groups.create_groups(session=session, meeting=workshop.meeting, actor_person=workshop.facilitator,
                                 **{"strategy": "balanced", "count": 4, "rng": random.Random(7), **options})
    session.commit()
    return event


def test_before_the_meeting_groups_are_made_of_every_invited_participant(session, workshop):
    event = make(session, workshop)
    assert (event.name, event.seq) == ("groups.created", 1)
    made = event.data["groups"]
    assert [g["name"] for g in made] == ["Gruppo 1", "Gruppo 2", "Gruppo 3", "Gruppo 4"]
    placed = sorted(p for g in made for p in g["members"])
    assert placed == sorted(p.id for p in workshop.participants)  # not staff, not the observer
    for view in made:
        board = session.get(Board, view["board"])
        assert (board.kind.value, board.group_id, board.title) == ("group", view["id"], view["name"])
        assert len({workshop.kind_of(p) for p in view["members"]}) == 3


def test_while_live_groups_are_made_of_the_participants_present(session, workshop):
    present = workshop.participants[:6]
    go_live(session, workshop, [workshop.facilitator, workshop.observer, *present])
    made = make(session, workshop, count=2, lang="en").data["groups"]
    assert [g["name"] for g in made] == ["Group 1", "Group 2"]
    assert sorted(p for g in made for p in g["members"]) == sorted(p.id for p in present)


def test_manual_groups_take_participants_only(session, workshop):
    a, b, c = workshop.participants[:3]
    made = make(session, workshop, strategy="manual", count=3, assignments={a.id: 0, b.id: 2, c.id: 2}).data["groups"]
    assert [g["members"] for g in made] == [[a.id], [], [b.id, c.id]]
    for assignments, count in (({workshop.secretary.id: 0}, None), ({a.id: 3}, 3), ({a.id: 0}, 0)):
        with pytest.raises(InvalidInput):
            make(session, workshop, strategy="manual", count=count, assignments=assignments)
    with pytest.raises(InvalidInput):
        make(session, workshop, strategy="balanced", count=None)
    with pytest.raises(NotAllowed):
        groups.create_groups(session=session, meeting=workshop.meeting, actor_person=workshop.secretary,
                             strategy="random", count=2)


def test_assign_moves_a_participant_between_groups(session, workshop):
    made = make(session, workshop, count=2).data["groups"]
    mover = made[0]["members"][0]
    event = groups.assign(session=session, meeting=workshop.meeting, actor_person=workshop.facilitator,
                          person_id=mover, group_id=made[1]["id"])
    session.commit()
    assert event.data == {"participant": mover, "group": made[1]["id"]}
    members = groups.members_of(session, groups.current_groups(session, workshop.meeting.id))
    assert mover not in members[made[0]["id"]] and members[made[1]["id"]][-1] == mover
    with pytest.raises(InvalidInput):  # already there
        groups.assign(session=session, meeting=workshop.meeting, actor_person=workshop.facilitator,
                      person_id=mover, group_id=made[1]["id"])
    session.rollback()
    with pytest.raises(InvalidInput):  # observers are not placed
        groups.assign(session=session, meeting=workshop.meeting, actor_person=workshop.facilitator,
                      person_id=workshop.observer.id, group_id=made[1]["id"])


def test_start_end_and_making_new_groups_replaces_the_old(session, workshop):
    made = make(session, workshop, count=2).data["groups"]
    start = groups.start_groups(session=session, meeting=workshop.meeting, actor_person=workshop.facilitator)
    session.commit()
    assert start.name == "groups.started"
    assert all(g.running and g.started_at for g in groups.current_groups(session, workshop.meeting.id))
    with pytest.raises(InvalidInput):  # not while they run
        make(session, workshop)
    session.rollback()
    end = groups.end_groups(session=session, meeting=workshop.meeting, actor_person=workshop.facilitator)
    session.commit()
    assert end.name == "groups.ended"
    assert all(not g.running and g.ended_at for g in groups.current_groups(session, workshop.meeting.id))
    with pytest.raises(InvalidInput):
        groups.end_groups(session=session, meeting=workshop.meeting, actor_person=workshop.facilitator)
    session.rollback()
    make(session, workshop, count=3)
    old = [session.get(BreakoutGroup, g["id"]) for g in made]
    assert all(g.dissolved_at for g in old)
    assert len(groups.current_groups(session, workshop.meeting.id)) == 3


def test_a_participant_arriving_while_groups_run_joins_the_smallest(session, workshop):
    late = workshop.participants[-1]
    go_live(session, workshop, workshop.participants[:-1])
    made = make(session, workshop, count=3).data["groups"]  # 11 present: 4, 4, 3
    groups.start_groups(session=session, meeting=workshop.meeting, actor_person=workshop.facilitator)
    session.commit()
    smallest = next(g for g in made if len(g["members"]) == 3)
    events = arrive(session, workshop.meeting, late)
    session.commit()
    assert [e.name for e in events] == ["participant.joined", "groups.assigned"]
    assert events[1].data == {"participant": late.id, "group": smallest["id"]}
    assert events[1].actor_person_id is None
    # Staff and observers are not placed; nor is someone already in a group.
    for person in (workshop.secretary, workshop.observer):
        assert [e.name for e in arrive(session, workshop.meeting, person)] == ["participant.joined"]
    session.commit()


def test_group_boards_are_written_by_members_and_read_by_all_once_ended(session, workshop):
    made = make(session, workshop, count=2).data["groups"]
    board = session.get(Board, made[0]["board"])
    member = next(p for p in workshop.participants if p.id == made[0]["members"][0])
    outsider = next(p for p in workshop.participants if p.id == made[1]["members"][0])
    groups.start_groups(session=session, meeting=workshop.meeting, actor_person=workshop.facilitator)
    session.commit()
    assert items.may_read_board(session, member, board) and items.may_read_board(session, workshop.secretary, board)
    assert not items.may_read_board(session, outsider, board)
    assert not items.may_read_board(session, workshop.observer, board)
    with pytest.raises(NotAllowed):
        items.create_item(session=session, board=board, actor_person=outsider, kind=ItemKind.note, x=0, y=0)
    session.rollback()
    groups.end_groups(session=session, meeting=workshop.meeting, actor_person=workshop.facilitator)
    session.commit()
    # Reporting back: everyone reads the group boards; only members and staff write.
    assert items.may_read_board(session, outsider, board) and items.may_read_board(session, workshop.observer, board)
    with pytest.raises(NotAllowed):
        items.create_item(session=session, board=board, actor_person=outsider, kind=ItemKind.note, x=0, y=0)
    session.rollback()
    items.create_item(session=session, board=board, actor_person=member, kind=ItemKind.note, x=0, y=0)
    session.commit()


def test_no_groups_are_made_or_changed_after_the_meeting(session, workshop):
    workshop.meeting.state = MeetingState.ended
    session.add(workshop.meeting)
    session.commit()
    with pytest.raises(Locked):
        make(session, workshop)
    session.rollback()

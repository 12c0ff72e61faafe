"""A meeting's life (`boards.meetings_live`): start with the chair and those connected, end
closing what is open and everyone's attendance, what boards accept afterwards, and
removing a participant."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from boards import board_controls, comments, decisions, facilitation, groups, items, meetings_live, prompts, voting
from boards.clock import utcnow
from boards.errors import InvalidInput, Locked, NotAllowed
from boards.models import (
    Attendance,
    AuditEntry,
    AuthToken,
    DecisionMethod,
    GroupMember,
    Invite,
    ItemKind,
    MeetingState,
    VotingRound,
)
from tests.boards.workshop import build_workshop


@pytest.fixture
def workshop(session):
    return build_workshop(session)


def start(session, workshop, connected=()):
    events = meetings_live.start_meeting(session=session, meeting=workshop.meeting, actor_person=workshop.facilitator,
                                         connected=connected)
    session.commit()
    return events


def end(session, workshop):
    events = meetings_live.end_meeting(session=session, meeting=workshop.meeting, actor_person=workshop.facilitator)
    session.commit()
    return events


def test_starting_records_the_chair_and_everyone_connected(session, workshop):
    here = [workshop.facilitator, workshop.observer, *workshop.participants[:3]]
    events = start(session, workshop, connected=[p.id for p in here])
    assert events[0].name == "meeting.started" and events[0].data["at"]
    assert [e.data["participant"] for e in events[1:]] == sorted(p.id for p in here)
    assert {e.name for e in events[1:]} == {"participant.joined"}
    meeting = workshop.meeting
    assert (meeting.state, meeting.chair_id) == (MeetingState.live, workshop.facilitator.id)
    assert meeting.started_at is not None
    with pytest.raises(InvalidInput):
        start(session, workshop)
    session.rollback()
    with pytest.raises(NotAllowed):
        meetings_live.start_meeting(session=session, meeting=workshop.meeting, actor_person=workshop.secretary)


def test_ending_closes_groups_timer_votes_private_mode_and_attendance(session, workshop):
    with pytest.raises(InvalidInput):  # not started yet
        end(session, workshop)
    session.rollback()
    start(session, workshop, connected=[workshop.facilitator.id, workshop.participants[0].id])
    groups.create_groups(session=session, meeting=workshop.meeting, actor_person=workshop.facilitator,
                         strategy="random", count=2)
    groups.start_groups(session=session, meeting=workshop.meeting, actor_person=workshop.facilitator)
    facilitation.start_timer(session=session, meeting=workshop.meeting, actor_person=workshop.facilitator, seconds=300)
    session.commit()
    note = items.create_item(session=session, board=workshop.plenary, actor_person=workshop.participants[0],
                             kind=ItemKind.note, x=0, y=0, text="voto").data["item"]["id"]
    voting.start_voting(session=session, board=workshop.plenary, actor_person=workshop.facilitator, budget=2)
    session.commit()
    voting.cast_vote(session=session, board=workshop.plenary, actor_person=workshop.participants[0], item_id=note)
    board_controls.start_private(session=session, board=workshop.plenary, actor_person=workshop.facilitator)
    session.commit()
    events = end(session, workshop)
    assert [e.name for e in events] == ["groups.ended", "timer.stopped", "voting.ended", "private.revealed",
                                        "meeting.ended"]
    assert events[2].data["results"] == [{"item": note, "votes": 1, "rank": 1}]
    meeting = workshop.meeting
    assert meeting.state == MeetingState.ended and meeting.ended_at is not None
    assert events[-1].data["at"] is not None
    rows = session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id)).all()
    assert len(rows) == 2 and all(row.left_at == meeting.ended_at for row in rows)
    assert session.exec(select(VotingRound).where(VotingRound.ended_at.is_(None),
                                                  VotingRound.board_id == workshop.plenary.id)).first() is None
    assert facilitation.running_timer(session, meeting.id) is None
    with pytest.raises(Locked):
        end(session, workshop)


def test_after_the_end_boards_take_comments_and_answers_to_open_questions_only(session, workshop):
    start(session, workshop)
    author = workshop.participants[0]
    note = items.create_item(session=session, board=workshop.plenary, actor_person=author, kind=ItemKind.note,
                             x=0, y=0, text="prima").data["item"]["id"]
    later = prompts.open_prompt(session=session, meeting=workshop.meeting, actor_person=workshop.facilitator,
                                text="Ci pensate?", deadline=utcnow() + timedelta(days=7)).data["prompt"]["id"]
    session.commit()
    end(session, workshop)
    comments.add_comment(session=session, board=workshop.plenary, actor_person=author, item_id=note, text="dopo")
    answer = items.create_item(session=session, board=workshop.plenary, actor_person=author, kind=ItemKind.note,
                               x=0, y=0, text="riflessione", prompt_id=later)
    session.commit()
    assert answer.data["item"]["prompt"] == later
    refused = [
        (lambda who: items.create_item(session=session, board=workshop.plenary, actor_person=who,
                                       kind=ItemKind.note, x=0, y=0), (author, workshop.facilitator)),
        (lambda who: items.move_item(session=session, board=workshop.plenary, actor_person=who, item_id=note,
                                     x=1, y=1), (author, workshop.facilitator)),
        (lambda who: voting.cast_vote(session=session, board=workshop.plenary, actor_person=who, item_id=note),
         (author, workshop.facilitator)),
        (lambda who: board_controls.lock_board(session=session, board=workshop.plenary, actor_person=who),
         (workshop.facilitator,)),
        (lambda who: voting.start_voting(session=session, board=workshop.plenary, actor_person=who, budget=1),
         (workshop.facilitator,)),
    ]
    for attempt, people in refused:
        for who in people:
            with pytest.raises(Locked):
                attempt(who)
            session.rollback()
    for attempt in (
        lambda: groups.create_groups(session=session, meeting=workshop.meeting, actor_person=workshop.facilitator,
                                     strategy="random", count=2),
        lambda: facilitation.start_timer(session=session, meeting=workshop.meeting, actor_person=workshop.facilitator,
                                         seconds=60),
    ):
        with pytest.raises(Locked):
            attempt()
        session.rollback()
    # The record goes on: decisions and actions by staff.
    decision = decisions.record_decision(session=session, meeting=workshop.meeting, actor_person=workshop.secretary,
                                         text="Approvato", method=DecisionMethod.consensus, outcome="approvato")
    session.commit()
    assert decision.name == "decision.recorded"


def test_removing_a_participant_revokes_access_and_leaves_groups(session, workshop):
    gone = workshop.participants[0]
    start(session, workshop, connected=[gone.id])
    groups.create_groups(session=session, meeting=workshop.meeting, actor_person=workshop.facilitator,
                         strategy="manual", assignments={gone.id: 0})
    session.add(AuthToken(token_hash="removed-person-token", person_id=gone.id,
                          expires_at=utcnow() + timedelta(days=1)))
    session.commit()
    event = meetings_live.remove_participant(session=session, meeting=workshop.meeting,
                                             actor_person=workshop.facilitator, person_id=gone.id)
    session.commit()
    assert (event.name, event.data) == ("participant.removed", {"participant": gone.id})
    assert gone.removed_at is not None
    assert all(i.revoked_at for i in session.exec(select(Invite).where(Invite.person_id == gone.id)))
    assert all(t.revoked_at for t in session.exec(select(AuthToken).where(AuthToken.person_id == gone.id)))
    assert session.exec(select(GroupMember).where(GroupMember.person_id == gone.id)).first() is None
    row = session.exec(select(Attendance).where(Attendance.person_id == gone.id)).one()
    assert row.left_at is not None  # no longer present
    assert meetings_live.leave(session, workshop.meeting, gone) == []
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "participant.remove",
                                                  AuditEntry.target == f"person:{gone.id}")).one()
    assert audit.person_id == workshop.facilitator.id
    for person_id in (gone.id, workshop.secretary.id, 999999):
        with pytest.raises(InvalidInput):
            meetings_live.remove_participant(session=session, meeting=workshop.meeting,
                                             actor_person=workshop.facilitator, person_id=person_id)
        session.rollback()

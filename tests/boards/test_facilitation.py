"""The facilitator's signals (`boards.facilitation`), guiding questions (`boards.prompts`),
the record (`boards.decisions`) and lines of work (`boards.lines`)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from boards import decisions, facilitation, groups, items, lines, prompts
from boards.clock import utcnow
from boards.errors import InvalidInput, Locked, NotAllowed, NotFound
from boards.models import ActionStatus, DecisionMethod, ItemKind
from tests.boards.workshop import build_workshop


@pytest.fixture
def workshop(session):
    return build_workshop(session)


def as_facilitator(session, workshop, function, **data):
    event = function(session=session, meeting=workshop.meeting, actor_person=workshop.facilitator, **data)
    session.commit()
    return event


def test_the_timer_runs_until_stopped_or_over(session, workshop):
    started = as_facilitator(session, workshop, facilitation.start_timer, seconds=90, label=" Lavoro  a gruppi ")
    assert started.data["label"] == "Lavoro a gruppi"
    assert facilitation.running_timer(session, workshop.meeting.id) == started.data
    later = datetime.fromisoformat(started.data["ends_at"]) + timedelta(seconds=1)
    assert facilitation.running_timer(session, workshop.meeting.id, now=later) is None
    assert as_facilitator(session, workshop, facilitation.stop_timer).name == "timer.stopped"
    assert facilitation.running_timer(session, workshop.meeting.id) is None
    with pytest.raises(InvalidInput):
        as_facilitator(session, workshop, facilitation.stop_timer)
    session.rollback()
    for seconds in (0, 86401, float("nan")):
        with pytest.raises(InvalidInput):
            as_facilitator(session, workshop, facilitation.start_timer, seconds=seconds)
        session.rollback()


def test_summon_and_broadcast(session, workshop):
    summoned = as_facilitator(session, workshop, facilitation.summon, board_id=workshop.plenary.id, x=10, y=-20,
                              zoom=1.5)
    assert summoned.data == {"board": workshop.plenary.id, "x": 10, "y": -20, "zoom": 1.5}
    with pytest.raises(NotFound):
        as_facilitator(session, workshop, facilitation.summon, board_id=999999, x=0, y=0, zoom=1)
    session.rollback()
    with pytest.raises(InvalidInput):
        as_facilitator(session, workshop, facilitation.summon, board_id=workshop.plenary.id, x=0, y=0, zoom=100)
    session.rollback()
    made = as_facilitator(session, workshop, groups.create_groups, strategy="random", count=2).data["groups"]
    message = as_facilitator(session, workshop, facilitation.broadcast, text="Cinque minuti",
                             group_ids=[made[1]["id"], made[1]["id"]])
    assert message.data == {"text": "Cinque minuti", "groups": [made[1]["id"]]}
    assert as_facilitator(session, workshop, facilitation.broadcast, text="A tutti").data["groups"] is None
    for group_ids in ([], [999999]):
        with pytest.raises(InvalidInput):
            as_facilitator(session, workshop, facilitation.broadcast, text="x", group_ids=group_ids)
        session.rollback()
    with pytest.raises(NotAllowed):
        facilitation.broadcast(session=session, meeting=workshop.meeting, actor_person=workshop.secretary, text="x")


def test_guiding_questions_open_close_and_take_answers_while_open(session, workshop):
    deadline = utcnow() + timedelta(days=3)
    opened = as_facilitator(session, workshop, prompts.open_prompt, text="Quali bisogni?", deadline=deadline)
    prompt = opened.data["prompt"]
    assert prompt["text"] == "Quali bisogni?" and prompt["groups"] is None and prompt["deadline"].endswith("Z")
    author = workshop.participants[0]
    items.create_item(session=session, board=workshop.plenary, actor_person=author, kind=ItemKind.note, x=0, y=0,
                      prompt_id=prompt["id"])
    session.commit()
    closed = as_facilitator(session, workshop, prompts.close_prompt, prompt_id=prompt["id"])
    assert closed.data == {"prompt": prompt["id"]}
    with pytest.raises(Locked):  # a closed question takes no new answers
        items.create_item(session=session, board=workshop.plenary, actor_person=author, kind=ItemKind.note, x=0, y=0,
                          prompt_id=prompt["id"])
    session.rollback()
    with pytest.raises(InvalidInput):
        as_facilitator(session, workshop, prompts.close_prompt, prompt_id=prompt["id"])
    session.rollback()
    with pytest.raises(NotFound):
        as_facilitator(session, workshop, prompts.close_prompt, prompt_id=999999)
    session.rollback()
    with pytest.raises(InvalidInput):
        as_facilitator(session, workshop, prompts.open_prompt, text="Ieri?", deadline=utcnow() - timedelta(hours=1))
    session.rollback()
    made = as_facilitator(session, workshop, groups.create_groups, strategy="random", count=2).data["groups"]
    for_one = as_facilitator(session, workshop, prompts.open_prompt, text="Solo voi", group_ids=[made[0]["id"]])
    assert for_one.data["prompt"]["groups"] == [made[0]["id"]]
    with pytest.raises(NotAllowed):
        prompts.open_prompt(session=session, meeting=workshop.meeting, actor_person=author, text="Io?")


def test_decisions_and_actions_are_recorded_by_staff(session, workshop):
    note = items.create_item(session=session, board=workshop.plenary, actor_person=workshop.participants[0],
                             kind=ItemKind.note, x=0, y=0).data["item"]["id"]
    session.commit()
    decision = decisions.record_decision(session=session, meeting=workshop.meeting, actor_person=workshop.secretary,
                                         text="Apertura serale", method=DecisionMethod.vote, outcome="approvata",
                                         votes={"for": 9, "against": 2, "abstained": 1}, item_ids=[note, note])
    session.commit()
    assert decision.data["decision"] == {
        "id": decision.data["decision"]["id"], "text": "Apertura serale", "method": "vote", "outcome": "approvata",
        "votes": {"for": 9, "against": 2, "abstained": 1}, "items": [note]}
    gone = items.create_item(session=session, board=workshop.plenary, actor_person=workshop.participants[0],
                             kind=ItemKind.note, x=0, y=0).data["item"]["id"]
    items.delete_item(session=session, board=workshop.plenary, actor_person=workshop.participants[0], item_id=gone)
    session.commit()
    for bad in ({"votes": {"for": -1}}, {"item_ids": [999999]}, {"item_ids": [note, gone]},
                {"method": DecisionMethod.consensus, "votes": {"for": 1}}):
        fields = {"text": "x", "method": DecisionMethod.vote, "outcome": "y", **bad}
        with pytest.raises(InvalidInput):
            decisions.record_decision(session=session, meeting=workshop.meeting, actor_person=workshop.facilitator,
                                      **fields)
        session.rollback()
    owner = workshop.organizations[4].id
    added = decisions.add_action(session=session, meeting=workshop.meeting, actor_person=workshop.facilitator,
                                 text="Mappare gli spazi", owner_id=owner, due=date(2026, 12, 15))
    session.commit()
    action = added.data["action"]
    assert (action["owner"], action["due"], action["status"]) == (owner, "2026-12-15", "open")
    updated = decisions.update_action(session=session, meeting=workshop.meeting, actor_person=workshop.secretary,
                                      action_id=action["id"], status=ActionStatus.done, clear_due=True)
    session.commit()
    assert (updated.data["action"]["status"], updated.data["action"]["due"]) == ("done", None)
    with pytest.raises(NotFound):
        decisions.update_action(session=session, meeting=workshop.meeting, actor_person=workshop.secretary,
                                action_id=999999, status=ActionStatus.done)
    session.rollback()
    with pytest.raises(NotAllowed):
        decisions.add_action(session=session, meeting=workshop.meeting, actor_person=workshop.participants[0],
                             text="x", owner_id=owner)


def test_a_frame_becomes_a_line_of_work_linked_to_its_notes(session, workshop):
    def create(kind, **fields):
        event = items.create_item(session=session, board=workshop.plenary, actor_person=workshop.facilitator,
                                  kind=kind, x=0, y=0, **fields)
        session.commit()
        return event.data["item"]["id"]

    frame = create(ItemKind.frame, text="Accoglienza")
    inside = [create(ItemKind.note, frame_id=frame) for _ in range(3)]
    create(ItemKind.text, frame_id=frame)  # a label, not a contribution
    create(ItemKind.note)  # outside the frame
    items.delete_item(session=session, board=workshop.plenary, actor_person=workshop.facilitator, item_id=inside[2])
    session.commit()
    promoted = as_facilitator(session, workshop, lines.promote_line, board_id=workshop.plenary.id, frame_id=frame,
                              title="Linea 1: accoglienza")
    line = promoted.data["line"]
    assert (line["title"], line["items"], line["board"], line["frame"]) == (
        "Linea 1: accoglienza", inside[:2], workshop.plenary.id, frame)
    assert lines.lines_of(session, workshop.meeting.id) == [line]
    with pytest.raises(InvalidInput):  # once
        as_facilitator(session, workshop, lines.promote_line, board_id=workshop.plenary.id, frame_id=frame, title="x")
    session.rollback()
    with pytest.raises(InvalidInput):  # a note is not a frame
        as_facilitator(session, workshop, lines.promote_line, board_id=workshop.plenary.id, frame_id=inside[0],
                       title="x")
    session.rollback()
    with pytest.raises(NotFound):
        as_facilitator(session, workshop, lines.promote_line, board_id=999999, frame_id=frame, title="x")

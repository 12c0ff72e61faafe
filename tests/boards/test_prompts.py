"""Guiding questions (`boards.prompts`) once the meeting has ended: a question opened then is
for reflection between meetings, answered on the board until its deadline, so it needs one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from boards import meetings_live, prompts
from boards.clock import utcnow
from boards.errors import InvalidInput
from boards.models import Event, Prompt
from tests.boards.workshop import build_workshop


@pytest.fixture
def workshop(session):
    return build_workshop(session)


def open_question(session, workshop, **data):
    event = prompts.open_prompt(session=session, meeting=workshop.meeting, actor_person=workshop.facilitator,
                                text="Che cosa portiamo al prossimo incontro?", **data)
    session.commit()
    return event


def end(session, workshop):
    meeting, chair = workshop.meeting, workshop.facilitator
    meetings_live.start_meeting(session=session, meeting=meeting, actor_person=chair, connected=())
    meetings_live.end_meeting(session=session, meeting=meeting, actor_person=chair)
    session.commit()


def stored(session):
    return session.exec(select(func.count()).select_from(Prompt)).one(), \
        session.exec(select(func.count()).select_from(Event)).one()


def test_before_the_end_a_question_needs_no_deadline(session, workshop):
    assert open_question(session, workshop).data["prompt"]["deadline"] is None


def test_after_the_end_a_question_without_a_deadline_is_refused_and_nothing_is_stored(session, workshop):
    end(session, workshop)
    before = stored(session)
    with pytest.raises(InvalidInput) as refused:
        open_question(session, workshop)
    session.rollback()
    assert refused.value.params == {"field": "deadline"}
    assert "'deadline'" in str(refused.value)
    assert stored(session) == before
    with pytest.raises(InvalidInput):  # a deadline already passed answers nothing either
        open_question(session, workshop, deadline=utcnow() - timedelta(minutes=1))
    session.rollback()
    assert stored(session) == before


def test_after_the_end_a_question_with_a_deadline_opens(session, workshop):
    end(session, workshop)
    deadline = utcnow() + timedelta(days=7)
    opened = open_question(session, workshop, deadline=deadline)
    assert opened.name == "prompt.opened" and opened.data["prompt"]["deadline"].endswith("Z")
    assert session.get(Prompt, opened.data["prompt"]["id"]).deadline is not None

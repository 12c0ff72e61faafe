"""boards.rows: a row inserted at once, returned as an object outside the session."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from boards.models import AuditEntry, Event
from boards.rows import insert_now
from tests.boards.builders import unique


def test_the_row_is_stored_with_the_defaults_and_returned_with_its_id(session):
    stream = unique("board")
    event = insert_now(session, Event, stream=stream, seq=1, name="item.created", data={"n": 1})
    session.commit()
    stored = session.get(Event, event.id)
    assert (stored.stream, stored.seq, stored.data, stored.op_id) == (stream, 1, {"n": 1}, None)
    # The default factory ran once, for the row and the object alike.
    assert event.at is not None and stored.at.replace(tzinfo=None) == event.at.replace(tzinfo=None)
    assert event.actor_person_id is None and inspect(event).transient
    assert event.model_dump()["name"] == "item.created"
    event.op_id = "changed"  # an ordinary object: attributes can be set, nothing is written
    session.expire_all()
    assert session.get(Event, event.id).op_id is None


def test_an_unknown_or_missing_field_is_refused_before_anything_is_written(session):
    with pytest.raises(TypeError, match="no field colour"):
        insert_now(session, Event, stream="board:1", seq=1, name="x", data={}, colour="red")
    with pytest.raises(TypeError, match="needs seq"):
        insert_now(session, Event, stream="board:1", name="x", data={})


def test_every_row_gets_defaults_of_its_own(session):
    first = insert_now(session, AuditEntry, action="test.first")
    second = insert_now(session, AuditEntry, action="test.second")
    session.commit()
    # A factory's default is made again for each row, never shared between them.
    assert first.detail == second.detail == {} and first.detail is not second.detail
    assert (first.target, second.target, first.process_id) == ("", "", None)
    assert second.at >= first.at

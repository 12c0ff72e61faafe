"""One op as the hub applies it (`realtime.ops.execute`), without sockets: on a group board,
the sender's membership of the group is read with the sender, meeting and board, in one
statement, and decides as the separate reading did."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlmodel import Session, func, select

from bench import provision
from boards.errors import NotAllowed
from boards.models import Event, Person
from realtime.frames import Op
from realtime.identity import Identity
from realtime.messages import OPS
from realtime.ops import execute
from realtime.streams import StreamName


def identity_of(session: Session, person_id: int, meeting_id: int) -> Identity:
    person = session.get(Person, person_id)
    return Identity(person_id=person.id, name=person.name, organization_id=person.organization_id,
                    role=person.role, meeting_id=meeting_id, lang="it")


def create_note(engine, identity: Identity, board_id: int, text: str):
    spec, stream = OPS["item.create"], StreamName("board", board_id)
    op = Op(id=f"{identity.person_id}-{text}", stream=stream.wire, name="item.create",
            data={"kind": "note", "x": 0, "y": 0, "text": text})
    with Session(engine, expire_on_commit=False) as session:
        return execute(session, identity=identity, op=op, spec=spec, data=spec.read(op.data), stream=stream)


@pytest.fixture
def breakout(engine):
    return provision.build(engine, participants=4, groups_of=2)


@pytest.fixture
def statements(engine):
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_a_member_writes_on_the_group_board_without_a_separate_membership_query(engine, breakout, statements):
    with Session(engine) as session:
        member = identity_of(session, breakout.person_ids[0], breakout.meeting_id)
    board = breakout.group_boards[breakout.group_of[0]]
    outcome = create_note(engine, member, board, "nel gruppo")
    assert outcome.ack["result"]["item"]["text"] == "nel gruppo"
    assert not [s for s in statements if s.lstrip().startswith("SELECT groupmember")], statements


def test_someone_outside_the_group_is_refused_and_nothing_is_stored(engine, breakout):
    outsider_index = breakout.group_of.index(1)
    with Session(engine) as session:
        outsider = identity_of(session, breakout.person_ids[outsider_index], breakout.meeting_id)
        before = session.exec(select(func.count()).select_from(Event)).one()
    with pytest.raises(NotAllowed):
        create_note(engine, outsider, breakout.group_boards[0], "fuori dal gruppo")
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Event)).one() == before

"""boards.events: the durable event log and its per-stream sequence numbers."""

from __future__ import annotations

import threading

from sqlmodel import Session

from boards import events
from boards.models import Event
from tests.boards.builders import unique


def stream() -> str:
    return unique("board")


def append(session, name: str, where: str, **data):
    return events.append(session, stream=where, name=name, data=data, actor=None)


def test_each_stream_counts_from_one(session):
    board, other = stream(), stream()
    assert events.head(session, board) == 0
    assert [append(session, "item.created", board, n=n).seq for n in range(3)] == [1, 2, 3]
    assert append(session, "item.created", other).seq == 1
    assert append(session, "item.moved", board).seq == 4
    assert (events.head(session, board), events.head(session, other)) == (4, 1)


def test_head_is_never_stale_within_a_transaction(session):
    board = stream()
    append(session, "item.created", board)
    assert events.head(session, board) == 1
    append(session, "item.created", board)
    assert events.head(session, board) == 2


def test_since_replays_in_order(session):
    board = stream()
    for n in range(5):
        append(session, "item.created", board, n=n)
    session.flush()
    replay = events.since(session, board, 2)
    assert [(e.seq, e.data["n"]) for e in replay] == [(3, 2), (4, 3), (5, 4)]
    assert events.since(session, board, 5) == []


def test_stream_names():
    assert events.board_stream(12) == "board:12"
    assert events.meeting_stream(3) == "meeting:3"


def test_a_rolled_back_transaction_gives_its_seqs_back(engine):
    board = stream()
    with Session(engine) as session:
        append(session, "item.created", board)
        session.rollback()
    with Session(engine) as session:
        assert append(session, "item.created", board).seq == 1
        session.rollback()


def test_concurrent_writers_of_a_stream_are_ordered_by_the_database(engine):
    board = stream()
    second_seq = {}

    def second_writer():
        with Session(engine) as second:
            second_seq["seq"] = append(second, "item.moved", board).seq
            second.commit()

    with Session(engine) as first:
        first_seq = append(first, "item.created", board).seq
        writer = threading.Thread(target=second_writer)
        writer.start()
        writer.join(timeout=0.3)
        assert writer.is_alive(), "the second writer must wait for the first one's commit"
        first.commit()
    writer.join(timeout=30)
    assert (first_seq, second_seq["seq"]) == (1, 2)
    with Session(engine) as session:
        assert [e.name for e in events.since(session, board, 0)] == ["item.created", "item.moved"]


def test_an_appended_event_is_stored_at_once_with_its_id(session):
    board = stream()
    event = append(session, "item.created", board, n=1)
    stored = session.get(Event, event.id)
    assert stored is not event  # inserted outside the session's unit of work
    assert (stored.stream, stored.seq, stored.name, stored.data, stored.at) == (board, 1, "item.created", {"n": 1},
                                                                               event.at)

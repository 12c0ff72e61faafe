"""Where the hub's database work runs, what its functions get, and what reaches its callers."""

from __future__ import annotations

import asyncio
import threading

import pytest
from sqlmodel import Session, select

from boards.db import make_engine
from boards.models import Board, BoardKind
from realtime.database_work import DatabaseWork
from realtime.hub import unavailable


class Refused(Exception):
    pass


@pytest.fixture
async def work(engine):
    work = DatabaseWork(engine)
    yield work
    await work.close()


def add_board(session: Session, *, meeting_id: int, title: str) -> Board:
    board = Board(meeting_id=meeting_id, title=title, kind=BoardKind.extra)
    session.add(board)
    session.commit()
    return board


def title_of(session: Session, *, board_id: int) -> str:
    return session.exec(select(Board.title).where(Board.id == board_id)).one()


async def test_a_write_commits_and_what_it_returns_stays_loaded(work, room):
    board = await work.write(add_board, meeting_id=room.meeting, title="Scritta")
    assert board.title == "Scritta" and board.id is not None  # expire_on_commit=False
    assert await work.run(title_of, board_id=board.id) == "Scritta"


async def test_functions_get_a_sqlmodel_session_that_keeps_objects_after_commit(work):
    def session_of(session: Session) -> Session:
        return session

    for call in (work.run, work.write):
        session = await call(session_of)
        assert isinstance(session, Session) and session.expire_on_commit is False


async def test_what_a_function_raises_reaches_its_caller(work):
    def refuse(session: Session) -> None:
        raise Refused

    for call in (work.run, work.write):
        with pytest.raises(Refused):
            await call(refuse)


async def test_reads_run_in_threads_and_writes_in_the_event_loop_thread_only_on_sqlite(work, engine):
    def thread(session: Session) -> int:
        return threading.get_ident()

    loop_thread = threading.get_ident()
    assert await work.run(thread) != loop_thread
    write_in_loop = await work.write(thread) == loop_thread
    assert write_in_loop is (engine.dialect.name == "sqlite")


async def test_a_read_whose_caller_is_cancelled_still_completes(work, room):
    loop = asyncio.get_running_loop()
    started, finished = asyncio.Event(), asyncio.Event()

    def slow_write(session: Session) -> Board:
        loop.call_soon_threadsafe(started.set)
        board = add_board(session, meeting_id=room.meeting, title="Finita")
        loop.call_soon_threadsafe(finished.set)
        return board

    caller = asyncio.ensure_future(work.run(slow_write))
    await started.wait()
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    await asyncio.wait_for(finished.wait(), 10)
    with Session(room.engine) as session:
        assert session.exec(select(Board).where(Board.title == "Finita")).one()


async def test_an_unreachable_postgresql_is_told_apart_as_unavailable():
    work = DatabaseWork(make_engine("postgresql://nobody@127.0.0.1:1/none"))
    try:
        for call in (work.run, work.write):
            with pytest.raises(Exception) as raised:
                await call(title_of, board_id=1)
            assert unavailable(raised.value), raised.value
    finally:
        await work.close()


async def test_work_runs_again_after_a_close(engine):
    work = DatabaseWork(engine)
    await work.close()
    assert await work.run(lambda session: session.exec(select(1)).one()) == 1
    await work.close()

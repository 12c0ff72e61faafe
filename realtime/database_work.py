"""How the hub runs database work: its reads, and the writes of its ordering points.

The domain is plain sync code taking a Session; what differs by database is where it runs.

- SQLite: writes in the event loop's thread, reads in worker threads. In a worker thread
  each of a write's dozen statements gives the GIL back and waits to get it again from the
  busy event loop: the plenary's median latency was 7.7 s that way against 0.27 s inline,
  at half the CPU. SQLite has one writer at a time anyway; the price is that a write
  waiting for SQLite's lock (held by an HTTP request) holds up the loop.
- PostgreSQL: in the event loop's thread too, through psycopg's asyncio driver:
  `AsyncSession.run_sync` runs the sync code in a greenlet and each statement waits for
  PostgreSQL as an awaitable, so the loop serves other work meanwhile and no thread waits
  for the GIL.

See docs/performance.md ("What limits the next step").
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from boards.db import make_async_engine

# Worker threads for SQLite's reads (a hello, a subscription's catch-up): as many as did
# all of the hub's database work before; readers do not wait for each other in WAL mode.
READ_THREADS = 16


class DatabaseWork:
    """Runs `fn(session, **kwargs)` with a session of its own (expire_on_commit=False):
    `fn` commits itself, and what it raises is raised to the caller."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        if engine.dialect.name == "sqlite":
            self._async_engine = None
            self._executor = ThreadPoolExecutor(max_workers=READ_THREADS, thread_name_prefix="tavolo-db")
        else:
            self._async_engine = make_async_engine(engine.url.render_as_string(hide_password=False))
            self._executor = None

    async def run(self, fn: Callable[..., Any], /, **kwargs: Any) -> Any:
        """A read (or a write outside any ordering point), concurrent with other work."""
        if self._async_engine is not None:
            # As a worker thread did, the work goes on if its caller is cancelled: cancelling
            # it between two statements would leave its transaction to the pool to roll back.
            task = asyncio.ensure_future(self._run_async(fn, kwargs))
            task.add_done_callback(_retrieve)
            return await asyncio.shield(task)

        def call() -> Any:
            with Session(self.engine, expire_on_commit=False) as session:
                return fn(session, **kwargs)

        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    async def write(self, fn: Callable[..., Any], /, **kwargs: Any) -> Any:
        """A write at an ordering point, whose caller (`Hub.write`) is never cancelled. On
        SQLite it holds up the event loop while it runs, waiting for SQLite's lock included."""
        if self._async_engine is not None:
            return await self._run_async(fn, kwargs)
        with Session(self.engine, expire_on_commit=False) as session:
            return fn(session, **kwargs)

    async def _run_async(self, fn: Callable[..., Any], kwargs: dict) -> Any:
        async with AsyncSession(self._async_engine, expire_on_commit=False) as session:
            return await session.run_sync(fn, **kwargs)

    async def close(self) -> None:
        """Stop taking work: idle connections close, running work is not waited for."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
        if self._async_engine is not None:
            await self._async_engine.dispose()


def _retrieve(task: asyncio.Task) -> None:
    if not task.cancelled():
        task.exception()

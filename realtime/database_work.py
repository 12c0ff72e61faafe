"""How the hub runs database work: its reads, and the writes of its ordering points.

The domain is plain sync code taking a Session; what differs by database is where it runs.

- SQLite: writes in the event loop's thread, reads in worker threads. In a worker thread
  each of a write's dozen statements gives the GIL back and waits to get it again from the
  busy event loop: the plenary's median latency was 7.7 s that way against 0.27 s inline,
  at half the CPU. SQLite has one writer at a time anyway; the price is that a write
  waiting for SQLite's lock (held by an HTTP request) holds up the loop.
- PostgreSQL: reads and writes in worker threads, writers of different streams side by
  side. In the loop a statement's round trip would hold up every connection. Tried and
  undone: psycopg's asyncio driver (`AsyncSession.run_sync`), where a statement waits in
  the loop without holding it up but resumes only at the loop's next turn, which under
  load lasts longer than the 1 ms a thread waits for the GIL (`hub.SWITCH_INTERVAL`).
  With the loop kept busy, ten writers on one board got 2 to 3 ops a second through it
  against 9 through the threads; the breakout of 500 (on a machine loaded by other work)
  dropped 469 and 481 sockets through it against 272 and 178.

See docs/performance.md ("What limits the next step").
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

# Worker threads. Each one that holds a statement's result competes with the event loop for
# the GIL, and the loop gets its turn after all of them: in the breakout of 500 on
# PostgreSQL, 16 threads left cursors 3.2 s late (median) and board events 9.6 s, 4 threads
# 0.29 s and 5.8 s, at 10 % less CPU (back to back, 27 November). Few enough also leaves
# PostgreSQL's pool (10 + 20 overflow) to HTTP requests.
WORKER_THREADS = 4


class DatabaseWork:
    """Runs `fn(session, **kwargs)` with a session of its own (expire_on_commit=False):
    `fn` commits itself, and what it raises is raised to the caller."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writes_inline = engine.dialect.name == "sqlite"
        self._executor: ThreadPoolExecutor | None = None

    async def run(self, fn: Callable[..., Any], /, **kwargs: Any) -> Any:
        """A read (or a write outside any ordering point) in a worker thread. A cancelled
        caller stops waiting; the work goes on."""
        if self._executor is None:
            # Made at first use, and again after `close` (a hub stopped and started again).
            self._executor = ThreadPoolExecutor(max_workers=WORKER_THREADS, thread_name_prefix="tavolo-db")
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._call, fn, kwargs)

    async def write(self, fn: Callable[..., Any], /, **kwargs: Any) -> Any:
        """A write at an ordering point. On SQLite it holds up the event loop while it runs,
        waiting for SQLite's lock included."""
        if self._writes_inline:
            return self._call(fn, kwargs)
        return await self.run(fn, **kwargs)

    def _call(self, fn: Callable[..., Any], kwargs: dict) -> Any:
        with Session(self.engine, expire_on_commit=False) as session:
            return fn(session, **kwargs)

    async def close(self) -> None:
        """Stop the worker threads; what is running is not waited for."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

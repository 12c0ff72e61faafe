"""Printing documents in worker processes, away from the server's event loop (docs/exports.md,
"Printing").

WeasyPrint lays out a 2,000-contribution verbale in about 30 s of CPU, python-docx and odfpy
take a few seconds: in a thread of the server that time is taken from the event loop serving
every live meeting's websockets, since only one thread runs Python at a time. `Printer` sends
the slow formats (PDF, DOCX, ODT) to a small pool of worker processes and waits for the file
in the calling thread (a route's or background task's thread of the threadpool, never the
event loop). Markdown and HTML cost less than the trip to a worker and are made here.

The pool is made at the first print and again after `close` or a worker's crash. Its workers
are forked from multiprocessing's fork server, a clean single-threaded process started once
that has imported the renderers and WeasyPrint: a new worker is ready at once, and nothing of
the server's threads, sockets or database connections is copied into it.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from boards import exports
from boards.exports import Letterhead
from boards.exports.store import STORED_FORMATS

__all__ = ["Printer", "PrinterCrashed"]

log = logging.getLogger(__name__)

T = TypeVar("T")

# The formats printed in a worker: the slow ones, which are also those worth storing.
IN_WORKER = frozenset(STORED_FORMATS)

# Imported once by the fork server, so every worker starts with them loaded: WeasyPrint and
# Pango take about a second to import, and the server's main script (`tavolo`, uvicorn), which
# multiprocessing would otherwise run again in each worker, under its `__main__` guard.
PRELOAD = ["__main__", "boards.exports", "boards.exports.pdf"]


class PrinterCrashed(RuntimeError):
    """A worker process died while printing (killed, out of memory, a crash in a C library)."""


class Printer:
    """Renders documents in up to `workers` worker processes; with 0 workers, in the calling
    thread (as before there were workers: tests may use it)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._guard = threading.Lock()

    def render(self, markdown: str, fmt: str, letterhead: Letterhead) -> bytes:
        """`boards.exports.render`, in a worker for PDF, DOCX and ODT. Raises ValueError for an
        unknown format and PrinterCrashed when the worker died meanwhile."""
        if fmt not in IN_WORKER:
            return exports.render(markdown, fmt, letterhead)
        return self.call(exports.render, markdown, fmt, letterhead)

    def call(self, function: Callable[..., T], *args: object) -> T:
        """`function(*args)` run in a worker (a module-level function and picklable arguments),
        waiting for its result in this thread; what it raises is raised here. Raises
        PrinterCrashed when the worker died meanwhile: that call fails, the next one gets a
        new pool."""
        if not self.workers:
            return function(*args)
        pool = self._current_pool()
        try:
            return pool.submit(function, *args).result()
        except BrokenProcessPool as error:
            # Every call waiting on the broken pool gets the same error; the first to get here
            # drops it, and the next call makes a new one.
            self._drop(pool)
            log.error("A print worker died while running %s: a new one will be started", function.__name__)
            raise PrinterCrashed("The print worker died while printing") from error

    def close(self) -> None:
        """Stop the workers once they finish what they print (for the app's shutdown). A later
        call starts new ones."""
        with self._guard:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)

    def _current_pool(self) -> ProcessPoolExecutor:
        with self._guard:
            if self._pool is None:
                context = multiprocessing.get_context("forkserver")
                # Only read when the fork server starts, once per server process.
                context.set_forkserver_preload(PRELOAD)
                self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context,
                                                 initializer=_worker_started)
            return self._pool

    def _drop(self, pool: ProcessPoolExecutor) -> None:
        with self._guard:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)


def _worker_started() -> None:
    """In a new worker: leave Ctrl+C to the server, which stops its workers as it shuts down,
    and exit as soon as the server process is gone. A worker waits for work on a queue that
    it holds both ends of: without this, a server killed (or restarted by uvicorn's
    supervisor) would leave its workers, and the fork server, behind for good."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    server = multiprocessing.parent_process()
    if server is None:
        return

    def exit_with_the_server() -> None:
        multiprocessing.connection.wait([server.sentinel])
        os._exit(0)

    threading.Thread(target=exit_with_the_server, name="tavolo-print-worker-watch", daemon=True).start()

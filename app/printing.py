"""Printing documents in worker processes, away from the server's event loop (docs/exports.md,
"Printing").

Printing a 2,000-contribution verbale takes seconds of CPU in every format (reading its
Markdown alone takes half a second, python-docx and odfpy a second or two): in a thread of the server that time is taken from the event loop serving
every live meeting's websockets, since only one thread runs Python at a time. `Printer` sends
the slow formats (PDF, DOCX, ODT) to a small pool of worker processes and waits for the file
in the calling thread (a route's or background task's thread of the threadpool, never the
event loop). Markdown and HTML cost less than the trip to a worker and are made here.

Workers are started as prints need them and kept for the next ones. They are forked from
multiprocessing's fork server, a clean single-threaded process started once that has imported
the renderers: a new worker is ready at once, and nothing of the server's
threads, sockets or database connections is copied into it.

Each worker has a pipe of its own, and says it has a job before running it. That tells apart
the two ways a worker dies: before the job (while idle, by the OOM killer or an operator's
kill), when the job is given to a new worker, and while running it, when the call fails,
since the job may be what kills its worker. A job that outlasts the time limit has its worker
killed, so that nothing can keep a download waiting, or a worker busy, for good.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable
from multiprocessing.reduction import ForkingPickler
from typing import TypeVar

from boards import exports
from boards.exports import Letterhead
from boards.exports.store import STORED_FORMATS

__all__ = ["Printer", "PrinterCrashed", "PrinterTimedOut"]

log = logging.getLogger(__name__)

T = TypeVar("T")

# The formats printed in a worker: the slow ones, which are also those worth storing.
IN_WORKER = frozenset(STORED_FORMATS)

# Imported once by the fork server, so every worker starts with them loaded: the renderers
# and their libraries, and the server's main script (`tavolo`, uvicorn), which multiprocessing would otherwise run again in each worker, under its `__main__` guard.
PRELOAD = ["__main__", "boards.exports", "boards.exports.pdf"]

# What a worker sends when it has read a job, before running it.
STARTED = "started"

# A worker that has grown past this after a job is replaced. Typst keeps what it laid out in
# its last ten compilations (about 200 MiB for a 200-page verbale), for good, in its process:
# a worker that printed long verbali would hold gigabytes.
MAX_WORKER_MEMORY = 256 * 2**20


class PrinterCrashed(RuntimeError):
    """A worker process died while printing (killed, out of memory, a crash in a C library)."""


class PrinterTimedOut(PrinterCrashed):
    """A print outlasted the printer's time limit, and its worker was killed: for the caller,
    a crash like the others."""


class Printer:
    """Renders documents in up to `workers` worker processes, each print given at most
    `timeout` seconds; with 0 workers, in the calling thread and without a limit (as before
    there were workers: tests may use it)."""

    def __init__(self, workers: int, *, timeout: float) -> None:
        self.workers = workers
        self.timeout = timeout
        # One per worker: a print beyond them waits for one to be free.
        self._slots = threading.BoundedSemaphore(workers)
        self._idle: list[_Worker] = []
        self._guard = threading.Lock()

    def render(self, markdown: str, fmt: str, letterhead: Letterhead) -> bytes:
        """`boards.exports.render`, in a worker for PDF, DOCX and ODT. Raises ValueError for an
        unknown format and PrinterCrashed when the worker died meanwhile or took too long."""
        if fmt not in IN_WORKER:
            return exports.render(markdown, fmt, letterhead)
        return self.call(exports.render, markdown, fmt, letterhead)

    def call(self, function: Callable[..., T], *args: object) -> T:
        """`function(*args)` run in a worker (a module-level function and picklable arguments),
        waiting for its result in this thread; what it raises is raised here. Raises
        PrinterCrashed when the worker died while running it, PrinterTimedOut (one of those)
        when it ran longer than the time limit: that call fails, the next one gets a new
        worker. A worker found dead before it took the job is replaced, and the job run by
        the new one."""
        if not self.workers:
            return function(*args)
        job = bytes(ForkingPickler.dumps((function, args)))
        name = getattr(function, "__name__", repr(function))
        with self._slots:
            worker = self._take()
            # One limit for the whole call: a retry on a new worker follows a failure that
            # took no time.
            deadline = time.monotonic() + self.timeout
            try:
                if not worker.start(job, deadline):
                    log.warning("A print worker had died while idle (exit code %s): %s is given to a new one",
                                worker.stop(), name)
                    worker = _Worker()
                    if not worker.start(job, deadline):
                        raise PrinterCrashed("Two print workers in a row died before printing")
                succeeded, value, remote_traceback = worker.result(deadline)
            except PrinterTimedOut:
                worker.stop()
                log.error("A print worker took more than %g s on %s: it was killed, a new one will be started",
                          self.timeout, name)
                raise
            except PrinterCrashed:
                log.error("A print worker died while running %s (exit code %s): a new one will be started",
                          name, worker.stop())
                raise
            except BaseException:
                # Whatever else went wrong (a result that cannot be read, an interrupt), the
                # worker's state is unknown: the next call gets a new one.
                worker.stop()
                raise
            if (memory := worker.memory()) > MAX_WORKER_MEMORY:
                log.info("A print worker holds %d MiB after %s: it is replaced", memory >> 20, name)
                worker.stop()
            else:
                with self._guard:
                    self._idle.append(worker)
        if succeeded:
            return value
        raise value from _RemoteTraceback(remote_traceback)

    def close(self) -> None:
        """Stop the workers once they finish what they print (for the app's shutdown). A later
        call starts new ones."""
        held = 0
        try:
            # Every slot held: no print under way, every worker idle.
            for _ in range(self.workers):
                self._slots.acquire()
                held += 1
            with self._guard:
                idle, self._idle = self._idle, []
            for worker in idle:
                worker.stop()
        finally:
            for _ in range(held):
                self._slots.release()

    def _take(self) -> _Worker:
        """An idle worker, or a new one."""
        with self._guard:
            if self._idle:
                return self._idle.pop()
        return _Worker()


class _Worker:
    """A worker process and the server's end of the pipe to it."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("forkserver")
        # Only read when the fork server starts, once per server process.
        context.set_forkserver_preload(PRELOAD)
        self.pipe, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs,), name="tavolo-print-worker", daemon=True)
        self.process.start()
        # Only the worker holds its end now: the pipe reads as closed once the worker is gone.
        theirs.close()

    def start(self, job: bytes, deadline: float) -> bool:
        """Give the worker `job`: True once it says it has it, False when it had died before
        (so it never ran it). Raises PrinterTimedOut when it does not answer by `deadline`."""
        try:
            self.pipe.send_bytes(job)
        except OSError:
            return False  # BrokenPipeError: the worker's end is closed, the worker gone
        try:
            self._receive(deadline)
        except _Gone:
            return False
        return True

    def result(self, deadline: float) -> tuple[bool, object, str]:
        """What the job returned or raised, with the worker's traceback of it. Raises
        PrinterCrashed when the worker died meanwhile, PrinterTimedOut when it is not done by
        `deadline`."""
        try:
            return self._receive(deadline)
        except _Gone as error:
            raise PrinterCrashed("The print worker died while printing") from error

    def memory(self) -> int:
        """The worker's resident memory in bytes (0 where /proc cannot tell)."""
        try:
            with open(f"/proc/{self.process.pid}/statm", "rb") as statm:
                return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            return 0

    def stop(self) -> int | None:
        """Kill the worker (idle, dead or stuck alike) and return its exit code."""
        self.process.kill()
        self.process.join()
        self.pipe.close()
        return self.process.exitcode

    def _receive(self, deadline: float) -> object:
        try:
            ready = multiprocessing.connection.wait([self.pipe, self.process.sentinel],
                                                    timeout=max(0.0, deadline - time.monotonic()))
            if not ready:
                raise PrinterTimedOut("The print took longer than the time limit")
            if self.pipe not in ready:
                raise _Gone  # the process ended and left nothing to read
            return self.pipe.recv()
        except (EOFError, OSError) as error:
            # ConnectionResetError when the worker died with a job it had not read yet.
            raise _Gone from error


class _Gone(Exception):
    """The worker process is gone."""


class _RemoteTraceback(Exception):
    """The traceback, in the worker, of what a job raised: shown as the cause of its error."""

    def __str__(self) -> str:
        return self.args[0]


def _serve(pipe: multiprocessing.connection.Connection) -> None:
    """A worker's life: run the jobs read from `pipe` until the server closes it."""
    _worker_started()
    while True:
        try:
            job = pipe.recv_bytes()
        except EOFError:
            return
        pipe.send(STARTED)
        try:
            function, args = ForkingPickler.loads(job)
            outcome = (True, function(*args), "")
        except Exception as error:
            outcome = (False, error, traceback.format_exc())
        try:
            pipe.send(outcome)
        except Exception as error:
            # A result or an error that cannot be pickled: say so rather than die, which
            # would look like a crash.
            pipe.send((False, RuntimeError(f"The print worker could not send back its result: {error!r}"),
                       traceback.format_exc()))


def _worker_started() -> None:
    """In a new worker: leave Ctrl+C to the server, which stops its workers as it shuts down,
    and exit as soon as the server process is gone, even in the middle of a job (an idle
    worker would see its pipe closed, a busy one not until it is done)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    server = multiprocessing.parent_process()
    if server is None:
        return

    def exit_with_the_server() -> None:
        multiprocessing.connection.wait([server.sentinel])
        os._exit(0)

    threading.Thread(target=exit_with_the_server, name="tavolo-print-worker-watch", daemon=True).start()

"""The printer (app/printing.py): PDF, DOCX and ODT made in a worker process, a crashed worker
failing only the call it was running, a worker killed while idle costing nothing, a print over
the time limit stopped with its worker, workers made again after they are closed, and workers
that do not outlive their server."""

from __future__ import annotations

import logging
import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app import printing
from app.printing import Printer, PrinterCrashed, PrinterTimedOut
from boards import exports
from boards.exports import Letterhead

MARKDOWN = "# Verbale dell'incontro n. 1\n\n- **C1** Servono più educatori di strada\n"
HEAD = Letterhead("Comune di Padova", "Verbale n. 1", "Bozza non approvata")
ROOT = Path(__file__).resolve().parent.parent


# Far above what these tests print (under a second), however busy the machine.
TIMEOUT = 60


@pytest.fixture
def printer():
    printer = Printer(1, timeout=TIMEOUT)
    yield printer
    printer.close()


def wait_for_exit(pid: int) -> None:
    """Return once the process `pid` has ended: its pidfd becomes readable (an event, with a
    deadline)."""
    try:
        exited = os.pidfd_open(pid)
    except ProcessLookupError:
        return  # gone already
    try:
        assert select.select([exited], [], [], 20)[0] == [exited], f"process {pid} did not exit"
    finally:
        os.close(exited)


def note_and_die(path: str) -> None:
    """A job that leaves a line in `path`, then ends its worker as a segfault in a C library or the
    kernel's OOM killer would."""
    with open(path, "a") as file:
        file.write("ran\n")
    os._exit(70)


def test_pdf_docx_and_odt_are_made_in_another_process(printer, printed):
    assert printer.call(os.getpid) != os.getpid()
    pdf = printer.render(MARKDOWN, "pdf", HEAD)
    # The same bytes as printed here, and no PDF was printed in this process.
    assert pdf.startswith(b"%PDF-") and printed == []
    assert printer.render(MARKDOWN, "docx", HEAD) == exports.render(MARKDOWN, "docx", HEAD)
    assert printer.render(MARKDOWN, "odt", HEAD).startswith(b"PK")
    assert printer.render(MARKDOWN, "md", HEAD) == MARKDOWN.encode()


def test_without_workers_everything_is_printed_here(printed):
    printer = Printer(0, timeout=TIMEOUT)
    assert printer.call(os.getpid) == os.getpid()
    assert printer.render(MARKDOWN, "pdf", HEAD).startswith(b"%PDF-") and printed == [MARKDOWN]


def test_what_the_renderer_raises_is_raised_here_and_the_worker_goes_on(printer):
    with pytest.raises(ValueError, match="Unknown export format 'exe'") as raised:
        printer.call(exports.render, MARKDOWN, "exe", HEAD)
    # Where it was raised in the worker, for the server's log.
    assert 'in render\n    raise ValueError' in str(raised.value.__cause__)
    assert printer.render(MARKDOWN, "pdf", HEAD).startswith(b"%PDF-")


def test_a_worker_that_dies_while_printing_fails_that_call_only(printer, tmp_path):
    first = printer.call(os.getpid)
    ran = tmp_path / "ran"
    with pytest.raises(PrinterCrashed):
        printer.call(note_and_die, str(ran))
    # Run once: a job that may be what kills its worker is not tried again.
    assert ran.read_text() == "ran\n"
    second = printer.call(os.getpid)
    assert second not in (first, os.getpid())
    assert printer.render(MARKDOWN, "pdf", HEAD).startswith(b"%PDF-")


def test_a_worker_killed_while_idle_is_replaced_without_failing_the_next_call(printer, caplog):
    idle = printer.call(os.getpid)
    # What the OOM killer, or an operator's kill, does to a worker waiting for work.
    os.kill(idle, signal.SIGKILL)
    wait_for_exit(idle)
    assert printer.render(MARKDOWN, "pdf", HEAD).startswith(b"%PDF-")
    assert printer.call(os.getpid) not in (idle, os.getpid())
    assert "A print worker had died while idle (exit code -9): render is given to a new one" in caplog.text


def test_a_print_over_the_time_limit_is_stopped_with_its_worker(printer, caplog):
    stuck = printer.call(os.getpid)
    printer.timeout = 0.5
    with pytest.raises(PrinterTimedOut):
        # A print that never returns, as a pathological document or a stuck library would.
        printer.call(signal.pause)
    printer.timeout = TIMEOUT
    # Killed, and reaped: not even a zombie is left.
    with pytest.raises(ProcessLookupError):
        os.kill(stuck, 0)
    assert "A print worker took more than 0.5 s on pause: it was killed" in caplog.text
    assert printer.call(os.getpid) not in (stuck, os.getpid())
    assert printer.render(MARKDOWN, "pdf", HEAD).startswith(b"%PDF-")


_BALLAST: list[bytes] = []


def grow(size: int) -> int:
    """A job that leaves its worker holding `size` more bytes, as Typst's caches do."""
    _BALLAST.append(os.urandom(size))
    return os.getpid()


def test_a_worker_grown_past_its_memory_limit_is_replaced(printer, monkeypatch, caplog):
    monkeypatch.setattr(printing, "MAX_WORKER_MEMORY", 150 * 2**20)
    caplog.set_level(logging.INFO, logger="app.printing")
    small = printer.call(grow, 1024)
    assert printer.call(os.getpid) == small  # kept: well under the limit
    assert printer.call(grow, 200 * 2**20) == small
    wait_for_exit(small)
    assert "it is replaced" in caplog.text
    assert printer.call(os.getpid) not in (small, os.getpid())


def test_a_closed_printer_starts_new_workers_when_used_again(printer):
    first = printer.call(os.getpid)
    printer.close()
    assert printer.call(os.getpid) not in (first, os.getpid())


SERVER_KILLED = """
import os, signal
from app.printing import Printer
print(Printer(1, timeout=60).call(os.getpid), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_workers_exit_when_the_server_process_is_killed():
    server = subprocess.Popen([sys.executable, "-c", SERVER_KILLED], cwd=ROOT, stdout=subprocess.PIPE)
    try:
        worker = int(server.stdout.readline())
        assert server.wait(timeout=30) == -signal.SIGKILL
        wait_for_exit(worker)
    finally:
        server.kill()
        server.stdout.close()

"""The printer (app/printing.py): PDF, DOCX and ODT made in a worker process, a crashed worker
failing only the call it was running, a pool made again after it is closed, and workers that
do not outlive their server."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app.printing import Printer, PrinterCrashed
from boards import exports
from boards.exports import Letterhead

MARKDOWN = "# Verbale dell'incontro n. 1\n\n- **C1** Servono più educatori di strada\n"
HEAD = Letterhead("Comune di Padova", "Verbale n. 1", "Bozza non approvata")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def printer():
    printer = Printer(1)
    yield printer
    printer.close()


def test_pdf_docx_and_odt_are_made_in_another_process(printer, printed):
    assert printer.call(os.getpid) != os.getpid()
    pdf = printer.render(MARKDOWN, "pdf", HEAD)
    # The same bytes as printed here, and WeasyPrint never ran in this process.
    assert pdf.startswith(b"%PDF-") and printed == []
    assert printer.render(MARKDOWN, "docx", HEAD) == exports.render(MARKDOWN, "docx", HEAD)
    assert printer.render(MARKDOWN, "odt", HEAD).startswith(b"PK")
    assert printer.render(MARKDOWN, "md", HEAD) == MARKDOWN.encode()


def test_without_workers_everything_is_printed_here(printed):
    printer = Printer(0)
    assert printer.call(os.getpid) == os.getpid()
    assert printer.render(MARKDOWN, "pdf", HEAD).startswith(b"%PDF-") and printed == [MARKDOWN]


def test_what_the_renderer_raises_is_raised_here_and_the_worker_goes_on(printer):
    with pytest.raises(ValueError, match="Unknown export format 'exe'"):
        printer.call(exports.render, MARKDOWN, "exe", HEAD)
    assert printer.render(MARKDOWN, "pdf", HEAD).startswith(b"%PDF-")


def test_a_worker_that_dies_fails_its_call_and_the_next_call_gets_a_new_worker(printer):
    first = printer.call(os.getpid)
    # What a segfault in Pango or the kernel's OOM killer does to the worker.
    with pytest.raises(PrinterCrashed):
        printer.call(os._exit, 70)
    second = printer.call(os.getpid)
    assert second not in (first, os.getpid())
    assert printer.render(MARKDOWN, "pdf", HEAD).startswith(b"%PDF-")


def test_a_closed_printer_starts_new_workers_when_used_again(printer):
    first = printer.call(os.getpid)
    printer.close()
    assert printer.call(os.getpid) not in (first, os.getpid())


SERVER_KILLED = """
import os, signal
from app.printing import Printer
print(Printer(1).call(os.getpid), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_workers_exit_when_the_server_process_is_killed():
    server = subprocess.Popen([sys.executable, "-c", SERVER_KILLED], cwd=ROOT, stdout=subprocess.PIPE)
    try:
        worker = int(server.stdout.readline())
        assert server.wait(timeout=30) == -signal.SIGKILL
        try:
            exited = os.pidfd_open(worker)
        except ProcessLookupError:
            return  # gone already
        try:
            # The pidfd becomes readable when the worker exits: an event, with a deadline.
            assert select.select([exited], [], [], 20)[0] == [exited], "the worker outlived its server"
        finally:
            os.close(exited)
    finally:
        server.kill()
        server.stdout.close()

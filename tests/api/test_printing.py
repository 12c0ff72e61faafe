"""Documents printed over HTTP by the app's worker process (app/printing.py, app/exports.py):
the server's process never prints a PDF; a worker that dies while printing, or takes longer
than the time limit, answers 503 to that download only, the next download getting a new
worker; a worker killed while idle costs the next download nothing."""

from __future__ import annotations

import os
import select
import signal

import pytest

from boards import exports
from boards.exports import pdf

NOTE = "Servono più educatori di strada"


def not_here(markdown, letterhead):
    raise AssertionError("a PDF was printed in the server's process")


def crash_while_printing_pdfs() -> None:
    """Run in the worker: from now on it dies in the middle of printing a PDF, as it would
    of a segfault in the typesetter."""
    pdf.render_pdf = lambda markdown, letterhead: os._exit(70)
    exports._pdf.cache_clear()


def draft_pdf(client, world, **headers):
    return client.get(f"/api/v1/meetings/{world.meeting['id']}/minutes", params={"format": "pdf"},
                      headers={**world.facilitator.auth, **headers})


def wait_for_exit(pid: int) -> None:
    """Return once the process `pid` has ended (its pidfd becomes readable)."""
    try:
        exited = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    try:
        assert select.select([exited], [], [], 20)[0] == [exited], f"process {pid} did not exit"
    finally:
        os.close(exited)


def assert_printed_by_a_new_worker(client, app, world, old: int) -> None:
    answer = draft_pdf(client, world)
    assert answer.status_code == 200, answer.text
    assert answer.content.startswith(b"%PDF-")
    assert app.state.printer.call(os.getpid) not in (old, os.getpid())


def test_a_draft_is_printed_in_the_worker_process(client, app, world, monkeypatch):
    monkeypatch.setattr(pdf, "render_pdf", not_here)
    assert app.state.printer.call(os.getpid) != os.getpid()
    answer = draft_pdf(client, world)
    assert answer.status_code == 200, answer.text
    assert answer.content.startswith(b"%PDF-") and answer.content.rstrip().endswith(b"%%EOF")
    for fmt, magic in (("docx", b"PK"), ("odt", b"PK"), ("md", b"# ")):
        answer = client.get(f"/api/v1/meetings/{world.meeting['id']}/minutes", params={"format": fmt},
                            headers=world.facilitator.auth)
        assert answer.status_code == 200 and answer.content.startswith(magic), fmt


def test_a_worker_that_dies_while_printing_answers_503_and_the_next_download_gets_a_new_one(client, app, world):
    worker = app.state.printer.call(os.getpid)
    app.state.printer.call(crash_while_printing_pdfs)
    # A clear error rather than a hang or a bare 500, and the print is not tried again (it
    # may be what killed the worker).
    answer = draft_pdf(client, world)
    assert answer.status_code == 503, answer.text
    assert answer.json() == {"detail": "The document could not be printed: try again in a moment"}
    assert answer.headers["retry-after"] == "5"
    assert_printed_by_a_new_worker(client, app, world, worker)


def test_a_worker_killed_while_idle_costs_the_next_download_nothing(client, app, world):
    worker = app.state.printer.call(os.getpid)
    # As the kernel's OOM killer, or an operator, would kill it between two prints.
    os.kill(worker, signal.SIGKILL)
    wait_for_exit(worker)
    assert_printed_by_a_new_worker(client, app, world, worker)


def test_a_print_over_the_time_limit_answers_503_in_the_reader_s_language(client, app, world, monkeypatch):
    worker = app.state.printer.call(os.getpid)
    # A worker that never answers, as one stuck in a library would be.
    os.kill(worker, signal.SIGSTOP)
    monkeypatch.setattr(app.state.printer, "timeout", 0.5)
    answer = draft_pdf(client, world, **{"Accept-Language": "it"})
    assert answer.status_code == 503
    assert answer.json()["detail"] == "Non è stato possibile stampare il documento: riprova tra un momento"
    with pytest.raises(ProcessLookupError):
        os.kill(worker, 0)  # killed and reaped
    monkeypatch.undo()
    assert_printed_by_a_new_worker(client, app, world, worker)

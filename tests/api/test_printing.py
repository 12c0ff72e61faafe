"""Documents printed over HTTP by the app's worker process (app/printing.py, app/exports.py):
the server's process never runs WeasyPrint, and a worker that dies answers 503 to the download
it was printing, the next download getting a new worker."""

from __future__ import annotations

import os
import signal

from boards.exports import pdf

NOTE = "Servono più educatori di strada"


def not_here(markdown, letterhead):
    raise AssertionError("WeasyPrint ran in the server's process")


def draft_pdf(client, world, **headers):
    return client.get(f"/api/v1/meetings/{world.meeting['id']}/minutes", params={"format": "pdf"},
                      headers={**world.facilitator.auth, **headers})


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


def test_a_dead_worker_answers_503_and_the_next_download_gets_a_new_one(client, app, world):
    worker = app.state.printer.call(os.getpid)
    # Killed as the kernel's OOM killer would: the download that was to use it gets a clear
    # error rather than a hang or a bare 500.
    os.kill(worker, signal.SIGKILL)
    answer = draft_pdf(client, world)
    assert answer.status_code == 503, answer.text
    assert answer.json() == {"detail": "The document could not be printed: try again in a moment"}
    assert answer.headers["retry-after"] == "5"

    answer = draft_pdf(client, world)
    assert answer.status_code == 200, answer.text
    assert answer.content.startswith(b"%PDF-")
    assert app.state.printer.call(os.getpid) not in (worker, os.getpid())


def test_the_503_is_in_italian_for_italian_readers(client, app, world):
    os.kill(app.state.printer.call(os.getpid), signal.SIGKILL)
    answer = draft_pdf(client, world, **{"Accept-Language": "it"})
    assert answer.status_code == 503
    assert answer.json()["detail"] == "Non è stato possibile stampare il documento: riprova tra un momento"

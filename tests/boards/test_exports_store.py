"""The store of approved documents' files: one file per exact input, written whole or not at all,
deleted once nobody has read it for a long time."""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
import time

import pytest

from boards import exports
from boards.exports import Letterhead, store
from boards.exports.store import ExportStore

MARKDOWN = "# Verbale dell'incontro n. 1\n\n- **C1** Servono più educatori di strada\n"
HEAD = Letterhead("Comune di Padova", "Verbale n. 1", "Versione 1 approvata il 01/12/2026, SHA-256 abc")


def test_a_file_is_printed_once_then_read_from_disk(tmp_path, printed):
    first = ExportStore(tmp_path).render(MARKDOWN, "pdf", HEAD)
    assert first.startswith(b"%PDF-") and len(printed) == 1
    exports._pdf.cache_clear()
    # Another store on the same directory: another process, or the server after a restart.
    assert ExportStore(tmp_path).render(MARKDOWN, "pdf", HEAD) == first
    assert len(printed) == 1
    assert ExportStore(tmp_path).path(MARKDOWN, "pdf", HEAD).read_bytes() == first


def test_prepare_stores_pdf_docx_and_odt_and_nothing_for_md_or_html(tmp_path, printed):
    files = ExportStore(tmp_path)
    files.prepare(MARKDOWN, HEAD)
    assert sorted(p.suffix for p in tmp_path.rglob("*") if p.is_file()) == [".docx", ".odt", ".pdf"]
    assert files.path(MARKDOWN, "docx", HEAD).read_bytes().startswith(b"PK")
    assert files.render(MARKDOWN, "md", HEAD) == MARKDOWN.encode()
    assert b"<html" in files.render(MARKDOWN, "html", HEAD)
    assert len(list(tmp_path.rglob("*.*"))) == 3 and len(printed) == 1


@pytest.mark.parametrize("change", [
    {"markdown": MARKDOWN + "- **C2** Un altro contributo\n"},
    {"administration": "Comune di Vicenza"},
    {"title": "Verbale n. 2"},
    {"status": "Versione 2 approvata il 02/12/2026, SHA-256 def"},
    {"lang": "en"},
])
def test_any_change_to_what_is_printed_makes_another_file(tmp_path, printed, change):
    files = ExportStore(tmp_path)
    first = files.render(MARKDOWN, "pdf", HEAD)
    markdown = change.pop("markdown", MARKDOWN)
    head = dataclasses.replace(HEAD, **change)
    assert files.path(markdown, "pdf", head) != files.path(MARKDOWN, "pdf", HEAD)
    assert files.render(markdown, "pdf", head) != first
    assert len(printed) == 2 and len(list(tmp_path.rglob("*.pdf"))) == 2


def test_a_new_renderer_version_never_serves_the_old_files(tmp_path, printed, monkeypatch):
    files = ExportStore(tmp_path)
    files.render(MARKDOWN, "pdf", HEAD)
    monkeypatch.setattr(store, "RENDERER_VERSION", store.RENDERER_VERSION + 1)
    exports._pdf.cache_clear()
    files.render(MARKDOWN, "pdf", HEAD)
    assert len(printed) == 2 and len(list(tmp_path.rglob("*.pdf"))) == 2


def test_a_partial_or_empty_file_is_never_served(tmp_path, printed):
    files = ExportStore(tmp_path)
    path = files.path(MARKDOWN, "pdf", HEAD)
    path.parent.mkdir(parents=True)
    # What a writer killed halfway leaves: its temporary file, or (with a disk that lost it)
    # an empty file under the final name.
    path.with_name(f".{path.name}.x1y2.partial").write_bytes(b"%PDF-1.7 cut short")
    path.write_bytes(b"")
    content = files.render(MARKDOWN, "pdf", HEAD)
    assert len(printed) == 1 and content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
    assert path.read_bytes() == content


def test_a_failed_write_leaves_no_file(tmp_path, printed, monkeypatch):
    files = ExportStore(tmp_path)

    def full_disk(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.os, "replace", full_disk)
    with pytest.raises(OSError):
        files.render(MARKDOWN, "pdf", HEAD)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_files_are_readable_by_the_server_alone(tmp_path, printed):
    files = ExportStore(tmp_path)
    files.render(MARKDOWN, "pdf", HEAD)
    assert files.path(MARKDOWN, "pdf", HEAD).stat().st_mode & 0o077 == 0


def test_threads_asking_for_the_same_file_print_it_once(tmp_path, printed):
    files = ExportStore(tmp_path)
    results: list[bytes] = []
    threads = [threading.Thread(target=lambda: results.append(files.render(MARKDOWN, "pdf", HEAD)))
               for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(printed) == 1 and len(set(results)) == 1 and len(results) == 3
    assert store._making == {}


def test_a_failure_while_preparing_is_logged_not_raised(tmp_path, monkeypatch, caplog):
    def broken(markdown: str, fmt: str, letterhead: Letterhead) -> bytes:
        raise RuntimeError("a font is missing")

    monkeypatch.setattr(store, "render", broken)
    with caplog.at_level(logging.ERROR, logger="boards.exports.store"):
        ExportStore(tmp_path).prepare(MARKDOWN, HEAD)
    assert [r.getMessage() for r in caplog.records] == [
        f"Could not make the {fmt} of 'Verbale n. 1'" for fmt in store.STORED_FORMATS]
    assert list(tmp_path.rglob("*.*")) == []


def age(path, days: float) -> None:
    """Make `path` look last read or written `days` ago."""
    then = time.time() - days * 86400
    os.utime(path, (then, then))


def test_prune_deletes_the_files_nobody_read_for_the_period_and_keeps_the_others(tmp_path, printed):
    files = ExportStore(tmp_path)
    files.prepare(MARKDOWN, HEAD)
    kept = files.path(MARKDOWN, "pdf", HEAD)
    # What a renamed administration or an older RENDERER_VERSION leaves, and a crash's leftover.
    stale = files.path(MARKDOWN, "pdf", dataclasses.replace(HEAD, administration="Comune di Vicenza"))
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"%PDF-1.7 of another letterhead")
    leftover = kept.with_name(f".{kept.name}.x1y2.partial")
    leftover.write_bytes(b"%PDF-1.7 cut short")
    for path in (stale, leftover, files.path(MARKDOWN, "docx", HEAD)):
        age(path, store.UNUSED_DAYS + 1)
    age(files.path(MARKDOWN, "odt", HEAD), store.UNUSED_DAYS - 1)

    assert files.prune() == 3
    assert sorted(p.suffix for p in tmp_path.rglob("*") if p.is_file()) == [".odt", ".pdf"]
    # Directories stay: a writer may be about to put a file in one.
    assert stale.parent.is_dir() and kept.parent.is_dir()
    # A deleted file still wanted is made again at its next download.
    assert files.render(MARKDOWN, "docx", HEAD).startswith(b"PK")


def test_a_file_read_is_kept_however_long_ago_it_was_made(tmp_path, printed):
    files = ExportStore(tmp_path)
    made = files.render(MARKDOWN, "pdf", HEAD)
    path = files.path(MARKDOWN, "pdf", HEAD)
    age(path, store.UNUSED_DAYS + 30)
    assert files.render(MARKDOWN, "pdf", HEAD) == made
    assert files.prune() == 0 and path.read_bytes() == made and len(printed) == 1


def test_prune_of_a_store_never_written_does_nothing(tmp_path):
    assert ExportStore(tmp_path / "exports").prune() == 0
    assert not (tmp_path / "exports").exists()

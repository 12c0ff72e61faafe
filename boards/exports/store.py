"""The files of approved documents, made once and kept on disk (docs/exports.md, "Stored files").

An approved version's Markdown never changes, nor does a published version's public text, and
printing a long verbale takes seconds: its PDF, DOCX and ODT are made when the
version is approved or published and kept under `TAVOLO_DATA_DIR/exports/`. A file is named by
the SHA-256 of everything that goes into it (the Markdown, the letterhead, the format and
`RENDERER_VERSION`), so a changed title, administration or layout makes a new file and a file
is never served for another input. Files are written to a temporary name and renamed, so
processes or threads making the same file at once are harmless and a file cut short by a crash
is never read. Drafts are not stored: they change.

Reading a file marks it used (its modification time): `prune` deletes the files nobody has
read for `UNUSED_DAYS`, those of an older `RENDERER_VERSION` or of a renamed administration
among them. A deleted file that is still wanted is made again at its next download.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from boards.exports import Letterhead, render

__all__ = ["RENDERER_VERSION", "STORED_FORMATS", "ExportStore"]

log = logging.getLogger(__name__)

# Part of every file's key: raise it with any change to what the renderers print (layout,
# fonts, CSS, Markdown subset), so that no file made by the old code is served afterwards.
RENDERER_VERSION = 2  # 2: the PDF typeset by Typst

# The formats worth keeping: Markdown and HTML cost less to make than to read from disk.
STORED_FORMATS = ("docx", "odt", "pdf")

# A file nobody has read for this long is deleted by `prune`. Deleting a file still wanted only
# costs a print at its next download (seconds to half a minute), while keeping stale ones costs
# a megabyte or so each: a season of meetings is long enough to keep every file in use.
UNUSED_DAYS = 90

# One lock per file being made in this process: a download arriving while the approval's
# background task prints the same PDF waits for it instead of printing it a second time.
_making: dict[str, tuple[threading.Lock, int]] = {}
_making_guard = threading.Lock()


def key_of(markdown: str, fmt: str, letterhead: Letterhead) -> str:
    """The SHA-256 (hex) of everything a file of format `fmt` is made from."""
    material = json.dumps([RENDERER_VERSION, fmt, markdown, dataclasses.asdict(letterhead)],
                          ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


class ExportStore:
    """Rendered files of frozen texts under `directory`, one per (input, format), made with
    `renderer` (`boards.exports.render`, or the server's printer that calls it in a worker)."""

    def __init__(self, directory: Path, renderer: Callable[[str, str, Letterhead], bytes] | None = None) -> None:
        self.directory = directory
        self.renderer = renderer or render

    def path(self, markdown: str, fmt: str, letterhead: Letterhead) -> Path:
        key = key_of(markdown, fmt, letterhead)
        # 256 subdirectories keep any one of them small.
        return self.directory / key[:2] / f"{key}.{fmt}"

    def render(self, markdown: str, fmt: str, letterhead: Letterhead) -> bytes:
        """The file of format `fmt` for a frozen text: the stored one when it was made before,
        otherwise rendered now and stored. Raises ValueError for an unknown format."""
        if fmt not in STORED_FORMATS:
            return self.renderer(markdown, fmt, letterhead)
        path = self.path(markdown, fmt, letterhead)
        if (content := _read(path)) is not None:
            return content
        with _lock_for(path.name):
            # Made by another thread while this one waited?
            if (content := _read(path)) is not None:
                return content
            content = self.renderer(markdown, fmt, letterhead)
            _write(path, content)
            return content

    def prepare(self, markdown: str, letterhead: Letterhead) -> None:
        """Make and store every stored format of a frozen text, for a background task: a
        failure is logged, and the download will try again and report it."""
        for fmt in STORED_FORMATS:
            try:
                self.render(markdown, fmt, letterhead)
            except Exception:
                log.exception("Could not make the %s of %r", fmt, letterhead.title)

    def prune(self, *, days: float = UNUSED_DAYS, dry_run: bool = False) -> int:
        """Delete the files (and `.partial` leftovers) not read nor written for `days`, and
        return how many (with `dry_run`, only count them). Safe while files are served and
        made: a file deleted while someone reads it is read whole, and one still wanted is
        made again at its next download."""
        if not self.directory.is_dir():
            return 0
        before = time.time() - days * 86400
        deleted = 0
        # Directories are kept: removing one could race a writer between its mkdir and its file.
        for parent, _directories, names in os.walk(self.directory):
            for name in names:
                path = Path(parent, name)
                try:
                    if path.stat(follow_symlinks=False).st_mtime < before:
                        if not dry_run:
                            path.unlink()
                        deleted += 1
                except OSError:
                    # Deleted meanwhile by another server process pruning too, or not ours to
                    # delete: a cache's cleaning never stops the server.
                    continue
        if deleted and not dry_run:
            log.info("Deleted %d stored exports not read for %s days", deleted, days)
        return deleted


def _read(path: Path) -> bytes | None:
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        return None
    if not content:
        # No renderer makes an empty file: an empty one is what a full disk or a crash left.
        return None
    try:
        # Marks the file used, for `prune`; stored files are never modified otherwise.
        os.utime(path)
    except OSError:
        pass  # a read-only store still serves its files
    return content


def _write(path: Path, content: bytes) -> None:
    """Write to a temporary file beside `path`, flushed to disk, then rename it: readers see
    the whole file or none, and a crash leaves only a `.partial` file that nobody reads."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp makes the file readable by the server alone: documents hold personal data.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(handle, "wb") as target:
            target.write(content)
            target.flush()
            os.fsync(target.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def _lock_for(name: str) -> Iterator[None]:
    """Hold this process's lock for one file, forgotten once nobody waits on it."""
    with _making_guard:
        lock, users = _making.get(name, (threading.Lock(), 0))
        _making[name] = (lock, users + 1)
    try:
        with lock:
            yield
    finally:
        with _making_guard:
            users = _making[name][1] - 1
            if users:
                _making[name] = (lock, users)
            else:
                del _making[name]

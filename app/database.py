"""The database of this server: its engine, sessions, schema upgrades with Alembic, and
SQLite's checkpoints."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine
from sqlmodel import Session

from boards.db import make_engine, normalise_url

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
# How often the server copies SQLite's write-ahead log back into the database file.
CHECKPOINT_SECONDS = 0.5

log = logging.getLogger(__name__)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Bring the schema at `url` to the latest migration (creating it from empty)."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), "head")


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = make_engine(url)
        self._checkpoints: Checkpoints | None = None

    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def start(self) -> None:
        """On SQLite, checkpoints in a thread of their own (see `Checkpoints`)."""
        if self.engine.dialect.name == "sqlite" and self.engine.url.database not in (None, "", ":memory:"):
            self._checkpoints = Checkpoints(self.engine.url.database)
            self._checkpoints.start()

    def dispose(self) -> None:
        if self._checkpoints is not None:
            self._checkpoints.stop()
            self._checkpoints = None
        self.engine.dispose()


class Checkpoints:
    """A checkpoint copies the write-ahead log into the database file and syncs it: 5 to
    100 ms for a thousand pages on our disks. SQLite runs one in whichever connection
    commits past `wal_autocheckpoint` pages, and the hub commits in the event loop's thread
    (docs/performance.md), so every connection waited for the disk. This thread does them
    instead, PASSIVE (never waiting for readers or writers), and SQLite's own threshold is
    raised (boards/db.py) to a safety net for when no server runs."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tavolo-checkpoints", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()

    def checkpoint(self, connection: sqlite3.Connection) -> tuple[int, int]:
        """One passive checkpoint: (pages in the log, pages of it now in the database)."""
        _busy, logged, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return logged, copied

    def _run(self) -> None:
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            while not self._stopping.wait(CHECKPOINT_SECONDS):
                try:
                    self.checkpoint(connection)
                except sqlite3.Error:
                    log.warning("could not checkpoint %s", self.path, exc_info=True)
        finally:
            connection.close()

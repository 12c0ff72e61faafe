"""Database engines for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

# Pages of SQLite's write-ahead log after which the committing connection checkpoints.
AUTOCHECKPOINT_PAGES = 10_000


def normalise_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and drive them with psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        # The connection used last comes back first. A connection's page cache holds until
        # another connection commits: handed out in turn (the default), every op's connection
        # read back from the log what the one before had written, 24 reads per op.
        engine = create_engine(url, pool_use_lifo=True, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers continue while one writer commits; foreign keys are off by default.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # A running server checkpoints in a thread of its own (app/database.py); SQLite's own,
    # in the committing connection, is left as a safety net at 40 MB of log.
    cursor.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
    cursor.close()

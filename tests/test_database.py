"""The server's SQLite checkpoints, taken out of the committing connection (app/database.py)."""

import sqlite3
import threading

from sqlalchemy import text

from app.database import Checkpoints, Database
from boards.db import AUTOCHECKPOINT_PAGES, make_engine


def test_commits_leave_the_log_to_the_checkpoints(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'tavolo.db'}")
    with database.engine.begin() as connection:
        assert connection.execute(text("PRAGMA wal_autocheckpoint")).scalar() == AUTOCHECKPOINT_PAGES
        connection.execute(text("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)"))
    # About 1,500 pages of log: past SQLite's default threshold of 1,000.
    for _ in range(500):
        with database.engine.begin() as connection:
            connection.execute(text("INSERT INTO note (body) VALUES (:body)"), {"body": "x" * 12_000})
    checkpoints = Checkpoints(str(tmp_path / "tavolo.db"))
    reader = sqlite3.connect(tmp_path / "tavolo.db")
    try:
        logged, copied = checkpoints.checkpoint(reader)
        # Nothing was checkpointed by the commits themselves: it all waited in the log.
        assert logged > 1000 and copied == logged
        assert reader.execute("SELECT count(*) FROM note").fetchone() == (500,)
    finally:
        reader.close()
        database.dispose()


def test_the_server_database_runs_and_stops_its_checkpoint_thread(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'tavolo.db'}")
    before = set(threading.enumerate())
    database.start()
    started = [thread for thread in set(threading.enumerate()) - before if thread.name == "tavolo-checkpoints"]
    assert len(started) == 1 and started[0].is_alive()
    database.dispose()
    assert not started[0].is_alive()


def test_sqlite_hands_out_the_connection_used_last(tmp_path):
    # Its page cache is still good: see boards/db.py.
    engine = make_engine(f"sqlite:///{tmp_path / 'tavolo.db'}")
    try:
        first, second = engine.connect(), engine.connect()
        last = first.connection.dbapi_connection
        second.close()
        first.close()
        for _ in range(3):
            with engine.connect() as again:
                assert again.connection.dbapi_connection is last
    finally:
        engine.dispose()

"""`tavolo retention run`: the console script erases the people of processes whose last
meeting ended more than TAVOLO_RETENTION_DAYS ago, and says what it did (or would do)."""

from __future__ import annotations

import os
import time
from datetime import timedelta

from sqlmodel import Session, select

from boards.clock import utcnow
from boards.db import make_engine
from boards.models import (
    Account,
    AccountRole,
    AuditEntry,
    Meeting,
    MeetingMode,
    MeetingState,
    Person,
    PersonRole,
    Process,
    ProcessKind,
)
from tests.test_cli import sqlite_url, tavolo  # noqa: F401 - the fixture


def _over_process(url: str) -> int:
    """A process whose only meeting ended 400 days ago, with a participant: returns their id."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            account = Account(email="f@example.org", name="Giulia Ferraro", role=AccountRole.facilitator,
                              password_hash="-")
            session.add(account)
            session.flush()
            process = Process(title="Percorso finito", kind=ProcessKind.co_design, created_by=account.id)
            session.add(process)
            session.flush()
            ended = utcnow() - timedelta(days=400)
            session.add(Meeting(process_id=process.id, number=1, title="Unico", starts_at=ended, mode=MeetingMode.online,
                                state=MeetingState.ended, started_at=ended, ended_at=ended))
            person = Person(process_id=process.id, name="Anna Rossi", role=PersonRole.participant,
                            email="anna@example.org")
            session.add(person)
            session.commit()
            return person.id
    finally:
        engine.dispose()


def _person(url: str, person_id: int) -> Person:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return session.get(Person, person_id)
    finally:
        engine.dispose()


def test_retention_run_erases_after_the_period_and_dry_run_changes_nothing(sqlite_url, tmp_path):  # noqa: F811
    assert tavolo("db", "upgrade", cwd=tmp_path, database_url=sqlite_url).returncode == 0
    person_id = _over_process(sqlite_url)

    kept = tavolo("retention", "run", cwd=tmp_path, database_url=sqlite_url)
    assert kept.returncode == 0, kept.stderr
    assert "TAVOLO_RETENTION_DAYS is not set: nobody is erased." in kept.stdout
    assert _person(sqlite_url, person_id).name == "Anna Rossi"

    # A stored export nobody has read for 100 days, and one read today (tavolo() puts the
    # data directory in cwd/var).
    exports = tmp_path / "var" / "exports" / "ab"
    exports.mkdir(parents=True)
    stale, fresh = exports / f"{'ab' * 32}.pdf", exports / f"{'ab' * 31}cd.pdf"
    for path in (stale, fresh):
        path.write_bytes(b"%PDF-1.7")
    long_ago = time.time() - 100 * 86400
    os.utime(stale, (long_ago, long_ago))
    dry = tavolo("retention", "run", "--dry-run", cwd=tmp_path, database_url=sqlite_url, retention_days="365")
    assert dry.returncode == 0, dry.stderr
    assert f"Would erase 1 person of process 1 (ids {person_id})" in dry.stdout
    assert _person(sqlite_url, person_id).erased_at is None
    assert "Would delete 1 stored exports nobody has read for 90 days." in dry.stdout
    assert stale.exists() and fresh.exists()

    later = tavolo("retention", "run", cwd=tmp_path, database_url=sqlite_url, retention_days="500")
    assert "No process ended more than 500 days ago" in later.stdout
    assert "Deleted 1 stored exports nobody has read for 90 days." in later.stdout
    assert not stale.exists() and fresh.exists()
    assert _person(sqlite_url, person_id).erased_at is None

    done = tavolo("retention", "run", cwd=tmp_path, database_url=sqlite_url, retention_days="365")
    assert done.returncode == 0, done.stderr
    assert f"Erased 1 person of process 1 (ids {person_id}); approved minutes and syntheses are kept" in done.stdout
    erased = _person(sqlite_url, person_id)
    assert (erased.name, erased.email) == ("Partecipante A", None) and erased.erased_at is not None
    engine = make_engine(sqlite_url)
    try:
        with Session(engine) as session:
            actions = session.exec(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    finally:
        engine.dispose()
    assert actions[-2:] == ["person.erase", "retention.run"]

    negative = tavolo("retention", "run", cwd=tmp_path, database_url=sqlite_url, retention_days="-1")
    assert negative.returncode == 2 and "greater than or equal to 0" in negative.stderr

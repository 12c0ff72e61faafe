"""The `tavolo` command, run as people run it: the installed console script, in a subprocess,
from a directory of its own, configured by the environment alone."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pydantic import ValidationError
from sqlalchemy import inspect
from sqlmodel import Session, SQLModel, select

import boards.models  # noqa: F401  (every table on the metadata)
from app.settings import Settings
from boards import accounts, invites
from boards.db import make_engine
from app.demo_meeting import DURATION, NOTES
from boards.models import Account, AccountRole, DocumentVersion, Meeting, MeetingState, Process, Signature
from tests.conftest import (
    POSTGRES_URL,
    _drop_postgres_database,
    _fresh_postgres_database,
    need,
)

TAVOLO = Path(sys.executable).with_name("tavolo")
PASSWORD = "correct horse battery staple"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path) -> Iterator[str]:
    """A database URL with nothing in it yet."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'tavolo.db'}"
        return
    need(bool(POSTGRES_URL), "PostgreSQL (TAVOLO_TEST_POSTGRES_URL)")
    name = f"tavolo_cli_{uuid.uuid4().hex[:12]}"
    url = _fresh_postgres_database(name)
    yield url
    _drop_postgres_database(name)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'data' / 'tavolo.db'}"


def tavolo(*args: str, cwd: Path, database_url: str, stdin: str | None = None,
           timeout: float = 120, **settings: str) -> subprocess.CompletedProcess:
    """Run the console script with only the settings given here (no TAVOLO_* of ours)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAVOLO_")}
    env.update(TAVOLO_DATABASE_URL=database_url, TAVOLO_DATA_DIR=str(cwd / "var"))
    env.update({f"TAVOLO_{key.upper()}": value for key, value in settings.items()})
    return subprocess.run([str(TAVOLO), *args], cwd=cwd, env=env, input=stdin, text=True,
                          capture_output=True, timeout=timeout, check=False)


def test_the_console_script_is_installed():
    assert TAVOLO.exists(), "run scripts/setup: it installs the `tavolo` command in .venv/bin"


# --- tavolo db upgrade ---------------------------------------------------------------------


def test_db_upgrade_builds_the_whole_schema_from_an_empty_database(empty_database, tmp_path):
    done = tavolo("db", "upgrade", cwd=tmp_path, database_url=empty_database)
    assert done.returncode == 0, done.stderr
    assert "up to date" in done.stdout
    engine = make_engine(empty_database)
    try:
        tables = set(inspect(engine).get_table_names())
        assert set(SQLModel.metadata.tables) <= tables
        assert "alembic_version" in tables
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            # What `alembic check` compares: the migrations must build exactly the models.
            assert compare_metadata(context, SQLModel.metadata) == []
    finally:
        engine.dispose()
    again = tavolo("db", "upgrade", cwd=tmp_path, database_url=empty_database)
    assert again.returncode == 0, again.stderr


# --- tavolo user add -----------------------------------------------------------------------


def account_of(url: str, email: str) -> Account | None:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return session.exec(select(Account).where(Account.email == email)).first()
    finally:
        engine.dispose()


def test_user_add_reads_the_password_from_standard_input(sqlite_url, tmp_path):
    done = tavolo("user", "add", "--email", "Giulia.Ferraro@Comune.example.it",
                  "--name", "Giulia Ferraro", "--role", "facilitator",
                  cwd=tmp_path, database_url=sqlite_url, stdin=f"{PASSWORD}\n")
    assert done.returncode == 0, done.stderr
    assert "facilitator Giulia Ferraro <giulia.ferraro@comune.example.it>" in done.stdout
    assert PASSWORD not in done.stdout + done.stderr
    stored = account_of(sqlite_url, "giulia.ferraro@comune.example.it")
    assert stored.role == AccountRole.facilitator and stored.name == "Giulia Ferraro"
    engine = make_engine(sqlite_url)
    with Session(engine) as session:
        found = accounts.authenticate(session, email="giulia.ferraro@comune.example.it",
                                      password=PASSWORD)
        assert found.id == stored.id
    engine.dispose()


def test_user_add_reads_the_password_from_the_environment(sqlite_url, tmp_path):
    done = tavolo("user", "add", "--email", "marco@example.org", "--name", "Marco Zanin",
                  "--role", "secretary", cwd=tmp_path, database_url=sqlite_url,
                  password=PASSWORD)
    assert done.returncode == 0, done.stderr
    assert account_of(sqlite_url, "marco@example.org").role == AccountRole.secretary


def test_user_add_refuses_a_short_password_and_stores_nothing(sqlite_url, tmp_path):
    done = tavolo("user", "add", "--email", "corto@example.org", "--name", "Corto",
                  "--role", "secretary", cwd=tmp_path, database_url=sqlite_url, stdin="breve\n")
    assert done.returncode != 0
    assert "at least 10 characters" in done.stderr
    assert account_of(sqlite_url, "corto@example.org") is None


def test_user_add_refuses_a_second_account_with_the_same_email(sqlite_url, tmp_path):
    args = ("user", "add", "--email", "doppio@example.org", "--name", "Doppio",
            "--role", "secretary")
    assert tavolo(*args, cwd=tmp_path, database_url=sqlite_url, password=PASSWORD).returncode == 0
    again = tavolo(*args, cwd=tmp_path, database_url=sqlite_url, password=PASSWORD)
    assert again.returncode != 0 and "already exists" in again.stderr


def test_user_add_refuses_an_unknown_role(sqlite_url, tmp_path):
    done = tavolo("user", "add", "--email", "x@example.org", "--name", "X", "--role", "admin",
                  cwd=tmp_path, database_url=sqlite_url, password=PASSWORD)
    assert done.returncode != 0 and "facilitator" in done.stderr


# --- tavolo serve ----------------------------------------------------------------------------


def test_serve_with_several_workers_needs_redis(sqlite_url, tmp_path):
    done = tavolo("serve", "--workers", "2", "--port", "1", cwd=tmp_path,
                  database_url=sqlite_url, timeout=60)
    assert done.returncode != 0
    assert "TAVOLO_REDIS_URL" in done.stderr
    assert "Uvicorn running" not in done.stderr


# --- tavolo demo -------------------------------------------------------------------------------


def test_demo_twice_prints_the_credentials_and_working_join_links(sqlite_url, tmp_path):
    runs = [tavolo("demo", cwd=tmp_path, database_url=sqlite_url,
                   base_url="http://127.0.0.1:8000") for _ in range(2)]
    for done in runs:
        assert done.returncode == 0, done.stderr
        assert "facilitatrice@tavolo.example" in done.stdout
        assert "verbalizzante@tavolo.example" in done.stdout
        assert "tavolo-demo-2026" in done.stdout
    links = [re.findall(r"http://127\.0\.0\.1:8000/join/([\w-]+)", done.stdout) for done in runs]
    assert links[0] and links[1] and not set(links[0]) & set(links[1])
    engine = make_engine(sqlite_url)
    try:
        with Session(engine) as session:
            titles = session.exec(select(Process.title)).all()
            assert len(titles) == 1, "a second run reuses the demo process"
            assert accounts.authenticate(session, email="facilitatrice@tavolo.example",
                                         password="tavolo-demo-2026")
            # Each run renews the links: the latest work, the earlier ones no longer do.
            joined = invites.join_with_invite(session, secret=links[1][0], days=1)
            assert joined.person.name
            with pytest.raises(Exception, match="not valid"):
                invites.join_with_invite(session, secret=links[0][0], days=1)
            session.rollback()
            # The first meeting was held: its verbale is approved and signed, with every note.
            held = session.exec(select(Meeting).where(Meeting.number == 1)).one()
            assert held.state == MeetingState.ended and held.ended_at - held.started_at == DURATION
            verbale = session.exec(select(DocumentVersion).where(
                DocumentVersion.meeting_id == held.id, DocumentVersion.version == 1)).one()
            assert all(note in verbale.markdown for note in NOTES.values())
            assert len(session.exec(select(Signature).where(Signature.document_id == verbale.id)).all()) == 2
            assert session.exec(select(Meeting.state).where(Meeting.number == 2)).one() == MeetingState.scheduled
    finally:
        engine.dispose()


# --- settings ----------------------------------------------------------------------------------


@pytest.fixture
def clean_environment(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("TAVOLO_") and name != "TAVOLO_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no .env of ours


@pytest.mark.parametrize("secret", ["", "   ", "changeme", "CHANGE-ME", "secret", "dev"])
def test_a_public_server_needs_a_real_secret_key(clean_environment, tmp_path, secret):
    with pytest.raises(ValidationError, match="TAVOLO_SECRET_KEY"):
        Settings(base_url="https://tavolo.comune.example.it", secret_key=secret,
                 data_dir=tmp_path)


def test_a_public_server_with_a_secret_key_starts(clean_environment, tmp_path):
    key = secrets.token_urlsafe(48)
    settings = Settings(base_url="https://tavolo.comune.example.it", secret_key=key,
                        data_dir=tmp_path)
    assert settings.secret_key == key and settings.secure_cookies


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:8000", "http://localhost:8000",
                                      "http://[::1]:8000"])
def test_a_local_server_makes_and_keeps_its_own_secret(clean_environment, tmp_path, base_url):
    first = Settings(base_url=base_url, secret_key="", data_dir=tmp_path)
    second = Settings(base_url=base_url, secret_key="changeme", data_dir=tmp_path)
    assert len(first.secret_key) >= 32
    assert first.secret_key == second.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_the_command_refuses_to_run_without_a_secret_key_in_public(sqlite_url, tmp_path):
    done = tavolo("db", "upgrade", cwd=tmp_path, database_url=sqlite_url,
                  base_url="https://tavolo.comune.example.it")
    assert done.returncode != 0
    assert "TAVOLO_SECRET_KEY" in done.stderr
    assert not (tmp_path / "data" / "tavolo.db").exists()

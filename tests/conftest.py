"""Fixtures shared by the whole suite: a real database (SQLite and PostgreSQL), the app,
and a few builders for accounts, processes and meetings.

`TAVOLO_TEST_POSTGRES_URL` enables the PostgreSQL half; with `TAVOLO_CI=1` a missing
PostgreSQL (or Redis, or Chromium) fails the run instead of skipping.

`make test` runs two pytest-xdist workers at once, each a session of its own: whatever a test
makes outside its process must be its session's alone, as these fixtures do it (a PostgreSQL
database named with a random suffix, files under `tmp_path_factory`, ports from `free_port`,
Redis channels under a random `TAVOLO_REDIS_PREFIX`), never a fixed name or port.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.database import upgrade
from app.main import create_app
from app.settings import Settings
from boards.db import make_engine

CI = os.environ.get("TAVOLO_CI") == "1"
# Where the variables are unset, the services of a developer machine are used if they answer,
# so that `make test` runs the whole suite there; elsewhere those tests skip.
LOCAL_SERVICES = {
    "TAVOLO_TEST_POSTGRES_URL": ("postgresql://postgres@127.0.0.1:5432/test", 5432),
    "TAVOLO_TEST_REDIS_URL": ("redis://127.0.0.1:6379/0", 6379),
}


def _answers(port: int) -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


for _variable, (_url, _port) in LOCAL_SERVICES.items():
    if _variable not in os.environ and _answers(_port):
        os.environ[_variable] = _url

POSTGRES_URL = os.environ.get("TAVOLO_TEST_POSTGRES_URL", "")
PASSWORD = "correct horse battery staple"


def need(condition: bool, what: str) -> None:
    """Skip when a service is missing locally; fail in CI, where skipping would hide it."""
    if not condition:
        if CI:
            pytest.fail(f"{what} is required when TAVOLO_CI=1")
        pytest.skip(f"{what} is not available")


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test is a test that did not run: fail the session."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if CI and skipped and exitstatus == 0:
        reporter.write_line(f"TAVOLO_CI=1: {len(skipped)} skipped test(s) count as failures", red=True)
        session.exitstatus = 1


def _fresh_postgres_database(tmp_name: str) -> str:
    url = make_url(POSTGRES_URL)
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{tmp_name}"')
    return url.set(database=tmp_name).render_as_string(hide_password=False)


def _drop_postgres_database(name: str) -> None:
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_url(request, tmp_path_factory) -> Iterator[str]:
    """An empty database brought to the current schema by the migrations."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'tavolo.db'}"
        upgrade(url)
        yield url
        return
    need(bool(POSTGRES_URL), "PostgreSQL (TAVOLO_TEST_POSTGRES_URL)")
    name = f"tavolo_test_{uuid.uuid4().hex[:12]}"
    url = _fresh_postgres_database(name)
    upgrade(url)
    yield url
    make_engine(url).dispose()
    _drop_postgres_database(name)


@pytest.fixture(scope="session")
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture(scope="session")
def settings(db_url, tmp_path_factory) -> Settings:
    return Settings(
        database_url=db_url,
        data_dir=tmp_path_factory.mktemp("data"),
        secret_key=secrets.token_urlsafe(32),
        base_url="http://testserver",
    )


@pytest.fixture(scope="session")
def app(settings):
    return create_app(settings)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    # A fresh address per test keeps the failed-attempt counters of tests apart.
    with TestClient(app, client=(f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}", 50000)) as client:
        yield client


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@dataclass
class Staff:
    id: int
    email: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def make_account(engine, client):
    """Create a facilitator or secretary account and sign in through the API."""
    from boards import accounts
    from boards.models import AccountRole

    def make(role: str = "facilitator", name: str = "Giulia Ferraro") -> Staff:
        email = f"{unique(role)}@example.org"
        with Session(engine) as session:
            account = accounts.create_account(
                session, email=email, name=name, role=AccountRole(role), password=PASSWORD
            )
            session.commit()
            account_id = account.id
        answer = client.post("/api/v1/session", json={"email": email, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        return Staff(id=account_id, email=email, token=answer.json()["token"])

    return make


@dataclass
class World:
    """A process with staff, organisations of three kinds, a meeting and two invited people."""

    facilitator: Staff
    secretary: Staff
    process: int
    organizations: dict[str, int]
    meeting: dict
    participant: dict
    observer: dict

    def bearer(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def world(client, make_account) -> World:
    facilitator = make_account("facilitator")
    secretary = make_account("secretary", name="Marco Zanin")
    auth = facilitator.auth
    process = client.post(
        "/api/v1/processes", headers=auth,
        json={"title": "Centro servizi grave marginalità", "kind": "co-design"},
    ).json()["id"]
    assert client.post(f"/api/v1/processes/{process}/staff", headers=auth,
                       json={"email": secretary.email, "role": "secretary"}).status_code == 201
    organizations = {}
    for name, kind in [("Comune di Padova", "public"), ("ULSS 6 Euganea", "health"),
                       ("Cooperativa Il Ponte", "third_sector")]:
        answer = client.post(f"/api/v1/processes/{process}/organizations", headers=auth,
                             json={"name": name, "kind": kind})
        organizations[kind] = answer.json()["id"]
    meeting = client.post(
        f"/api/v1/processes/{process}/meetings", headers=auth,
        json={"title": "Primo incontro", "starts_at": "2026-12-01T14:00:00Z", "mode": "online",
              "location": "https://meet.example.org/tavolo", "agenda": ["Apertura", "Bisogni"]},
    ).json()
    people = {}
    for role, organization in [("participant", "third_sector"), ("observer", "public")]:
        invite = client.post(
            f"/api/v1/processes/{process}/invites", headers=auth,
            json={"name": f"Persona {role}", "organization": organizations[organization],
                  "role": role},
        ).json()
        joined = client.post("/api/v1/join", json={"invite": invite["invite"]}).json()
        people[role] = {**invite, "token": joined["token"], "person": joined["participant"]["id"]}
    return World(facilitator, secretary, process, organizations, meeting,
                 people["participant"], people["observer"])


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LiveServer:
    """A real uvicorn serving the app on 127.0.0.1, in its own process."""

    url: str
    port: int
    env: dict[str, str]
    process: object

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://")


def start_server(env: dict[str, str], port: int, *, workers: int = 1):
    """Start `tavolo serve` and wait until /healthz answers (an event, not a sleep)."""
    import subprocess
    import sys
    import time

    import httpx2 as httpx

    # A file, not a pipe: nobody reads a long-lived server's log, and a full pipe blocks it.
    server_log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=server_log,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            server_log.seek(0)
            raise RuntimeError(f"server exited: {server_log.read().decode()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                process.log = server_log
                return process
        except httpx.HTTPError:
            time.sleep(0.05)  # polling a server that is starting: there is no event to await
    process.kill()
    raise RuntimeError("server did not answer /healthz within 30 s")


def stop_server(process) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except Exception:
        process.kill()


@dataclass
class Server:
    """One `tavolo serve` process of a test's own; it can be killed and started again on its port."""

    port: int
    env: dict[str, str]
    process: object

    @classmethod
    def start(cls, env: dict[str, str], *, workers: int = 1) -> Server:
        port = free_port()
        env = {**env, "TAVOLO_BASE_URL": f"http://127.0.0.1:{port}"}
        return cls(port, env, start_server(env, port, workers=workers))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def kill(self) -> None:
        import signal

        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def restart(self) -> None:
        self.process = start_server(self.env, self.port)

    def stop(self) -> None:
        if self.process.poll() is None:
            stop_server(self.process)


@pytest.fixture(scope="session")
def server_env(db_url, settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAVOLO_")}
    env.update(
        TAVOLO_DATABASE_URL=db_url,
        TAVOLO_SECRET_KEY=settings.secret_key,
        TAVOLO_DATA_DIR=str(settings.data_dir),
        PYTHONPATH=str(Path(__file__).resolve().parent.parent),
    )
    return env


@pytest.fixture(scope="session")
def live_server(server_env) -> Iterator[LiveServer]:
    port = free_port()
    env = {**server_env, "TAVOLO_BASE_URL": f"http://127.0.0.1:{port}"}
    process = start_server(env, port)
    yield LiveServer(url=f"http://127.0.0.1:{port}", port=port, env=env, process=process)
    stop_server(process)



@contextmanager
def cheap_password_hashing() -> Iterator[None]:
    """Argon2id at its lowest cost, for tests that sign in many times.

    tests/boards/test_accounts.py checks the real parameters.
    """
    from argon2 import PasswordHasher

    from boards import accounts

    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    patch = pytest.MonkeyPatch()
    patch.setattr(accounts, "_hasher", cheap)
    patch.setattr(accounts, "_DUMMY_HASH", cheap.hash("not a password"))
    try:
        yield
    finally:
        patch.undo()


@pytest.fixture
def printed(request, monkeypatch) -> Iterator[list[str]]:
    """The Markdown of every PDF printed, with the in-memory cache of PDFs emptied.

    The test's app prints in this process, where the count is kept, instead of in its worker
    process (app/printing.py; tests/test_printing.py tests the workers)."""
    from boards import exports
    from boards.exports import pdf

    calls: list[str] = []
    real = pdf.render_pdf

    def counting(markdown, letterhead):
        calls.append(markdown)
        return real(markdown, letterhead)

    monkeypatch.setattr(pdf, "render_pdf", counting)
    if "app" in request.fixturenames:
        monkeypatch.setattr(request.getfixturevalue("app").state.printer, "workers", 0)
    exports._pdf.cache_clear()
    yield calls
    exports._pdf.cache_clear()

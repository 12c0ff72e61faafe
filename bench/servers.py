"""The servers under test: `tavolo serve` on a fresh database, and the y-websocket peer.

Scratch files (databases, logs, the peer's npm install) live in `bench/.scratch/`, which
git ignores.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = ROOT / "bench" / ".scratch"
POSTGRES_URL = os.environ.get("TAVOLO_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TAVOLO_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
# What the peer runs: the y-websocket reference server with Yjs 13. 0.1.5 needs a Yjs 14
# pre-release that the registry does not serve.
PEER_PACKAGES = ["@y/websocket-server@0.1.1", "yjs@13.6.33"]
# Starting a server (migrations included) takes a few seconds; more is a failure.
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_http(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited ({process.returncode}): {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.05)  # polling a starting server: there is no event to wait for
    process.kill()
    raise RuntimeError(f"no answer from {url} within {START_TIMEOUT:.0f} s")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Database:
    """A fresh, migrated database: a SQLite file in the scratch folder, or a PostgreSQL one."""

    url: str
    cleanup: list = field(default_factory=list)

    @classmethod
    def fresh(cls, kind: str, run_dir: Path) -> Database:
        from app.database import upgrade

        run_dir.mkdir(parents=True, exist_ok=True)
        if kind == "sqlite":
            database = cls(f"sqlite:///{run_dir / 'tavolo.db'}")
        elif kind == "postgresql":
            import psycopg
            from sqlalchemy.engine import make_url

            name = f"tavolo_bench_{uuid.uuid4().hex[:10]}"
            with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
                connection.execute(f'CREATE DATABASE "{name}"')

            def drop() -> None:
                with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
                    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

            url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
            database = cls(url, [drop])
        else:
            raise ValueError(f"unknown database {kind!r}")
        upgrade(database.url)
        return database

    def engine(self):
        from boards.db import make_engine

        return make_engine(self.url)

    def drop(self) -> None:
        for step in self.cleanup:
            step()


@dataclass
class TavoloServer:
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid


@contextmanager
def tavolo_servers(database: Database, run_dir: Path, *, count: int = 1, workers: int = 1,
                   redis: bool = False, extra_env: dict[str, str] | None = None):
    """`count` separate `tavolo serve` processes sharing the database (and Redis, if asked)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAVOLO_")}
    env.update(
        TAVOLO_DATABASE_URL=database.url,
        TAVOLO_SECRET_KEY=secrets.token_urlsafe(32),
        TAVOLO_DATA_DIR=str(run_dir / "data"),
        PYTHONPATH=str(ROOT),
    )
    env.update(extra_env or {})
    if redis or count > 1 or workers > 1:
        env.update(TAVOLO_REDIS_URL=REDIS_URL, TAVOLO_REDIS_PREFIX=f"bench{uuid.uuid4().hex[:8]}:")
    servers: list[TavoloServer] = []
    try:
        for index in range(count):
            port = free_port()
            log = run_dir / f"server-{index}.log"
            process = subprocess.Popen(
                [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", str(workers)],
                env={**env, "TAVOLO_BASE_URL": f"http://127.0.0.1:{port}"}, cwd=ROOT,
                stdout=subprocess.DEVNULL, stderr=log.open("wb"),
            )
            servers.append(TavoloServer(port, process, log))
            _wait_http(f"http://127.0.0.1:{port}/healthz", process, log)
        yield servers
    finally:
        for server in servers:
            _stop(server.process)


def install_peer() -> Path:
    """The peer's npm packages in the scratch folder (installed once); its server script."""
    folder = SCRATCH / "peer"
    script = folder / "node_modules" / "@y" / "websocket-server" / "src" / "server.js"
    if not script.exists():
        if shutil.which("npm") is None:
            raise RuntimeError("the peer needs Node.js and npm")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "package.json").write_text('{"name": "tavolo-bench-peer", "private": true}\n')
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", *PEER_PACKAGES],
                       cwd=folder, check=True, stdout=subprocess.DEVNULL)
    return script


@dataclass
class PeerServer:
    port: int
    process: subprocess.Popen

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid


@contextmanager
def peer_server(run_dir: Path):
    script = install_peer()
    port = free_port()
    log = run_dir / "peer.log"
    process = subprocess.Popen(["node", str(script)], env={**os.environ, "HOST": "127.0.0.1", "PORT": str(port)},
                               stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        _wait_http(f"http://127.0.0.1:{port}/", process, log)
        yield PeerServer(port, process)
    finally:
        _stop(process)

"""What the fault tests break: `tavolo serve` processes killed and started again, and a
private Redis and a private PostgreSQL cluster of their own, stopped and started again.

The shared services (Redis on 6379, PostgreSQL on 5432) are never touched: other people use
them. No sleeps: every wait is for a process, a log line, a frame or an answer, with a
deadline.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx

from tests.conftest import Server as BaseServer, free_port
from tests.realtime.support import BoardModel, Client

# Waiting longer than this for a fault to be noticed, or to heal, means it will not be.
DEADLINE = 20.0


class Server(BaseServer):
    """A `tavolo serve` process whose health the fault tests watch."""

    def health(self) -> int:
        try:
            return httpx.get(f"{self.url}/healthz", timeout=2).status_code
        except httpx.HTTPError:
            return 0

    def wait_for_health(self, status: int) -> None:
        """Poll /healthz until it answers `status` (polling with a deadline: no event to await)."""
        deadline = time.monotonic() + DEADLINE
        while (answer := self.health()) != status:
            assert self.process.poll() is None, "the server exited"
            assert time.monotonic() < deadline, f"/healthz answered {answer}, not {status}"
            time.sleep(0.1)


async def subscribed(ws_url: str, meeting: int, stream: str, token: str) -> tuple[Client, BoardModel]:
    client = await Client.open(ws_url, meeting, token)
    model = BoardModel()
    for frame in await client.subscribe(stream):
        model.apply(frame)
    return client, model


async def catch_up(client: Client, model: BoardModel, stream: str, seq: int,
                   timeout: float = DEADLINE) -> None:
    """Apply this client's events up to `seq`; BoardModel refuses a gap or a repeat."""
    if model.seq < seq:
        for event in await client.events_until(stream, seq, timeout):
            model.apply(event)
    assert model.seq == seq


# --- a private Redis ---------------------------------------------------------------------------


@dataclass
class PrivateRedis:
    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        # Redis says when it is ready; reading its output is the event to await.
        for line in self.process.stdout:
            if b"Ready to accept connections" in line:
                break
        else:
            raise RuntimeError("redis-server exited before it was ready")
        # Nobody reads the rest; a full pipe must not block Redis.
        self.process.stdout.close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()


@contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    redis = PrivateRedis(free_port())
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


def redis_server_available() -> bool:
    return shutil.which("redis-server") is not None


# --- a private PostgreSQL cluster -------------------------------------------------------------


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@dataclass
class PrivateCluster:
    """A PostgreSQL cluster in a temporary directory, run as the `postgres` user (initdb
    refuses root) on a port of its own."""

    bin: Path
    home: Path
    port: int

    @property
    def url(self) -> str:
        # The cluster's own `postgres` database: the cluster is for this test alone.
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, *command: str) -> None:
        prefix = [] if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--"]
        subprocess.run([*prefix, *command], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, timeout=60)

    def init(self) -> None:
        self._as_postgres(str(self.bin / "initdb"), "-D", str(self.home / "data"), "-A", "trust",
                          "-U", "postgres", "--no-sync")

    def start(self) -> None:
        # -w: pg_ctl returns once the server accepts connections.
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.home / "data"), "-w",
                          "-l", str(self.home / "log"),
                          "-o", f"-p {self.port} -k {self.home} -c fsync=off", "start")

    def stop(self) -> None:
        """As a crash would: no shutdown checkpoint, connections cut."""
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.home / "data"), "-w",
                          "-m", "immediate", "stop")

    def running(self) -> bool:
        return (self.home / "data" / "postmaster.pid").exists()


@contextmanager
def private_postgres() -> Iterator[PrivateCluster]:
    home = Path(tempfile.mkdtemp(prefix="tavolo-pg-"))
    if os.geteuid() == 0:
        shutil.chown(home, "postgres", "postgres")
    cluster = PrivateCluster(postgres_bin(), home, free_port())
    cluster.init()
    cluster.start()
    try:
        yield cluster
    finally:
        if cluster.running():
            cluster.stop()
        shutil.rmtree(home, ignore_errors=True)

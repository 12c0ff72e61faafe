"""PostgreSQL stopped (as by a crash) and started again under a running `tavolo serve`:
while it is down /healthz answers 503, ops get `internal` and connections close with 1011;
when it is back everything recovers by itself: /healthz 200, clients reconnect (with
backoff, as the contract asks of them), resync with `since`, and new ops succeed.

A private cluster (initdb into a temporary directory, its own port): the shared PostgreSQL
is never stopped.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.database import upgrade
from app.main import create_app
from app.settings import Settings
from boards.db import make_engine
from tests.api.support import build_world
from tests.conftest import need
from tests.faults.support import DEADLINE, Server, catch_up, postgres_bin, private_postgres, subscribed
from tests.realtime.support import Client, Closed

pytestmark = pytest.mark.postgres


@pytest.fixture
def cluster():
    need(postgres_bin() is not None, "PostgreSQL server binaries (/usr/lib/postgresql/*/bin)")
    with private_postgres() as cluster:
        upgrade(cluster.url)
        yield cluster


@pytest.fixture
def deployment(cluster, tmp_path):
    """A server on the private cluster, and a world (process, meeting, people) in it.

    Not on the `db_url` databases: this test has a cluster of its own, so it runs once.
    """
    secret_key = secrets.token_urlsafe(32)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAVOLO_")}
    env.update(TAVOLO_DATABASE_URL=cluster.url, TAVOLO_SECRET_KEY=secret_key,
               TAVOLO_DATA_DIR=str(tmp_path), PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    server = Server.start(env)
    engine = make_engine(cluster.url)
    app = create_app(Settings(database_url=cluster.url, data_dir=tmp_path, secret_key=secret_key,
                              base_url="http://testserver"))
    with TestClient(app) as client:
        world = build_world(client, engine)
        yield server, world, client
    server.stop()
    engine.dispose()


async def reconnect(server: Server, meeting: int, token: str) -> Client:
    """What a client does after a 1011: come back with backoff until welcomed."""
    deadline, wait = time.monotonic() + DEADLINE, 0.1
    while True:
        try:
            return await Client.open(server.ws_url, meeting, token)
        except (Closed, OSError):
            assert time.monotonic() < deadline, "the server did not take connections again"
            await asyncio.sleep(wait)  # the client's backoff, not synchronisation
            wait = min(wait * 2, 1.0)


async def test_a_database_restart_is_survived_without_intervention(cluster, deployment):
    server, world, client = deployment
    meeting, board = world.meeting["id"], f"board:{world.meeting['plenary_board']}"
    staff, model = await subscribed(server.ws_url, meeting, board, world.facilitator.token)
    first = await staff.op(board, "item.create", {"kind": "note", "x": 0, "y": 0, "text": "prima"})
    assert first["type"] == "ack"
    await catch_up(staff, model, board, first["seq"])
    assert server.health() == 200

    cluster.stop()
    server.wait_for_health(503)
    answer = httpx_json(server, "/healthz")
    assert answer == {"status": "unavailable", "detail": answer["detail"]} and answer["detail"]
    refused = await staff.op(board, "item.create", {"kind": "note", "x": 1, "y": 0, "text": "persa"})
    assert refused["type"] == "error" and refused["code"] == "internal", refused
    assert refused["message"]
    assert (await staff.closed()).code == 1011

    cluster.start()
    server.wait_for_health(200)
    back = await reconnect(server, meeting, world.facilitator.token)
    for frame in await back.subscribe(board, since=model.seq):
        model.apply(frame)
    after = await back.op(board, "item.create", {"kind": "note", "x": 2, "y": 0, "text": "dopo"})
    assert after["type"] == "ack", after
    await catch_up(back, model, board, after["seq"])
    items = client.get(f"/api/v1/boards/{world.meeting['plenary_board']}",
                       headers=world.facilitator.auth).json()["items"]
    assert [item["text"] for item in items] == ["prima", "dopo"], "the refused op left no trace"
    assert model.state()["items"] == items
    await back.close()


def httpx_json(server: Server, path: str) -> dict:
    import httpx2 as httpx

    return httpx.get(f"{server.url}{path}", timeout=5).json()

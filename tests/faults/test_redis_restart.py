"""Redis stopped and started again while two `tavolo serve` processes serve one meeting:
ops go on being acknowledged, and once Redis is back every client, on either process, gets
every event in order, the ones published while Redis was away filled from the event log.

A private `redis-server` on a port of its own: the shared Redis is never stopped.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import need
from tests.faults.support import Server, catch_up, private_redis, redis_server_available, subscribed

pytestmark = pytest.mark.redis


@pytest.fixture
def redis():
    need(redis_server_available(), "redis-server (to run a private Redis)")
    with private_redis() as redis:
        yield redis


@pytest.fixture
def servers(server_env, redis):
    env = {**server_env, "TAVOLO_REDIS_URL": redis.url, "TAVOLO_REDIS_PREFIX": f"faults-{uuid.uuid4().hex[:8]}:"}
    with ThreadPoolExecutor(2) as starting:
        pair = list(starting.map(lambda _: Server.start(env), range(2)))
    yield pair
    for server in pair:
        server.stop()


def board_over_http(room) -> dict:
    answer = room.client.get(f"/api/v1/boards/{room.plenary}", headers=room.world.facilitator.auth)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_events_resume_in_order_and_gaps_fill_after_redis_comes_back(servers, redis, room):
    a, b = servers
    writers = [await subscribed(a.ws_url, room.meeting, room.board, room.facilitator.token),
               await subscribed(b.ws_url, room.meeting, room.board, room.secretary.token)]
    watchers = [await subscribed(a.ws_url, room.meeting, room.board, room.observer.token),
                await subscribed(b.ws_url, room.meeting, room.board, room.participant.token)]
    everyone = writers + watchers
    head = 0

    async def write(label: str, count: int) -> None:
        nonlocal head
        for n in range(count):
            for index, (client, _model) in enumerate(writers):
                answer = await client.op(room.board, "item.create",
                                         {"kind": "note", "x": n, "y": index, "text": f"{label} {index}.{n}"})
                assert answer["type"] == "ack", answer
                head = max(head, answer["seq"])

    await write("prima", 3)
    for client, model in everyone:
        await catch_up(client, model, room.board, head)

    redis.stop()
    # Redis is gone: ops are still committed and acknowledged; each process's own clients
    # still hear its events, the other process's are missed for now.
    await write("senza Redis", 4)
    assert head == 14
    redis.start()
    # Nothing more is written: each process notices Redis is back, resubscribes, reads the
    # streams' heads and sends from the event log what its clients missed, in order.
    for client, model in everyone:
        await catch_up(client, model, room.board, head)
    await write("dopo", 2)
    fresh = board_over_http(room)
    assert fresh["seq"] == head == 18
    for client, model in everyone:
        await catch_up(client, model, room.board, head)
        assert model.state()["items"] == fresh["items"]
        await client.close()

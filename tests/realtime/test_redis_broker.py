"""The Redis broker against a real Redis (`TAVOLO_TEST_REDIS_URL`): two brokers stand for
two server processes. Each test uses channel names of its own (a unique prefix), so runs
sharing a Redis do not hear each other.

No sleeps: every wait is for a message or a confirmation, with a timeout.
"""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from realtime import redis_broker
from realtime.broker import RESYNC, broker_for
from realtime.redis_broker import RedisBroker
from tests.conftest import need

pytestmark = pytest.mark.redis

REDIS_URL = os.environ.get("TAVOLO_TEST_REDIS_URL", "")
TIMEOUT = 10.0
CHANNEL = "tavolo:meeting:1"


@pytest.fixture
def redis_url() -> str:
    need(bool(REDIS_URL), "Redis (TAVOLO_TEST_REDIS_URL)")
    return REDIS_URL


@pytest.fixture
async def admin(redis_url):
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
async def brokers(redis_url):
    """Connected brokers sharing a prefix of their own, as the processes of one deployment."""
    prefix = f"test-{uuid.uuid4().hex[:8]}:"
    made: list[RedisBroker] = []

    async def make() -> RedisBroker:
        broker = broker_for(redis_url, prefix=prefix)
        assert isinstance(broker, RedisBroker)
        await broker.connect()
        made.append(broker)
        return broker

    yield make
    for broker in made:
        await broker.disconnect()


async def receive(messages, timeout: float = TIMEOUT) -> bytes:
    return await asyncio.wait_for(anext(messages), timeout)


async def subscribers(admin: Redis, broker: RedisBroker, channel: str = CHANNEL) -> int:
    [(_name, count)] = await admin.pubsub_numsub(broker.redis_channel(channel))
    return count


async def subscriber_connection(admin: Redis, broker: RedisBroker) -> dict:
    """The broker's subscriber connection as CLIENT LIST shows it (`sub`: its channels)."""
    [client] = [c for c in await admin.client_list() if c["name"] == f"{broker.name}-sub"]
    return client


async def kill_subscriber_connection(admin: Redis, broker: RedisBroker) -> None:
    client = await subscriber_connection(admin, broker)
    assert await admin.client_kill_filter(_id=client["id"]) == 1


async def test_a_message_reaches_every_process_once(brokers):
    a, b = await brokers(), await brokers()
    async with a.subscribe(CHANNEL) as at_a, b.subscribe(CHANNEL) as at_b:
        await b.publish(CHANNEL, b'["one"]')
        await b.publish(CHANNEL, b'["two"]')
        await a.publish(CHANNEL, b'["three"]')
        # b hands its own messages to its subscriber at once and skips their echo from
        # Redis, which would come before "three" (published after them).
        assert [await receive(at_b) for _ in range(3)] == [b'["one"]', b'["two"]', b'["three"]']
        # a got its own at once, and b's whenever Redis brought them.
        assert sorted([await receive(at_a) for _ in range(3)]) == [b'["one"]', b'["three"]', b'["two"]']
        # No echo of a's own "three" either: the next message is the next one published.
        await b.publish(CHANNEL, b'["four"]')
        assert await receive(at_a) == await receive(at_b) == b'["four"]'


async def test_messages_of_one_process_arrive_in_order_elsewhere(brokers):
    a, b = await brokers(), await brokers()
    async with a.subscribe(CHANNEL) as at_a:
        sent = [f'["{n}"]'.encode() for n in range(200)]
        for message in sent:
            await b.publish(CHANNEL, message)
        assert [await receive(at_a) for _ in sent] == sent


async def test_channels_are_apart_and_so_are_prefixes(brokers, redis_url):
    a, b = await brokers(), await brokers()
    other = RedisBroker(redis_url, prefix=f"other-{uuid.uuid4().hex[:8]}:")
    await other.connect()
    try:
        async with a.subscribe(CHANNEL) as at_a, a.subscribe("tavolo:meeting:2") as at_a2:
            await other.publish(CHANNEL, b'["elsewhere"]')
            await b.publish("tavolo:meeting:2", b'["two"]')
            await b.publish(CHANNEL, b'["one"]')
            assert await receive(at_a) == b'["one"]'
            assert await receive(at_a2) == b'["two"]'
    finally:
        await other.disconnect()


async def test_entering_waits_for_redis_and_leaving_unsubscribes(brokers, admin):
    a, b = await brokers(), await brokers()
    assert await subscribers(admin, a) == 0
    async with a.subscribe(CHANNEL) as first:
        # Confirmed by Redis: a message published now is delivered.
        assert await subscribers(admin, a) == 1
        await b.publish(CHANNEL, b'["now"]')
        assert await receive(first) == b'["now"]'
        async with a.subscribe(CHANNEL) as second:
            # One Redis subscription per channel and process, shared.
            assert await subscribers(admin, a) == 1
            await b.publish(CHANNEL, b'["both"]')
            assert await receive(first) == await receive(second) == b'["both"]'
        assert await subscribers(admin, a) == 1
        await b.publish(CHANNEL, b'["still"]')
        assert await receive(first) == b'["still"]'
    assert await subscribers(admin, a) == 0
    # Subscribing again after leaving works as the first time.
    async with a.subscribe(CHANNEL) as again:
        assert await subscribers(admin, a) == 1
        await b.publish(CHANNEL, b'["back"]')
        assert await receive(again) == b'["back"]'


async def test_quickly_leaving_and_coming_back_keeps_the_subscription(brokers, admin):
    a, b = await brokers(), await brokers()
    for _ in range(20):
        async with a.subscribe(CHANNEL):
            pass
    async with a.subscribe(CHANNEL) as messages:
        assert await subscribers(admin, a) == 1
        await b.publish(CHANNEL, b'["kept"]')
        assert await receive(messages) == b'["kept"]'


async def test_after_its_connection_is_killed_a_subscription_resumes_with_resync(brokers, admin):
    a, b = await brokers(), await brokers()
    async with a.subscribe(CHANNEL) as at_a, b.subscribe(CHANNEL) as at_b:
        await kill_subscriber_connection(admin, a)
        # What a publishes meanwhile still reaches its own subscribers, and b through Redis.
        await a.publish(CHANNEL, b'["during"]')
        assert await receive(at_b) == b'["during"]'
        # a is told that it may have missed messages, once subscribed again ...
        got = [await receive(at_a)]
        while got[-1] != RESYNC:
            got.append(await receive(at_a))
        assert got[0] == b'["during"]'
        assert (await subscriber_connection(admin, a))["sub"] == "1"
        # ... and then hears b again.
        await b.publish(CHANNEL, b'["after"]')
        assert await receive(at_a) == b'["after"]'
        assert await receive(at_b) == b'["after"]'
        # b's connection was not touched: no resync there.
        await a.publish(CHANNEL, b'["last"]')
        assert await receive(at_b) == b'["last"]'


async def test_a_message_that_could_not_be_published_is_followed_by_a_resync_notice(brokers, admin,
                                                                                    monkeypatch):
    a, b = await brokers(), await brokers()
    async with a.subscribe(CHANNEL) as at_a, b.subscribe(CHANNEL) as at_b:
        async def refuse(*_args, **_kwargs):
            raise RedisConnectionError("Redis is away")

        with monkeypatch.context() as patch:
            patch.setattr(a._publisher, "publish", refuse)
            with pytest.raises(RedisConnectionError):
                await a.publish(CHANNEL, b'["lost"]')
        # The local subscriber got it all the same.
        assert await receive(at_a) == b'["lost"]'
        # Redis answers again: b is told it missed something, before the next message.
        await a.publish(CHANNEL, b'["next"]')
        assert await receive(at_b) == b'["next"]'
        assert await receive(at_b) == RESYNC
        assert await receive(at_a) == b'["next"]'


async def test_a_subscription_waits_for_redis_to_come_back(brokers, admin):
    a, b = await brokers(), await brokers()
    async with a.subscribe(CHANNEL):
        await kill_subscriber_connection(admin, a)
        # Entering another channel while a is reconnecting returns once Redis confirmed it.
        async with a.subscribe("tavolo:meeting:2") as later:
            assert await subscribers(admin, a, "tavolo:meeting:2") == 1
            await b.publish("tavolo:meeting:2", b'["here"]')
            assert await receive(later) == b'["here"]'


async def test_a_connection_that_stops_answering_is_replaced(brokers, admin, monkeypatch):
    # CLIENT PAUSE holds every client's commands for a moment (other runs sharing this Redis
    # just wait): the broker's pings go unanswered, as on a half-open connection.
    monkeypatch.setattr(redis_broker, "HEARTBEAT", 0.1)
    a, b = await brokers(), await brokers()
    async with a.subscribe(CHANNEL) as at_a:
        first = await subscriber_connection(admin, a)
        await admin.execute_command("CLIENT", "PAUSE", "1000", "ALL")
        assert await receive(at_a) == RESYNC
        assert (await subscriber_connection(admin, a))["id"] != first["id"]
        await b.publish(CHANNEL, b'["awake"]')
        assert await receive(at_a) == b'["awake"]'


async def test_connect_fails_when_redis_does_not_answer():
    broker = RedisBroker("redis://127.0.0.1:1/0")
    with pytest.raises(RedisConnectionError):
        await broker.connect()
    await broker.disconnect()


def test_broker_for_picks_redis_for_redis_urls():
    for url in ("redis://127.0.0.1:6379/0", "rediss://cache.example.org:6380/2"):
        assert isinstance(broker_for(url), RedisBroker)

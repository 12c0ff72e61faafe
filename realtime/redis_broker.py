"""Carrying committed events between server processes through Redis Pub/Sub: the broker
`broker_for` returns for `redis://` and `rediss://` URLs (`TAVOLO_REDIS_URL`).

One Redis channel per meeting, all of a process's channels on one subscriber connection
that this module keeps alive by itself: a ping when the connection is quiet, reconnection
with backoff when it drops, every wanted channel subscribed again. Pub/Sub delivers at most
once, so what was published while a process was not listening is lost to it: after each
resubscription the subscription yields `broker.RESYNC`, and the hub reads the streams'
heads and fills what is missing from the event log. A message that could not be published
is followed, once Redis answers again, by a resync notice on its channel, so that every
other process does the same.

A process hands its own messages to its own subscribers directly: its clients do not wait
for a round trip through Redis, nor for Redis to come back.

The subscriber connection is driven here rather than through redis-py's `PubSub`, which
reconnects by itself inside reads and sends: a reconnection nobody notices loses messages
without a resync. Here redis-py never retries on that connection; any failure ends it, and
`_run` opens a new one and subscribes again.

See docs/protocol.md ("Fan-out across processes").
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.connection import AbstractConnection
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff, NoBackoff
from redis.exceptions import RedisError

from realtime.broker import RESYNC

log = logging.getLogger(__name__)

# The subscriber connection is pinged after this many quiet seconds, and presumed dead (a
# half-open TCP connection reports nothing) after three times as long without an answer.
HEARTBEAT = 5.0
# Waits between reconnection attempts: from the first, doubling up to the last, jittered so
# that the workers of a host do not all come back at the same instant.
RECONNECT_FIRST = 0.1
RECONNECT_LAST = 5.0
# A connection that lasted this long worked: losing it starts again from the first wait.
HEALTHY = 1.0
# Entering a subscription waits this long for Redis to confirm it; then it fails, the hub
# closes the meeting's connections with 1011, and their clients come back with backoff.
CONFIRM_TIMEOUT = 10.0
# Publishing must not hold a stream's ordering point for long when Redis is unreachable:
# a quick retry (a connection Redis closed is reopened), short timeouts, then a resync notice.
PUBLISH_RETRIES = 2
PUBLISH_TIMEOUT = 2.0

# A message on a Redis channel: kind (1 byte), origin (the publishing broker, 16 bytes), body.
_EVENTS = b"e"
_RESYNC = b"r"
_ORIGIN_BYTES = 16
_HEADER = 1 + _ORIGIN_BYTES


class _Channel:
    """A channel with subscribers in this process."""

    def __init__(self) -> None:
        self.queues: set[asyncio.Queue[bytes]] = set()
        # Set while Redis has confirmed the subscription on the current connection.
        self.confirmed = asyncio.Event()
        # Confirmed on an earlier connection, since lost: the next confirmation yields RESYNC.
        self.lost = False

    def put(self, message: bytes) -> None:
        for queue in self.queues:
            queue.put_nowait(message)


class _ConnectionLost(Exception):
    pass


class RedisBroker:
    """A broker over Redis Pub/Sub (see the module docstring).

    Channel names are scoped by `prefix` and the URL's database number (Pub/Sub ignores
    databases: two deployments sharing a Redis on `/0` and `/1` must not hear each other).
    """

    def __init__(self, url: str, *, prefix: str = "") -> None:
        self.url = url
        self.origin = os.urandom(_ORIGIN_BYTES)
        # CLIENT LIST shows which process holds a connection.
        self.name = f"tavolo-{os.getpid()}-{self.origin[:4].hex()}"
        self._prefix = prefix
        self._publisher: Redis | None = None
        self._subscriber: ConnectionPool | None = None
        self._namespace = b""
        self._channels: dict[bytes, _Channel] = {}
        # Where each channel's subscription stands on the current connection: "subscribing",
        # "subscribed" or "unsubscribing" (one command in flight per channel at most).
        self._state: dict[bytes, str] = {}
        self._state_changed = asyncio.Event()
        # The subscriber connection, while it is up, and the task reading it.
        self._connection: AbstractConnection | None = None
        self._reader: asyncio.Task | None = None
        self._connected_at = 0.0
        self._last_heard = 0.0
        # Channels whose messages could not be published: a resync notice is owed on each.
        self._unsent: set[bytes] = set()
        self._supervisor: asyncio.Task | None = None

    # --- life ------------------------------------------------------------------------------

    async def connect(self) -> None:
        """Check that Redis answers (a wrong URL stops the server at start) and start
        listening. Raises redis.exceptions.RedisError."""
        self._publisher = Redis.from_url(
            self.url, client_name=f"{self.name}-pub", socket_timeout=PUBLISH_TIMEOUT,
            socket_connect_timeout=PUBLISH_TIMEOUT, socket_keepalive=True,
            retry=Retry(ExponentialWithJitterBackoff(cap=0.5, base=0.05), PUBLISH_RETRIES))
        # RESP2, no retries, no timeout on reads (a quiet channel is normal; the heartbeat
        # tells a dead connection), writes straight to the socket: see the module docstring.
        self._subscriber = ConnectionPool.from_url(
            self.url, client_name=f"{self.name}-sub", protocol=2, socket_timeout=None,
            socket_connect_timeout=PUBLISH_TIMEOUT, socket_keepalive=True,
            retry=Retry(NoBackoff(), 0))
        self._subscriber.connection_kwargs["protocol"] = 2  # even if the URL asks for RESP3
        db = self._publisher.connection_pool.connection_kwargs.get("db", 0)
        self._namespace = f"{self._prefix}db{db}:".encode()
        await self._publisher.ping()
        self._supervisor = asyncio.create_task(self._run(), name=f"{self.name} subscriber")

    async def disconnect(self) -> None:
        if self._supervisor is not None:
            self._supervisor.cancel()
            await asyncio.wait([self._supervisor])
            self._supervisor = None
        if self._publisher is not None:
            await self._publisher.aclose()
        self._publisher = self._subscriber = None
        self._channels.clear()

    # --- the Broker interface --------------------------------------------------------------

    async def publish(self, channel: str, message: bytes) -> None:
        """Hand `message` to this process's subscribers, then to the others through Redis.

        Raises redis.exceptions.RedisError when Redis cannot take it; a resync notice on the
        channel follows once Redis answers again.
        """
        key = self.redis_channel(channel)
        local = self._channels.get(key)
        if local is not None:
            local.put(message)
        if self._connection is None and self._unsent:
            # Redis is unreachable: do not make every write wait for a timeout.
            self._unsent.add(key)
            raise RedisError("Redis is unreachable: the other processes will catch up later")
        try:
            await self._publisher.publish(key, _EVENTS + self.origin + message)
        except (RedisError, OSError):
            self._unsent.add(key)
            raise
        if self._unsent:
            await self._flush_unsent()

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[bytes]]:
        """Entered once Redis confirmed the subscription (raises ConnectionError after
        CONFIRM_TIMEOUT). Yields the channel's messages, and RESYNC after a reconnection.
        Leaving unsubscribes (when no one else in this process listens to the channel)."""
        key = self.redis_channel(channel)
        state = self._channels.get(key)
        if state is None:
            state = self._channels[key] = _Channel()
        # Unbounded: the only reader is the hub's listener, which never awaits a client.
        queue: asyncio.Queue[bytes] = asyncio.Queue()
        state.queues.add(queue)
        try:
            await self._reconcile(key)
            try:
                async with asyncio.timeout(CONFIRM_TIMEOUT):
                    await state.confirmed.wait()
            except TimeoutError:
                raise ConnectionError(f"Redis did not confirm the subscription to {channel}") from None
            yield _drain(queue)
        finally:
            state.queues.discard(queue)
            if not state.queues and self._channels.get(key) is state:
                del self._channels[key]
                await self._reconcile(key)
                await self._until_unsubscribed(key)

    # --- subscriptions -----------------------------------------------------------------------

    def redis_channel(self, channel: str) -> bytes:
        """The Redis channel that carries `channel`."""
        return self._namespace + channel.encode()

    async def _reconcile(self, key: bytes) -> None:
        """Send what brings the Redis subscription of `key` to what this process wants.
        Without a connection, nothing: the next one subscribes what is wanted then."""
        if self._connection is None:
            return
        wanted = key in self._channels
        state = self._state.get(key)
        if wanted and state is None:
            self._set_state(key, "subscribing")
            await self._send("SUBSCRIBE", key)
        elif not wanted and state == "subscribed":
            self._set_state(key, "unsubscribing")
            await self._send("UNSUBSCRIBE", key)
        # "subscribing" or "unsubscribing": the answer reconciles again.

    def _set_state(self, key: bytes, state: str | None) -> None:
        if state is None:
            self._state.pop(key, None)
        else:
            self._state[key] = state
        self._state_changed.set()
        self._state_changed = asyncio.Event()

    async def _until_unsubscribed(self, key: bytes) -> None:
        """Wait until Redis no longer sends `key` here, or someone here wants it again."""
        try:
            async with asyncio.timeout(CONFIRM_TIMEOUT):
                while key in self._state and key not in self._channels and self._connection is not None:
                    await self._state_changed.wait()
        except TimeoutError:
            log.warning("Redis did not confirm the unsubscription from %r", key)

    async def _send(self, *command: str | bytes) -> None:
        """Send a command on the subscriber connection, if it is up; a failure ends it."""
        connection = self._connection
        # Checked with no await before the write: redis-py would reconnect a closed
        # connection silently, without the subscriptions.
        if connection is None or not connection.is_connected:
            return
        try:
            await connection.send_command(*command, check_health=False)
        except Exception as error:  # whatever it is, this connection cannot be trusted
            log.warning("Redis subscriber connection failed while sending %s: %s", command[0], error)
            if self._reader is not None:
                self._reader.cancel()

    # --- the subscriber connection ------------------------------------------------------------

    async def _run(self) -> None:
        """Keep a subscriber connection, reconnecting with backoff, until cancelled."""
        loop = asyncio.get_running_loop()
        wait = RECONNECT_FIRST
        while True:
            session = asyncio.create_task(self._session())
            try:
                await asyncio.wait([session])
            finally:
                if not session.done():
                    session.cancel()
                    await asyncio.wait([session])
            error = session.exception() if not session.cancelled() else None
            if self._connected_at and loop.time() - self._connected_at >= HEALTHY:
                wait = RECONNECT_FIRST  # the connection worked for a while: a new outage
            if error is None or isinstance(error, RedisError | OSError | _ConnectionLost):
                log.warning("Redis subscriber connection lost (%s); reconnecting in about %.1f s",
                            error or "closed", wait)
            else:
                log.error("Redis subscriber failed; reconnecting in about %.1f s", wait, exc_info=error)
            self._connected_at = 0.0
            await asyncio.sleep(wait * random.uniform(0.5, 1.0))  # backoff, not synchronisation
            wait = min(wait * 2, RECONNECT_LAST)

    async def _session(self) -> None:
        """One subscriber connection: subscribe what is wanted, then read until it fails."""
        connection = self._subscriber.make_connection()
        try:
            await connection.connect()
            self._connection = connection
            self._connected_at = self._last_heard = asyncio.get_running_loop().time()
            self._reader = reader = asyncio.create_task(self._read(connection))
            heartbeat = asyncio.create_task(self._heartbeat())
            try:
                for key in list(self._channels):
                    await self._reconcile(key)
                await self._flush_unsent()
                done, _ = await asyncio.wait([reader, heartbeat], return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    if task.cancelled():
                        raise _ConnectionLost("a command could not be sent")
                    task.result()  # raises what ended the connection
            finally:
                for task in (reader, heartbeat):
                    task.cancel()
                await asyncio.wait([reader, heartbeat])
        finally:
            self._connection = self._reader = None
            for key in list(self._state):
                self._set_state(key, None)
            for channel in self._channels.values():
                if channel.confirmed.is_set():
                    channel.confirmed.clear()
                    channel.lost = True
            await connection.disconnect(nowait=True)

    async def _read(self, connection: AbstractConnection) -> None:
        loop = asyncio.get_running_loop()
        while True:
            reply = await connection.read_response()
            self._last_heard = loop.time()
            if isinstance(reply, list) and len(reply) == 3:
                await self._handle(reply[0], reply[1], reply[2])
            # anything else answers a PING

    async def _handle(self, kind: bytes, key: bytes, data) -> None:
        if kind == b"message":
            self._deliver(key, data)
        elif kind == b"subscribe":
            if self._state.get(key) == "subscribing":
                self._set_state(key, "subscribed")
            channel = self._channels.get(key)
            if channel is not None and not channel.confirmed.is_set():
                channel.confirmed.set()
                if channel.lost:
                    # Messages published while this process was not listening are gone.
                    channel.lost = False
                    channel.put(RESYNC)
            await self._reconcile(key)
        elif kind == b"unsubscribe":
            if self._state.get(key) == "unsubscribing":
                self._set_state(key, None)
            await self._reconcile(key)
        # b"pong" answers a PING

    def _deliver(self, key: bytes, data: bytes) -> None:
        channel = self._channels.get(key)
        if channel is None or len(data) < _HEADER or data[1:_HEADER] == self.origin:
            return  # nobody here listens, or our own (already handed out at publication)
        kind = data[:1]
        if kind == _EVENTS:
            channel.put(data[_HEADER:])
        elif kind == _RESYNC:
            channel.put(RESYNC)
        else:
            log.warning("unknown message kind %r on %r", kind, key)

    async def _heartbeat(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(HEARTBEAT)  # a timer: the heartbeat's period
            quiet = loop.time() - self._last_heard
            if quiet >= 3 * HEARTBEAT:
                raise _ConnectionLost(f"no answer from Redis for {quiet:.1f} s")
            if quiet >= HEARTBEAT:
                await self._send("PING")
            await self._flush_unsent()

    async def _flush_unsent(self) -> None:
        """A resync notice on each channel whose messages could not be published."""
        for key in list(self._unsent):
            try:
                await self._publisher.publish(key, _RESYNC + self.origin)
            except (RedisError, OSError) as error:
                log.warning("could not publish a resync notice on %r: %s", key, error)
                return
            self._unsent.discard(key)


async def _drain(queue: asyncio.Queue[bytes]) -> AsyncIterator[bytes]:
    while True:
        yield await queue.get()

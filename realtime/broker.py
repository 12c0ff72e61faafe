"""Carrying committed events between server processes: the broker interface, chosen by URL
scheme as encode/broadcaster does, and its in-process implementation.

A broker only moves bytes on channels (one per meeting). Ordering, gaps and repeats are the
hub's business (`sequencer`): a broker may deliver late, twice, or not at all, and the event
log fills in. See docs/protocol.md ("Fan-out across processes").
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol
from urllib.parse import urlsplit


class Broker(Protocol):
    async def connect(self) -> None: ...

    async def disconnect(self) -> None: ...

    async def publish(self, channel: str, message: bytes) -> None: ...

    def subscribe(self, channel: str) -> AbstractAsyncContextManager[AsyncIterator[bytes]]:
        """`async with broker.subscribe(channel) as messages: async for message in messages`.

        Entering returns only once the subscription is active: a message published after
        that is delivered. Leaving unsubscribes. `RESYNC` among the messages means that
        messages may have been lost before it (the broker reconnected).
        """
        ...


# Yielded by a subscription, after the broker reconnected, in place of the messages it may
# have missed: the listener re-reads what it needs (the hub: the streams' heads). Empty,
# so that no published message (the hub's are JSON lists) is ever mistaken for it.
RESYNC = b""


class MemoryBroker:
    """One process: publishing hands the message to this process's subscribers."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[bytes]]] = {}

    async def connect(self) -> None:
        pass

    async def disconnect(self) -> None:
        self._subscribers.clear()

    async def publish(self, channel: str, message: bytes) -> None:
        for queue in self._subscribers.get(channel, ()):
            queue.put_nowait(message)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[bytes]]:
        # Unbounded: the only reader is the hub's own listener, which never awaits a client.
        queue: asyncio.Queue[bytes] = asyncio.Queue()
        self._subscribers.setdefault(channel, set()).add(queue)
        try:
            yield _drain(queue)
        finally:
            subscribers = self._subscribers.get(channel, set())
            subscribers.discard(queue)
            if not subscribers:
                self._subscribers.pop(channel, None)


async def _drain(queue: asyncio.Queue[bytes]) -> AsyncIterator[bytes]:
    while True:
        yield await queue.get()


def broker_for(url: str, *, prefix: str = "") -> Broker:
    """The broker for `TAVOLO_REDIS_URL`: in-process when empty or `memory://`, Redis
    Pub/Sub for `redis://` and `rediss://` (channel names start with `prefix`)."""
    scheme = urlsplit(url).scheme if url else "memory"
    if scheme == "memory":
        return MemoryBroker()
    if scheme in ("redis", "rediss"):
        from realtime.redis_broker import RedisBroker

        return RedisBroker(url, prefix=prefix)
    raise ValueError(f"unknown broker URL scheme {scheme!r} (use redis:// or memory://)")

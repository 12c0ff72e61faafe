"""One stream's fan-out inside this server process: its sequencer, its subscriptions and
the presence waiting to go out.

Fan-out is synchronous and never awaits a client: each event is rendered and encoded once
per visibility class among the subscribers and put in their outboxes. A subscription
holds what arrives while it catches up, then sends its snapshot or replay, `synced`, and
what it held beyond that seq. See docs/protocol.md ("Subscribing without gap or repeat").
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from realtime.errors import Close
from realtime.frames import encode
from realtime.sequencer import Sequencer
from realtime.streams import LogEvent, StreamName
from realtime.visibility import EVERYONE, RULES, class_of, event_frame

if TYPE_CHECKING:
    from realtime.connection import Connection

# Events held for a subscription while its snapshot is read; more means the read is stuck
# behind a very busy stream, and the client is better off trying again.
HOLD_LIMIT = 5000


class Subscription:
    def __init__(self, connection: Connection, stream: StreamName) -> None:
        self.connection = connection
        self.stream = stream
        self.synced = False
        # The last seq this subscriber has been sent.
        self.last = 0
        self.held: list[tuple[int, str]] = []

    def deliver(self, seq: int, frame: str) -> None:
        if not self.synced:
            self.held.append((seq, frame))
            if len(self.held) > HOLD_LIMIT:
                self.connection.close(Close.TOO_SLOW, "too slow: resubscribe with since", urgent=True)
            return
        if seq <= self.last:
            return
        self.last = seq
        self.connection.outbox.put(frame)

    def sync(self, seq: int, catch_up: list[str]) -> None:
        """Send the snapshot or replay up to `seq`, `synced`, then what was held beyond."""
        outbox = self.connection.outbox
        synced = encode({"type": "synced", "stream": self.stream.wire, "seq": seq})
        outbox.put_all([*catch_up, synced])
        self.last = seq
        self.synced = True
        held, self.held = self.held, []
        for held_seq, frame in held:
            if held_seq > self.last:
                self.last = held_seq
                outbox.put(frame)


class Feed:
    def __init__(self, log_stream: str) -> None:
        self.log_stream = log_stream
        self.sequencer = Sequencer()
        self.subscriptions: dict[Connection, Subscription] = {}
        # Resolved once the sequencer knows the stream's head (read from the database).
        self.started: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.gap_task: asyncio.Task | None = None
        # The latest presence of each sender, waiting for the next flush (coalescing).
        self.presence: dict[Connection, dict] = {}
        self.presence_timer: asyncio.TimerHandle | None = None

    def start(self, head: int) -> None:
        for event in self.sequencer.start(head):
            self.fan_out(event)
        if not self.started.done():
            self.started.set_result(None)

    def offer(self, event: LogEvent) -> None:
        for ready in self.sequencer.offer(event):
            self.fan_out(ready)

    def fan_out(self, event: LogEvent) -> None:
        seq = event.seq
        if event.name not in RULES:
            # One class, everyone: the same string for every subscriber.
            frame = encode(event_frame(event, EVERYONE))
            for subscription in list(self.subscriptions.values()):
                subscription.deliver(seq, frame)
            return
        encoded: dict[str, str] = {}
        for subscription in list(self.subscriptions.values()):
            klass = class_of(event, subscription.connection.viewer)
            frame = encoded.get(klass)
            if frame is None:
                frame = encoded[klass] = encode(event_frame(event, klass))
            subscription.deliver(seq, frame)

    def flush_presence(self) -> list[dict]:
        """The cursors of this tick, as one entry per recipient: the same list for everyone
        but the senders, who do not get their own back. Returns the tick's frames."""
        self.presence_timer = None
        waiting, self.presence = self.presence, {}
        if not waiting:
            return []
        texts = {sender: encode(frame) for sender, frame in waiting.items()}
        everyone = list(texts.values())
        size = sum(map(len, everyone))
        for subscription in self.subscriptions.values():
            if not subscription.synced:
                continue
            connection = subscription.connection
            own = texts.get(connection)
            if own is None:
                connection.outbox.put_all(everyone, droppable=True, size=size)
            elif len(texts) > 1:
                others = [text for sender, text in texts.items() if sender is not connection]
                connection.outbox.put_all(others, droppable=True, size=size - len(own))
        return list(waiting.values())

    def relay_presence(self, frames: list[dict]) -> None:
        """A tick's presence from another process: for every subscriber here."""
        texts = [encode(frame) for frame in frames]
        size = sum(map(len, texts))
        for subscription in self.subscriptions.values():
            if subscription.synced:
                subscription.connection.outbox.put_all(texts, droppable=True, size=size)

    def stop(self) -> None:
        if self.gap_task is not None:
            self.gap_task.cancel()
        if self.presence_timer is not None:
            self.presence_timer.cancel()
        if not self.started.done():
            self.started.cancel()

"""Helpers of the real-time tests: a protocol client over real websockets, and a reference
model of a board that applies snapshots and events as a client written to the contract
does (Zulip's verify_action compares it with a fresh snapshot).

No sleeps: every wait is for a frame, with a timeout.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

# Waiting for a frame longer than this means it is not coming.
TIMEOUT = 10.0
# The contract: clients accept server frames up to 16 MiB.
MAX_SERVER_FRAME = 16 * 1024 * 1024

_op_ids = itertools.count(1)


def new_op_id() -> str:
    return f"op-{next(_op_ids)}"


class Closed(Exception):
    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"closed {code} {reason}")
        self.code = code
        self.reason = reason


class Client:
    """One websocket connection speaking protocol v1, with every frame it received kept.

    Batches are unwrapped; `frames` holds what arrived, in order, and `take` consumes the
    first frame that matches a predicate (frames before it stay for later takes).
    """

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.frames: list[dict] = []
        self.unread: list[dict] = []
        self.batches = 0
        self._arrived = asyncio.Event()
        self._closed: Closed | None = None
        self._reader = asyncio.create_task(self._read())
        self.welcome: dict | None = None

    @classmethod
    async def open(cls, ws_url: str, meeting_id: int, token: str | None = None, *,
                   hello: bool = True, lang: str | None = None, headers: dict | None = None,
                   origin: str | None = None) -> Client:
        ws = await connect(f"{ws_url}/ws/meetings/{meeting_id}", additional_headers=headers,
                           origin=origin, max_size=MAX_SERVER_FRAME, open_timeout=TIMEOUT)
        client = cls(ws)
        if hello:
            frame = {"type": "hello", "client": "tests/1"}
            if token is not None:
                frame["token"] = token
            if lang is not None:
                frame["lang"] = lang
            await client.send(frame)
            client.welcome = await client.take(lambda f: f["type"] == "welcome")
        return client

    async def _read(self) -> None:
        try:
            async for message in self.ws:
                frame = json.loads(message)
                inner = frame["frames"] if frame.get("type") == "batch" else [frame]
                if frame.get("type") == "batch":
                    self.batches += 1
                self.frames.extend(inner)
                self.unread.extend(inner)
                self._arrived.set()
        except ConnectionClosed:
            pass
        finally:
            self._closed = Closed(self.ws.close_code, self.ws.close_reason or "")
            self._arrived.set()

    async def send(self, frame: dict | str | bytes) -> None:
        await self.ws.send(frame if isinstance(frame, str | bytes) else json.dumps(frame))

    async def take(self, predicate, timeout: float = TIMEOUT) -> dict:
        """The first unread frame matching `predicate`, waiting for it if need be."""
        async def wait() -> dict:
            while True:
                for index, frame in enumerate(self.unread):
                    if predicate(frame):
                        del self.unread[index]
                        return frame
                if self._closed is not None:
                    raise self._closed
                self._arrived.clear()
                await self._arrived.wait()

        return await asyncio.wait_for(wait(), timeout)

    async def closed(self, timeout: float = TIMEOUT) -> Closed:
        """Wait for the server to close the connection; its close code and reason."""
        try:
            await self.take(lambda f: False, timeout)
        except Closed as closed:
            return closed
        raise AssertionError("not closed")

    async def op(self, stream: str, name: str, data: dict, op_id: str | None = None) -> dict:
        """Send an op and wait for its ack or error."""
        op_id = op_id or new_op_id()
        await self.send({"type": "op", "id": op_id, "stream": stream, "name": name, "data": data})
        return await self.answer(op_id)

    async def answer(self, op_id: str) -> dict:
        return await self.take(lambda f: f["type"] in ("ack", "error") and f.get("id") == op_id)

    async def subscribe(self, stream: str, since: int | None = None) -> list[dict]:
        """Subscribe; the frames up to and including `synced` for that stream."""
        frame = {"type": "subscribe", "stream": stream}
        if since is not None:
            frame["since"] = since
        await self.send(frame)
        got = []
        while True:
            answer = await self.take(lambda f: f.get("stream") == stream and f["type"] in (
                "snapshot", "event", "synced", "error"))
            got.append(answer)
            if answer["type"] in ("synced", "error"):
                return got

    async def events_until(self, stream: str, seq: int, timeout: float = TIMEOUT) -> list[dict]:
        """Unread events of a stream, up to the one with `seq`."""
        events = []
        while not events or events[-1]["seq"] < seq:
            events.append(await self.take(lambda f: f["type"] == "event" and f["stream"] == stream,
                                          timeout))
        return events

    async def close(self) -> None:
        await self.ws.close()
        self._reader.cancel()


@dataclass
class BoardModel:
    """A stream as a client holds it: a snapshot, then every event applied in seq order.

    Board streams fill `items` and `comments`; the rest of a snapshot's state (and the
    whole of a meeting snapshot's) is in `rest`.
    """

    seq: int = 0
    items: dict[int, dict] = field(default_factory=dict)
    comments: dict[int, dict] = field(default_factory=dict)
    rest: dict = field(default_factory=dict)

    def apply(self, frame: dict) -> None:
        """Apply a `snapshot` or `event` frame (other frames are ignored)."""
        if frame["type"] == "snapshot":
            state = dict(frame["state"])
            self.items = {item["id"]: dict(item) for item in state.pop("items", [])}
            self.comments = {comment["id"]: dict(comment) for comment in state.pop("comments", [])}
            self.rest = state
            self.seq = frame["seq"]
            return
        if frame["type"] != "event":
            return
        assert frame["seq"] == self.seq + 1, f"gap or repeat: {self.seq} then {frame['seq']}"
        self.seq = frame["seq"]
        name, data = frame["name"], frame["data"]
        if name == "item.created":
            self.items[data["item"]["id"]] = dict(data["item"])
        elif name == "item.updated":
            item = self.items[data["item"]]
            fields = dict(data["fields"])
            if fields.pop("redacted", False):
                item["redacted"] = True
            item.update(fields)
            item["version"] = data["version"]
        elif name == "item.moved":
            self.items[data["item"]].update(x=data["x"], y=data["y"], version=data["version"])
        elif name == "item.deleted":
            del self.items[data["item"]]
            self.comments = {k: c for k, c in self.comments.items() if c["item"] != data["item"]}
        elif name == "comment.added":
            self.comments[data["comment"]["id"]] = dict(data["comment"])
        elif name == "participant.joined":
            self.rest["present"] = sorted({*self.rest["present"], data["participant"]})
        elif name == "participant.left":
            self.rest["present"] = [p for p in self.rest["present"] if p != data["participant"]]
        else:
            raise AssertionError(f"unexpected event {name}")

    def state(self) -> dict:
        return {
            "items": [self.items[k] for k in sorted(self.items)],
            "comments": [self.comments[k] for k in sorted(self.comments)],
            **self.rest,
        }


def drain(client: Client, stream: str, model: BoardModel) -> None:
    """Apply the events of `stream` that have arrived so far (without waiting)."""
    for frame in [f for f in client.unread if f["type"] == "event" and f["stream"] == stream]:
        client.unread.remove(frame)
        model.apply(frame)

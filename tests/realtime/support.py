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
    whole of a meeting snapshot's) is in `rest`. `me` is the person whose view this is (a
    vote counts in `my_votes` only when its actor is them).
    """

    seq: int = 0
    items: dict[int, dict] = field(default_factory=dict)
    comments: dict[int, dict] = field(default_factory=dict)
    rest: dict = field(default_factory=dict)
    me: int | None = None

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
        handler = _HANDLERS.get(frame["name"])
        if handler is None:
            raise AssertionError(f"unexpected event {frame['name']}")
        handler(self, frame["data"], frame)

    def state(self) -> dict:
        return {
            "items": [self.items[k] for k in sorted(self.items)],
            "comments": [self.comments[k] for k in sorted(self.comments)],
            **self.rest,
        }

    def mine(self, frame: dict) -> bool:
        return frame["actor"] is not None and frame["actor"]["participant"] == self.me

    # --- board events ----------------------------------------------------------------------

    def item_created(self, data: dict, frame: dict) -> None:
        self.items[data["item"]["id"]] = dict(data["item"])

    def item_updated(self, data: dict, frame: dict) -> None:
        item = self.items[data["item"]]
        fields = dict(data["fields"])
        if fields.pop("redacted", False):
            item["redacted"] = True
        item.update(fields)
        item["version"] = data["version"]

    def item_moved(self, data: dict, frame: dict) -> None:
        self.items[data["item"]].update(x=data["x"], y=data["y"], version=data["version"])

    def item_deleted(self, data: dict, frame: dict) -> None:
        del self.items[data["item"]]
        self.comments = {k: c for k, c in self.comments.items() if c["item"] != data["item"]}

    def comment_added(self, data: dict, frame: dict) -> None:
        self.comments[data["comment"]["id"]] = dict(data["comment"])

    def voting_started(self, data: dict, frame: dict) -> None:
        self.rest.update(voting={"budget": data["budget"], "my_votes": []}, results=None)

    def voting_ended(self, data: dict, frame: dict) -> None:
        self.rest.update(voting=None, results=data["results"])

    def vote_cast(self, data: dict, frame: dict) -> None:
        if self.mine(frame):
            self.rest["voting"]["my_votes"].append(data["item"])

    def vote_retracted(self, data: dict, frame: dict) -> None:
        if self.mine(frame):  # the voter's latest vote on that item
            votes = self.rest["voting"]["my_votes"]
            del votes[len(votes) - 1 - votes[::-1].index(data["item"])]

    def private_started(self, data: dict, frame: dict) -> None:
        self.rest["private"] = True

    def private_revealed(self, data: dict, frame: dict) -> None:
        for item in data["items"]:
            self.items[item["id"]] = dict(item)
        self.rest["private"] = False

    def board_locked(self, data: dict, frame: dict) -> None:
        self.rest["locked"] = frame["name"] == "board.locked"

    # --- meeting events ----------------------------------------------------------------------

    def meeting_started(self, data: dict, frame: dict) -> None:
        self.rest["meeting"].update(state="live", started_at=data["at"], chair=frame["actor"]["participant"])

    def meeting_ended(self, data: dict, frame: dict) -> None:
        self.rest["meeting"].update(state="ended", ended_at=data["at"])
        self.rest["present"] = []

    def participant_joined(self, data: dict, frame: dict) -> None:
        self.rest["present"] = sorted({*self.rest["present"], data["participant"]})

    def participant_left(self, data: dict, frame: dict) -> None:
        self.rest["present"] = [p for p in self.rest["present"] if p != data["participant"]]

    def participant_removed(self, data: dict, frame: dict) -> None:
        self.participant_left(data, frame)
        for group in self.rest["groups"]:
            group["members"] = [p for p in group["members"] if p != data["participant"]]

    def prompt_opened(self, data: dict, frame: dict) -> None:
        self.rest["prompts"].append({**data["prompt"], "open": True})

    def prompt_closed(self, data: dict, frame: dict) -> None:
        next(p for p in self.rest["prompts"] if p["id"] == data["prompt"])["open"] = False

    def groups_created(self, data: dict, frame: dict) -> None:
        self.rest.update(groups=[dict(group, members=list(group["members"])) for group in data["groups"]],
                         running=False)

    def groups_assigned(self, data: dict, frame: dict) -> None:
        for group in self.rest["groups"]:
            group["members"] = [p for p in group["members"] if p != data["participant"]]
            if group["id"] == data["group"]:
                group["members"].append(data["participant"])

    def groups_running(self, data: dict, frame: dict) -> None:
        self.rest["running"] = frame["name"] == "groups.started"

    def timer_started(self, data: dict, frame: dict) -> None:
        self.rest["timer"] = {"ends_at": data["ends_at"], "label": data["label"]}

    def timer_stopped(self, data: dict, frame: dict) -> None:
        self.rest["timer"] = None

    def nothing_to_keep(self, data: dict, frame: dict) -> None:
        """`summoned`, `message.broadcast`, `board.created`: moments, not meeting state."""

    def line_promoted(self, data: dict, frame: dict) -> None:
        self.rest["lines"].append(data["line"])

    def decision_recorded(self, data: dict, frame: dict) -> None:
        self.rest["decisions"].append(data["decision"])

    def action_added(self, data: dict, frame: dict) -> None:
        self.rest["actions"].append(data["action"])

    def action_updated(self, data: dict, frame: dict) -> None:
        self.rest["actions"] = [data["action"] if a["id"] == data["action"]["id"] else a for a in self.rest["actions"]]


_HANDLERS = {
    "item.created": BoardModel.item_created,
    "item.updated": BoardModel.item_updated,
    "item.moved": BoardModel.item_moved,
    "item.deleted": BoardModel.item_deleted,
    "comment.added": BoardModel.comment_added,
    "voting.started": BoardModel.voting_started,
    "voting.ended": BoardModel.voting_ended,
    "vote.cast": BoardModel.vote_cast,
    "vote.retracted": BoardModel.vote_retracted,
    "private.started": BoardModel.private_started,
    "private.revealed": BoardModel.private_revealed,
    "board.locked": BoardModel.board_locked,
    "board.unlocked": BoardModel.board_locked,
    "meeting.started": BoardModel.meeting_started,
    "meeting.ended": BoardModel.meeting_ended,
    "participant.joined": BoardModel.participant_joined,
    "participant.left": BoardModel.participant_left,
    "participant.removed": BoardModel.participant_removed,
    "prompt.opened": BoardModel.prompt_opened,
    "prompt.closed": BoardModel.prompt_closed,
    "groups.created": BoardModel.groups_created,
    "groups.assigned": BoardModel.groups_assigned,
    "groups.started": BoardModel.groups_running,
    "groups.ended": BoardModel.groups_running,
    "timer.started": BoardModel.timer_started,
    "timer.stopped": BoardModel.timer_stopped,
    "summoned": BoardModel.nothing_to_keep,
    "message.broadcast": BoardModel.nothing_to_keep,
    "board.created": BoardModel.nothing_to_keep,
    "line.promoted": BoardModel.line_promoted,
    "decision.recorded": BoardModel.decision_recorded,
    "action.added": BoardModel.action_added,
    "action.updated": BoardModel.action_updated,
}


def drain(client: Client, stream: str, model: BoardModel) -> None:
    """Apply the events of `stream` that have arrived so far (without waiting)."""
    for frame in [f for f in client.unread if f["type"] == "event" and f["stream"] == stream]:
        client.unread.remove(frame)
        model.apply(frame)

"""The writer task of a connection (realtime/transport.py): frames go out at once while the
connection is within its message budget, and together, as one `batch`, once it is spent."""

from __future__ import annotations

import asyncio
import json

from realtime import transport
from realtime.outbox import Outbox


class Socket:
    """Records the messages sent, and wakes the test at each."""

    scope = {"extensions": {}}

    def __init__(self) -> None:
        self.messages: list[list[str]] = []
        self.sent = asyncio.Event()

    async def send_text(self, text: str) -> None:
        frame = json.loads(text)
        self.messages.append([inner["id"] for inner in frame["frames"]] if frame["type"] == "batch" else [frame["id"]])
        self.sent.set()

    async def until(self, count: int) -> None:
        """Return once `count` messages have been sent."""
        while len(self.messages) < count:
            self.sent.clear()
            await asyncio.wait_for(self.sent.wait(), 5)


def frame(name: str) -> str:
    return json.dumps({"type": "event", "id": name})


async def writer_turns() -> None:
    """Let the writer run as far as it can without a timer (a few turns of the loop)."""
    for _ in range(5):
        await asyncio.sleep(0)


async def test_frames_go_out_at_once_within_the_burst_then_together():
    socket, outbox = Socket(), Outbox()
    writer = asyncio.create_task(transport._write(socket, outbox))
    try:
        assert transport.BURST == 3
        for name in ("a", "b", "c"):
            outbox.put(frame(name))
            await writer_turns()
            assert socket.messages[-1:] == [[name]], "a frame within the budget waited for a timer"
        # The budget is spent: what comes now waits for the next message, and goes out with
        # what came meanwhile.
        outbox.put(frame("d"))
        await writer_turns()
        outbox.put(frame("e"))
        await socket.until(4)
        assert socket.messages == [["a"], ["b"], ["c"], ["d", "e"]]
    finally:
        outbox.close(1000)
        await asyncio.wait_for(writer, 5)

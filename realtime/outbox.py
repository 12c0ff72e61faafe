"""The bounded send queue of one connection, drained by its writer task.

Fan-out only ever calls `put`, which never waits: a connection that lets its queue fill up
is closed with 4408 (its client resubscribes with `since`) instead of slowing anyone else.
Frames are encoded strings shared between recipients; a replay is queued as one entry of
many frames. See docs/protocol.md ("Queues").
"""

from __future__ import annotations

import asyncio

from realtime.errors import Close

# Entries waiting for one connection. A busy board makes a few dozen events a second: a
# client this far behind has stalled for a long while and is better off resyncing.
MAX_FRAMES = 2000
# Bytes waiting for one connection (beyond the first frame, which may be a big snapshot).
MAX_BYTES = 16 * 1024 * 1024
# The writer sends what is waiting as one `batch` frame, up to these sizes.
BATCH_FRAMES = 200
BATCH_BYTES = 1024 * 1024


class Outbox:
    """Every idle connection holds one, so it keeps few objects: a list rather than a
    deque (which allocates a block of 64 slots at once), and futures rather than
    `asyncio.Event`s (each of which holds a deque of waiters). See docs/performance.md
    ("Memory per idle connection")."""

    __slots__ = ("max_frames", "max_bytes", "_entries", "_bytes", "_wake", "closing", "close_code",
                 "close_reason", "urgent")

    def __init__(self, *, max_frames: int = MAX_FRAMES, max_bytes: int = MAX_BYTES) -> None:
        self.max_frames = max_frames
        self.max_bytes = max_bytes
        # (a frame or a list of frames that go out together, its size); lists may be shared
        # between connections and are never changed once queued.
        self._entries: list[tuple[str | list[str], int]] = []
        self._bytes = 0
        # What the writer waits on while the queue is empty.
        self._wake: asyncio.Future | None = None
        # Done once a close is asked for: the transport then closes the socket.
        self.closing: asyncio.Future = asyncio.get_running_loop().create_future()
        self.close_code: int | None = None
        self.close_reason = ""
        # A close that does not wait for the queue to drain (overflow).
        self.urgent = False

    def __len__(self) -> int:
        return len(self._entries)

    def put(self, frame: str, *, droppable: bool = False) -> bool:
        """Queue a frame; False if the connection is closing or has just overflowed.

        A droppable frame (presence) is dropped, not queued, once the queue is half full.
        """
        if droppable and len(self._entries) >= self.max_frames // 2:
            return self.close_code is None
        return self._queue(frame, len(frame))

    def put_all(self, frames: list[str], *, droppable: bool = False, size: int | None = None) -> bool:
        """Queue frames that go out together (a replay, the cursors of a tick), as one entry.

        The list is kept as it is, so one list may be queued for many connections; `size`
        (the sum of the frames' lengths) saves counting it again for each.
        """
        if droppable and len(self._entries) >= self.max_frames // 2:
            return self.close_code is None
        return self._queue(frames, sum(map(len, frames)) if size is None else size)

    def _queue(self, entry: str | list[str], size: int) -> bool:
        if self.close_code is not None:
            return False
        if len(self._entries) >= self.max_frames or (self._entries and self._bytes + size > self.max_bytes):
            self.close(Close.TOO_SLOW, "too slow: resubscribe with since", urgent=True)
            return False
        self._entries.append((entry, size))
        self._bytes += size
        self._wake_writer()
        return True

    def close(self, code: int, reason: str = "", *, urgent: bool = False) -> None:
        """Ask for the socket to close, after what is queued unless `urgent`."""
        if self.close_code is not None:
            return
        self.close_code = code
        self.close_reason = reason
        self.urgent = urgent
        if urgent:
            self._entries.clear()
            self._bytes = 0
        self.closing.set_result(None)
        self._wake_writer()

    def _wake_writer(self) -> None:
        if self._wake is not None and not self._wake.done():
            self._wake.set_result(None)

    async def take(self) -> list[str] | None:
        """The next frames to send (at least one), or None when the socket should close."""
        while not self._entries:
            if self.close_code is not None:
                return None
            self._wake = asyncio.get_running_loop().create_future()
            try:
                await self._wake
            finally:
                self._wake = None
        if self.urgent:
            return None
        frames: list[str] = []
        size = 0
        taken = 0
        for entry, entry_size in self._entries:
            if frames and (len(frames) >= BATCH_FRAMES or size + entry_size > BATCH_BYTES):
                break
            if isinstance(entry, str):
                frames.append(entry)
            else:
                frames.extend(entry)
            size += entry_size
            taken += 1
        # At most MAX_FRAMES entries: moving the rest forward costs less than a deque's block.
        del self._entries[:taken]
        self._bytes -= size
        return frames

"""The reorder buffer of one stream: events in, the same events out in seq order, each
exactly once, whatever order (and however many times) they arrive.

Sans-I/O. The hub fills what `missing` reports from the event log. See docs/protocol.md.
"""

from __future__ import annotations

from realtime.streams import LogEvent


class Sequencer:
    def __init__(self) -> None:
        # The last seq handed out; None until `start` says where the stream stands.
        self.head: int | None = None
        self.pending: dict[int, LogEvent] = {}
        # The stream's head in the log as last read (after the broker may have lost
        # messages): what is missing up to it is a gap even with nothing waiting.
        self.known = 0

    def start(self, head: int) -> list[LogEvent]:
        """Begin after `head`: what arrived before is handed out if it follows on."""
        self.head = head
        for seq in [seq for seq in self.pending if seq <= head]:
            del self.pending[seq]
        return self._release()

    def offer(self, event: LogEvent) -> list[LogEvent]:
        """The events that can be handed out now, in order (none if this one is early)."""
        if self.head is not None and event.seq <= self.head:
            return []
        self.pending.setdefault(event.seq, event)
        return self._release() if self.head is not None else []

    def reached(self, seq: int) -> None:
        """The stream has reached `seq` in the log (read after a broker reconnection)."""
        self.known = max(self.known, seq)

    def missing(self) -> tuple[int, int] | None:
        """The first and last seq of the gap before the earliest waiting event, or else up
        to the head the stream is known to have reached, if any."""
        if self.head is None:
            return None
        if self.pending:
            return self.head + 1, min(self.pending) - 1
        if self.known > self.head:
            return self.head + 1, self.known
        return None

    def _release(self) -> list[LogEvent]:
        released = []
        while (event := self.pending.pop(self.head + 1, None)) is not None:
            released.append(event)
            self.head = event.seq
        return released

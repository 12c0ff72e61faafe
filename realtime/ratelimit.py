"""Token buckets: how many ops a person, and how many other frames a connection, may send.

The contract promises at least 10 ops/s sustained and bursts of 30 per person; we allow
twice that, so a client at the promised rate never meets the limit through timing jitter.
See docs/protocol.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable

# Ops per person (across their connections to this server process).
OPS_PER_SECOND = 20.0
OPS_BURST = 60
# subscribe / unsubscribe per connection: each subscribe may read a whole board.
SUBSCRIPTIONS_PER_SECOND = 10.0
SUBSCRIPTIONS_BURST = 50
# Presence frames per connection; above this they are dropped, silently (they are ephemeral).
PRESENCE_PER_SECOND = 30.0
PRESENCE_BURST = 60


class TokenBucket:
    """`burst` tokens, refilled at `rate` per second; each frame takes one."""

    def __init__(self, *, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.tokens = float(burst)
        self.updated = clock()

    def _refilled(self) -> tuple[float, float]:
        """The tokens there now (at most `burst`), and now."""
        now = self.clock()
        return min(self.burst, self.tokens + (now - self.updated) * self.rate), now

    def take(self) -> bool:
        self.tokens, self.updated = self._refilled()
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def delay(self) -> float:
        """Seconds until a token is there: 0 when one is."""
        return max(0.0, (1 - self._refilled()[0]) / self.rate)

    def idle(self) -> bool:
        """Full again: the bucket may be forgotten."""
        return self._refilled()[0] >= self.burst


def ops_bucket(clock: Callable[[], float] = time.monotonic) -> TokenBucket:
    return TokenBucket(rate=OPS_PER_SECOND, burst=OPS_BURST, clock=clock)

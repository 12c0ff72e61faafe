"""Counting failed logins and joins, per client address and per account, to answer 429.

Only failures count, so a busy meeting room behind one NAT address is never locked out by
its own successful joins. The counts live in this process; see docs/security.md.
"""

from __future__ import annotations

import math
import time
from collections import deque

from boards.errors import TooManyAttempts

# Keys with failures are swept for expired ones when there are this many: enough for a
# large deployment's real traffic, small enough that a flood of guesses stays cheap.
SWEEP_ABOVE = 10_000


class FailureLimiter:
    def __init__(self, *, allowed: int, window_seconds: float) -> None:
        self.allowed = allowed
        self.window = window_seconds
        # Only keys that failed recently are held: a successful attempt adds nothing.
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> int:
        failures = self._failures.get(key)
        if failures is None:
            return 0
        horizon = now - self.window
        while failures and failures[0] < horizon:
            failures.popleft()
        if not failures:
            del self._failures[key]
        return len(failures)

    def check(self, *keys: str) -> None:
        """Raises TooManyAttempts if any key has used up its failures; its `retry_after` is
        the seconds until that key may try again (the answer's Retry-After)."""
        now = time.monotonic()
        for key in keys:
            recent = self._recent(key, now)
            if recent >= self.allowed:
                error = TooManyAttempts("Too many failed attempts: try again in a few minutes")
                # One more attempt is allowed once the failure that filled the quota ages out.
                frees_at = self._failures[key][recent - self.allowed] + self.window
                error.retry_after = max(1, math.ceil(frees_at - now))
                raise error

    def fail(self, *keys: str) -> None:
        now = time.monotonic()
        if len(self._failures) >= SWEEP_ABOVE:
            for key in list(self._failures):
                self._recent(key, now)
        for key in keys:
            self._failures.setdefault(key, deque()).append(now)

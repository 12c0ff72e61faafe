"""Counting failed logins and joins, per client address and per account, to answer 429.

Only failures count, so a busy meeting room behind one NAT address is never locked out by
its own successful joins. The counts live in this process; see docs/security.md.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque

from boards.errors import TooManyAttempts


class FailureLimiter:
    def __init__(self, *, allowed: int, window_seconds: float) -> None:
        self.allowed = allowed
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, key: str) -> deque[float]:
        failures = self._failures[key]
        horizon = time.monotonic() - self.window
        while failures and failures[0] < horizon:
            failures.popleft()
        return failures

    def check(self, *keys: str) -> None:
        """Raises TooManyAttempts if any key has used up its failures."""
        for key in keys:
            if len(self._recent(key)) >= self.allowed:
                raise TooManyAttempts("Too many failed attempts: try again in a few minutes")

    def fail(self, *keys: str) -> None:
        now = time.monotonic()
        for key in keys:
            self._recent(key).append(now)

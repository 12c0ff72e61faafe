"""Fixtures of the fault tests: the real-time tests' meeting (`room`) and cheap password
hashing, shared rather than copied."""

from tests.realtime.conftest import quick_password_hashing, room  # noqa: F401 (fixtures)

"""Time in one convention: aware UTC datetimes everywhere, ISO 8601 with `Z` on the wire.

SQLModel's UTCDateTime stores them with the time zone and gives them back in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """Incoming naive datetimes are taken as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return as_utc(moment).isoformat(timespec="seconds").replace("+00:00", "Z")

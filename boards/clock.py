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


# Moments people type (a meeting's start, an arrival, a deadline) lie within these years:
# past them a page or a verbale cannot show the local time (year 10000 overflows).
EARLIEST_YEAR = 1900
LATEST_YEAR = 2999


def typed_moment(moment: datetime) -> datetime:
    """A moment someone typed, in UTC. Raises OverflowError outside EARLIEST_YEAR..LATEST_YEAR
    (callers turn it into their field's InvalidInput)."""
    moment = as_utc(moment)
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise OverflowError(f"year {moment.year}")
    return moment


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return as_utc(moment).isoformat(timespec="seconds").replace("+00:00", "Z")

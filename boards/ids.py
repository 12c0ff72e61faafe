"""Ids that come from outside (URLs, JSON bodies, protocol ops), before they reach a query."""

from __future__ import annotations

from typing import TypeVar

from sqlmodel import Session, SQLModel

# Primary keys are 32-bit INTEGER columns on PostgreSQL. A larger number names no row, but
# the driver raises on it instead of finding nothing (SQLite does the same past 64 bits).
MAX_ID = 2**31 - 1

Row = TypeVar("Row", bound=SQLModel)


def fetch(session: Session, model: type[Row], row_id: object) -> Row | None:
    """The row with this id, or None when there is none or the value cannot be an id."""
    if isinstance(row_id, bool) or not isinstance(row_id, int) or not 1 <= row_id <= MAX_ID:
        return None
    return session.get(model, row_id)

"""Inserting a row at once, outside the session's unit of work.

An op inserts a few rows and reads them back from the objects it built; handing them to
the unit of work (`session.add`, then a flush) costs more CPU than the INSERT itself, and an
op's CPU is what bounds a busy meeting. See docs/performance.md.
"""

from __future__ import annotations

from functools import cache
from typing import TypeVar

from sqlalchemy import Insert, insert
from sqlmodel import Session, SQLModel

Row = TypeVar("Row", bound=SQLModel)


@cache
def _insert_of(model: type[SQLModel]) -> tuple[Insert, tuple[str, ...]]:
    table = model.__table__
    return insert(table), tuple(column.name for column in table.columns if not column.primary_key)


def insert_now(session: Session, row: Row) -> Row:
    """Insert `row` (built with its defaults, never added to the session) in the session's
    transaction, and give it its id. The object stays outside the session: read the row
    again through the session to change it."""
    statement, columns = _insert_of(type(row))
    row.id = session.execute(statement, {name: getattr(row, name) for name in columns}).inserted_primary_key[0]
    return row

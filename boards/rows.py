"""Inserting a row at once, outside the session's unit of work.

An op inserts a few rows and reads them back from the objects it built; handing them to
the unit of work (`session.add`, then a flush) costs more CPU than the INSERT itself, and an
op's CPU is what bounds a busy meeting. See docs/performance.md.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, partial
from typing import TypeVar

from pydantic.fields import FieldInfo
from sqlalchemy import CursorResult, Executable, Insert, insert
from sqlalchemy.orm import configure_mappers
from sqlmodel import Session, SQLModel

Row = TypeVar("Row", bound=SQLModel)


def core_execute(session: Session, statement: Executable, params: dict | None = None) -> CursorResult:
    """A Core statement in the session's transaction, after flushing what the session holds
    as `Session.execute` does, without the ORM's layers around the statement (a tenth of an
    op's CPU)."""
    session.flush()
    return session.connection().execute(statement, params)


@cache
def _insert_of(model: type[SQLModel]) -> tuple[Insert, tuple[str, ...], str, dict[str, Callable[[], object]]]:
    """The model's INSERT, its columns but the key, the key, and how to make each default."""
    # The constructor would configure the mappers on first use; objects built without it
    # need them configured first, or their attributes cannot be read.
    configure_mappers()
    table = model.__table__
    (key,) = table.primary_key.columns
    defaults = {name: _default_of(model.__name__, name, field) for name, field in model.model_fields.items()}
    return (insert(table), tuple(column.name for column in table.columns if not column.primary_key), key.name,
            defaults)


def _default_of(model: str, name: str, field: FieldInfo) -> Callable[[], object]:
    # `FieldInfo.get_default` inspects the factory's signature at every call, a twentieth
    # of an op's CPU: what it finds is looked at once here.
    if field.is_required():
        def missing() -> object:
            raise TypeError(f"{model} needs {name}")
        return missing
    if field.default_factory is not None and not field.default_factory_takes_validated_data:
        return field.default_factory
    return partial(field.get_default, call_default_factory=True)


def insert_now(session: Session, model: type[Row], **values: object) -> Row:
    """Insert a row of `model` (the fields' defaults for what `values` leaves out) in the
    session's transaction, and return it with its id, as an object outside the session: read
    the row again through the session to change it. Raises TypeError for a field the model
    does not have or a required one missing.

    The object is built as SQLAlchemy builds the rows it loads, its attributes set at once:
    SQLModel's constructor sets them one by one through SQLAlchemy's instrumentation, which
    cost more than the INSERT (a sixth of a note's move)."""
    statement, columns, key, defaults = _insert_of(model)
    if unknown := values.keys() - defaults.keys():
        raise TypeError(f"{model.__name__} has no field {', '.join(sorted(unknown))}")
    for name, default in defaults.items():
        if name not in values:
            values[name] = default()
    values[key] = core_execute(session, statement, {name: values[name] for name in columns}).inserted_primary_key[0]
    row = model._sa_class_manager.new_instance()
    row.__dict__.update(values)
    # What pydantic's constructor would have set, for printing and dumping the object.
    object.__setattr__(row, "__pydantic_fields_set__", set(values))
    object.__setattr__(row, "__pydantic_extra__", None)
    object.__setattr__(row, "__pydantic_private__", None)
    return row

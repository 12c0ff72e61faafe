"""Forms of the pages: what was typed, what went wrong (in the words of the domain, with the
field's label instead of its code name), and reading dates, times and lists from the text
fields browsers send.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from app.i18n import gettext
from app.pages.labels import TIMEZONE
from boards.errors import Conflict, DomainError, InvalidInput, Locked

# Errors a person can fix by changing what they typed: the form comes back with the message.
# NotAllowed is not one of them (an error page), nor NotAuthenticated (the login page).
FORM_ERRORS = (InvalidInput, Conflict, Locked)


@dataclass
class FormState:
    """One form on a page: its values, per-field errors, a form-level message, a success note."""

    name: str
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    message: str | None = None
    done: str | None = None

    @property
    def failed(self) -> bool:
        return bool(self.errors or self.message)

    @property
    def focus(self) -> str | None:
        """The field to put the cursor in when the form comes back with errors."""
        return next(iter(self.errors), None)

    def value(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)


class Forms(dict):
    """The forms of a page by name; a form nobody touched is blank."""

    def __missing__(self, name: str) -> FormState:
        return FormState(name)


def form_error(name: str, values: dict, error: DomainError, labels: dict[str, str]) -> FormState:
    """The form back with the domain's message, next to the field it is about if we know it."""
    params = dict(error.params)
    field_name = params.get("field")
    if field_name in labels:
        params["field"] = labels[field_name]
    text = gettext(error.message, **params)
    if field_name in labels:
        return FormState(name, values=values, errors={field_name: text})
    return FormState(name, values=values, message=text)


def parse_local_datetime(value: str, *, field_name: str) -> datetime:
    """A `datetime-local` field, in Italian time. Raises InvalidInput."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput("Enter a date and time, such as 2026-03-15 14:30",
                           field=field_name) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=TIMEZONE)
    return moment


def local_input(moment: datetime | None) -> str:
    """A stored time as a `datetime-local` field shows it."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TIMEZONE).strftime("%Y-%m-%dT%H:%M")


def parse_date(value: str, *, field_name: str) -> date | None:
    """An optional `date` field. Raises InvalidInput."""
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput("Enter a date, such as 2026-03-15", field=field_name) from None


def parse_id(value: str) -> int | None:
    """An optional id from a select; anything else is no choice."""
    value = value.strip()
    return int(value) if value.isdigit() else None


def lines(value: str) -> list[str]:
    """One entry per non-empty line (the agenda)."""
    return [line.strip() for line in value.splitlines() if line.strip()]

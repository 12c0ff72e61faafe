"""Domain errors. `app/` maps them to HTTP statuses and `realtime/` to protocol error codes,
each in one place.

Messages are English msgids with `{name}` placeholders, translated at the boundary.
"""

from __future__ import annotations


class DomainError(Exception):
    code = "bad_request"

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message.format(**params) if params else message)
        self.message = message
        self.params = params


class InvalidInput(DomainError):
    code = "bad_request"


class TooLarge(InvalidInput):
    """An upload over the size limit."""


class UnsupportedType(InvalidInput):
    """A kind of file that is not accepted."""


class NotAuthenticated(DomainError):
    code = "unauthorized"


class NotAllowed(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class Locked(DomainError):
    code = "locked"


class BudgetExhausted(DomainError):
    code = "budget_exhausted"


class TooManyAttempts(DomainError):
    code = "rate_limited"

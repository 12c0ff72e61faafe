"""Protocol error codes and close codes, and the one mapping from domain errors to codes.

See docs/protocol.md.
"""

from __future__ import annotations

from enum import IntEnum

from app.i18n import current_language, error_text
from boards.errors import (
    BudgetExhausted,
    Conflict,
    DomainError,
    InvalidInput,
    Locked,
    NotAllowed,
    NotAuthenticated,
    NotFound,
    TooManyAttempts,
)


def _(message: str) -> str:
    """Marks a msgid for `scripts/i18n`; it is translated when the error is sent."""
    return message


class Close(IntEnum):
    """Websocket close codes of protocol v1."""

    NORMAL = 1000
    # The server cannot reach its database: clients reconnect with backoff.
    UNAVAILABLE = 1011
    UNAUTHORIZED = 4401
    FORBIDDEN = 4403
    # The connection's send queue overflowed: reconnect and resubscribe with `since`.
    TOO_SLOW = 4408


CODES: dict[type[DomainError], str] = {
    InvalidInput: "bad_request",
    Conflict: "bad_request",
    NotAuthenticated: "unauthorized",
    NotAllowed: "forbidden",
    NotFound: "not_found",
    Locked: "locked",
    BudgetExhausted: "budget_exhausted",
    TooManyAttempts: "rate_limited",
}


class ProtocolError(DomainError):
    """A frame the protocol refuses before any domain code runs: malformed, oversize..."""

    def __init__(self, code: str, message: str, *, op_id: str | None = None,
                 stream: str | None = None, **params: object) -> None:
        super().__init__(message, **params)
        self.code = code
        self.op_id = op_id
        self.stream = stream


def code_of(error: DomainError) -> str:
    if isinstance(error, ProtocolError):
        return error.code
    for kind in type(error).__mro__:
        if kind in CODES:
            return CODES[kind]
    return "bad_request"


def message_of(error: DomainError, lang: str) -> str:
    """The error's message in `lang`, through the application's catalogs."""
    token = current_language.set(lang)
    try:
        return error_text(error)
    finally:
        current_language.reset(token)


def error_frame(error: DomainError, lang: str, *, op_id: str | None = None,
                stream: str | None = None) -> dict:
    """`{"type": "error", "id", "code", "message"}`, with `stream` where there is one."""
    if isinstance(error, ProtocolError):
        op_id = error.op_id if op_id is None else op_id
        stream = error.stream if stream is None else stream
    frame = {"type": "error", "id": op_id, "code": code_of(error), "message": message_of(error, lang)}
    if stream is not None:
        frame["stream"] = stream
    return frame


def internal_error() -> DomainError:
    return ProtocolError("internal", _("Something went wrong on the server: please try again"))

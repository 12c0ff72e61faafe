"""Mapping domain errors to HTTP answers, in one place.

API paths answer `{"detail": "<message>"}`; pages answer an HTML error page.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException

from app.i18n import error_text, gettext
from app.security import security_headers
from boards.errors import (
    BudgetExhausted,
    Conflict,
    DomainError,
    InvalidInput,
    Locked,
    NotAllowed,
    NotAuthenticated,
    NotFound,
    TooLarge,
    TooManyAttempts,
    UnsupportedType,
)

STATUS = {
    InvalidInput: 422,
    TooLarge: 413,
    UnsupportedType: 415,
    NotAuthenticated: 401,
    NotAllowed: 403,
    NotFound: 404,
    Conflict: 409,
    Locked: 409,
    BudgetExhausted: 409,
    TooManyAttempts: 429,
}


def status_of(error: DomainError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 400


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


def _answer(request: Request, status: int, detail: str, **extra: object) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": detail, **extra}, status_code=status)
    from app.pages.rendering import render_error  # pages import the app; avoid a cycle

    return render_error(request, status, detail)


def _field_message(error: dict) -> str:
    where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path"))
    return f"{where}: {error.get('msg', '')}" if where else str(error.get("msg", ""))


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> Response:
        status = status_of(error)
        response = _answer(request, status, error_text(error))
        if status == 401 and _wants_json(request):
            response.headers["WWW-Authenticate"] = "Bearer"
        if retry_after := getattr(error, "retry_after", None):
            response.headers["Retry-After"] = str(retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        errors = error.errors()
        summary = "; ".join(_field_message(e) for e in errors[:5]) or "invalid input"
        detail = gettext("Invalid input: {summary}", summary=summary)
        fields = [{"loc": list(e.get("loc", ())), "msg": e.get("msg")} for e in errors]
        return _answer(request, 422, detail, errors=fields)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        detail = error.detail if isinstance(error.detail, str) else gettext("Request failed")
        if error.status_code == 404 and detail == "Not Found":
            detail = gettext("Not found")
        elif error.status_code == 405:
            detail = gettext("Method not allowed")
        response = _answer(request, error.status_code, detail)
        for name, value in (error.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(IntegrityError)
    async def integrity_error(request: Request, _error: IntegrityError) -> Response:
        # Two requests raced past the domain's own checks (same name, same staff member):
        # the database's unique constraints refused the second one.
        detail = gettext("This conflicts with a change made at the same time: reload and try again")
        return _answer(request, 409, detail)

    @app.exception_handler(Exception)
    async def server_error(request: Request, _error: Exception) -> Response:
        # Starlette still re-raises the error after this answer, so it is logged in full.
        response = _answer(request, 500, gettext("Internal server error: the error has been logged"))
        # This answer leaves from outside the middleware that adds the security headers.
        hsts = request.app.state.services.settings.secure_cookies
        for name, value in security_headers(hsts=hsts):
            response.headers.setdefault(name.decode(), value.decode())
        return response

"""FastAPI dependencies: the database session, the settings, and who is calling."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from app.database import Database
from app.ratelimit import FailureLimiter
from app.security import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE, csrf_valid
from app.settings import Settings
from boards.access import Actor
from boards.accounts import resolve_token
from boards.errors import NotAllowed, NotAuthenticated

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@dataclass
class Services:
    """What one running server holds, kept on `app.state.services`."""

    settings: Settings
    db: Database
    limiter: FailureLimiter


def get_services(request: Request) -> Services:
    return request.app.state.services


def get_settings(services: Annotated[Services, Depends(get_services)]) -> Settings:
    return services.settings


def get_session(services: Annotated[Services, Depends(get_services)]) -> Iterator[Session]:
    yield from services.db.session()


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]


def _bearer(request: Request) -> str | None:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return None


def optional_actor(request: Request, session: SessionDep, settings: SettingsDep) -> Actor | None:
    """The caller by bearer token, else by session cookie (checking CSRF on writes)."""
    if (token := _bearer(request)) is not None:
        return resolve_token(session, token)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        actor = resolve_token(session, cookie)
    except NotAuthenticated:
        return None
    if request.method not in SAFE_METHODS and request.url.path.startswith("/api/"):
        seed = request.cookies.get(CSRF_COOKIE)
        if not csrf_valid(settings.secret_key, seed, request.headers.get(CSRF_HEADER)):
            raise NotAllowed("Missing or invalid CSRF token: reload the page and try again")
    return actor


def current_actor(actor: Annotated[Actor | None, Depends(optional_actor)]) -> Actor:
    """Raises NotAuthenticated when nobody is signed in."""
    if actor is None:
        raise NotAuthenticated("Sign in first: no valid token or session was sent")
    return actor


OptionalActor = Annotated[Actor | None, Depends(optional_actor)]
CurrentActor = Annotated[Actor, Depends(current_actor)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"

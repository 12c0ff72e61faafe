"""What every page route shares: CSRF checking, who is signed in, the session cookie, and
sending people who are not signed in to the login page.

Permissions are not decided here: the domain functions refuse what an actor may not do.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode, urlsplit

from fastapi import Depends, Request, Response
from fastapi.routing import APIRoute

from app.deps import SAFE_METHODS, OptionalActor
from app.pages.rendering import is_htmx, see_other
from app.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    csrf_valid,
    new_csrf_seed,
)
from app.settings import Settings
from boards.access import Actor
from boards.errors import NotAllowed, NotAuthenticated

# Seconds in a day, for cookie lifetimes given in days.
DAY = 86_400


async def csrf_protect(request: Request) -> None:
    """Refuse a state-changing request without the CSRF token of this browser (403)."""
    if request.method in SAFE_METHODS:
        return
    form = await request.form()
    require_csrf(request, form.get(CSRF_FIELD))


def require_csrf(request: Request, token: object) -> None:
    """Raises NotAllowed unless `token` (a form's field, else the htmx header) is the CSRF
    token of this browser. For routes that read their own body (app/pages/documents.py)."""
    token = token or request.headers.get(CSRF_HEADER)
    secret_key = request.app.state.services.settings.secret_key
    if not csrf_valid(secret_key, request.cookies.get(CSRF_COOKIE), token if isinstance(token, str) else None):
        raise NotAllowed("Missing or invalid CSRF token: reload the page and try again")


def page_actor(request: Request, actor: OptionalActor) -> Actor:
    """The signed-in caller; nobody signed in is sent to the login page (see PageRoute)."""
    if actor is None:
        raise NotAuthenticated("Sign in first: no valid token or session was sent")
    request.state.actor = actor
    return actor


def maybe_actor(request: Request, actor: OptionalActor) -> Actor | None:
    request.state.actor = actor
    return actor


PageActor = Annotated[Actor, Depends(page_actor)]
MaybeActor = Annotated[Actor | None, Depends(maybe_actor)]


def safe_next(value: str | None, request: Request | None = None) -> str | None:
    """A path on this site to go to after signing in, or None.

    Full URLs are accepted only for this very host (htmx's `HX-Current-URL`, `Referer`), and
    reduced to their path: never a redirect to another site (`//evil.example`, `/\\evil`).
    """
    if not value or any(ord(ch) < 32 or ch == "\\" for ch in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        host = request.headers.get("host") if request else None
        if parts.scheme not in ("http", "https") or not host or parts.netloc != host:
            return None
    path = parts.path
    if not path.startswith("/") or path.startswith("//"):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def login_redirect(request: Request) -> Response:
    """To the login page, coming back here (or to the page the form was on) afterwards."""
    if is_htmx(request):
        back = safe_next(request.headers.get("hx-current-url"), request)
    elif request.method == "GET":
        back = safe_next(str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""))
    else:
        back = safe_next(request.headers.get("referer"), request)
    query = f"?{urlencode({'next': back})}" if back and back != "/" else ""
    return see_other(request, f"/login{query}")


class PageRoute(APIRoute):
    """A page route: a visitor who is not signed in is redirected to the login page,
    where an API caller would get a 401."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except NotAuthenticated:
                return login_redirect(request)

        return handle


def set_session(response: Response, settings: Settings, token: str) -> None:
    """The browser session: HttpOnly, SameSite=Lax, Secure behind HTTPS, as long as the token.

    A fresh CSRF seed goes with it, so nothing from before signing in stays valid.
    """
    response.set_cookie(
        SESSION_COOKIE, token, max_age=settings.token_days * DAY, httponly=True,
        samesite="lax", secure=settings.secure_cookies, path="/",
    )
    response.set_cookie(
        CSRF_COOKIE, new_csrf_seed(), httponly=True, samesite="lax",
        secure=settings.secure_cookies, path="/",
    )


def clear_session(response: Response, settings: Settings) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=settings.secure_cookies)

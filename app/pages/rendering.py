"""The Jinja2 environment of the pages, and rendering of whole pages or one block of them."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from app import i18n
from app.security import CSRF_COOKIE, csrf_token, new_csrf_seed

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html", "xml"], default=True),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)


def csrf_seed(request: Request) -> str:
    """The browser's CSRF cookie value, made on first use and set on the response."""
    seed = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf_seed", None)
    if not seed:
        seed = request.state.new_csrf_seed = new_csrf_seed()
    return seed


def base_context(request: Request) -> dict:
    services = request.app.state.services
    return {
        "request": request,
        "lang": i18n.current_language.get(),
        "languages": i18n.LANGUAGE_NAMES,
        "csrf_field": "csrf_token",
        "csrf_token": csrf_token(services.settings.secret_key, csrf_seed(request)),
    }


def finish(request: Request, response: HTMLResponse) -> HTMLResponse:
    """Set the CSRF cookie if this request created it."""
    seed = getattr(request.state, "new_csrf_seed", None)
    if seed and not request.cookies.get(CSRF_COOKIE):
        services = request.app.state.services
        response.set_cookie(
            CSRF_COOKIE, seed, httponly=True, samesite="lax",
            secure=services.settings.secure_cookies, path="/",
        )
    return response


def render(
    request: Request, name: str, *, status: int = 200, block: str | None = None, **context: object
) -> HTMLResponse:
    """Render a page, or only `block` of it (for an htmx request that swaps a fragment)."""
    template = env.get_template(name)
    full = {**base_context(request), **context}
    if block is not None:
        html = "".join(template.blocks[block](template.new_context(full)))
    else:
        html = template.render(full)
    return finish(request, HTMLResponse(html, status_code=status))


def render_error(request: Request, status: int, detail: str) -> HTMLResponse:
    return render(request, "error.html", status=status, status_code=status, detail=detail)

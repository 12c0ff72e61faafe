"""The Jinja2 environment of the pages, and rendering of whole pages or one block of them.

A route answers an htmx request (`HX-Request`) that swaps a fragment with just the named
block of the page template, and a plain request with the whole page: one template serves
both, so a page without JavaScript shows the same content.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_time
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from markupsafe import Markup

from app import i18n
from app.pages import labels
from app.security import CSRF_COOKIE, CSRF_FIELD, csrf_token, new_csrf_seed
from boards.clock import as_utc

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html", "xml"], default=True),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def target_id(request: Request) -> str | None:
    """The id of the element an htmx request swaps (`HX-Target: section#board`)."""
    if not is_htmx(request):
        return None
    _tag, _, element_id = request.headers.get("hx-target", "").partition("#")
    return element_id or None


def csrf_seed(request: Request) -> str:
    """The browser's CSRF cookie value, made on first use and set on the response."""
    seed = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf_seed", None)
    if not seed:
        seed = request.state.new_csrf_seed = new_csrf_seed()
    return seed


@pass_context
def csrf_input(context) -> Markup:
    """The hidden field every state-changing form carries."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        CSRF_FIELD, context["csrf_token"]
    )


def local_datetime(moment: datetime | str | None, form: str = "medium") -> str:
    """A moment in Italian time, in the words of the page's language."""
    if not moment:
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    local = as_utc(moment).astimezone(labels.TIMEZONE)
    locale = Locale.parse(i18n.current_language.get())
    # The locale's own way of joining a date and a time, with the time to the minute.
    pattern = str(locale.datetime_formats[form]).replace("'", "")
    return (pattern.replace("{1}", format_date(local, form, locale=locale))
            .replace("{0}", format_time(local, "short", locale=locale)))


def local_date(day: date | str | None, form: str = "medium") -> str:
    if not day:
        return ""
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return format_date(day, form, locale=i18n.current_language.get())


env.globals.update(csrf_input=csrf_input, label=labels.label, choices=labels.choices,
                   names=labels.names)
env.filters.update(datetime=local_datetime, date=local_date)


def base_context(request: Request) -> dict:
    services = request.app.state.services
    actor = getattr(request.state, "actor", None)
    return {
        "request": request,
        "lang": i18n.current_language.get(),
        "languages": i18n.LANGUAGE_NAMES,
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(services.settings.secret_key, csrf_seed(request)),
        "actor": actor,
        "actor_name": (actor.account or actor.person).name if actor else None,
        # Where the language switch comes back to: this page, if it can be fetched again.
        "here": (request.url.path + (f"?{request.url.query}" if request.url.query else "")
                 if request.method == "GET" else "/"),
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


def render_part(
    request: Request, name: str, block: str, *, status: int = 200, **context: object
) -> HTMLResponse:
    """Only `block` for an htmx request, the whole page otherwise."""
    return render(request, name, status=status, block=block if is_htmx(request) else None,
                  **context)


def see_other(request: Request, url: str) -> Response:
    """After a successful POST: a 303 for the browser, `HX-Redirect` for htmx."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def render_error(request: Request, status: int, detail: str) -> HTMLResponse:
    """The error page; for htmx, an alert placed in the page's alert region instead."""
    if is_htmx(request):
        response = render(request, "error.html", status=status, block="alert",
                          status_code=status, detail=detail)
        response.headers["HX-Retarget"] = "#page-alerts"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "error.html", status=status, status_code=status, detail=detail)


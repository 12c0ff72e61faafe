"""The language switch: remembered in a cookie, and on the account or person signed in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.deps import SessionDep, SettingsDep
from app.i18n import LANGUAGES
from app.pages.deps import DAY, MaybeActor, PageRoute, safe_next
from app.security import LANG_COOKIE
from app.settings import Settings
from boards import accounts
from boards.errors import InvalidInput

router = APIRouter(route_class=PageRoute)

# A language choice is not a secret and outlives sessions: a year.
LANG_COOKIE_DAYS = 365


def remember_language(response: Response, settings: Settings, lang: str) -> None:
    response.set_cookie(
        LANG_COOKIE, lang, max_age=LANG_COOKIE_DAYS * DAY, httponly=True, samesite="lax",
        secure=settings.secure_cookies, path="/",
    )


@router.post("/language")
def switch_language(
    request: Request,
    actor: MaybeActor,
    session: SessionDep,
    settings: SettingsDep,
    lang: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """Set the language of the pages and go back to where the switch was used."""
    if lang not in LANGUAGES:
        raise InvalidInput("Unknown language {lang}", lang=lang)
    if actor is not None:
        accounts.set_language(session, actor, lang)
        session.commit()
    response = RedirectResponse(safe_next(next) or "/", status_code=303)
    remember_language(response, settings, lang)
    return response

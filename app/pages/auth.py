"""Signing staff in and out of the pages, and the home page that sends each visitor on."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.api.session import login_keys
from app.deps import ServicesDep, SessionDep
from app.i18n import LANGUAGES, error_text
from app.pages.deps import MaybeActor, PageRoute, clear_session, safe_next, set_session
from app.pages.forms import FormState
from app.pages.language import remember_language
from app.pages.rendering import render
from app.security import LANG_COOKIE, SESSION_COOKIE
from boards import accounts
from boards.errors import NotAuthenticated, TooManyAttempts

router = APIRouter(route_class=PageRoute)


@router.get("/")
def home(actor: MaybeActor) -> Response:
    """Staff to their processes, a participant to their process, anyone else to sign in."""
    if actor is None:
        return RedirectResponse("/login", status_code=303)
    if actor.person is not None:
        return RedirectResponse(f"/processes/{actor.person.process_id}", status_code=303)
    return RedirectResponse("/processes", status_code=303)


@router.get("/login")
def login_page(request: Request, actor: MaybeActor, next: str = "") -> Response:
    """The sign-in form for facilitators and secretaries."""
    target = safe_next(next)
    if actor is not None and actor.account is not None:
        return RedirectResponse(target or "/processes", status_code=303)
    return render(request, "login.html", form=FormState("login"), next=target or "")


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    services: ServicesDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """Check the password (failures count towards the same limit as the API's) and start a
    new browser session."""
    target = safe_next(next)
    keys = login_keys(request, email)
    try:
        services.limiter.check(*keys)
        try:
            account = accounts.authenticate(session, email=email, password=password)
        except NotAuthenticated:
            services.limiter.fail(*keys)
            raise
    except (NotAuthenticated, TooManyAttempts) as error:
        status = 429 if isinstance(error, TooManyAttempts) else 401
        form = FormState("login", values={"email": email}, message=error_text(error))
        response = render(request, "login.html", status=status, form=form, next=target or "")
        if retry_after := getattr(error, "retry_after", None):
            response.headers["Retry-After"] = str(retry_after)
        return response
    # Never reuse a session from before signing in (session fixation): a new token, and the
    # old one, if any, ended.
    if old := request.cookies.get(SESSION_COOKIE):
        accounts.revoke_token(session, old)
    token = accounts.issue_token(
        session, days=services.settings.token_days, account=account, browser=True
    )
    session.commit()
    response = RedirectResponse(target or "/processes", status_code=303)
    set_session(response, services.settings, token)
    if account.lang in LANGUAGES and LANG_COOKIE not in request.cookies:
        remember_language(response, services.settings, account.lang)
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    """End this browser's session."""
    if token := request.cookies.get(SESSION_COOKIE):
        accounts.revoke_token(session, token)
        session.commit()
    response = RedirectResponse("/login", status_code=303)
    clear_session(response, services.settings)
    return response

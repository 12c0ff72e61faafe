"""Joining from a personal invite link or with a meeting code, in the browser.

Opening a link only shows who it is for: link previewers (mail, chat) fetch links, so
joining is a form post with a button ("Enter"). Failed attempts count towards the same
limit as the API's `POST /api/v1/join`.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.api.join import join_keys
from app.deps import ServicesDep, SessionDep
from app.errors import status_of
from app.i18n import LANGUAGES
from app.i18n import gettext as _
from app.pages.deps import MaybeActor, PageRoute, set_session
from app.pages.forms import FORM_ERRORS, FormState, form_error, parse_id
from app.pages.language import remember_language
from app.pages.labels import names
from app.pages.rendering import render
from app.security import LANG_COOKIE, SESSION_COOKIE
from boards import accounts, invites, processes
from boards.clock import utcnow
from boards.errors import NotFound
from boards.people import current_meeting, invite_by_secret, meetings_for
from boards.secrets import normalise_code

router = APIRouter(route_class=PageRoute)


def limited(services, request: Request, find):
    """Look something up by secret, counting a miss as a failed attempt (raises NotFound,
    TooManyAttempts)."""
    keys = join_keys(request)
    services.limiter.check(*keys)
    try:
        return find()
    except NotFound:
        services.limiter.fail(*keys)
        raise


def enter(request: Request, services, session, joined: invites.Joined, url: str) -> Response:
    """Sign the browser in with a participant's token and go to `url`."""
    if old := request.cookies.get(SESSION_COOKIE):
        accounts.revoke_token(session, old)
    session.commit()
    response = RedirectResponse(url, status_code=303)
    set_session(response, services.settings, joined.token)
    if joined.person.lang in LANGUAGES and LANG_COOKIE not in request.cookies:
        remember_language(response, services.settings, joined.person.lang)
    return response


@router.get("/join/{secret}")
def invite_page(secret: str, request: Request, actor: MaybeActor, session: SessionDep,
                services: ServicesDep) -> Response:
    """Who the invite is for, and the button to enter (nothing is joined yet)."""
    invite, person = limited(services, request, lambda: invite_by_secret(session, secret))
    process = processes.get_process(session, invite.process_id)
    organization = (processes.get_organization(session, person.organization_id)
                    if person.organization_id else None)
    return render(request, "join.html", secret=secret, person=person, process=process,
                  organization=organization)


@router.post("/join/{secret}")
def join_with_invite(secret: str, request: Request, session: SessionDep,
                     services: ServicesDep) -> Response:
    """Join with the invite: a session for this browser, then the room of the meeting on now."""
    joined = limited(services, request, lambda: invites.join_with_invite(
        session, secret=secret, days=services.settings.token_days, browser=True))
    session.flush()
    actor = accounts.resolve_token(session, joined.token)
    meeting = current_meeting(meetings_for(session, actor, joined.person.process_id), utcnow())
    url = (f"/meetings/{meeting.id}/room" if meeting
           else f"/processes/{joined.person.process_id}")
    return enter(request, services, session, joined, url)


@router.get("/code")
def code_entry(request: Request, code: str | None = None) -> Response:
    """A form to type a meeting code; the code's own page comes next."""
    if code is not None and (normalised := normalise_code(code)):
        return RedirectResponse(f"/code/{quote(normalised)}", status_code=303)
    form = FormState("code")
    if code is not None:
        form.errors["code"] = _("Enter the code of the meeting.")
    return render(request, "code_entry.html", status=422 if form.failed else 200, form=form)


def code_page(request: Request, session, meeting, code: str, form: FormState, status: int = 200):
    process = processes.get_process(session, meeting.process_id)
    view = processes.process_view(session, process)
    return render(
        request, "code_join.html", status=status, code=code, meeting=meeting, process=process,
        organizations=[(str(o["id"]), o["name"]) for o in view["organizations"]], form=form,
    )


@router.get("/code/{code}")
def code_join_page(code: str, request: Request, actor: MaybeActor, session: SessionDep,
                   services: ServicesDep) -> Response:
    """The meeting a code is for, asking only a name and an organisation."""
    meeting = limited(services, request, lambda: invites.meeting_for_code(session, code))
    return code_page(request, session, meeting, code, FormState("code_join"))


@router.post("/code/{code}")
def join_with_code(
    code: str, request: Request, session: SessionDep, services: ServicesDep,
    name: Annotated[str, Form()] = "",
    organization: Annotated[str, Form()] = "",
    organization_name: Annotated[str, Form()] = "",
) -> Response:
    """Join the meeting as a participant with its code, then its room."""
    values = {"name": name, "organization": organization, "organization_name": organization_name}
    try:
        joined = limited(services, request, lambda: invites.join_with_code(
            session, code=code, name=name, organization_id=parse_id(organization),
            organization_name=organization_name, days=services.settings.token_days,
            browser=True))
    except FORM_ERRORS as error:
        session.rollback()
        meeting = invites.meeting_for_code(session, code)
        form = form_error("code_join", values, error, names("form:code_join"))
        return code_page(request, session, meeting, code, form, status=status_of(error))
    return enter(request, services, session, joined, f"/meetings/{joined.meeting_id}/room")

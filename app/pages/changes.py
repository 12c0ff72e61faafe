"""The notice a page shows when what it displays changed after it was rendered (the synthesis
editor, a statement's form, the pledges): the page holds an empty polite live region that
static/page-changes.js fills with the answer of the page's `…/changes?since=N` route
(templates/partials/page_changed.html) once that answer is not 204. See boards/changes.py and
docs/api.md ("Pages that say they changed").
"""

from __future__ import annotations

from babel.dates import format_date, format_time
from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from app import i18n
from app.i18n import gettext as _
from app.pages import labels
from app.pages.rendering import render
from boards.changes import Change
from boards.clock import as_utc, utcnow
from boards.people import display_names


def when(change: Change) -> str:
    """"at 15:42" for a change made today (Italian time), "on 26 Nov 2026 at 15:42" before."""
    local = as_utc(change.at).astimezone(labels.TIMEZONE)
    lang = i18n.current_language.get()
    time = format_time(local, "short", locale=lang)
    if local.date() == utcnow().astimezone(labels.TIMEZONE).date():
        return _("at {time}", time=time)
    return _("on {date} at {time}", date=format_date(local, "medium", locale=lang), time=time)


def author(session: Session, change: Change) -> str:
    accounts, people = display_names(session, account_ids=[change.account_id] if change.account_id else [],
                                     person_ids=[change.person_id] if change.person_id else [])
    return people.get(change.person_id) or accounts.get(change.account_id) or _("another person")


def answer(request: Request, session: Session, change: Change | None, since: int, *, page: str | None,
           message: str) -> Response:
    """204 while the page rendered at version `since` is up to date; otherwise the notice,
    `message` (translated, with `{name}` and `{when}` to fill in) and a link that reloads `page`
    (if given). A version below `since` (audit
    entries removed meanwhile) is no news."""
    if change is None or change.id <= since:
        return Response(status_code=204)
    return render(request, "partials/page_changed.html", page=page,
                  message=message.format(name=author(session, change), when=when(change)))

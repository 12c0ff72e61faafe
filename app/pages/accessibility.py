"""The accessibility statement ("dichiarazione di accessibilità"), after AgID's model for
websites and apps (law 4/2004, Legislative Decree 106/2018, WCAG 2.1 AA via EN 301 549).

The statement is about the software as this release ships it; the administration running it
names the contact for feedback (`TAVOLO_ACCESSIBILITY_CONTACT`). Its list of known
shortcomings must follow what the tests in tests/browser/ find: update both together.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app.pages.deps import PageRoute
from app.pages.rendering import render

router = APIRouter(route_class=PageRoute)

# When the assessment behind the statement was last made (and so the statement drawn up):
# move it whenever the list of shortcomings in the template is reviewed.
ASSESSED_ON = date(2026, 11, 27)


@router.get("/accessibilita")
def statement(request: Request) -> Response:
    """The accessibility statement, in the language of the pages."""
    contact = request.app.state.services.settings.accessibility_contact.strip()
    return render(request, "accessibility.html", contact=contact, assessed_on=ASSESSED_ON)


@router.get("/accessibility")
def statement_in_english(request: Request) -> Response:
    """The English address of the same page (its language follows the switch, as elsewhere)."""
    return RedirectResponse("/accessibilita", status_code=308)

"""The resource pledges of a process in the browser: each partner's representative enters
their organisation's, staff enter any, a facilitator confirms them; the totals and the
public side's share as tables.

The rules live in boards/pledges.py; the routes only choose what to show.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from babel.numbers import format_decimal
from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session, select

from app import i18n
from app.deps import SessionDep
from app.errors import status_of
from app.i18n import gettext as _
from app.pages import changes as page_changes
from app.pages.deps import PageActor, PageRoute
from app.pages.forms import FORM_ERRORS, Forms, FormState, form_error, parse_id
from app.pages.labels import names
from app.pages.rendering import render, see_other
from boards import changes, pledges, processes
from boards.access import Actor, person_in_process
from boards.errors import InvalidInput
from boards.models import STAFF_ROLES, Organization, PersonRole, PledgeKind, Process, ResourcePledge
from boards.people import display_names

router = APIRouter(route_class=PageRoute)

PAGE = "pledges.html"
# "1.000", "12.500.000": Italian thousands, no decimals.
THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")


def money(value: Decimal | None) -> str:
    """An amount in euro with the page language's separators: 1.410.215,82 or 1,410,215.82."""
    if value is None:
        return "—"
    return format_decimal(value, format="#,##0.00", locale=i18n.current_language.get())


def quantity(value: Decimal) -> str:
    """A quantity without needless decimals: 120, 12,5."""
    return format_decimal(value, format="#,##0.##", locale=i18n.current_language.get())


def percent(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return format_decimal(value, format="0.00", locale=i18n.current_language.get()) + " %"


def page_context(session: Session, actor: Actor, process: Process, *, editing: ResourcePledge | None = None,
                 **forms: FormState) -> dict:
    """Everything the page shows. Raises NotAllowed (not a member of the whole process)."""
    # The version first: a change committed while the page is read then shows as news,
    # never as already seen.
    since = changes.version(changes.pledges_change(session, actor=actor, process_id=process.id))
    rows = pledges.list_pledges(session, actor=actor, process_id=process.id)
    person = person_in_process(session, actor, process.id)
    organizations = list(session.exec(
        select(Organization).where(Organization.process_id == process.id).order_by(Organization.name)))
    by_id = {o.id: o for o in organizations}
    staff = person.role in STAFF_ROLES
    # Who may pledge for whom, as the domain decides it: staff for any body, a participant
    # for their own organisation.
    if staff:
        choices = [(str(o.id), o.name) for o in organizations]
    elif person.role == PersonRole.participant and person.organization_id in by_id:
        choices = [(str(person.organization_id), by_id[person.organization_id].name)]
    else:
        choices = []
    _accounts, people = display_names(session, account_ids=[], person_ids={p.entered_by for p in rows})
    views = [{
        "pledge": p, "organization": by_id[p.organization_id].name, "entered_by": people.get(p.entered_by, ""),
        "mine": p.entered_by == person.id, "confirmed": p.confirmed_at is not None,
    } for p in rows]
    return {
        "process": process,
        "totals": pledges.totals(session, process.id),
        "confirmed": [v for v in views if v["confirmed"]],
        "pending": [v for v in views if not v["confirmed"]],
        "choices": choices,
        "kinds": kind_choices(),
        "may_confirm": person.role == PersonRole.facilitator,
        "staff": staff,
        "editing": editing,
        "money": money, "quantity": quantity, "percent": percent,
        "forms": Forms(forms),
        "since": since,
    }


DONE = {
    "added": lambda: _("Pledge entered: a facilitator will confirm it."),
    "saved": lambda: _("Pledge saved."),
    "withdrawn": lambda: _("Pledge withdrawn."),
    "confirmed": lambda: _("Pledge confirmed: it now counts in the totals."),
    "reopened": lambda: _("Confirmation taken back: the author can correct the pledge."),
}


def _values(organization: str, kind: str, description: str, quantity_: str, unit: str, value_eur: str) -> dict:
    return {"organization": organization, "kind": kind, "description": description, "quantity": quantity_,
            "unit": unit, "value_eur": value_eur}


@router.get("/processes/{process_id}/pledges")
def pledges_page(process_id: int, request: Request, actor: PageActor, session: SessionDep,
                 done: str = "") -> Response:
    """The pledges of the process, their totals and shares, and a form to enter one."""
    process = processes.get_process(session, process_id)
    form = FormState("pledge", done=DONE[done]()) if done in DONE else FormState("pledge")
    return render(request, PAGE, **page_context(session, actor, process, pledge=form))


@router.get("/processes/{process_id}/pledges/changes")
def pledges_changes(process_id: int, request: Request, actor: PageActor, session: SessionDep,
                    since: int = 0) -> Response:
    """204 while the page rendered at version `since` is current, else the notice of who changed it."""
    processes.get_process(session, process_id)
    change = changes.pledges_change(session, actor=actor, process_id=process_id)
    return page_changes.answer(request, session, change, since, page=f"/processes/{process_id}/pledges",
                               message=_("The resource pledges were changed by {name} {when}."))


@router.post("/processes/{process_id}/pledges")
def add_pledge(
    process_id: int, request: Request, actor: PageActor, session: SessionDep,
    organization: Annotated[str, Form()] = "", kind: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "", quantity_: Annotated[str, Form(alias="quantity")] = "",
    unit: Annotated[str, Form()] = "", value_eur: Annotated[str, Form()] = "",
) -> Response:
    """Enter a pledge for an organisation."""
    process = processes.get_process(session, process_id)
    values = _values(organization, kind, description, quantity_, unit, value_eur)
    try:
        organization_id = parse_id(organization)
        if organization_id is None:
            raise InvalidInput("The field '{field}' must not be empty", field="organization")
        pledges.create_pledge(session, actor=actor, process_id=process_id, organization_id=organization_id,
                              kind=kind, description=description, quantity=_number(quantity_), unit=unit,
                              value_eur=_number(value_eur))
    except FORM_ERRORS as error:
        session.rollback()
        form = form_error("pledge", values, error, names("form:pledge"))
        return render(request, PAGE, status=status_of(error), **page_context(session, actor, process, pledge=form))
    session.commit()
    return see_other(request, f"/processes/{process_id}/pledges?done=added#pledge-form")


@router.get("/pledges/{pledge_id}/edit")
def edit_page(pledge_id: int, request: Request, actor: PageActor, session: SessionDep) -> Response:
    """The pledge's form filled in, for its author (others would only be refused on saving)."""
    pledge = pledges.check_may_edit(session, actor=actor, pledge_id=pledge_id)
    process = processes.get_process(session, pledge.process_id)
    form = FormState("pledge", values=_values(str(pledge.organization_id), pledge.kind.value, pledge.description,
                                              quantity(pledge.quantity), pledge.unit, money(pledge.value_eur)))
    return render(request, PAGE, **page_context(session, actor, process, editing=pledge, pledge=form))


@router.post("/pledges/{pledge_id}")
def save_pledge(
    pledge_id: int, request: Request, actor: PageActor, session: SessionDep,
    kind: Annotated[str, Form()] = "", description: Annotated[str, Form()] = "",
    quantity_: Annotated[str, Form(alias="quantity")] = "", unit: Annotated[str, Form()] = "",
    value_eur: Annotated[str, Form()] = "",
) -> Response:
    """Save the author's changes to an unconfirmed pledge."""
    pledge = pledges.get_pledge(session, pledge_id)
    process = processes.get_process(session, pledge.process_id)
    values = _values(str(pledge.organization_id), kind, description, quantity_, unit, value_eur)
    try:
        pledges.update_pledge(session, actor=actor, pledge_id=pledge_id, kind=kind, description=description,
                              quantity=_number(quantity_), unit=unit, value_eur=_number(value_eur))
    except FORM_ERRORS as error:
        session.rollback()
        form = form_error("pledge", values, error, names("form:pledge"))
        return render(request, PAGE, status=status_of(error),
                      **page_context(session, actor, process, editing=pledge, pledge=form))
    session.commit()
    return see_other(request, f"/processes/{process.id}/pledges?done=saved#pledge-{pledge_id}")


def _number(text: str) -> str:
    """A number as people type it in the page's language ("1.410.215,82", "2400,50" or
    "1,410,215.82"), as the domain reads it ("1410215.82"). A lone dot followed by three
    digits is a thousands separator in Italian ("1.000")."""
    text = text.strip().replace(" ", "").replace("\u00a0", "")
    if i18n.current_language.get() != "it":
        return text.replace(",", "")
    if "," in text or THOUSANDS.fullmatch(text):
        return text.replace(".", "").replace(",", ".")
    return text


@router.post("/pledges/{pledge_id}/withdraw")
def withdraw(pledge_id: int, request: Request, actor: PageActor, session: SessionDep) -> Response:
    """Withdraw an unconfirmed pledge (its author)."""
    pledge = pledges.get_pledge(session, pledge_id)
    process_id = pledge.process_id
    pledges.withdraw_pledge(session, actor=actor, pledge_id=pledge_id)
    session.commit()
    return see_other(request, f"/processes/{process_id}/pledges?done=withdrawn#pledges")


@router.post("/pledges/{pledge_id}/confirm")
def confirm(pledge_id: int, request: Request, actor: PageActor, session: SessionDep,
            confirmed: Annotated[str, Form()] = "1") -> Response:
    """Confirm a pledge, or take the confirmation back (facilitators)."""
    pledge = pledges.confirm_pledge(session, actor=actor, pledge_id=pledge_id, confirmed=confirmed == "1")
    session.commit()
    done = "confirmed" if pledge.confirmed_at else "reopened"
    return see_other(request, f"/processes/{pledge.process_id}/pledges?done={done}#pledge-{pledge_id}")


def kind_choices() -> list[tuple[str, str]]:
    kinds = names("pledge_kind")
    return [(kind.value, kinds[kind.value]) for kind in PledgeKind]

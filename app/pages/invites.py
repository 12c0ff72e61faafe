"""Personal invites on the pages: the rows that show them, renewing a lost link (shown once)
and revoking one. Creating an invite is on the meeting set-up page (`meetings.py`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.api.invites import invite_url
from app.deps import SessionDep, SettingsDep
from app.i18n import gettext as _
from app.i18n import ngettext
from app.pages.deps import PageActor, PageRoute, safe_next
from app.pages.qr import qr_svg
from app.pages.rendering import is_htmx, render, see_other
from app.settings import Settings
from boards import invites, processes
from boards.models import STAFF_ROLES, Invite, Person
from boards.people import meeting_numbers
from boards.processes import person_view

router = APIRouter(route_class=PageRoute)


def meetings_label(meetings: list[int] | None, numbers: dict[int, int]) -> str:
    if meetings is None:
        return _("All meetings")
    listed = sorted(numbers[m] for m in meetings if m in numbers)
    if not listed:
        return _("No meeting")
    return ngettext("Meeting no. {numbers}", "Meetings no. {numbers}", len(listed),
                    numbers=", ".join(str(n) for n in listed))


def invite_row(invite: Invite | None, person: dict, organization_names: dict[int, str],
               numbers: dict[int, int]) -> dict:
    """One line of the people and invites table; `person` as `processes.person_view` has it."""
    if invite is None:
        status = "code"  # joined with a meeting code: nothing to renew or revoke
    else:
        status = "revoked" if invite.revoked_at is not None else "active"
    return {
        "invite": invite.id if invite else None,
        "person": person["id"],
        "name": person["name"],
        "organization": organization_names.get(person["organization"], ""),
        "role": person["role"],
        "meetings": meetings_label(invite.meetings, numbers) if invite else "",
        "status": status,
    }


def people_rows(view: dict, pairs: list[tuple[Invite, Person]]) -> list[dict]:
    """The people of a process who are not staff, each with their invite if they have one."""
    by_person = {person.id: invite for invite, person in pairs}
    organization_names = {o["id"]: o["name"] for o in view["organizations"]}
    numbers = {m["id"]: m["number"] for m in view["meetings"]}
    return [
        invite_row(by_person.get(person["id"]), person, organization_names, numbers)
        for person in view["people"]
        if person["role"] not in {role.value for role in STAFF_ROLES}
    ]


def invite_rows(session: Session, pairs: list[tuple[Invite, Person]], process_id: int) -> list[dict]:
    """The invites of a process (for the meeting set-up page)."""
    organization_names = organization_names_of(session, process_id)
    numbers = meeting_numbers(session, process_id)
    return [invite_row(invite, person_view(person), organization_names, numbers)
            for invite, person in pairs]


def organization_names_of(session: Session, process_id: int) -> dict[int, str]:
    view = processes.process_view(session, processes.get_process(session, process_id))
    return {o["id"]: o["name"] for o in view["organizations"]}


def new_link(settings: Settings, new: invites.NewInvite) -> dict:
    """The link of a new or renewed invite, with its QR code: shown this once only."""
    url = invite_url(settings, new.secret)
    return {
        "invite": new.invite.id,
        "name": new.person.name,
        "url": url,
        "qr": qr_svg(url, _("QR code of the invite link for {name}", name=new.person.name)),
    }


def row_answer(request: Request, session: Session, invite_id: int, back: str,
               link: dict | None = None) -> Response:
    """The invite's rows (its line, and the new link if there is one) for htmx."""
    invite = session.get(Invite, invite_id)
    person = session.get(Person, invite.person_id)
    row = invite_row(invite, person_view(person), organization_names_of(session, invite.process_id),
                     meeting_numbers(session, invite.process_id))
    return render(request, "partials/invite.html", block="invite", row=row, link=link, back=back)


@router.post("/invites/{invite_id}/renew")
def renew_invite(
    invite_id: int, request: Request, actor: PageActor, session: SessionDep, settings: SettingsDep,
    back: Annotated[str, Form()] = "",
) -> Response:
    """A new link for a lost one; the old link stops working. The new one is shown once."""
    renewed = invites.renew_invite(session, actor=actor, invite_id=invite_id)
    session.commit()
    link = new_link(settings, renewed)
    if is_htmx(request):
        return row_answer(request, session, invite_id, safe_next(back) or "", link)
    return render(request, "invite_link.html", link=link, back=safe_next(back) or "/processes")


@router.post("/invites/{invite_id}/revoke")
def revoke_invite(
    invite_id: int, request: Request, actor: PageActor, session: SessionDep,
    back: Annotated[str, Form()] = "",
) -> Response:
    """Revoke an invite: its link and the sessions opened with it stop working."""
    invites.revoke_invite(session, actor=actor, invite_id=invite_id)
    session.commit()
    if is_htmx(request):
        return row_answer(request, session, invite_id, safe_next(back) or "")
    return see_other(request, safe_next(back) or "/processes")

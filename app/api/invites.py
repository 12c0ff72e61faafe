"""Personal invites of a process: create, list, renew, revoke."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel

from app.deps import CurrentActor, SessionDep, SettingsDep
from boards import invites
from boards.clock import iso
from boards.models import PersonRole
from boards.processes import get_process

router = APIRouter(tags=["invites"])


class InviteCreate(BaseModel):
    name: str
    organization: int
    role: PersonRole
    email: str | None = None
    meetings: list[int] | None = None


def invite_url(settings, secret: str) -> str:
    return settings.url(f"/join/{secret}")


def new_invite_view(settings, new: invites.NewInvite) -> dict:
    return {
        "id": new.invite.id,
        "person": new.person.id,
        "invite": new.secret,
        "url": invite_url(settings, new.secret),
        "meetings": new.invite.meetings,
    }


@router.post("/processes/{process_id}/invites", status_code=201)
def create_invite(
    process_id: int, body: InviteCreate, actor: CurrentActor, session: SessionDep,
    settings: SettingsDep,
) -> dict:
    """Invite a person of an organisation to the process (staff); the secret is shown once."""
    get_process(session, process_id)
    new = invites.create_invite(
        session, actor=actor, process_id=process_id, name=body.name,
        organization_id=body.organization, role=body.role, email=body.email,
        meetings=body.meetings,
    )
    session.commit()
    return new_invite_view(settings, new)


@router.get("/processes/{process_id}/invites")
def list_invites(process_id: int, actor: CurrentActor, session: SessionDep) -> list[dict]:
    """Invites of the process, without their secrets (staff; extension)."""
    get_process(session, process_id)
    return [
        {"id": invite.id, "person": person.id, "name": person.name,
         "organization": person.organization_id, "role": person.role.value,
         "meetings": invite.meetings, "created_at": iso(invite.created_at),
         "revoked_at": iso(invite.revoked_at)}
        for invite, person in invites.list_invites(session, actor=actor, process_id=process_id)
    ]


@router.post("/invites/{invite_id}/renew")
def renew_invite(invite_id: int, actor: CurrentActor, session: SessionDep, settings: SettingsDep) -> dict:
    """Replace a lost invite link with a new one; the old one stops working (staff; extension)."""
    new = invites.renew_invite(session, actor=actor, invite_id=invite_id)
    session.commit()
    return new_invite_view(settings, new)


@router.delete("/invites/{invite_id}", status_code=204)
def revoke_invite(invite_id: int, actor: CurrentActor, session: SessionDep) -> Response:
    """Revoke an invite and end its tokens (staff)."""
    invites.revoke_invite(session, actor=actor, invite_id=invite_id)
    session.commit()
    return Response(status_code=204)

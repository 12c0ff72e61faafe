"""Joining a process with a personal invite, or a meeting with its code."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, model_validator

from app.deps import ServicesDep, SessionDep, client_address
from boards import invites
from boards.errors import InvalidInput, NotFound
from boards.processes import person_view

router = APIRouter(tags=["join"])


class JoinRequest(BaseModel):
    invite: str | None = None
    code: str | None = None
    name: str | None = None
    organization: int | None = None
    organization_name: str | None = None

    @model_validator(mode="after")
    def _one_way(self) -> JoinRequest:
        if bool(self.invite) == bool(self.code):
            raise ValueError("send either 'invite' or 'code'")
        return self


def join_keys(request: Request) -> tuple[str]:
    return (f"join-ip:{client_address(request)}",)


def joined_view(joined: invites.Joined) -> dict:
    return {
        "token": joined.token,
        "participant": person_view(joined.person),
        "process": joined.person.process_id,
        "meeting": joined.meeting_id,
    }


@router.post("/join")
def join(body: JoinRequest, request: Request, session: SessionDep, services: ServicesDep) -> dict:
    """Exchange an invite secret, or a meeting code with a name, for a participant token."""
    keys = join_keys(request)
    services.limiter.check(*keys)
    days = services.settings.token_days
    try:
        if body.invite:
            joined = invites.join_with_invite(session, secret=body.invite, days=days)
        else:
            if not body.name:
                raise InvalidInput("Say your name to join")
            joined = invites.join_with_code(
                session,
                code=body.code,
                name=body.name,
                organization_id=body.organization,
                organization_name=body.organization_name,
                days=days,
            )
    except NotFound:
        services.limiter.fail(*keys)
        raise
    session.commit()
    return joined_view(joined)

"""Resource pledges of a process: entered by partners and staff, confirmed by facilitators,
with their totals and the public side's share (extension, see docs/api.md)."""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter, Response
from pydantic import BaseModel

from app.deps import CurrentActor, SessionDep
from boards import pledges
from boards.models import PledgeKind
from boards.processes import get_process

router = APIRouter(tags=["pledges"])


class PledgeCreate(BaseModel):
    organization: int
    kind: PledgeKind
    description: str
    # Decimal strings ("2400.50") keep cents exact; JSON numbers are read as their decimal text.
    quantity: Decimal | str
    unit: str
    value_eur: Decimal | str


class PledgeUpdate(BaseModel):
    kind: PledgeKind | None = None
    description: str | None = None
    quantity: Decimal | str | None = None
    unit: str | None = None
    value_eur: Decimal | str | None = None


def pledges_answer(session, process_id: int, rows: list) -> dict:
    return {"pledges": [pledges.pledge_view(p) for p in rows],
            "totals": pledges.totals(session, process_id).view()}


@router.get("/processes/{process_id}/pledges")
def list_pledges(process_id: int, actor: CurrentActor, session: SessionDep) -> dict:
    """Every pledge of the process with the totals of the confirmed ones (members of the whole process)."""
    get_process(session, process_id)
    rows = pledges.list_pledges(session, actor=actor, process_id=process_id)
    return pledges_answer(session, process_id, rows)


@router.post("/processes/{process_id}/pledges", status_code=201)
def create_pledge(process_id: int, body: PledgeCreate, actor: CurrentActor, session: SessionDep) -> dict:
    """Enter a pledge: a participant for their own organisation, staff for any."""
    get_process(session, process_id)
    pledge = pledges.create_pledge(session, actor=actor, process_id=process_id, organization_id=body.organization,
                                   kind=body.kind, description=body.description, quantity=body.quantity,
                                   unit=body.unit, value_eur=body.value_eur)
    session.commit()
    return pledges.pledge_view(pledge)


@router.patch("/pledges/{pledge_id}")
def update_pledge(pledge_id: int, body: PledgeUpdate, actor: CurrentActor, session: SessionDep) -> dict:
    """Change an unconfirmed pledge (its author)."""
    pledge = pledges.update_pledge(session, actor=actor, pledge_id=pledge_id, **body.model_dump(exclude_none=True))
    session.commit()
    return pledges.pledge_view(pledge)


@router.delete("/pledges/{pledge_id}", status_code=204)
def withdraw_pledge(pledge_id: int, actor: CurrentActor, session: SessionDep) -> Response:
    """Withdraw an unconfirmed pledge (its author)."""
    pledges.withdraw_pledge(session, actor=actor, pledge_id=pledge_id)
    session.commit()
    return Response(status_code=204)


@router.post("/pledges/{pledge_id}/confirm")
def confirm_pledge(pledge_id: int, actor: CurrentActor, session: SessionDep) -> dict:
    """Confirm a pledge (facilitators of the process): it counts in the totals from now on."""
    pledge = pledges.confirm_pledge(session, actor=actor, pledge_id=pledge_id)
    session.commit()
    return pledges.pledge_view(pledge)


@router.delete("/pledges/{pledge_id}/confirm")
def reopen_pledge(pledge_id: int, actor: CurrentActor, session: SessionDep) -> dict:
    """Take back a confirmation (facilitators), so that the author can correct the pledge."""
    pledge = pledges.confirm_pledge(session, actor=actor, pledge_id=pledge_id, confirmed=False)
    session.commit()
    return pledges.pledge_view(pledge)

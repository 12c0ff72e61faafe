"""Processes, their staff, organisations, thematic tables, steering committee and audit log."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.deps import CurrentActor, SessionDep
from boards import audit, processes
from boards.access import require_member, require_staff
from boards.clock import iso
from boards.models import AccountRole, OrganizationKind, ProcessKind

router = APIRouter(tags=["processes"])


class ProcessCreate(BaseModel):
    title: str
    kind: ProcessKind
    description: str = ""
    administration: str = ""
    procedure_ref: str = ""
    rup_name: str = ""


class StaffAdd(BaseModel):
    email: str
    role: AccountRole


class OrganizationCreate(BaseModel):
    name: str
    kind: OrganizationKind
    ats_lead: bool = False


class OrganizationUpdate(BaseModel):
    name: str | None = None
    kind: OrganizationKind | None = None
    ats_lead: bool | None = None
    reviewed: bool | None = None


class TableCreate(BaseModel):
    title: str
    description: str = ""


class SteeringCreate(BaseModel):
    name: str
    position: str = ""
    organization: int | None = None
    started_on: date | None = None
    ended_on: date | None = None


@router.post("/processes", status_code=201)
def create_process(body: ProcessCreate, actor: CurrentActor, session: SessionDep) -> dict:
    """Create a process; the calling facilitator becomes its staff."""
    process = processes.create_process(session, actor=actor, **body.model_dump())
    session.commit()
    return processes.process_view(session, process)


@router.get("/processes")
def list_processes(actor: CurrentActor, session: SessionDep) -> list[dict]:
    """The processes the caller takes part in (extension)."""
    return [
        {"id": p.id, "title": p.title, "kind": p.kind.value}
        for p in processes.list_processes(session, actor=actor)
    ]


@router.get("/processes/{process_id}")
def get_process(process_id: int, actor: CurrentActor, session: SessionDep) -> dict:
    """The process with its organisations, staff, people, tables and meetings (members)."""
    process = processes.get_process(session, process_id)
    require_member(session, actor, process_id)
    return processes.process_view(session, process)


@router.post("/processes/{process_id}/staff", status_code=201)
def add_staff(process_id: int, body: StaffAdd, actor: CurrentActor, session: SessionDep) -> dict:
    """Add an account as facilitator or secretary of the process (facilitators)."""
    processes.get_process(session, process_id)
    staff = processes.add_staff(session, actor=actor, process_id=process_id,
                                email=body.email, role=body.role)
    session.commit()
    return {"account": staff.account_id, "person": staff.person_id, "role": staff.role.value}


@router.post("/processes/{process_id}/organizations", status_code=201)
def add_organization(
    process_id: int, body: OrganizationCreate, actor: CurrentActor, session: SessionDep
) -> dict:
    """Add an organisation (ente) to the process (staff)."""
    processes.get_process(session, process_id)
    organization = processes.add_organization(
        session, actor=actor, process_id=process_id, name=body.name, kind=body.kind,
        ats_lead=body.ats_lead,
    )
    session.commit()
    return processes.organization_view(organization)


@router.patch("/organizations/{organization_id}")
def update_organization(
    organization_id: int, body: OrganizationUpdate, actor: CurrentActor, session: SessionDep
) -> dict:
    """Rename, reclassify, mark as ATS lead or as reviewed (staff; extension)."""
    organization = processes.update_organization(
        session, actor=actor, organization_id=organization_id, **body.model_dump()
    )
    session.commit()
    return processes.organization_view(organization)


@router.post("/processes/{process_id}/tables", status_code=201)
def add_table(process_id: int, body: TableCreate, actor: CurrentActor, session: SessionDep) -> dict:
    """Add a thematic table (staff; extension)."""
    processes.get_process(session, process_id)
    table = processes.add_thematic_table(session, actor=actor, process_id=process_id,
                                         title=body.title, description=body.description)
    session.commit()
    return {"id": table.id, "title": table.title, "description": table.description}


@router.post("/processes/{process_id}/steering", status_code=201)
def add_steering_member(
    process_id: int, body: SteeringCreate, actor: CurrentActor, session: SessionDep
) -> dict:
    """Add a member of the steering committee (staff; extension)."""
    processes.get_process(session, process_id)
    member = processes.add_steering_member(
        session, actor=actor, process_id=process_id, name=body.name, position=body.position,
        organization_id=body.organization, started_on=body.started_on, ended_on=body.ended_on,
    )
    session.commit()
    return {"id": member.id, "name": member.name, "position": member.position}


@router.get("/processes/{process_id}/audit")
def audit_log(process_id: int, actor: CurrentActor, session: SessionDep) -> list[dict]:
    """The audit log of the process, newest first (staff; extension)."""
    processes.get_process(session, process_id)
    require_staff(session, actor, process_id)
    return [
        {"id": e.id, "at": iso(e.at), "account": e.account_id, "person": e.person_id,
         "action": e.action, "target": e.target, "detail": e.detail}
        for e in audit.entries(session, process_id=process_id)
    ]

"""Processes (percorsi), their organisations, staff, thematic tables and steering committee."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from boards import audit
from boards.access import Actor, require_facilitator_account, require_staff
from boards.accounts import normalise_email
from boards.clock import iso
from boards.errors import Conflict, InvalidInput, NotFound
from boards.ids import fetch
from boards.models import (
    NAME_LIMIT,
    Account,
    AccountRole,
    Meeting,
    Organization,
    OrganizationKind,
    Person,
    PersonRole,
    Process,
    ProcessKind,
    ProcessStaff,
    SteeringMember,
    ThematicTable,
)
from boards.text import clean_name, clean_text


def get_process(session: Session, process_id: int) -> Process:
    process = fetch(session, Process, process_id)
    if process is None:
        raise NotFound("Process {id} does not exist", id=process_id)
    return process


def create_process(
    session: Session,
    *,
    actor: Actor,
    title: str,
    kind: ProcessKind,
    description: str = "",
    administration: str = "",
    procedure_ref: str = "",
    rup_name: str = "",
) -> Process:
    """The creating facilitator becomes its first staff member. Raises NotAllowed, InvalidInput."""
    account = require_facilitator_account(actor)
    process = Process(
        title=clean_name(title, field="title"),
        kind=kind,
        description=clean_text(description, field="description", limit=NAME_LIMIT * 50, required=False),
        administration=clean_name(administration, field="administration", required=False),
        procedure_ref=clean_name(procedure_ref, field="procedure_ref", required=False),
        rup_name=clean_name(rup_name, field="rup_name", required=False),
        created_by=account.id,
    )
    session.add(process)
    session.flush()
    _make_staff(session, process, account, AccountRole.facilitator)
    audit.record(session, actor=actor, action="process.create", process_id=process.id,
                 target=f"process:{process.id}", title=process.title)
    return process


def _make_staff(session: Session, process: Process, account: Account, role: AccountRole) -> ProcessStaff:
    person = Person(
        process_id=process.id,
        name=account.name,
        role=PersonRole(role.value),
        account_id=account.id,
        email=account.email,
    )
    session.add(person)
    session.flush()
    staff = ProcessStaff(process_id=process.id, account_id=account.id, person_id=person.id, role=role)
    session.add(staff)
    session.flush()
    return staff


def add_staff(
    session: Session, *, actor: Actor, process_id: int, email: str, role: AccountRole
) -> ProcessStaff:
    """Only facilitators of the process add staff. Raises NotAllowed, NotFound, Conflict."""
    require_staff(session, actor, process_id, roles={PersonRole.facilitator})
    process = get_process(session, process_id)
    email = normalise_email(email)
    account = session.exec(select(Account).where(Account.email == email)).first()
    if account is None or account.disabled:
        raise NotFound("No account has the email {email}", email=email)
    if role == AccountRole.facilitator and account.role != AccountRole.facilitator:
        raise InvalidInput("A secretary account cannot be made facilitator of a process")
    existing = session.exec(
        select(ProcessStaff).where(
            ProcessStaff.process_id == process_id, ProcessStaff.account_id == account.id
        )
    ).first()
    if existing is not None:
        raise Conflict("{name} is already staff of this process", name=account.name)
    staff = _make_staff(session, process, account, role)
    audit.record(session, actor=actor, action="staff.add", process_id=process_id,
                 target=f"person:{staff.person_id}", email=account.email, role=role.value)
    return staff


def list_processes(session: Session, *, actor: Actor) -> list[Process]:
    """The processes the actor takes part in, newest first."""
    if actor.account is not None:
        query = (
            select(Process)
            .join(ProcessStaff, ProcessStaff.process_id == Process.id)
            .where(ProcessStaff.account_id == actor.account.id)
        )
    elif actor.person is not None:
        query = select(Process).where(Process.id == actor.person.process_id)
    else:
        return []
    return list(session.exec(query.order_by(Process.id.desc())))


def add_organization(
    session: Session,
    *,
    actor: Actor,
    process_id: int,
    name: str,
    kind: OrganizationKind,
    ats_lead: bool = False,
) -> Organization:
    """Raises NotAllowed, InvalidInput, Conflict (same name twice in a process)."""
    require_staff(session, actor, process_id)
    get_process(session, process_id)
    name = clean_name(name, field="name")
    _refuse_duplicate_organization(session, process_id, name)
    if ats_lead:
        _clear_ats_lead(session, process_id)
    organization = Organization(process_id=process_id, name=name, kind=kind, ats_lead=ats_lead)
    session.add(organization)
    session.flush()
    audit.record(session, actor=actor, action="organization.add", process_id=process_id,
                 target=f"organization:{organization.id}", name=name, kind=kind.value)
    return organization


def update_organization(
    session: Session,
    *,
    actor: Actor,
    organization_id: int,
    name: str | None = None,
    kind: OrganizationKind | None = None,
    ats_lead: bool | None = None,
    reviewed: bool | None = None,
) -> Organization:
    """Raises NotFound, NotAllowed, InvalidInput, Conflict."""
    organization = get_organization(session, organization_id)
    require_staff(session, actor, organization.process_id)
    changes: dict[str, object] = {}
    if name is not None:
        name = clean_name(name, field="name")
        if name != organization.name:
            _refuse_duplicate_organization(session, organization.process_id, name,
                                           renaming=organization.id)
            organization.name = changes["name"] = name
    if kind is not None:
        organization.kind = kind
        changes["kind"] = kind.value
    if ats_lead is not None:
        if ats_lead:
            _clear_ats_lead(session, organization.process_id)
        organization.ats_lead = changes["ats_lead"] = ats_lead
    if reviewed:
        organization.needs_review = False
        changes["reviewed"] = True
    session.add(organization)
    audit.record(session, actor=actor, action="organization.update",
                 process_id=organization.process_id, target=f"organization:{organization.id}",
                 **changes)
    return organization


def get_organization(session: Session, organization_id: int) -> Organization:
    organization = fetch(session, Organization, organization_id)
    if organization is None:
        raise NotFound("Organisation {id} does not exist", id=organization_id)
    return organization


def organization_of_process(session: Session, process_id: int, organization_id: int) -> Organization:
    """Raises InvalidInput when the organisation belongs to another process."""
    organization = fetch(session, Organization, organization_id)
    if organization is None or organization.process_id != process_id:
        raise InvalidInput("Organisation {id} is not part of this process", id=organization_id)
    return organization


def _refuse_duplicate_organization(
    session: Session, process_id: int, name: str, *, renaming: int | None = None
) -> None:
    """Raises Conflict if another organisation of the process has this name, in any case."""
    for other in session.exec(select(Organization).where(Organization.process_id == process_id)):
        if other.id != renaming and other.name.casefold() == name.casefold():
            raise Conflict("An organisation named {name} already exists", name=name)


def _clear_ats_lead(session: Session, process_id: int) -> None:
    """An ATS has one lead partner (capofila)."""
    for other in session.exec(
        select(Organization).where(Organization.process_id == process_id, Organization.ats_lead)
    ):
        other.ats_lead = False
        session.add(other)


def add_thematic_table(
    session: Session, *, actor: Actor, process_id: int, title: str, description: str = ""
) -> ThematicTable:
    require_staff(session, actor, process_id)
    table = ThematicTable(
        process_id=process_id,
        title=clean_name(title, field="title"),
        description=clean_text(description, field="description", required=False),
    )
    session.add(table)
    session.flush()
    audit.record(session, actor=actor, action="table.add", process_id=process_id,
                 target=f"table:{table.id}", title=table.title)
    return table


def add_steering_member(
    session: Session,
    *,
    actor: Actor,
    process_id: int,
    name: str,
    position: str = "",
    organization_id: int | None = None,
    started_on: date | None = None,
    ended_on: date | None = None,
) -> SteeringMember:
    """A member of the cabina di regia. Raises NotAllowed, InvalidInput."""
    require_staff(session, actor, process_id)
    if organization_id is not None:
        organization_of_process(session, process_id, organization_id)
    if started_on and ended_on and ended_on < started_on:
        raise InvalidInput("The end date comes before the start date")
    member = SteeringMember(
        process_id=process_id,
        name=clean_name(name, field="name"),
        position=clean_name(position, field="position", required=False),
        organization_id=organization_id,
        started_on=started_on,
        ended_on=ended_on,
    )
    session.add(member)
    session.flush()
    audit.record(session, actor=actor, action="steering.add", process_id=process_id,
                 target=f"steering:{member.id}", name=member.name)
    return member


def organization_view(organization: Organization) -> dict:
    return {
        "id": organization.id,
        "name": organization.name,
        "kind": organization.kind.value,
        "ats_lead": organization.ats_lead,
        "needs_review": organization.needs_review,
    }


def person_view(person: Person) -> dict:
    return {
        "id": person.id,
        "name": person.name,
        "organization": person.organization_id,
        "role": person.role.value,
    }


def process_view(session: Session, process: Process) -> dict:
    """The process as members see it (GET /api/v1/processes/{id})."""
    organizations = session.exec(
        select(Organization).where(Organization.process_id == process.id).order_by(Organization.name)
    ).all()
    staff = session.exec(
        select(ProcessStaff).where(ProcessStaff.process_id == process.id).order_by(ProcessStaff.id)
    ).all()
    people = session.exec(
        select(Person)
        .where(Person.process_id == process.id, Person.removed_at.is_(None))
        .order_by(Person.id)
    ).all()
    tables = session.exec(select(ThematicTable).where(ThematicTable.process_id == process.id)).all()
    steering = session.exec(
        select(SteeringMember).where(SteeringMember.process_id == process.id).order_by(SteeringMember.id)
    ).all()
    meetings = session.exec(
        select(Meeting).where(Meeting.process_id == process.id).order_by(Meeting.number)
    ).all()
    people_by_id = {person.id: person for person in people}
    return {
        "id": process.id,
        "title": process.title,
        "kind": process.kind.value,
        "description": process.description,
        "administration": process.administration,
        "procedure_ref": process.procedure_ref,
        "rup_name": process.rup_name,
        "organizations": [organization_view(o) for o in organizations],
        "staff": [
            {
                "account": s.account_id,
                "person": s.person_id,
                "name": people_by_id[s.person_id].name if s.person_id in people_by_id else None,
                "role": s.role.value,
            }
            for s in staff
        ],
        "people": [person_view(p) for p in people],
        "thematic_tables": [
            {"id": t.id, "title": t.title, "description": t.description} for t in tables
        ],
        "steering_committee": [
            {
                "id": m.id,
                "name": m.name,
                "position": m.position,
                "organization": m.organization_id,
                "started_on": m.started_on.isoformat() if m.started_on else None,
                "ended_on": m.ended_on.isoformat() if m.ended_on else None,
            }
            for m in steering
        ],
        "meetings": [
            {"id": m.id, "number": m.number, "title": m.title, "state": m.state.value,
             "starts_at": iso(m.starts_at)}
            for m in meetings
        ],
    }

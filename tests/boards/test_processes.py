"""boards.processes: processes, staff, organisations (one ATS lead), tables, steering committee."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from boards import audit, processes
from boards.errors import Conflict, InvalidInput, NotAllowed, NotFound
from boards.models import AccountRole, OrganizationKind, PersonRole, ProcessKind, ProcessStaff
from tests.boards.builders import account, invited, organization, process, staff_actor


def test_the_creating_facilitator_becomes_staff_with_a_person(session):
    facilitator = staff_actor(session, name="Giulia Ferraro")
    percorso = process(session, facilitator, kind=ProcessKind.co_programming,
                       description="Piano di Zona", rup_name="dott.ssa Pellegrini")
    assert percorso.kind == ProcessKind.co_programming
    assert percorso.created_by == facilitator.account.id
    staff = session.exec(select(ProcessStaff).where(ProcessStaff.process_id == percorso.id)).one()
    assert staff.account_id == facilitator.account.id and staff.role == AccountRole.facilitator
    view = processes.process_view(session, percorso)
    assert view["staff"] == [{"account": facilitator.account.id, "person": staff.person_id,
                              "name": "Giulia Ferraro", "role": "facilitator"}]
    assert view["rup_name"] == "dott.ssa Pellegrini"
    [entry] = audit.entries(session, process_id=percorso.id)
    assert entry.action == "process.create" and entry.account_id == facilitator.account.id


def test_secretaries_do_not_create_processes(session):
    with pytest.raises(NotAllowed):
        process(session, staff_actor(session, "secretary"))


def test_process_texts_are_checked(session):
    facilitator = staff_actor(session)
    with pytest.raises(InvalidInput, match="title"):
        processes.create_process(session, actor=facilitator, title=" ", kind=ProcessKind.co_design)
    with pytest.raises(InvalidInput, match="description"):
        processes.create_process(session, actor=facilitator, title="T", kind=ProcessKind.co_design,
                                 description="x" * 10_001)
    assert processes.create_process(session, actor=facilitator, title="T",
                                    kind=ProcessKind.co_design, description="x" * 10_000)


def test_adding_staff(session):
    facilitator = staff_actor(session)
    percorso = process(session, facilitator)
    secretary = account(session, "secretary", "Marco Zanin")
    staff = processes.add_staff(session, actor=facilitator, process_id=percorso.id,
                                email=f" {secretary.email.upper()} ", role=AccountRole.secretary)
    assert staff.account_id == secretary.id and staff.role == AccountRole.secretary
    with pytest.raises(Conflict):
        processes.add_staff(session, actor=facilitator, process_id=percorso.id,
                            email=secretary.email, role=AccountRole.secretary)
    with pytest.raises(InvalidInput, match="secretary account"):
        processes.add_staff(session, actor=facilitator, process_id=percorso.id,
                            email=account(session, "secretary").email, role=AccountRole.facilitator)
    with pytest.raises(NotFound):
        processes.add_staff(session, actor=facilitator, process_id=percorso.id,
                            email="nobody@example.org", role=AccountRole.secretary)
    disabled = account(session, "secretary")
    disabled.disabled = True
    with pytest.raises(NotFound):
        processes.add_staff(session, actor=facilitator, process_id=percorso.id,
                            email=disabled.email, role=AccountRole.secretary)


def test_only_facilitators_of_the_process_add_staff(session):
    facilitator = staff_actor(session)
    percorso = process(session, facilitator)
    secretary = staff_actor(session, "secretary")
    processes.add_staff(session, actor=facilitator, process_id=percorso.id,
                        email=secretary.account.email, role=AccountRole.secretary)
    for actor in (secretary, staff_actor(session)):
        with pytest.raises(NotAllowed):
            processes.add_staff(session, actor=actor, process_id=percorso.id,
                                email=account(session, "secretary").email,
                                role=AccountRole.secretary)


# --- organisations -----------------------------------------------------------------------------


def test_organisation_names_are_unique_in_a_process(session):
    facilitator = staff_actor(session)
    percorso = process(session, facilitator)
    organization(session, facilitator, percorso.id, name="Caritas diocesana")
    for name in ("caritas diocesana", "  CARITAS   Diocesana ", "Caritas\u202e diocesana"):
        with pytest.raises(Conflict):
            organization(session, facilitator, percorso.id, name=name)
    other_facilitator = staff_actor(session)
    other = process(session, other_facilitator)
    assert organization(session, other_facilitator, other.id, name="Caritas diocesana")


def test_an_ats_has_a_single_lead_partner(session):
    facilitator = staff_actor(session)
    percorso = process(session, facilitator)
    first = organization(session, facilitator, percorso.id, ats_lead=True)
    second = organization(session, facilitator, percorso.id, ats_lead=True)
    session.flush()
    assert (first.ats_lead, second.ats_lead) == (False, True)
    processes.update_organization(session, actor=facilitator, organization_id=first.id,
                                  ats_lead=True)
    session.flush()
    assert (first.ats_lead, second.ats_lead) == (True, False)
    processes.update_organization(session, actor=facilitator, organization_id=first.id,
                                  ats_lead=False)
    assert (first.ats_lead, second.ats_lead) == (False, False)


def test_updating_an_organisation(session):
    facilitator = staff_actor(session)
    percorso = process(session, facilitator)
    first = organization(session, facilitator, percorso.id, name="Ente uno")
    second = organization(session, facilitator, percorso.id, name="Ente due")
    second.needs_review = True
    processes.update_organization(session, actor=facilitator, organization_id=second.id,
                                  name="Ente Due", kind=OrganizationKind.health, reviewed=True)
    assert (second.name, second.kind, second.needs_review) == (
        "Ente Due", OrganizationKind.health, False)
    with pytest.raises(Conflict):
        processes.update_organization(session, actor=facilitator, organization_id=second.id,
                                      name="ENTE UNO")
    with pytest.raises(NotFound):
        processes.update_organization(session, actor=facilitator, organization_id=10**12)
    _, participant = invited(session, facilitator, percorso.id, first.id)
    with pytest.raises(NotAllowed):
        processes.update_organization(session, actor=participant, organization_id=first.id,
                                      name="Mio")


def test_an_organisation_of_another_process_is_refused(session):
    facilitator = staff_actor(session)
    percorso = process(session, facilitator)
    outsider = staff_actor(session)
    foreign = organization(session, outsider, process(session, outsider).id)
    with pytest.raises(InvalidInput, match="not part of this process"):
        processes.organization_of_process(session, percorso.id, foreign.id)
    with pytest.raises(InvalidInput):
        processes.organization_of_process(session, percorso.id, 2**40)


# --- tables and steering committee -----------------------------------------------------------


def test_thematic_tables_and_steering_members(session):
    facilitator = staff_actor(session)
    percorso = process(session, facilitator)
    ente = organization(session, facilitator, percorso.id)
    table = processes.add_thematic_table(session, actor=facilitator, process_id=percorso.id,
                                         title="Lavoro e autonomia")
    member = processes.add_steering_member(
        session, actor=facilitator, process_id=percorso.id, name="Sara Greco",
        position="Capofila ATS", organization_id=ente.id, started_on=date(2026, 10, 1))
    view = processes.process_view(session, percorso)
    assert view["thematic_tables"] == [{"id": table.id, "title": "Lavoro e autonomia",
                                        "description": ""}]
    assert view["steering_committee"] == [{"id": member.id, "name": "Sara Greco",
                                           "position": "Capofila ATS", "organization": ente.id,
                                           "started_on": "2026-10-01", "ended_on": None}]
    with pytest.raises(InvalidInput, match="end date"):
        processes.add_steering_member(session, actor=facilitator, process_id=percorso.id,
                                      name="A", started_on=date(2026, 10, 1),
                                      ended_on=date(2026, 9, 1))


def test_listing_processes(session):
    facilitator = staff_actor(session)
    first, second = process(session, facilitator), process(session, facilitator)
    assert [p.id for p in processes.list_processes(session, actor=facilitator)] == [
        second.id, first.id]
    ente = organization(session, facilitator, first.id)
    _, participant = invited(session, facilitator, first.id, ente.id,
                             role=PersonRole.observer)
    assert [p.id for p in processes.list_processes(session, actor=participant)] == [first.id]

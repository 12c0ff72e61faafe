"""Browser test of the attendance page: the secretary marks a body excused, records a proxy
across bodies and adds someone present in the room, by keyboard alone; axe finds nothing,
in Italian and in English."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from boards.models import Attendance, AttendanceStatus, Person
from tests.browser.conftest import axe_violations, console_errors, describe, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]


def tab_to(page, selector: str, limit: int = 200) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


def choose(page, selector: str, typed: str) -> None:
    """Tab to a closed <select> and pick an option by typing its first letters."""
    tab_to(page, selector)
    page.keyboard.type(typed)


def test_the_secretary_corrects_attendance_by_keyboard(new_context, world, client, engine):
    rinaldi = client.post(f"/api/v1/processes/{world.process}/invites", headers=world.facilitator.auth,
                          json={"name": "Davide Rinaldi", "role": "participant",
                                "organization": world.organizations["health"]}).json()
    page = new_context("it").new_page()
    errors = console_errors(page)
    sign_in(page, world.secretary.email)
    page.goto(f"/meetings/{world.meeting['id']}/setup")
    page.get_by_role("link", name="Presenze").click()
    page.wait_for_url(f"**/meetings/{world.meeting['id']}/attendance")
    expect(page.locator("h1")).to_contain_text("Presenze")

    # A whole body excused.
    choose(page, "#body-organization", "ULSS")
    expect(page.locator("#body-organization")).to_have_value(str(world.organizations["health"]))
    tab_to(page, "#body-status-2")  # the checked radio, "Giustificato"
    assert page.is_checked("#body-status-2")
    tab_to(page, "#body-note")
    page.keyboard.type("Comunicato per email")
    tab_to(page, "form[action$='/attendance/organization'] button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="ULSS 6 Euganea")).to_contain_text("salvata")
    expect(page.get_by_role("region", name="Presenze di ULSS 6 Euganea")).to_contain_text("Giustificato")

    # A proxy: the Third Sector participant stands for the municipality's observer.
    choose(page, "#person-participant", "Persona p")
    expect(page.locator("#person-participant")).to_have_value(str(world.participant["person"]))
    choose(page, "#person-status", "Presente p")
    expect(page.locator("#person-status")).to_have_value("proxy")
    choose(page, "#person-proxy_for", "Persona o")
    expect(page.locator("#person-proxy_for")).to_have_value(str(world.observer["person"]))
    tab_to(page, "#person-note")
    page.keyboard.type("Delega scritta")
    tab_to(page, "form[action$='/attendance'] button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Persona participant")).to_contain_text("salvata")
    expect(page.get_by_role("region", name="Presenze di Cooperativa Il Ponte")).to_contain_text(
        "Per Persona observer")
    expect(page.get_by_role("region", name="Presenze di Comune di Padova")).to_contain_text(
        "Rappresentato da Persona participant")

    # Someone present in the room, of an organisation not in the list.
    tab_to(page, "#room-name")
    page.keyboard.type("Rosa Neri")
    tab_to(page, "#room-title")
    page.keyboard.type("Presidente")
    tab_to(page, "#room-organization_name")
    page.keyboard.type("Associazione Auser")
    tab_to(page, "form[action$='/attendance/in-room'] button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Rosa Neri")).to_contain_text("presente in sala")
    auser = page.get_by_role("region", name="Presenze di Associazione Auser")
    expect(auser).to_contain_text("Rosa Neri")
    expect(auser).to_contain_text("in sala")

    with Session(engine) as session:
        records = {a.person_id: a for a in session.exec(
            select(Attendance).where(Attendance.meeting_id == world.meeting["id"]))}
        assert records[rinaldi["person"]].status == AttendanceStatus.excused
        assert records[world.participant["person"]].proxy_for == world.observer["person"]
        rosa = session.exec(select(Person).where(
            Person.name == "Rosa Neri", Person.process_id == world.process)).one()
        assert records[rosa.id].in_person
    assert not errors, errors

    found = {}
    for lang in ("it", "en"):
        checked = new_context(lang, bypass_csp=True).new_page()
        sign_in(checked, world.secretary.email)
        checked.goto(f"/meetings/{world.meeting['id']}/attendance")
        found[f"attendance ({lang})"] = axe_violations(checked)
        checked.goto(f"/meetings/{world.meeting['id']}/documents")
        found[f"documents ({lang})"] = axe_violations(checked)
        checked.goto(f"/meetings/{world.meeting['id']}/setup")
        found[f"meeting set-up ({lang})"] = axe_violations(checked)
    failing = {name: violations for name, violations in found.items() if violations}
    assert not failing, f"axe violations:\n{describe(failing)}"

"""Every page passes axe-core's WCAG 2.1 A and AA rules, in Italian and in English, and the
main forms can be completed with the keyboard alone."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import axe_violations, describe, sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]


@pytest.mark.parametrize("lang", ["it", "en"])
def test_no_axe_violations_on_any_page(lang, new_context, world, client):
    invite = client.post(f"/api/v1/processes/{world.process}/invites", headers=world.facilitator.auth,
                         json={"name": "Davide Rinaldi", "role": "participant",
                               "organization": world.organizations["third_sector"]}).json()
    code = client.post(f"/api/v1/meetings/{world.meeting['id']}/code",
                       headers=world.facilitator.auth).json()["code"]
    process, meeting = f"/processes/{world.process}", f"/meetings/{world.meeting['id']}"
    found: dict[str, list[dict]] = {}

    def check(page, name: str, path: str | None = None) -> None:
        if path:
            page.goto(path)
        # Forms folded in <details> are checked open.
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        found[name] = axe_violations(page)

    # axe is injected as an inline script, which our CSP (rightly) refuses: bypass it here.
    visitor = new_context(lang, bypass_csp=True).new_page()
    check(visitor, "login", "/login")
    check(visitor, "code entry", "/code")
    check(visitor, "code join", f"/code/{code}")
    check(visitor, "invite (join)", f"/join/{invite['invite']}")
    visitor.click("main form button[type=submit]")
    visitor.wait_for_url(re.compile(r"/meetings/\d+/room$"))
    check(visitor, "room (participant)")
    check(visitor, "process (participant)", process)

    staff = new_context(lang, bypass_csp=True).new_page()
    sign_in(staff, world.facilitator.email)
    check(staff, "processes", "/processes")
    check(staff, "process", process)
    check(staff, "meeting set-up", f"{meeting}/setup")
    staff.click("#join-code form button.btn-primary")
    staff.locator(".join-code").wait_for()
    staff.fill("#invite-name", "Anna Costa")  # its <details> was unfolded by check()
    staff.select_option("#invite-organization", index=1)
    staff.click("#invites form button[type=submit]")
    staff.locator("#invite-link-new").wait_for()
    check(staff, "meeting set-up, link and code shown")
    staff.goto(process)
    staff.evaluate("document.querySelector('#organizations details').open = true")
    staff.fill("#organization-name", "Comune di Padova")
    staff.click("#organizations form button[type=submit]")
    staff.locator("#organizations .alert-danger").wait_for()
    check(staff, "process, form with an error")
    check(staff, "room", f"{meeting}/room")
    check(staff, "audit log", f"{process}/audit")
    check(staff, "error page", "/processes/999999")

    failing = {name: violations for name, violations in found.items() if violations}
    assert not failing, f"axe violations ({lang}):\n{describe(failing)}"


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


def test_login_with_the_keyboard_only(new_context, world):
    page = new_context("it").new_page()
    page.goto("/login")
    # The first Tab reaches the skip link, which takes the focus to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
    page.keyboard.press("Enter")
    tab_to(page, "#login-email")
    page.keyboard.type(world.facilitator.email)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "login-password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/processes")


def test_scheduling_a_meeting_with_the_keyboard_only(new_context, world):
    page = new_context("it").new_page()
    sign_in(page, world.facilitator.email)
    page.goto(f"/processes/{world.process}")
    tab_to(page, "#meetings summary")
    page.keyboard.press("Enter")  # unfolds the form
    tab_to(page, "#meeting-title")
    page.keyboard.type("Incontro di restituzione")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "meeting-starts_at"
    # Headless Chromium lays the field out as in en-US whatever the locale: month, day,
    # year (up to six digits, so an arrow moves on), hour, minute, AM/PM.
    page.keyboard.type("1220")
    page.keyboard.type("2026")
    page.keyboard.press("ArrowRight")
    page.keyboard.type("1030A")
    assert page.input_value("#meeting-starts_at") == "2026-12-20T10:30"
    tab_to(page, "#meeting-mode")
    page.keyboard.press("ArrowDown")  # online → in person
    tab_to(page, "#meeting-location")
    page.keyboard.type("Sala Paladin, Palazzo Moroni")
    tab_to(page, "#meeting-agenda")
    page.keyboard.type("Restituzione dei gruppi")
    tab_to(page, "#meetings form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/meetings/\d+/setup$"))
    assert "Incontro di restituzione" in page.locator("h1").inner_text()
    assert page.input_value("#details-mode") == "in_person"


def test_pages_reflow_on_a_narrow_screen(new_context, world):
    """WCAG 1.4.10: at 320 CSS pixels nothing needs horizontal scrolling but the wide
    tables, which scroll inside their own focusable region."""
    page = new_context("it", viewport={"width": 320, "height": 640}).new_page()
    sign_in(page, world.facilitator.email)
    for path in ("/processes", f"/processes/{world.process}", f"/meetings/{world.meeting['id']}/setup",
                 f"/meetings/{world.meeting['id']}/room", f"/processes/{world.process}/audit"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path

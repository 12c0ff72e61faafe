"""The main forms can be completed with the keyboard alone. axe-core on every page and state,
focus indicators and reflow: tests/browser/test_accessibility_everywhere.py; a whole workshop
by keyboard: tests/browser/test_keyboard_workshop.py."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]


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

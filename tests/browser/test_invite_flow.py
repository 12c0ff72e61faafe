"""End to end in Chromium: a facilitator schedules a meeting and invites someone, who opens
the copied link in another browser and lands in the meeting room."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import console_errors, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]


def test_invite_copy_join_and_land_in_the_room(new_context, live_server, world):
    staff_context = new_context("it")
    staff_context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = staff_context.new_page()
    errors = console_errors(page)
    sign_in(page, world.facilitator.email)

    # Schedule a meeting from the process page.
    page.goto(f"/processes/{world.process}")
    page.click("#meetings summary")
    page.fill("#meeting-title", "Laboratorio sulle risorse")
    page.fill("#meeting-starts_at", "2026-12-20T10:00")
    page.select_option("#meeting-mode", "online")
    page.fill("#meeting-location", "https://meet.example.org/laboratorio")
    page.fill("#meeting-agenda", "Apertura\nRisorse dei partner")
    page.click("#meetings form button[type=submit]")
    page.wait_for_url(re.compile(r"/meetings/\d+/setup$"))
    meeting_id = int(page.url.rsplit("/", 2)[1])
    assert page.locator("h1").inner_text().endswith("Laboratorio sulle risorse")

    # Invite a person to this meeting only; the link appears once, with the focus on it.
    page.click("#invites summary")
    page.fill("#invite-name", "Elena Moretti")
    page.select_option("#invite-organization", label="Cooperativa Il Ponte")
    page.click("label[for=invite-scope-2]")
    page.click("#invites form button[type=submit]")
    field = page.locator("#invite-link-new")
    field.wait_for()
    assert page.evaluate("document.activeElement.id") == "invite-link-new"
    assert page.locator("#invites svg[role=img]").get_attribute("aria-label")

    # Copy it with the button; read it back from the clipboard (the field is the fallback).
    page.click("button[data-copy=invite-link-new]")
    status = page.locator("#invite-link-new-status")
    status.wait_for()
    assert status.inner_text() in ("Link copiato negli appunti.",
                                    "La copia non è riuscita: seleziona il link nel campo e copialo.")
    try:
        link = page.evaluate("navigator.clipboard.readText()")
    except Exception:  # no clipboard in this browser: the read-only field holds the same link
        link = ""
    link = link or field.input_value()
    assert link == field.input_value()
    assert link.startswith(f"{live_server.url}/join/")

    # Someone else, in a fresh browser: the link shows the invite, "Entra" joins.
    guest = new_context("it").new_page()
    guest_errors = console_errors(guest)
    guest.goto(link)
    assert "Elena Moretti" in guest.locator("main").inner_text()
    guest.click("main form button[type=submit]")
    guest.wait_for_url(f"**/meetings/{meeting_id}/room")
    assert guest.locator("h1").inner_text() == "Laboratorio sulle risorse"
    assert guest.locator("#board").is_visible() and guest.locator("#board-list").is_visible()
    video = guest.locator("a[href='https://meet.example.org/laboratorio']")
    assert video.get_attribute("target") == "_blank"

    assert errors == [] and guest_errors == [], (errors, guest_errors)


def test_a_mistake_keeps_the_focus_on_the_field(new_context, world):
    page = new_context("en").new_page()
    errors = console_errors(page)
    sign_in(page, world.facilitator.email)
    page.goto(f"/processes/{world.process}")
    page.click("#tables summary")
    page.fill("#table-title", "   ")
    page.evaluate("document.querySelector('#table-title').removeAttribute('required')")
    page.click("#tables form button[type=submit]")
    page.locator("#table-title-error").wait_for()
    assert page.evaluate("document.activeElement.id") == "table-title"
    assert page.locator("#table-title").get_attribute("aria-invalid") == "true"
    assert "must not be empty" in page.locator("#table-title-error").inner_text()
    # Corrected, the new table is listed and the focus is on the confirmation.
    page.fill("#table-title", "Salute e dipendenze")
    page.click("#tables form button[type=submit]")
    page.locator("#tables .alert-success").wait_for()
    assert page.evaluate("document.activeElement.getAttribute('role')") == "status"
    assert "Salute e dipendenze" in page.locator("#tables ul").inner_text()
    # The browser logs the 422 it was meant to get; nothing else went wrong.
    assert [e for e in errors if "status of 422" not in e] == []

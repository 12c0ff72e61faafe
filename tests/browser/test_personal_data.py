"""Erasing a person's data in Chromium, by keyboard alone: from the process page's personal
data list to the confirmation and its result, zero axe-core violations in Italian and in
English, no console errors; a participant's "My data" downloads a file.

Every wait is on a condition (Playwright's `expect` and `wait_for_*`), never a fixed sleep.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, console_errors, describe, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]


def _invite(client, world, name: str) -> dict:
    invite = client.post(f"/api/v1/processes/{world.process}/invites", headers=world.facilitator.auth,
                         json={"name": name, "organization": world.organizations["third_sector"],
                               "role": "participant"}).json()
    joined = client.post("/api/v1/join", json={"invite": invite["invite"]}).json()
    return {"person": invite["person"], "token": joined["token"]}


@pytest.mark.parametrize("lang", ["it", "en"])
def test_a_facilitator_erases_a_person_by_keyboard(new_context, client, world, lang):
    name = {"it": "Elena Moretti", "en": "Helen Moore"}[lang]
    person = _invite(client, world, name)
    page = new_context(lang, bypass_csp=True).new_page()
    errors = console_errors(page)
    sign_in(page, world.facilitator.email)
    page.goto(f"/processes/{world.process}")
    found = {}
    summary = page.locator("#personal-data summary")
    summary.focus()
    page.keyboard.press("Enter")
    erase_link = page.locator(f'#personal-data a[href="/people/{person["person"]}/erase"]')
    expect(erase_link).to_be_visible()
    if violations := axe_violations(page):
        found["process page, personal data open"] = violations
    erase_link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/people/{person['person']}/erase")
    expect(page.locator("h1")).to_have_text({"it": "Cancella i dati personali", "en": "Erase personal data"}[lang])
    if violations := axe_violations(page):
        found["confirmation"] = violations
    page.locator("#erase-reason").focus()
    page.keyboard.type("Richiesta del 20 novembre")
    page.keyboard.press("Tab")
    expect(page.locator("main form button.btn-danger")).to_be_focused()
    page.keyboard.press("Enter")
    result = page.locator(".alert-success")
    expect(result).to_contain_text("Partecipante")
    expect(page.locator("body")).not_to_contain_text(name)
    if violations := axe_violations(page):
        found["result"] = violations
    assert not found, describe(found)
    assert not errors, errors


def test_a_participant_downloads_their_data(new_context, live_server, client, world, tmp_path):
    person = _invite(client, world, "Elena Moretti")
    context = new_context("it", accept_downloads=True, bypass_csp=True)
    context.add_cookies([{"name": "tavolo_session", "value": person["token"], "url": live_server.url}])
    page = context.new_page()
    errors = console_errors(page)
    page.goto(f"/processes/{world.process}")
    link = page.get_by_role("link", name="Scarica i miei dati")
    found = {"member page": violations} if (violations := axe_violations(page)) else {}
    assert not found, describe(found)
    link.focus()
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    saved = tmp_path / "data.json"
    download.value.save_as(saved)
    assert download.value.suggested_filename == f"tavolo-person-{person['person']}.json"
    data = json.loads(saved.read_text())
    assert data["person"]["name"] == "Elena Moretti"
    assert not errors, errors

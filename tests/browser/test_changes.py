"""The synthesis and pledges pages, and a statement's form, in Chromium tell their reader,
politely, that someone else changed what they show: the notice appears in the live region without moving the focus or
touching what the reader is typing, and its reload link works by keyboard. axe-core finds
nothing on either page with the notice shown, in Italian and English; the CSP refuses nothing.

The page asks every twenty seconds: Playwright's clock moves the page's time on instead of
the test waiting for it. Every wait is on a condition, never a fixed sleep.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from boards.models import LineOfWork
from tests.browser.conftest import axe_violations, console_errors, describe, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

# What the page's script waits between two questions (static/page-changes.js).
INTERVAL_MS = 20_000


@pytest.fixture
def record(engine, world):
    with Session(engine) as session:
        line = LineOfWork(process_id=world.process, meeting_id=world.meeting["id"], title="Accoglienza")
        session.add(line)
        session.commit()
        world.line = line.id
    return world


def add_statement(client, world, text: str) -> None:
    """The secretary, from another browser, adds a statement."""
    answer = client.post(f"/api/v1/processes/{world.process}/synthesis/statements", headers=world.secretary.auth,
                         json={"text": text, "line": world.line})
    assert answer.status_code == 201, answer.text


def enter_pledge(client, world) -> None:
    """The partner's representative, from another browser, enters a pledge."""
    answer = client.post(f"/api/v1/processes/{world.process}/pledges", headers=world.bearer(world.participant["token"]),
                         json={"organization": world.organizations["third_sector"], "kind": "spaces",
                               "description": "Sala riunioni", "quantity": "40", "unit": "m²", "value_eur": "1200.00"})
    assert answer.status_code == 201, answer.text


def facilitator_on(new_context, record, path: str):
    """The facilitator signed in with the page's clock under the test's control, on `path`;
    with the console's errors, collected from the start."""
    page = new_context("it").new_page()
    errors = console_errors(page)
    sign_in(page, record.facilitator.email)
    page.clock.install()
    page.goto(path)
    return page, errors


def test_the_editor_is_told_of_a_colleague_s_statement_and_keeps_what_it_types(new_context, client, record):
    page, errors = facilitator_on(new_context, record, f"/processes/{record.process}/synthesis")
    notice = page.locator("[aria-live=polite]")
    expect(notice).to_be_empty()

    # The facilitator starts describing the line of work, by keyboard.
    line = page.locator(f"#line-{record.line}")
    line.get_by_text("Descrivi questa linea di lavoro").focus()
    page.keyboard.press("Enter")
    description = line.get_by_label("Descrizione")
    page.keyboard.press("Tab")
    expect(description).to_be_focused()
    page.keyboard.type("Per chi dorme in strada")

    # Nothing changed yet: the page asks and says nothing.
    with page.expect_response(lambda response: "/changes?since=" in response.url) as answer:
        page.clock.run_for(INTERVAL_MS)
    assert answer.value.status == 204
    expect(notice).to_be_empty()
    add_statement(client, record, "Un dormitorio aperto anche di giorno")
    page.clock.run_for(INTERVAL_MS)
    expect(notice).to_have_text(re.compile(
        r"^\s*Il documento di sintesi è stato modificato da Marco Zanin alle \d\d:\d\d\. "
        r"Aggiorna la pagina per vedere le modifiche\s*$"))
    # The statement is not swapped in under the reader, whose text and focus stay.
    expect(line).not_to_contain_text("Un dormitorio aperto anche di giorno")
    expect(description).to_be_focused()
    expect(description).to_have_value("Per chi dorme in strada")

    # The reader goes back to the notice with Shift+Tab, and reloads with Enter.
    reload = notice.get_by_role("link", name="Aggiorna la pagina per vedere le modifiche")
    for _press in range(20):
        if reload.evaluate("link => link === document.activeElement"):
            break
        page.keyboard.press("Shift+Tab")
    expect(reload).to_be_focused()
    page.keyboard.press("Enter")
    expect(line.locator(".synthesis-statement")).to_contain_text("Un dormitorio aperto anche di giorno")
    expect(notice).to_be_empty()
    assert errors == []


def test_a_statement_form_is_told_of_a_save_meanwhile_and_keeps_what_is_typed(new_context, client, record):
    answer = client.post(f"/api/v1/processes/{record.process}/synthesis/statements", headers=record.secretary.auth,
                         json={"text": "Accoglienza diurna", "line": record.line})
    statement = answer.json()["id"]
    page, errors = facilitator_on(new_context, record, f"/synthesis/statements/{statement}/edit")
    text = page.get_by_label("Affermazione")
    text.focus()
    page.keyboard.press("End")
    page.keyboard.type(" e serale")
    client.patch(f"/api/v1/synthesis/statements/{statement}", headers=record.secretary.auth,
                 json={"text": "Accoglienza h24"})
    page.clock.run_for(INTERVAL_MS)
    expect(page.locator("[aria-live=polite]")).to_contain_text(re.compile(
        r"Questa affermazione è stata salvata da Marco Zanin alle \d\d:\d\d, dopo che l’hai aperta\."))
    expect(text).to_be_focused()
    expect(text).to_have_value("Accoglienza diurna e serale")
    assert errors == []


def hidden(page, value: bool) -> None:
    """The tab goes to the background (or comes back), as the page's script sees it."""
    page.evaluate("""(value) => {
        Object.defineProperty(document, "hidden", {configurable: true, get: () => value});
        document.dispatchEvent(new Event("visibilitychange"));
    }""", value)


def test_the_pledges_page_is_told_of_a_partner_s_pledge_once_its_tab_is_back(new_context, client, record):
    page, errors = facilitator_on(new_context, record, f"/processes/{record.process}/pledges")
    asked = []
    page.on("request", lambda request: asked.append(request.url) if "/changes" in request.url else None)
    # In a background tab the page does not ask; back in front, it asks at once.
    hidden(page, True)
    page.clock.run_for(3 * INTERVAL_MS)
    enter_pledge(client, record)
    hidden(page, False)
    notice = page.locator("[aria-live=polite]")
    expect(notice).to_contain_text(re.compile(
        r"Gli impegni di risorse sono stati modificati da Persona participant alle \d\d:\d\d\."))
    expect(page.locator("#pledges")).to_contain_text("Nessun impegno è stato ancora inserito.")
    assert len(asked) == 1 and errors == []


@pytest.mark.parametrize("lang", ["it", "en"])
def test_no_axe_violations_with_the_notice_shown(lang, new_context, client, record):
    statement = client.post(f"/api/v1/processes/{record.process}/synthesis/statements",
                            headers=record.secretary.auth, json={"text": "Accoglienza diurna", "line": record.line})
    statement = statement.json()["id"]
    # axe is injected as an inline script, which our CSP (rightly) refuses: bypass it here.
    page = new_context(lang, bypass_csp=True).new_page()
    sign_in(page, record.facilitator.email)
    page.clock.install()
    found = {}
    for name, path, change in [
        ("synthesis", f"/processes/{record.process}/synthesis", lambda: add_statement(client, record, "Mensa")),
        ("pledges", f"/processes/{record.process}/pledges", lambda: enter_pledge(client, record)),
        ("statement form", f"/synthesis/statements/{statement}/edit",
         lambda: client.patch(f"/api/v1/synthesis/statements/{statement}", headers=record.secretary.auth,
                              json={"text": "Accoglienza h24"})),
    ]:
        page.goto(path)
        change()
        page.clock.run_for(INTERVAL_MS)
        expect(page.locator("[aria-live=polite] [data-changed]")).to_be_visible()
        found[name] = axe_violations(page)
    found = {where: violations for where, violations in found.items() if violations}
    assert not found, describe(found)

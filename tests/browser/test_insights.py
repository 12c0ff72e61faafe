"""The insights dashboard in Chromium: reached from the process page, filtered by keyboard
alone (the filters become the address), the table behind a chart opened from its disclosure;
the CSP refuses nothing (no inline style or script: the charts are SVG markup with
presentation attributes); axe-core (injected where the CSP is bypassed) finds nothing in
Italian and English, filtered or not, for a process and across an administration; a
screenshot of the charts is kept in the test's directory.

Every wait is on a condition (Playwright's `expect` and `wait_for_*`), never a fixed sleep.
"""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from playwright.sync_api import expect
from sqlmodel import Session

from boards.models import Account
from tests.boards import known_process
from tests.browser.conftest import axe_violations, console_errors, describe, sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]


@pytest.fixture
def known(engine):
    with Session(engine, expire_on_commit=False) as session:
        known = known_process.build(session)
        account = session.get(Account, known.facilitator.account.id)
        account.password_hash = PasswordHasher().hash(PASSWORD)
        session.add(account)
        session.commit()
    return known


def press_on(page, locator, key: str = "Enter") -> None:
    locator.focus()
    expect(locator).to_be_focused()
    page.keyboard.press(key)


def test_the_dashboard_filtered_by_keyboard_is_accessible(new_context, known, tmp_path):
    page = new_context("it", viewport={"width": 1280, "height": 900}).new_page()
    errors = console_errors(page)
    sign_in(page, known.facilitator.account.email)
    page.goto(f"/processes/{known.process.id}")
    press_on(page, page.get_by_role("link", name="Letture", exact=True))
    page.wait_for_url(f"**/processes/{known.process.id}/insights")
    expect(page.locator(".insights-summary")).to_have_text("Incontri svolti: 3. Contributi contati: 27.")
    by_kind = page.get_by_role("img", name="Contributi per tipo di ente")
    expect(by_kind).to_be_visible()
    page.screenshot(path=str(tmp_path / "insights.png"), full_page=True)
    page.locator("#contributions").screenshot(path=str(tmp_path / "insights-contributions.png"))

    # The filters: a start day in the date field (filled: the order of its day, month and
    # year segments follows Chromium's own language, not the page's), then by keyboard alone
    # a kind chosen by typing its name in the list and the form sent with its button.
    since = page.get_by_role("textbox", name="Dal (facoltativo)")
    since.fill("2026-10-06")
    since.focus()
    # Tab through the date fields' segments and the thematic table to the kind.
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "filters-kind":
            break
    kind = page.get_by_role("combobox", name="Tipo di ente (facoltativo)")
    expect(kind).to_be_focused()
    page.keyboard.type("Terzo")
    expect(kind).to_have_value("third_sector")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Mostra le letture")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url("**/insights?since=2026-10-06&until=&table=&kind=third_sector")
    expect(page.locator(".insights-summary")).to_have_text("Incontri svolti: 2. Contributi contati: 7.")
    # The address to share is the reading's, without the empty filters.
    link = page.get_by_role("link", name=f"/processes/{known.process.id}/insights?since=2026-10-06&kind=third_sector")
    expect(link).to_be_visible()

    # The table behind a chart, opened from its disclosure by keyboard.
    disclosure = page.locator("#reading-by-kind summary")
    press_on(page, disclosure)
    rows = page.locator("#by-kind-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_text("Terzo settore7")
    page.locator("#contributions").screenshot(path=str(tmp_path / "insights-filtered.png"))
    filtered = page.url
    assert errors == []

    found = {}
    italian = new_context("it", viewport={"width": 1280, "height": 900}, bypass_csp=True).new_page()
    sign_in(italian, known.facilitator.account.email)
    for name, url in (("it", f"/processes/{known.process.id}/insights"), ("it, filtered", filtered)):
        italian.goto(url)
        italian.locator("#reading-by-kind summary").click()
        found[name] = axe_violations(italian)
    english = new_context("en", viewport={"width": 1280, "height": 900}, bypass_csp=True).new_page()
    sign_in(english, known.facilitator.account.email)
    english.goto(f"/processes/{known.process.id}/insights?table={known.tables['A'].id}")
    expect(english.get_by_role("img", name="Contributions by kind of organisation")).to_be_visible()
    found["en"] = axe_violations(english)
    english.goto(f"/insights?administration={known.administration}")
    expect(english.get_by_role("img", name="Confirmed pledges over time, cumulative")).to_be_visible()
    found["en, administration"] = axe_violations(english)

    english.goto("/insights")
    found["en, choice"] = axe_violations(english)
    # On a phone the page does not scroll sideways: a chart scrolls in its own region.
    italian.set_viewport_size({"width": 360, "height": 800})
    italian.goto(f"/processes/{known.process.id}/insights")
    assert italian.evaluate("document.documentElement.scrollWidth") <= 360
    region = italian.get_by_role("region", name="Contributi per tipo di ente").first
    assert region.evaluate("r => r.scrollWidth > r.clientWidth")
    found["it, 360 px"] = axe_violations(italian)
    italian.locator("#contributions").screenshot(path=str(tmp_path / "insights-phone.png"))
    assert not any(found.values()), describe(found)
    assert (tmp_path / "insights.png").stat().st_size > 50_000

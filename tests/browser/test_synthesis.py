"""The synthesis editor in Chromium, by keyboard alone: a statement written under a line of
work, its source found with the picker's search and ticked, the preview citing it, approval;
the pledges page with a partner's pledge confirmed. axe-core finds nothing on the editor, the
statement form and the pledges page, in Italian and English; the CSP refuses nothing.

Every wait is on a condition (Playwright's `expect` and `wait_for_*`), never a fixed sleep.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from boards.models import Item, ItemKind, LineOfWork, LineOfWorkItem
from tests.browser.conftest import axe_violations, console_errors, describe, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

NOTES = ["Un dormitorio aperto anche di giorno", "Una mensa serale vicino alla stazione",
         "Uno sportello legale in piazza"]


@pytest.fixture
def record(engine, world):
    with Session(engine) as session:
        items = [Item(board_id=world.meeting["plenary_board"], kind=ItemKind.note, text=text,
                      author_id=world.participant["person"], organization_id=world.organizations["third_sector"])
                 for text in NOTES]
        session.add_all(items)
        session.flush()
        line = LineOfWork(process_id=world.process, meeting_id=world.meeting["id"], title="Accoglienza")
        session.add(line)
        session.flush()
        session.add_all([LineOfWorkItem(line_id=line.id, item_id=i.id) for i in items[:2]])
        session.commit()
        world.notes, world.line = [i.id for i in items], line.id
    return world


def press_on(page, locator, key: str = "Enter") -> None:
    locator.focus()
    expect(locator).to_be_focused()
    page.keyboard.press(key)


def test_a_statement_with_its_source_by_keyboard_then_approval(new_context, record):
    page = new_context("it").new_page()
    errors = console_errors(page)
    sign_in(page, record.facilitator.email)
    page.goto(f"/processes/{record.process}")
    press_on(page, page.get_by_role("link", name="Documento istruttore di sintesi"))
    page.wait_for_url(f"**/processes/{record.process}/synthesis")
    line = page.locator(f"#line-{record.line}")
    expect(line.get_by_role("heading", name="Accoglienza")).to_be_visible()
    press_on(page, line.get_by_role("link", name=re.compile(r"^Aggiungi un'affermazione\s*: Accoglienza$")))
    page.wait_for_url("**/synthesis/statements/new?line=*")

    page.get_by_label("Affermazione").focus()
    page.keyboard.type("Serve uno sportello legale vicino a chi vive in strada")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Cerca tra i contributi")).to_be_focused()
    page.keyboard.type("sportello")
    expect(page.locator("#source-filter-status")).to_have_text("Un contributo mostrato.")
    expect(page.get_by_text(NOTES[0])).to_be_hidden()
    source = page.get_by_role("checkbox", name=f"C{record.notes[2]} {NOTES[2]}")
    page.keyboard.press("Tab")
    expect(source).to_be_focused()
    page.keyboard.press("Space")
    expect(source).to_be_checked()
    press_on(page, page.get_by_role("button", name="Salva l'affermazione"))
    page.wait_for_url(f"**/processes/{record.process}/synthesis?done=added*")
    expect(page.get_by_role("status")).to_have_text("Affermazione aggiunta.")

    statement = line.locator(".synthesis-statement").first
    expect(statement).to_contain_text("Serve uno sportello legale vicino a chi vive in strada")
    expect(statement).to_contain_text(f"C{record.notes[2]} {NOTES[2]}")
    preview = page.get_by_role("region", name="Anteprima della bozza")
    expect(preview.locator(f"a[href='#c{record.notes[2]}']")).to_have_text(f"C{record.notes[2]}")
    expect(preview.locator(f"#c{record.notes[2]}")).to_contain_text(NOTES[2])

    press_on(page, page.get_by_role("button", name="Approva come versione 1"))
    page.wait_for_url("**/synthesis?approved=1#history")
    expect(page.get_by_role("status")).to_contain_text("La versione 1 è approvata")
    download = page.locator("#version-1 a", has_text="PDF/A")
    answer = page.request.get(download.get_attribute("href"))
    assert answer.status == 200 and answer.body().startswith(b"%PDF-")
    assert errors == []


@pytest.mark.parametrize("lang", ["it", "en"])
def test_no_axe_violations_on_the_synthesis_and_pledges_pages(lang, new_context, client, record):
    # A statement with a source, a pledge pending and one confirmed: every part of the pages shows.
    auth = record.facilitator.auth
    client.post(f"/api/v1/processes/{record.process}/synthesis/statements", headers=auth,
                json={"text": "Accoglienza diurna", "line": record.line, "sources": record.notes[:2]})
    for value in ("1200.00", "300.00"):
        pledge = client.post(f"/api/v1/processes/{record.process}/pledges",
                             headers=record.bearer(record.participant["token"]),
                             json={"organization": record.organizations["third_sector"], "kind": "spaces",
                                   "description": "Sala riunioni", "quantity": "40", "unit": "m²",
                                   "value_eur": value}).json()
    client.post(f"/api/v1/pledges/{pledge['id']}/confirm", headers=auth)

    # axe is injected as an inline script, which our CSP (rightly) refuses: bypass it here.
    page = new_context(lang, bypass_csp=True).new_page()
    sign_in(page, record.facilitator.email)
    found = {}
    for name, path in [("synthesis", f"/processes/{record.process}/synthesis"),
                       ("statement form", f"/processes/{record.process}/synthesis/statements/new?line={record.line}"),
                       ("pledges", f"/processes/{record.process}/pledges")]:
        page.goto(path)
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        found[name] = axe_violations(page)
    page.goto(f"/processes/{record.process}/synthesis/statements/new?line={record.line}")
    page.get_by_label("Search the contributions" if lang == "en" else "Cerca tra i contributi").fill("mensa")
    found["statement form, filtered"] = axe_violations(page)
    found = {where: violations for where, violations in found.items() if violations}
    assert not found, describe(found)

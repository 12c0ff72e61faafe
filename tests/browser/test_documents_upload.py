"""An oversize document chosen on the documents page in Chromium, by keyboard: the server
refuses it before reading the file (its declared length is over the limit) and the person
reads why at the file field, which has the focus, with the title as typed and a request to
choose the file again, with htmx and without JavaScript alike; nothing is attached, and
axe-core finds nothing.

The title is read at all because Chromium sends the form's parts in the form's order, the
title before the file: this test is where that is checked.

Every wait is on a condition (Playwright's `expect` and `wait_for_*`), never a fixed sleep.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, describe, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

# Over the live server's default limit (TAVOLO_UPLOAD_MAX_BYTES, 20 MiB) and its allowance
# for the rest of the form (app/uploads.py, FORM_OVERHEAD).
OVERSIZE = 21 * 1024 * 1024


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-javascript"])
def test_an_oversize_file_is_refused_at_the_file_field_keeping_the_title(new_context, world,
                                                                          tmp_path, javascript):
    big = tmp_path / "Grande.pdf"
    with big.open("wb") as file:
        file.write(b"%PDF-1.4\n")
        file.truncate(OVERSIZE)
    page = new_context(java_script_enabled=javascript, bypass_csp=True).new_page()
    # The file dialog is the system's, not the page's: Playwright answers it for the person.
    # Listening from the start, as intercepting it takes effect only some time after.
    page.on("filechooser", lambda chooser: chooser.set_files(str(big)))
    sign_in(page, world.facilitator.email)
    page.goto(f"/meetings/{world.meeting['id']}/documents")
    title = page.get_by_label("Titolo del documento")
    title.focus()
    page.keyboard.type("Relazione troppo grande")
    page.keyboard.press("Tab")
    expect(page.locator("#upload-file")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#upload-file")).to_have_value(re.compile(r"Grande\.pdf$"))
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Allega il documento")).to_be_focused()
    page.keyboard.press("Enter")

    file_field = page.locator("#upload-file")
    expect(file_field).to_be_focused()
    expect(file_field).to_have_attribute("aria-invalid", "true")
    expect(file_field).to_have_accessible_description(
        "PDF, OpenDocument (ODT, ODS, ODP), Office (DOCX, XLSX, PPTX), PNG, JPEG, TXT o CSV; "
        "al massimo 20 MB. Il file supera il limite di 20 MB "
        "Scegli di nuovo il file: il browser non lo conserva dopo un errore.")
    expect(page.get_by_label("Titolo del documento")).to_have_value("Relazione troppo grande")
    expect(page.locator("#documents")).to_contain_text("Nessun documento è stato allegato")
    # axe is a script: it checks the form as htmx put it back (the same markup as the page).
    if javascript and (violations := axe_violations(page)):
        pytest.fail(describe({"refused upload": violations}))

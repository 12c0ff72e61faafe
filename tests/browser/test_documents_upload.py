"""An oversize document chosen on the documents page in Chromium: the server refuses it
before reading it (its declared length is over the limit) and the person reads why in the
form, with htmx and without JavaScript alike; nothing is attached.

Every wait is on a condition (Playwright's `expect` and `wait_for_*`), never a fixed sleep.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

# Over the live server's default limit (TAVOLO_UPLOAD_MAX_BYTES, 20 MiB) and its allowance
# for the rest of the form (app/uploads.py, FORM_OVERHEAD).
OVERSIZE = 21 * 1024 * 1024


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-javascript"])
def test_an_oversize_file_is_refused_with_the_message_in_the_form(new_context, world, tmp_path,
                                                                   javascript):
    big = tmp_path / "Grande.pdf"
    with big.open("wb") as file:
        file.write(b"%PDF-1.4\n")
        file.truncate(OVERSIZE)
    page = new_context(java_script_enabled=javascript).new_page()
    sign_in(page, world.facilitator.email)
    page.goto(f"/meetings/{world.meeting['id']}/documents")
    page.set_input_files("#upload-file", str(big))
    page.get_by_label("Titolo del documento").fill("Relazione troppo grande")
    page.click("form[enctype] button[type=submit]")
    expect(page.locator("#documents .alert-danger")).to_have_text("Il file supera il limite di 20 MB")
    expect(page.locator("#documents")).to_contain_text("Nessun documento è stato allegato")

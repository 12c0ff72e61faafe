"""The record in Chromium: the secretary corrects the attendance on its page, edits the verbale
with the live preview, approves it and downloads the PDF, whose first page, rendered to an
image, shows the heading and the attendance table; axe-core finds nothing to fix in the
editor nor in the version history, in Italian and in English; the page works under the strict
CSP without console errors.

Every wait is on a condition (Playwright's `expect` and `wait_for_*`), never a fixed sleep.
"""

from __future__ import annotations

import re

import pypdfium2
import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import axe_violations, console_errors, describe, sign_in
from tests.pages.test_minutes import DECISION, record_decision

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

EDIT = "Nota della segretaria: il tavolo ha lavorato in un clima collaborativo."
IN_ROOM = "Laura Bianchi"


def minutes_path(world) -> str:
    return f"/meetings/{world.meeting['id']}/minutes"


def axe_clean(page, where: str) -> dict:
    found = axe_violations(page)
    return {where: found} if found else {}


def correct_attendance(page, world) -> None:
    """On the attendance page, by keyboard: the invited participant was there, and someone
    from the municipality came to the room without a link."""
    page.goto(f"/meetings/{world.meeting['id']}/attendance")
    person = page.locator("#person-participant")
    person.select_option(str(world.participant["person"]))
    page.locator("#person-status").select_option("present")
    page.locator("#person-note").fill("Presente per tutta la seduta")
    page.locator("#person-note").press("Enter")
    expect(page.locator("#attendance .alert-success").first).to_be_visible()
    page.locator("#room-name").fill(IN_ROOM)
    page.locator("#room-organization").select_option(label="Comune di Padova")
    page.locator("#room-note").press("Enter")
    expect(page.locator("#attendance table").first).to_contain_text(IN_ROOM)


def test_the_secretary_corrects_attendance_edits_approves_and_downloads_the_pdf(
        new_context, world, tmp_path):
    page = new_context("it", bypass_csp=True, accept_downloads=True).new_page()
    errors = console_errors(page)
    sign_in(page, world.secretary.email)
    correct_attendance(page, world)

    page.goto(minutes_path(world))
    editor = page.get_by_label("Testo del verbale (Markdown)")
    expect(editor).to_have_value(re.compile(r"^# Verbale dell'incontro n\. 1"))
    preview = page.locator("#minutes-preview")
    expect(preview.locator("h1")).to_contain_text("Verbale dell'incontro n. 1")
    expect(preview).to_contain_text(IN_ROOM)

    # Typing at the end of the text: the preview follows after a pause, and the live region
    # says so in one short sentence.
    editor.focus()
    page.keyboard.press("Control+End")
    page.keyboard.type(f"\n\n{EDIT}")
    expect(preview).to_contain_text(EDIT)
    expect(page.locator("#minutes-preview-status")).to_have_text("Anteprima aggiornata.")
    expect(editor).to_be_focused()
    found = axe_clean(page, "editor (it)")

    # Save by keyboard (htmx swaps the editor; the text stays).
    page.get_by_role("button", name="Salva la bozza").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#editor .alert-success")).to_have_text("Bozza salvata.")
    expect(editor).to_have_value(re.compile(re.escape(EDIT)))

    # Approve, through the confirmation step.
    page.get_by_role("button", name="Approva…").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/minutes/approve$"))
    expect(page.locator("main > h1")).to_have_text("Approva la versione 1 del verbale")
    expect(page.locator(".minutes-document")).to_contain_text(EDIT)
    found |= axe_clean(page, "approval (it)")
    page.get_by_role("button", name="Approva la versione 1").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/minutes\?approved=1#history$"))
    notice = page.locator(".alert-success", has_text="La versione 1 è approvata")
    expect(notice).to_be_visible()
    digest = notice.locator("code.sha256").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    version = page.locator("#version-1")
    expect(version.locator("code.sha256")).to_have_text(digest)
    found |= axe_clean(page, "history (it)")

    # The PDF of version 1, downloaded as a person would.
    with page.expect_download() as info:
        version.get_by_role("link", name="PDF/A della versione 1").click()
    pdf = tmp_path / "verbale.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")

    # Page 1 rendered to an image is not blank...
    document = pypdfium2.PdfDocument(str(pdf))
    image = document[0].render(scale=1.5).to_pil().convert("L")
    image.save(tmp_path / "page-1.png")
    darkest, lightest = image.getextrema()
    inked = sum(image.histogram()[:128])
    assert lightest - darkest > 128 and inked > 0.002 * image.width * image.height, (darkest, lightest, inked)
    document.close()
    # ...and holds the heading and the attendance table, with its rows.
    first_page = " ".join(PdfReader(pdf).pages[0].extract_text().split())
    assert "Verbale dell'incontro n. 1" in first_page or "Verbale dell’incontro n. 1" in first_page
    assert "Presenze" in first_page
    for row in ("Comune di Padova", "ULSS 6 Euganea", "Cooperativa Il Ponte",
                "Persona participant", IN_ROOM):
        assert row in first_page, (row, first_page[:1500])

    # The same pages in English.
    english = new_context("en", bypass_csp=True).new_page()
    errors += console_errors(english)
    sign_in(english, world.secretary.email)
    english.goto(minutes_path(world))
    expect(english.get_by_label("Text of the minutes (Markdown)")).to_be_visible()
    expect(english.get_by_role("heading", name="Approved versions")).to_be_visible()
    expect(english.locator("#version-1 code.sha256")).to_have_text(digest)
    found |= axe_clean(english, "editor and history (en)")
    assert not found, describe(found)
    assert errors == []


def test_the_live_preview_and_new_material_under_the_strict_csp(new_context, world, engine):
    """Without bypassing the CSP: htmx's requests and swaps, no inline script, no error; a
    decision recorded after the draft was edited is offered and inserted by keyboard."""
    page = new_context("it").new_page()
    errors = console_errors(page)
    sign_in(page, world.secretary.email)
    page.goto(minutes_path(world))
    editor = page.get_by_label("Testo del verbale (Markdown)")
    editor.fill("# Prova\n\nUn paragrafo con **grassetto** e <script>alert(1)</script>.")
    preview = page.locator("#minutes-preview")
    expect(preview.locator("h1")).to_have_text("Prova")
    expect(preview.locator("strong")).to_have_text("grassetto")
    expect(preview).to_contain_text("<script>alert(1)</script>")
    expect(preview.locator("script")).to_have_count(0)
    page.get_by_role("button", name="Salva la bozza").click()
    expect(page.locator("#editor .alert-success")).to_have_text("Bozza salvata.")

    record_decision(engine, world, DECISION)
    page.reload()
    expect(editor).to_have_value(re.compile(r"^# Prova"))
    offers = page.get_by_role("region", name="Nuovo materiale")
    offer = offers.locator(".minutes-offer", has_text=DECISION)
    expect(offer).to_have_count(1)
    offer.get_by_role("button", name=re.compile("^Inserisci")).focus()
    page.keyboard.press("Enter")
    expect(page.locator("#editor .alert-success")).to_contain_text("Il nuovo materiale è nella bozza")
    expect(editor).to_have_value(re.compile(r"^# Prova[\s\S]*" + re.escape(DECISION)))
    expect(preview).to_contain_text(DECISION)
    expect(offers.locator(".minutes-offer", has_text=DECISION)).to_have_count(0)
    assert errors == []


def test_participants_and_the_public_read_the_approved_verbale(new_context, client, world, live_server):
    """A participant reads version 1 (never the draft) and the public reads its pseudonymised
    form; both pages are axe-clean in Italian and English."""
    meeting = world.meeting["id"]
    auth = world.secretary.auth
    assert client.post(f"/api/v1/meetings/{meeting}/minutes/approve", headers=auth).status_code == 200
    assert client.post(f"/api/v1/meetings/{meeting}/minutes/versions/1/publish",
                       headers=auth).status_code == 200
    found = {}
    errors = []
    # The verbale is an Italian administrative act: its text is Italian in both languages.
    for lang in ("it", "en"):
        member = new_context(lang, bypass_csp=True)
        member.add_cookies([{"name": "tavolo_session", "value": world.participant["token"],
                             "url": live_server.url}])
        page = member.new_page()
        errors += console_errors(page)
        page.goto(minutes_path(world))
        expect(page.locator(".minutes-document h1")).to_contain_text("Verbale dell'incontro n. 1")
        expect(page.locator("textarea")).to_have_count(0)
        found |= axe_clean(page, f"participant ({lang})")

        public = new_context(lang, bypass_csp=True).new_page()
        errors += console_errors(public)
        public.goto(f"/public/meetings/{meeting}/minutes")
        expect(public.locator(".minutes-document")).to_contain_text("Cooperativa Il Ponte")
        expect(public.locator("main")).not_to_contain_text("Persona participant")
        found |= axe_clean(public, f"public ({lang})")
    assert not found, describe(found)
    assert errors == []


def test_two_editors_save_and_the_second_is_told_without_losing_a_word(new_context, world):
    """The chair and the secretary open the editor at once and the chair saves first: the
    secretary's save is refused with a focused alert saying who saved, the chair's text is
    shown beside the secretary's own, kept in the editor; axe finds nothing to fix; saving
    again replaces the draft knowingly."""
    chair, secretary = (new_context("it", bypass_csp=True).new_page() for _ in range(2))
    sign_in(chair, world.facilitator.email)
    sign_in(secretary, world.secretary.email)
    for page in (chair, secretary):
        page.goto(minutes_path(world))
    chair_editor = chair.get_by_label("Testo del verbale (Markdown)")
    chair_editor.fill(f"{chair_editor.input_value().rstrip()}\n\nNota della presidente: si riprende a marzo.")
    chair.get_by_role("button", name="Salva la bozza").click()
    expect(chair.locator("#editor .alert-success")).to_have_text("Bozza salvata.")

    editor = secretary.get_by_label("Testo del verbale (Markdown)")
    editor.fill(f"{editor.input_value().rstrip()}\n\n{EDIT}")
    secretary.get_by_role("button", name="Salva la bozza").click()
    alert = secretary.locator("#editor [role=alert]")
    expect(alert).to_contain_text("Giulia Ferraro ha salvato la bozza il")
    expect(alert).to_be_focused()
    expect(editor).to_have_value(re.compile(re.escape(EDIT) + r"$"))
    expect(editor).not_to_have_value(re.compile("Nota della presidente"))
    saved = secretary.get_by_role("region", name="Il testo salvato nel frattempo")
    expect(saved).to_contain_text("Nota della presidente: si riprende a marzo.")
    assert axe_clean(secretary, "minutes editor after a conflicting save") == {}

    secretary.get_by_role("button", name="Salva la bozza").click()
    expect(secretary.locator("#editor .alert-success")).to_have_text("Bozza salvata.")
    expect(saved).to_have_count(0)
    chair.reload()
    expect(chair_editor).to_have_value(re.compile(re.escape(EDIT)))

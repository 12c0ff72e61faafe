"""The facilitator's panel of an ended meeting in Chromium (static/facilitation.js,
templates/partials/facilitation_panel.html): when `meeting.ended` arrives the panel says once
why most of it is off and disables what the server would refuse (timer, voting, private mode,
lock, templates, messages, groups and moving people), the focus going to that notice; guiding
questions can still be opened, with a deadline, now required, and a group's board still
looked into, by keyboard alone; axe-core finds nothing to fix; a page opened after the end
says the same from the start, in English too, and shows next to the deadline why a question
cannot open without one, or with one already past (the server's word).

Every wait is on a condition (Playwright's `expect` and `wait_for_*`), never a fixed sleep.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, console_errors, describe, facilitator_page, open_panel
from tests.browser.test_board import participant_page, socket, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

ENDED = "L’incontro è terminato: le domande guida si possono ancora aprire e chiudere"
QUESTION = "Che cosa ci portiamo al prossimo incontro?"
OPTIONAL = "Aperta fino a (facoltativo, per riflettere tra un incontro e l’altro)"
REQUIRED = "Aperta fino a (obbligatorio)"
WHY = "L’incontro è terminato: chi partecipa risponde alla domanda sulla lavagna fino a questa data e ora."
# What the server refuses once the meeting has ended (docs/protocol.md, "Before, during, after").
REFUSED = ("Avvia il timer", "Apri la votazione", "Attiva la modalità privata", "Blocca la lavagna",
           "Applica il modello", "Invia il messaggio", "Crea i gruppi")


def test_the_panel_of_an_ended_meeting_keeps_only_what_the_server_takes(
        new_context, client, world, live_server):
    participant_page(new_context, client, world)
    with socket(live_server, world, world.facilitator.token) as facilitator:
        facilitator.op("meeting", "meeting.start")
        facilitator.op("meeting", "groups.create", strategy="manual", count=2)
        staff = facilitator_page(new_context, world, bypass_csp=True)
        errors = console_errors(staff)
        panel = open_panel(staff)
        notice = panel.locator(".facilitation-ended")
        expect(notice).to_be_hidden()
        for name in REFUSED:
            expect(panel.get_by_role("button", name=name)).to_be_enabled()
        placement = panel.get_by_role("group", name="Persone nei gruppi")
        move = placement.get_by_role("button", name="Sposta Elena Moretti (Cooperativa Il Ponte) nel gruppo scelto")
        expect(move).to_be_enabled()
        expect(panel.get_by_label(OPTIONAL)).not_to_have_attribute("required", "")

        # The facilitator is typing a timer's label when the meeting ends (another device).
        tab_to(staff, "#facilitation-timer-label")
        staff.keyboard.type("Pausa")
        facilitator.op("meeting", "meeting.end")

    # Said once, where the focus goes: the control being used is off now.
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(ENDED)
    expect(notice).to_be_focused()
    for name in REFUSED:
        expect(panel.get_by_role("button", name=name)).to_be_disabled()
    expect(panel.get_by_label("Minuti")).to_be_disabled()
    expect(move).to_be_disabled()
    expect(placement.get_by_label("Gruppo di Elena Moretti (Cooperativa Il Ponte)")).to_be_disabled()
    # Looking into a group's board sends no op: it stays.
    look = placement.get_by_role("button", name="Apri la lavagna di Gruppo 1")
    expect(look).to_be_enabled()
    expect(panel.get_by_role("button", name="Apri la domanda")).to_be_enabled()
    # Answered on the board only until its deadline from now on, a question needs one.
    deadline = panel.get_by_label(REQUIRED)
    expect(deadline).to_have_attribute("aria-required", "true")
    expect(deadline).to_have_accessible_description(WHY)
    found = {"panel, meeting ended": axe_violations(staff)}

    # By keyboard the next stop is the question, past what is off; it opens for reflection.
    staff.keyboard.press("Tab")
    expect(panel.get_by_label("Domanda", exact=True)).to_be_focused()
    staff.keyboard.type(QUESTION)
    tab_to(staff, "#facilitation-deadline")
    type_moment(staff, "01012099")
    tab_to(staff, "#facilitation-panel button[type=submit]:enabled")
    expect(panel.get_by_role("button", name="Apri la domanda")).to_be_focused()
    staff.keyboard.press("Enter")
    expect(panel.locator(".facilitation-open-questions")).to_contain_text(QUESTION)
    expect(panel.locator(".facilitation-error:visible")).to_have_count(0)
    expect(panel.get_by_label("Domanda", exact=True)).to_have_value("")
    expect(deadline).to_have_value("")
    found["panel, a question opened after the end"] = axe_violations(staff)

    # Past what is off, the Tab key reaches a group's board, and it opens.
    tab_to(staff, "#facilitation-panel [data-group] button")
    expect(look).to_be_focused()
    staff.keyboard.press("Enter")
    expect(staff.locator("#board-switch option:checked")).to_contain_text("Gruppo 1")
    failing = {name: violations for name, violations in found.items() if violations}
    assert not failing, f"axe violations:\n{describe(failing)}"
    assert errors == [], errors


def test_opened_after_the_end_the_panel_says_so_in_english(new_context, world, live_server):
    with socket(live_server, world, world.facilitator.token) as facilitator:
        facilitator.op("meeting", "meeting.start")
        facilitator.op("meeting", "meeting.end")
    staff = facilitator_page(new_context, world, lang="en")
    panel = open_panel(staff)
    expect(panel.locator(".facilitation-ended")).to_contain_text(
        "The meeting has ended: guiding questions can still be opened and closed")
    for name in ("Start the timer", "Start voting", "Lock the board", "Send the message", "Create the groups"):
        expect(panel.get_by_role("button", name=name)).to_be_disabled()
    expect(panel.get_by_role("button", name="Open the question")).to_be_enabled()
    expect(panel.get_by_label("Open until (required)")).to_have_attribute("required", "")
    expect(panel.get_by_role("button", name="Start the meeting")).to_be_hidden()
    expect(panel.get_by_role("button", name="End the meeting")).to_be_hidden()


def type_moment(page, digits: str) -> None:
    """Type a day, month and year (`digits`, ddmmyyyy with day = month, so that the browser's
    order of them does not matter) and 17:30 into the focused datetime field."""
    page.keyboard.type(digits)
    page.keyboard.press("ArrowRight")
    page.keyboard.type("1730")


def test_after_the_end_a_question_without_a_deadline_says_why_next_to_the_field(new_context, world, live_server):
    with socket(live_server, world, world.facilitator.token) as facilitator:
        facilitator.op("meeting", "meeting.start")
        facilitator.op("meeting", "meeting.end")
    staff = facilitator_page(new_context, world, bypass_csp=True)
    errors = console_errors(staff)
    panel = open_panel(staff)
    deadline = panel.get_by_label(REQUIRED)
    error = panel.locator("#facilitation-deadline-error")
    opened = panel.locator(".facilitation-open-questions")
    expect(deadline).to_have_attribute("required", "")
    expect(deadline).to_have_attribute("aria-required", "true")
    expect(deadline).to_have_accessible_description(WHY)
    found = {"panel opened after the end": axe_violations(staff)}

    tab_to(staff, "#facilitation-question")
    staff.keyboard.type(QUESTION)
    tab_to(staff, "#facilitation-panel button[type=submit]:enabled")
    staff.keyboard.press("Enter")
    # Said next to the field, where the focus goes.
    expect(error).to_have_text("Scegli fino a quando la domanda resta aperta.")
    expect(deadline).to_be_focused()
    expect(deadline).to_have_attribute("aria-invalid", "true")
    expect(deadline).to_have_accessible_description(f"{WHY} Scegli fino a quando la domanda resta aperta.")
    found["no deadline"] = axe_violations(staff)

    # A deadline already past: the server refuses it, and its word goes next to the field.
    type_moment(staff, "01012020")
    tab_to(staff, "#facilitation-panel button[type=submit]:enabled")
    staff.keyboard.press("Enter")
    expect(error).to_have_text("La scadenza deve essere nel futuro")
    expect(deadline).to_be_focused()
    expect(panel.locator(".facilitation-error:visible")).to_have_count(0)
    expect(opened.locator("li")).to_have_count(0)

    type_moment(staff, "01012099")
    tab_to(staff, "#facilitation-panel button[type=submit]:enabled")
    staff.keyboard.press("Enter")
    expect(opened).to_contain_text(QUESTION)
    expect(error).to_be_hidden()
    expect(deadline).not_to_have_attribute("aria-invalid", "true")
    expect(deadline).to_have_accessible_description(WHY)
    found["a question opened with its deadline"] = axe_violations(staff)
    failing = {name: violations for name, violations in found.items() if violations}
    assert not failing, f"axe violations:\n{describe(failing)}"
    assert errors == [], errors

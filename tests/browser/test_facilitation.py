"""Facilitation in Chromium (static/facilitation.js): the facilitator's control panel sends
the meeting ops over the room's connection and a participant's page follows: the guiding
question, the timer, dot voting and its results; axe-core finds nothing to fix in the panel
nor in the participant's view; lock, private mode and messages show; a refused op shows its
message next to its form.

Every wait is on a condition (Playwright's `expect` and `wait_for_*`), never a fixed sleep.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    axe_violations, console_errors, describe, facilitator_page, live, open_panel, room_path, sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

QUESTION = "Quali servizi mancano a chi dorme in strada d'inverno?"
NOTE = "Un dormitorio aperto anche di giorno"
ANSWER = "Una mensa serale"


def participant_page(new_context, client, world, lang: str = "en", **options):
    """A person invited by the facilitator, who opens their link and enters."""
    invite = client.post(f"/api/v1/processes/{world.process}/invites", headers=world.facilitator.auth,
                         json={"name": "Elena Moretti", "role": "participant",
                               "organization": world.organizations["third_sector"]}).json()
    page = new_context(lang, **options).new_page()
    page.goto(f"/join/{invite['invite']}")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/meetings/\d+/room$"))
    live(page)
    return page


def test_question_timer_voting_and_results_reach_a_participant(new_context, client, world):
    # axe-core is injected as a script tag, which our CSP refuses: these two pages bypass
    # it (the other test keeps it and checks that nothing is refused).
    staff = facilitator_page(new_context, world, bypass_csp=True)
    guest = participant_page(new_context, client, world, bypass_csp=True)
    errors = console_errors(staff) + console_errors(guest)
    # Only facilitators get the panel.
    expect(guest.locator("#facilitation-panel")).to_have_count(0)

    staff.click("button[data-create=note]")
    expect(staff.locator(".board-editor")).to_be_focused()
    staff.keyboard.type(NOTE)
    staff.keyboard.press("Control+Enter")

    panel = open_panel(staff)
    # A guiding question, by keyboard: type it, Tab to the button, Enter.
    panel.get_by_label("Domanda", exact=True).fill(QUESTION)
    panel.get_by_role("button", name="Apri la domanda").focus()
    staff.keyboard.press("Enter")
    expect(panel.locator(".facilitation-open-questions")).to_contain_text(QUESTION)
    # A timer of five minutes: Enter in a field submits its form.
    panel.get_by_label("Minuti").fill("5")
    panel.get_by_label("Etichetta (facoltativa)").fill("Bisogni")
    panel.get_by_label("Etichetta (facoltativa)").press("Enter")

    question = guest.get_by_role("region", name="Guiding question")
    expect(question).to_contain_text(QUESTION)
    timer = guest.get_by_role("region", name="Timer")
    expect(timer).to_contain_text("Bisogni")
    expect(timer.get_by_role("timer")).to_have_text(re.compile(r"^0[45]:\d\d$"))
    expect(guest.locator(".meeting-announcer")).to_contain_text("Timer started for “Bisogni”: 5 minutes.")
    expect(staff.get_by_role("region", name="Domanda guida")).to_contain_text(QUESTION)

    # A note written now answers the open question.
    guest.click("button[data-create=note]")
    expect(guest.locator(".board-editor")).to_be_focused()
    guest.keyboard.type(ANSWER)
    guest.keyboard.press("Control+Enter")
    expect(staff.locator(".board-plane .board-item", has_text=ANSWER)).to_be_visible()
    board = guest.locator("#board").get_attribute("data-board")
    items = client.get(f"/api/v1/boards/{board}", headers=world.facilitator.auth).json()["items"]
    prompts = {item["text"]: item["prompt"] for item in items}
    assert prompts[NOTE] is None and prompts[ANSWER] is not None, prompts

    panel.get_by_label("Voti a persona").fill("2")
    panel.get_by_role("button", name="Apri la votazione").click()
    voting = guest.get_by_role("region", name="Dot voting")
    expect(voting).to_contain_text("Voting open: 2 votes left")
    vote = voting.get_by_role("button", name=f"Vote for: {NOTE}")
    vote.focus()
    guest.keyboard.press("Enter")
    expect(voting).to_contain_text("Voting open: one vote left")
    expect(voting).to_contain_text("your vote: one")
    expect(voting.get_by_role("button", name=f"Take back a vote for: {NOTE}")).to_be_visible()

    # axe-core: the participant with a question, a timer and voting showing; the facilitator
    # with the panel open.
    found = {"participant": axe_violations(guest), "facilitator": axe_violations(staff)}
    found = {where: violations for where, violations in found.items() if violations}
    assert not found, describe(found)

    panel.get_by_role("button", name="Chiudi la votazione").click()
    results = guest.get_by_role("region", name="Voting results")
    expect(results).to_contain_text(NOTE)
    expect(results.locator(".meeting-result").first).to_contain_text("1.")
    expect(results.locator(".meeting-result").first).to_contain_text("one vote")
    expect(voting).to_be_hidden()
    expect(staff.get_by_role("region", name="Risultati della votazione")).to_contain_text(NOTE)
    assert errors == []


def test_board_controls_a_message_and_a_refused_op(new_context, world):
    staff = facilitator_page(new_context, world)
    errors = console_errors(staff)
    panel = open_panel(staff)
    locked = staff.locator(".meeting-flag-locked")
    panel.get_by_role("button", name="Blocca la lavagna").click()
    expect(locked).to_be_visible()
    panel.get_by_role("button", name="Sblocca la lavagna").click()
    expect(locked).to_be_hidden()
    hidden = staff.locator(".meeting-flag-private")
    panel.get_by_role("button", name="Attiva la modalità privata").click()
    expect(hidden).to_be_visible()
    panel.get_by_role("button", name="Rivela le note").click()
    expect(hidden).to_be_hidden()
    panel.get_by_label("Messaggio", exact=True).fill("Dieci minuti di pausa")
    panel.get_by_role("button", name="Invia il messaggio").click()
    expect(staff.locator(".meeting-broadcast[role=alert]")).to_contain_text("Dieci minuti di pausa")
    staff.get_by_role("button", name="Chiudi il messaggio").click()
    expect(staff.locator(".meeting-broadcast-message")).to_have_count(0)
    # An op the server refuses (more votes than it allows): its words appear next to the form.
    panel.get_by_label("Voti a persona").fill("1000")
    panel.get_by_role("button", name="Apri la votazione").click()
    error = panel.locator("form[data-op='voting.start'] .facilitation-error")
    expect(error).to_be_visible()
    expect(error).not_to_be_empty()
    # Once the meeting has ended, the board refuses even the facilitator, and the panel turns
    # those controls off (tests/browser/test_facilitation_ended.py).
    panel.get_by_role("button", name="Avvia l'incontro").click()
    expect(panel.locator(".facilitation-meeting-state")).to_have_text("In corso")
    panel.get_by_role("button", name="Chiudi l'incontro").click()
    expect(panel.locator(".facilitation-meeting-state")).to_have_text("Concluso")
    expect(panel.get_by_role("button", name="Blocca la lavagna")).to_be_disabled()
    assert errors == []


def test_group_work_takes_a_participant_to_their_group_board_and_back(new_context, client, world):
    staff = facilitator_page(new_context, world)
    guest = participant_page(new_context, client, world)
    errors = console_errors(staff) + console_errors(guest)
    panel = open_panel(staff)
    panel.get_by_label("Come formarli").select_option("random")
    panel.get_by_label("Numero di gruppi").fill("1")
    panel.get_by_role("button", name="Crea i gruppi").click()
    expect(panel.locator(".facilitation-groups-list")).to_contain_text("Gruppo 1")
    panel.get_by_role("button", name="Avvia il lavoro in gruppi").click()
    expect(guest.locator(".board-name")).to_have_text("Gruppo 1")
    expect(staff.locator(".board-name")).to_have_text("Plenaria")
    panel.get_by_role("button", name="Chiudi il lavoro in gruppi").click()
    expect(guest.locator(".board-name")).to_have_text("Plenary")
    assert errors == []

"""The rest of facilitation in Chromium, through the real UI: groups made by hand (people
dragged with the mouse and moved by keyboard), the facilitator looking into a group's board
and coming back, a message to one group only, the summon, dot voting from the notes on the
board, lines of work, decisions and actions. axe-core finds nothing to fix in each new state,
in Italian and in English.

Every wait is on a condition (Playwright's `expect` and `wait_for_*`), never a fixed sleep.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    axe_violations, console_errors, describe, facilitator_page, live, open_panel, room_path, sign_in,
    two_manual_groups,
)

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

NOTE = "Un dormitorio aperto anche di giorno"
OTHER = "Una mensa serale"


def guest_page(new_context, client, world, name: str, kind: str, lang: str = "en", **options):
    """A participant invited by the facilitator, who opens their link and enters."""
    invite = client.post(f"/api/v1/processes/{world.process}/invites", headers=world.facilitator.auth,
                         json={"name": name, "role": "participant",
                               "organization": world.organizations[kind]}).json()
    page = new_context(lang, **options).new_page()
    page.goto(f"/join/{invite['invite']}")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/meetings/\d+/room$"))
    live(page)
    return page


def no_violations(**pages) -> None:
    found = {where: axe_violations(page) for where, page in pages.items()}
    found = {where: violations for where, violations in found.items() if violations}
    assert not found, describe(found)


def write_note(page, text: str, kind: str = "note") -> None:
    page.click(f"button[data-create={kind}]")
    expect(page.locator(".board-editor")).to_be_focused()
    page.keyboard.type(text)
    page.keyboard.press("Control+Enter")
    expect(page.locator(".board-plane .board-item:not(.is-pending)", has_text=text)).to_be_visible()


def test_groups_by_hand_a_look_into_a_group_and_a_message_to_one_group(new_context, client, world):
    elena = guest_page(new_context, client, world, "Elena Moretti", "third_sector", bypass_csp=True)
    luca = guest_page(new_context, client, world, "Luca Ferri", "public", lang="it")
    staff = facilitator_page(new_context, world, bypass_csp=True)
    errors = console_errors(staff) + console_errors(elena) + console_errors(luca)
    panel = open_panel(staff)
    placement, loose, first, second = two_manual_groups(panel)
    expect(loose).to_contain_text("Elena Moretti (Cooperativa Il Ponte)")
    expect(loose).to_contain_text("Luca Ferri (Comune di Padova)")
    expect(first).to_contain_text("Ancora nessuno")

    # By mouse: Elena dragged onto group 2, then from group 2 onto group 1.
    placement.locator(".facilitation-person-name", has_text="Elena Moretti").drag_to(second)
    expect(second).to_contain_text("Elena Moretti")
    second.locator(".facilitation-person-name", has_text="Elena Moretti").drag_to(first)
    expect(first).to_contain_text("Elena Moretti")
    expect(second).not_to_contain_text("Elena Moretti")
    # By keyboard: Luca's group chosen with the arrow keys, then Move; the focus follows him.
    choice = placement.get_by_label("Gruppo di Luca Ferri (Comune di Padova)")
    choice.focus()
    staff.keyboard.press("ArrowDown")
    staff.keyboard.press("Tab")
    staff.keyboard.press("Enter")
    expect(first).to_contain_text("Luca Ferri")
    expect(first.get_by_label("Gruppo di Luca Ferri (Comune di Padova)")).to_be_focused()
    staff.keyboard.press("ArrowDown")
    staff.keyboard.press("Tab")
    staff.keyboard.press("Enter")
    expect(second).to_contain_text("Luca Ferri")
    # What comes within a moment is said in one update (Elena's move may share it).
    expect(staff.locator(".meeting-announcer")).to_contain_text("Luca Ferri (Comune di Padova) ora è in Gruppo 2.")
    expect(staff.locator(".meeting-announcer")).not_to_contain_text("Luca Ferri (Comune di Padova) ora è in Gruppo 1.")
    groups = client.get(f"/api/v1/meetings/{world.meeting['id']}", headers=world.facilitator.auth).json()["groups"]
    sizes = {group["name"]: len(group["members"]) for group in groups}
    assert sizes == {"Gruppo 1": 1, "Gruppo 2": 1}, groups
    # axe-core with the people in their groups and the form of a decision open, in Italian.
    staff.get_by_text("Registra una decisione").click()
    no_violations(facilitator=staff)

    panel.get_by_role("button", name="Avvia il lavoro in gruppi").click()
    expect(elena.locator(".board-name")).to_have_text("Gruppo 1")
    expect(luca.locator(".board-name")).to_have_text("Gruppo 2")
    # Moved while the groups work, Elena follows to her new group's board, and back.
    first.get_by_label("Gruppo di Elena Moretti (Cooperativa Il Ponte)").focus()
    staff.keyboard.press("ArrowDown")
    staff.keyboard.press("Tab")
    staff.keyboard.press("Enter")
    expect(elena.locator(".board-name")).to_have_text("Gruppo 2")
    expect(second.get_by_label("Gruppo di Elena Moretti (Cooperativa Il Ponte)")).to_be_focused()
    staff.keyboard.press("ArrowUp")
    staff.keyboard.press("Tab")
    staff.keyboard.press("Enter")
    expect(elena.locator(".board-name")).to_have_text("Gruppo 1")

    # The facilitator looks into group 2 and comes back to the plenary.
    write_note(luca, OTHER)
    second.get_by_role("button", name="Apri la lavagna di Gruppo 2").click()
    expect(staff.locator(".board-name")).to_have_text("Gruppo 2")
    expect(staff.locator(".board-plane .board-item", has_text=OTHER)).to_be_visible()
    expect(staff.locator(".meeting-announcer")).to_contain_text("Ora è mostrata la lavagna di Gruppo 2.")
    no_violations(facilitator=staff)
    staff.get_by_role("button", name="Torna alla plenaria").click()
    expect(staff.locator(".board-name")).to_have_text("Plenaria")
    expect(staff.locator("#board-canvas")).to_be_focused()
    expect(staff.get_by_role("button", name="Torna alla plenaria")).to_be_hidden()

    # A message for group 1 reaches Elena and not Luca; the next, for everyone, reaches both.
    luca.evaluate("""() => {
        window.seenMessages = [];
        new MutationObserver(() => {
            for (const node of document.querySelectorAll(".meeting-broadcast-text")) {
                if (!window.seenMessages.includes(node.textContent)) window.seenMessages.push(node.textContent);
            }
        }).observe(document.querySelector(".meeting-broadcast"), {childList: true, subtree: true});
    }""")
    message = panel.locator("form[data-op='message.broadcast']")
    message.get_by_label("Messaggio", exact=True).fill("Gruppo 1: ancora cinque minuti")
    message.get_by_label("Gruppo 1").focus()
    staff.keyboard.press("Space")
    expect(message.get_by_label("Gruppo 1")).to_be_checked()
    message.get_by_role("button", name="Invia il messaggio").click()
    expect(elena.locator(".meeting-broadcast")).to_contain_text("Gruppo 1: ancora cinque minuti")
    message.get_by_label("Gruppo 1").focus()
    staff.keyboard.press("Space")
    message.get_by_label("Messaggio", exact=True).fill("Tutti in plenaria")
    message.get_by_role("button", name="Invia il messaggio").click()
    expect(luca.locator(".meeting-broadcast")).to_contain_text("Tutti in plenaria")
    expect(elena.locator(".meeting-broadcast")).to_contain_text("Tutti in plenaria")
    assert luca.evaluate("window.seenMessages") == ["Tutti in plenaria"]
    no_violations(participant=elena)
    assert errors == []


def test_voting_from_the_notes_on_the_board_and_the_summon(new_context, client, world):
    staff = facilitator_page(new_context, world, lang="en", bypass_csp=True)
    guest = guest_page(new_context, client, world, "Elena Moretti", "third_sector", lang="it", bypass_csp=True)
    errors = console_errors(staff) + console_errors(guest)
    write_note(staff, NOTE)
    write_note(staff, OTHER)
    # The second note beside the first rather than over it.
    staff.locator(".board-plane .board-item", has_text=OTHER).focus()
    for _ in range(5):
        staff.keyboard.press("Shift+ArrowRight")
    expect(guest.locator(".board-plane .board-item", has_text=OTHER)).to_have_css("left", "274px")
    panel = open_panel(staff)
    panel.get_by_label("Votes per person").fill("2")
    panel.get_by_role("button", name="Start voting").click()

    left = guest.locator(".board-votes")
    expect(left).to_have_text("Votazione aperta: ti restano 2 voti")
    note = guest.locator(".board-plane .board-item", has_text=NOTE)
    note.get_by_role("button", name=f"Vota: {NOTE}").click()
    expect(left).to_have_text("Votazione aperta: ti resta un voto")
    expect(guest.locator("#board-announcer")).to_have_text(
        f"Voto dato a “{NOTE}”. Votazione aperta: ti resta un voto.")
    # By keyboard: V on the focused note votes, Shift+V takes a vote back.
    note.focus()
    guest.keyboard.press("v")
    expect(left).to_have_text("Votazione aperta: hai usato tutti i tuoi voti")
    expect(note.get_by_role("button", name=f"Vota: {NOTE} (i tuoi voti: 2)")).to_be_disabled()
    # Staff vote too: the facilitator's canvas has its buttons, in English.
    expect(staff.locator(".board-votes")).to_have_text("Voting open: 2 votes left")
    staff.locator(".board-plane").get_by_role("button", name=f"Vote for: {OTHER}").click()
    expect(staff.locator(".board-votes")).to_have_text("Voting open: one vote left")
    no_violations(participant=guest, facilitator=staff)
    guest.keyboard.press("v")
    expect(guest.locator("#board-announcer")).to_have_text("Votazione aperta: hai usato tutti i tuoi voti")
    guest.keyboard.press("Shift+V")
    expect(left).to_have_text("Votazione aperta: ti resta un voto")

    panel.get_by_role("button", name="End voting").click()
    expect(note.locator(".board-vote-result")).to_have_text("un voto")
    expect(guest.locator(".board-plane .board-item", has_text=OTHER).locator(".board-vote-result")).to_have_text("un voto")
    expect(guest.get_by_role("region", name="Risultati della votazione")).to_contain_text(NOTE)
    expect(left).to_be_hidden()
    expect(note.get_by_role("button", name=re.compile("Vota"))).to_have_count(0)

    # The summon: the participant's view takes the facilitator's zoom; a replay moves nobody.
    zoom = guest.locator(".board-zoom-level")
    staff.get_by_role("button", name="Zoom in").click()
    staff.get_by_role("button", name="Zoom in").click()
    wanted = staff.locator(".board-zoom-level").inner_text()
    expect(zoom).not_to_have_text(wanted)
    staff.get_by_role("button", name="Call everyone here").click()
    expect(zoom).to_have_text(wanted)
    expect(guest.locator("#board-announcer")).to_have_text(
        "Il facilitatore ha chiamato tutti in questa parte della lavagna.")
    expect(staff.locator("#board-announcer")).to_have_text("Everyone has been called to this part of the board.")
    # A summon made while the participant is offline reaches them replayed, and moves nothing.
    guest.context.set_offline(True)
    expect(guest.locator(".board-status")).to_have_attribute("data-status", "offline")
    staff.get_by_role("button", name="Zoom in").click()
    assert staff.locator(".board-zoom-level").inner_text() != wanted
    staff.get_by_role("button", name="Call everyone here").click()
    panel.get_by_label("Question", exact=True).fill("Chi manca al tavolo?")
    panel.get_by_role("button", name="Open the question").click()
    expect(panel.locator(".facilitation-open-questions")).to_contain_text("Chi manca al tavolo?")
    guest.context.set_offline(False)
    expect(guest.get_by_role("region", name="Domanda guida")).to_contain_text("Chi manca al tavolo?")
    expect(zoom).to_have_text(wanted)
    assert errors == []


def test_a_line_of_work_a_decision_and_an_action_reach_everyone(new_context, client, world):
    staff = facilitator_page(new_context, world, lang="en", bypass_csp=True)
    guest = guest_page(new_context, client, world, "Elena Moretti", "third_sector", lang="it", bypass_csp=True)
    errors = console_errors(staff) + console_errors(guest)
    record = guest.get_by_role("region", name="Decisioni, azioni e linee di lavoro")
    expect(record).to_contain_text("Nessuna decisione registrata.")

    # A frame with a note inside becomes a line of work, from the frame's tools.
    write_note(staff, "Accoglienza notturna", kind="frame")
    write_note(staff, NOTE)
    staff.keyboard.press("0")  # everything in view
    frame = staff.locator(".board-plane .board-frame")
    frame.focus()
    frame.get_by_role("button", name="Make this frame a line of work").focus()
    staff.keyboard.press("Enter")
    dialog = staff.get_by_role("dialog", name="Make this frame a line of work")
    expect(dialog.get_by_label("Title of the line of work")).to_have_value("Accoglienza notturna")
    dialog.get_by_label("Title of the line of work").press("Enter")
    expect(dialog).to_be_hidden()
    expect(frame.locator(".board-line-badge")).to_have_text("Line of work: Accoglienza notturna")
    expect(frame).to_have_attribute("aria-label", re.compile(r"\(Line of work: Accoglienza notturna\)$"))
    expect(record.get_by_role("region", name="Linee di lavoro")).to_contain_text("Accoglienza notturna (una nota)")

    # A decision by vote resting on the note, by keyboard.
    mine = staff.get_by_role("region", name="Decisions, actions and lines of work")
    mine.get_by_text("Record a decision").focus()
    staff.keyboard.press("Enter")
    form = mine.locator("form[data-op='decision.record']")
    form.get_by_label("What was decided").fill("Aprire il dormitorio anche di giorno da gennaio")
    form.get_by_label("By consensus").focus()
    staff.keyboard.press("ArrowRight")
    expect(form.get_by_label("By vote")).to_be_checked()
    form.get_by_label("Outcome (for example: approved)").fill("approvata")
    form.get_by_label("In favour").fill("5")
    form.get_by_label("Against").fill("1")
    form.get_by_label("Abstained").fill("0")
    form.get_by_label(NOTE).focus()
    staff.keyboard.press("Space")
    form.get_by_role("button", name="Record the decision").focus()
    staff.keyboard.press("Enter")
    decisions = record.get_by_role("region", name="Decisioni")
    expect(decisions).to_contain_text("Aprire il dormitorio anche di giorno da gennaio")
    expect(decisions).to_contain_text("Decisa con votazione · Esito: approvata · 5 favorevoli, 1 contrari, 0 astenuti")
    expect(decisions).to_contain_text(f"Si basa su: “{NOTE}”")
    expect(form.get_by_label("What was decided")).to_have_value("")

    # An action owned by an organisation, with a date; then done.
    mine.get_by_text("Add an action").click()
    action = mine.locator("form[data-op='action.add']")
    action.get_by_label("What is to be done").fill("Verificare i costi del personale notturno")
    action.get_by_label("Organisation that does it").select_option(label="ULSS 6 Euganea")
    action.get_by_label("By when (optional)").fill("2026-12-15")
    action.get_by_role("button", name="Add the action").click()
    actions = record.get_by_role("table", name="Azioni")
    row = actions.locator("tbody tr").first
    expect(row).to_contain_text("Verificare i costi del personale notturno")
    expect(row).to_contain_text("ULSS 6 Euganea")
    expect(row).to_contain_text("15 dicembre 2026")
    expect(row).to_contain_text("Aperta")
    # Participants see the record, without its controls.
    expect(record.locator("form")).to_have_count(0)
    expect(actions.get_by_role("button")).to_have_count(0)

    # axe-core in English with the people in a group made by hand and a group's board shown.
    panel = open_panel(staff)
    panel.get_by_label("How to form them").select_option("manual")
    panel.get_by_label("Number of groups").fill("1")
    panel.get_by_role("button", name="Create the groups").click()
    placement = panel.get_by_role("group", name="People in the groups")
    expect(placement.get_by_role("region", name="Not in a group")).to_contain_text("Elena Moretti")
    placement.get_by_role("button", name="Open the board of Group 1").click()
    expect(staff.locator(".board-name")).to_have_text("Group 1")
    no_violations(facilitator=staff, participant=guest)

    # The secretary records too: the action is done.
    secretary = new_context("it").new_page()
    errors += console_errors(secretary)
    sign_in(secretary, world.secretary.email)
    secretary.goto(room_path(world))
    live(secretary)
    expect(secretary.locator("#facilitation-panel")).to_have_count(0)
    secretary.get_by_role("button", name="Segna come fatta: Verificare i costi del personale notturno").click()
    expect(row).to_contain_text("Fatta")
    expect(secretary.get_by_role("button", name="Riapri: Verificare i costi del personale notturno")).to_be_focused()
    expect(staff.get_by_role("table", name="Actions")).to_contain_text("Done")
    # The room's page comes with the record, readable without JavaScript.
    page = client.get(room_path(world), headers=world.facilitator.auth)
    record_html = page.text.split('id="meeting-record"', 1)[1]
    for words in ("Aprire il dormitorio anche di giorno da gennaio",
                  "Decisa con votazione · Esito: approvata · 5 favorevoli, 1 contrari, 0 astenuti",
                  f"Si basa su: “{NOTE}”", "Verificare i costi del personale notturno", "ULSS 6 Euganea",
                  "15 dicembre 2026", "Fatta", "Accoglienza notturna</span> <span class=\"record-meta\">(una nota)"):
        assert words in record_html, words
    assert errors == []

"""An ended meeting's board in Chromium (static/board.js, templates/room.html): when
`meeting.ended` arrives the board says so and turns off what the server would refuse (new
notes, frames and texts, moves, edits, calling everyone), and a question still open for
reflection keeps taking answers through "Nuova nota", by keyboard alone; axe-core finds
nothing to fix; a page opened after the end says the same from the start.

Every wait is on a condition (Playwright's `expect` and `wait_for_*`), never a fixed sleep.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from boards.models import Item
from tests.browser.conftest import (
    axe_violations, console_errors, describe, facilitator_page, live, room_path,
)
from tests.browser.test_board import focused, note, participant_page, position, socket, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

NOTE = "Un dormitorio aperto anche di giorno"
QUESTION = "Che cosa serve ancora per l’accoglienza diurna?"
ANSWER = "Un servizio docce nel quartiere"
ENDED = "L’incontro è terminato: la lavagna resta consultabile"


def test_the_board_of_an_ended_meeting_offers_only_what_it_still_takes(
        new_context, client, world, live_server, engine):
    board = f"board:{world.meeting['plenary_board']}"
    with socket(live_server, world, world.facilitator.token) as facilitator:
        facilitator.op(board, "item.create", kind="note", x=0, y=0, text=NOTE)
        facilitator.op("meeting", "meeting.start")
        guest = participant_page(new_context, client, world, bypass_csp=True)
        errors = console_errors(guest)
        ended = guest.locator(".board-ended")
        expect(ended).to_be_hidden()
        expect(guest.locator("button[data-create=note]")).to_be_enabled()

        # The end arrives live: the board says so and what the server would refuse is off.
        facilitator.op("meeting", "meeting.end")
        expect(ended).to_be_visible()
        expect(ended).to_contain_text(ENDED)
        expect(ended.get_by_role("link", name="Commenta le note di questo incontro")).to_have_attribute(
            "href", f"/meetings/{world.meeting['id']}/reflection")
        for kind in ("note", "frame", "text"):
            expect(guest.locator(f"button[data-create={kind}]")).to_be_disabled()
        expect(guest.locator(".board-ended-answer")).to_be_hidden()

        # By keyboard the note can still be reached and read, not moved or edited.
        mine = note(guest, NOTE)
        tab_to(guest, ".board-plane .board-item")
        expect(mine).to_be_focused()
        start = position(mine)
        guest.keyboard.press("ArrowRight")
        guest.keyboard.press("Enter")
        expect(guest.locator(".board-editor")).to_have_count(0)
        assert position(mine) == start
        expect(guest.locator(".board-item-tools")).to_have_count(0)
        expect(guest.locator(".board-alert")).to_be_hidden()

        # A question opened for reflection after the end: "Nuova nota" answers it.
        deadline = (datetime.now(UTC) + timedelta(days=7)).isoformat()
        facilitator.op("meeting", "prompt.open", text=QUESTION, deadline=deadline)
    answer_note = guest.locator("button[data-create=note]")
    expect(answer_note).to_be_enabled()
    for kind in ("frame", "text"):
        expect(guest.locator(f"button[data-create={kind}]")).to_be_disabled()
    expect(guest.locator(".board-ended-answer")).to_have_text(
        f"Una domanda guida è ancora aperta alla riflessione: “{QUESTION}”. "
        "Con “Nuova nota” aggiungi la tua risposta.")
    found = {"room, meeting ended": axe_violations(guest)}

    guest.keyboard.press("Escape")
    tab_to(guest, "button[data-create=note]")
    guest.keyboard.press("Enter")
    dialog = guest.get_by_role("dialog", name="Rispondi alla domanda guida")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(QUESTION)
    expect(guest.get_by_label("La tua risposta")).to_be_focused()
    # Nothing written: the dialog asks for it.
    guest.keyboard.press("Tab")
    guest.keyboard.press("Enter")
    expect(dialog.get_by_role("alert")).to_have_text("Scrivi la tua risposta.")
    expect(guest.get_by_label("La tua risposta")).to_be_focused()
    guest.keyboard.type(ANSWER)
    found["room, answering after the end"] = axe_violations(guest)
    guest.keyboard.press("Tab")
    assert focused(guest, ".answer-form button[type=submit]")
    guest.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(note(guest, ANSWER)).to_be_visible()
    expect(guest.locator("#board-list")).to_contain_text(ANSWER)
    expect(guest.locator("#board-announcer")).to_have_text("La tua risposta è sulla lavagna.")
    with Session(engine) as session:
        answer = session.exec(select(Item).where(Item.text == ANSWER)).one()
        assert answer.prompt_id is not None and answer.asynchronous
    failing = {name: violations for name, violations in found.items() if violations}
    assert not failing, f"axe violations:\n{describe(failing)}"

    # Opened after the end, the room says it at once (also before the board is live).
    later = new_context().new_page()
    later.route("**/static/board.js", lambda route: route.abort())
    later.context.add_cookies(guest.context.cookies())
    later.goto(room_path(world))
    expect(later.locator(".board-ended")).to_contain_text(ENDED)
    assert errors == [], errors


def test_in_english_the_ended_board_says_so(new_context, client, world, live_server):
    with socket(live_server, world, world.facilitator.token) as facilitator:
        facilitator.op("meeting", "meeting.start")
        facilitator.op("meeting", "meeting.end")
    guest = participant_page(new_context, client, world, lang="en")
    live(guest)
    expect(guest.locator(".board-ended")).to_contain_text(
        "The meeting has ended: the board can still be read")
    expect(guest.locator("button[data-create=note]")).to_be_disabled()
    # Bootstrap Italia draws the alert's icon in its left padding: the notice keeps that
    # padding, or the icon covers the first words.
    ours, alerts = guest.locator(".board-ended").evaluate(
        "el => { const plain = document.createElement('div'); plain.className = 'alert alert-info';"
        " el.after(plain); const pads = [el, plain].map(e => { const style = getComputedStyle(e);"
        " return parseFloat(style.paddingLeft) / parseFloat(style.fontSize); });"
        " plain.remove(); return pads; }")
    assert abs(ours - alerts) < 0.01, (ours, alerts)  # in em: the notice's text is smaller
    # The facilitator cannot call everyone to an ended meeting's board either.
    staff = facilitator_page(new_context, world, lang="en")
    expect(staff.locator(".board-ended")).to_be_visible()
    expect(staff.get_by_role("button", name="Call everyone here")).to_be_disabled()

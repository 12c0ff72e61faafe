"""Notes on top of one another in Chromium (static/board.css): while voting runs, a note that
another one covers comes to the top under the pointer, so that its Vote button can be clicked.

Every wait is on a condition (Playwright's `expect` and `wait_for_*`), never a fixed sleep.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_board import note, participant_page, socket

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

UNDER = "Un dormitorio aperto anche di giorno"
OVER = "Una mensa serale vicino alla stazione"

# What is on top at a point of the page: the vote button itself, or what covers it.
ON_TOP = """([x, y]) => {
    const el = document.elementFromPoint(x, y);
    return el && el.closest(".board-vote-button") ? "button" : el && el.closest(".board-item")
        ? el.closest(".board-item").querySelector(".board-item-text").textContent : String(el);
}"""


def centre(locator) -> list[float]:
    box = locator.bounding_box()
    return [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2]


def test_a_covered_note_comes_to_the_top_under_the_pointer_and_gets_the_vote(
        new_context, client, world, live_server):
    board = f"board:{world.meeting['plenary_board']}"
    with socket(live_server, world, world.facilitator.token) as facilitator:
        # The second note lies over the first one's lower right part, where its Vote button is.
        facilitator.op(board, "item.create", kind="note", x=0, y=0, text=UNDER)
        facilitator.op(board, "item.create", kind="note", x=60, y=60, text=OVER, color="pink")
        guest = participant_page(new_context, client, world)
        facilitator.op(board, "voting.start", budget=2)
    under = note(guest, UNDER)
    button = under.locator(".board-vote-button")
    expect(button).to_have_attribute("aria-label", f"Vota: {UNDER}")
    guest.locator(".board-viewport").scroll_into_view_if_needed()
    spot = centre(button)
    # Covered: the click would land on the other note.
    assert guest.evaluate(ON_TOP, spot) == OVER
    # Pointing at the part of it still in sight brings it to the top, Vote button and all.
    box = under.bounding_box()
    guest.mouse.move(box["x"] + 20, box["y"] + 20)
    assert guest.evaluate(ON_TOP, spot) == "button"
    guest.mouse.click(*spot)
    expect(button).to_have_attribute("aria-label", f"Vota: {UNDER} (il tuo voto: uno)")
    expect(guest.locator(".board-votes")).to_have_text("Votazione aperta: ti resta un voto")
    # The pointer on the other note brings that one back to the top.
    over = note(guest, OVER)
    over_box = over.bounding_box()
    guest.mouse.move(over_box["x"] + over_box["width"] - 10, over_box["y"] + over_box["height"] - 10)
    assert guest.evaluate(ON_TOP, spot) == OVER

"""A whole workshop with the keyboard alone, in Chromium: the facilitator signs in, goes to the
room, starts the meeting, opens a guiding question and starts a timer; a participant enters
from their invite link, answers the question with a note and moves it with the arrow keys; the
facilitator makes groups and starts them, the participant writes on the group's board, the
groups end; a vote with a budget, the participant's votes, the results; the meeting ends.

Nothing is clicked nor filled: the focus moves with Tab and Shift+Tab, controls work with
Enter, Space, arrow keys and typing. Wherever the focus lands it must be visible, with an
indicator of at least 3:1 contrast against what surrounds it (WCAG 2.4.7, 1.4.11).

Every wait is on a condition (Playwright's `expect`), never a fixed sleep.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import live
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

QUESTION = "Quali servizi mancano a chi dorme in strada d'inverno?"
ANSWER = "Un dormitorio aperto anche di giorno"
GROUP_NOTE = "Coinvolgere le parrocchie del quartiere"

# The focused element's indicator: its outline and box-shadow rings, each composed over the
# background around the element, and the best contrast one of them has with that background.
FOCUS_INDICATOR = """async () => {
    const el = document.activeElement;
    if (!el || el === document.body) return {element: "body", contrast: 0};
    // Measured once the focus ring's transitions have run.
    await Promise.all(el.getAnimations().map((animation) => animation.finished));
    const parse = (text) => {
        const match = /rgba?\\(([^)]+)\\)/.exec(text || "");
        if (!match) return null;
        const [r, g, b, a = 1] = match[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
        return {r, g, b, a};
    };
    const over = (c, bg) => ({r: c.r * c.a + bg.r * (1 - c.a), g: c.g * c.a + bg.g * (1 - c.a),
                              b: c.b * c.a + bg.b * (1 - c.a), a: 1});
    const luminance = (c) => {
        const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
    };
    const contrast = (x, y) => {
        const [hi, lo] = [luminance(x), luminance(y)].sort((p, q) => q - p);
        return (hi + 0.05) / (lo + 0.05);
    };
    let background = {r: 255, g: 255, b: 255, a: 1};
    for (let node = el.parentElement; node; node = node.parentElement) {
        const colour = parse(getComputedStyle(node).backgroundColor);
        if (colour && colour.a > 0.5) { background = over(colour, {r: 255, g: 255, b: 255, a: 1}); break; }
    }
    const style = getComputedStyle(el);
    const rings = [];
    if (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 1) {
        rings.push(parse(style.outlineColor));
    }
    for (const m of style.boxShadow.matchAll(/(rgba?\\([^)]+\\))\\s+(-?[\\d.]+)px\\s+(-?[\\d.]+)px\\s+([\\d.]+)px\\s+([\\d.]+)px/g)) {
        if (parseFloat(m[5]) >= 1) rings.push(parse(m[1]));
    }
    const best = Math.max(0, ...rings.filter(Boolean).map((ring) => contrast(over(ring, background), background)));
    const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
        (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "");
    return {element: name, contrast: best, outline: style.outline, shadow: style.boxShadow};
}"""


def focus_is_visible(page) -> None:
    indicator = page.evaluate(FOCUS_INDICATOR)
    assert indicator["contrast"] >= 3, f"focus indicator too faint: {indicator}"


def reach(page, selector: str, limit: int = 200) -> None:
    """Move the focus with Tab (then Shift+Tab, if the element lies behind) until the element
    matching `selector` has it; its focus indicator must be visible."""
    matches = "(s) => document.activeElement && document.activeElement.matches(s)"
    if not page.evaluate(matches, selector):
        for key in ("Tab", "Shift+Tab"):
            for _ in range(limit):
                page.keyboard.press(key)
                if page.evaluate(matches, selector):
                    break
            else:
                continue
            break
        else:
            raise AssertionError(f"{selector} cannot be reached with Tab or Shift+Tab")
    focus_is_visible(page)


def press(page, selector: str, key: str = "Enter") -> None:
    reach(page, selector)
    page.keyboard.press(key)


def type_into(page, selector: str, text: str) -> None:
    """Reach a field, empty it (Ctrl+A selects its text) and type."""
    reach(page, selector)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def sign_in_by_keyboard(page, email: str) -> None:
    page.goto("/login")
    type_into(page, "#login-email", email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/processes")


def test_a_whole_workshop_with_the_keyboard_alone(new_context, client, world):
    meeting = world.meeting["id"]
    staff = new_context("it").new_page()
    sign_in_by_keyboard(staff, world.facilitator.email)
    press(staff, f"main a[href='/processes/{world.process}']")
    staff.wait_for_url(f"**/processes/{world.process}")
    press(staff, f"main a[href='/meetings/{meeting}/room']")
    staff.wait_for_url(f"**/meetings/{meeting}/room")
    live(staff)
    panel = staff.locator("#facilitation-panel")
    press(staff, ".facilitation-summary")
    expect(panel).to_have_attribute("open", "")

    # The meeting starts, a guiding question opens, a ten-minute timer runs.
    press(staff, "[data-send='meeting.start']")
    expect(panel.locator(".facilitation-meeting-state")).to_have_text("In corso")
    expect(staff.locator("[data-send='meeting.end']")).to_be_focused()
    focus_is_visible(staff)
    type_into(staff, "#facilitation-question", QUESTION)
    press(staff, "form[data-op='prompt.open'] button[type=submit]")
    expect(panel.locator(".facilitation-open-questions")).to_contain_text(QUESTION)
    type_into(staff, "#facilitation-minutes", "10")
    type_into(staff, "#facilitation-timer-label", "Bisogni")
    staff.keyboard.press("Enter")
    expect(staff.locator(".meeting-timer-label")).to_contain_text("Bisogni")

    # A participant enters from the link of their invite.
    invite = client.post(f"/api/v1/processes/{world.process}/invites", headers=world.facilitator.auth,
                         json={"name": "Elena Moretti", "role": "participant",
                               "organization": world.organizations["third_sector"]}).json()
    guest = new_context("en").new_page()
    guest.goto(f"/join/{invite['invite']}")
    press(guest, "main form button[type=submit]")
    guest.wait_for_url(f"**/meetings/{meeting}/room")
    live(guest)
    expect(guest.get_by_role("region", name="Guiding question")).to_contain_text(QUESTION)
    expect(guest.get_by_role("region", name="Timer").get_by_role("timer")).to_have_text(re.compile(r"^(09|10):\d\d$"))

    # Their note answers the question; the arrow keys move it.
    press(guest, "button[data-create=note]")
    expect(guest.locator(".board-editor")).to_be_focused()
    focus_is_visible(guest)
    guest.keyboard.type(ANSWER)
    guest.keyboard.press("Control+Enter")
    mine = guest.locator(".board-plane .board-item", has_text=ANSWER)
    seen = staff.locator(".board-plane .board-item", has_text=ANSWER)
    expect(seen).to_be_visible()
    reach(guest, ".board-plane .board-item:not(.is-pending)")
    expect(mine).to_be_focused()
    before = seen.evaluate("el => parseFloat(el.style.left)")
    for _ in range(3):
        guest.keyboard.press("Shift+ArrowRight")
    guest.keyboard.press("ArrowDown")
    expect(seen).not_to_have_css("left", f"{before:g}px")
    focus_is_visible(guest)
    board = guest.locator("#board").get_attribute("data-board")
    items = client.get(f"/api/v1/boards/{board}", headers=world.facilitator.auth).json()["items"]
    answer = next(item for item in items if item["text"] == ANSWER)
    assert answer["prompt"] is not None and answer["x"] > before, answer

    # Groups, formed at random: the participant goes to the group's board and writes there.
    reach(staff, "#facilitation-strategy")
    staff.keyboard.press("ArrowDown")  # balanced → random
    expect(staff.locator("#facilitation-strategy")).to_have_value("random")
    type_into(staff, "#facilitation-count", "1")
    press(staff, "form[data-op='groups.create'] button[type=submit]")
    expect(panel.locator(".facilitation-groups-list")).to_contain_text("Gruppo 1")
    press(staff, "[data-send='groups.start']")
    expect(guest.locator(".board-name")).to_have_text("Gruppo 1")  # named by the facilitator, in Italian
    # The participant's focus was on their note, on the board that went: it stays on the board,
    # and screen readers are told where they are.
    expect(guest.locator("#board-canvas")).to_be_focused()
    expect(guest.locator(".meeting-announcer")).to_have_text("Now on the board: Gruppo 1.")
    # The button hides once used: the focus goes to the one shown in its place.
    expect(staff.locator("[data-send='groups.end']")).to_be_focused()
    press(guest, "button[data-create=note]")
    expect(guest.locator(".board-editor")).to_be_focused()
    guest.keyboard.type(GROUP_NOTE)
    guest.keyboard.press("Control+Enter")
    expect(guest.locator(".board-plane .board-item:not(.is-pending)", has_text=GROUP_NOTE)).to_be_visible()
    groups = client.get(f"/api/v1/meetings/{meeting}", headers=world.facilitator.auth).json()["groups"]
    group_board = client.get(f"/api/v1/boards/{groups[0]['board']}", headers=world.facilitator.auth).json()
    assert [item["text"] for item in group_board["items"]] == [GROUP_NOTE]
    press(staff, "[data-send='groups.end']")
    expect(guest.locator(".board-name")).to_have_text("Plenary")
    expect(guest.locator("#board-canvas")).to_be_focused()
    expect(guest.locator(".meeting-announcer")).to_have_text("Now on the board: Plenary.")
    expect(staff.locator("[data-send='groups.start']")).to_be_focused()

    # Dot voting with two votes each: V on the focused note, then the button in the list.
    type_into(staff, "#facilitation-budget", "2")
    staff.keyboard.press("Enter")
    votes = guest.locator(".board-votes")
    expect(votes).to_have_text("Voting open: 2 votes left")
    reach(guest, ".board-plane .board-item")
    expect(mine).to_be_focused()
    guest.keyboard.press("v")
    expect(votes).to_have_text("Voting open: one vote left")
    press(guest, f".meeting-voting-list button[aria-label^='Vote for: {ANSWER}']")
    expect(votes).to_have_text("Voting open: you have used all your votes")
    press(staff, "[data-send='voting.end']")
    expect(staff.locator("form[data-op='voting.start'] button[type=submit]")).to_be_focused()
    results = guest.get_by_role("region", name="Voting results")
    expect(results.locator(".meeting-result").first).to_contain_text(ANSWER)
    expect(results.locator(".meeting-result").first).to_contain_text("2 votes")

    press(staff, "[data-send='meeting.end']")
    expect(panel.locator(".facilitation-meeting-state")).to_have_text("Concluso")
    # The End button is gone: the focus goes to the notice saying what the panel still does.
    expect(staff.locator(".facilitation-ended")).to_be_focused()
    focus_is_visible(staff)
    expect(guest.locator(".board-status")).to_have_attribute("data-status", "online")

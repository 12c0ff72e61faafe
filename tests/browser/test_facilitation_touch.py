"""People moved between breakout groups by touch, in Chromium on a tablet-sized touch screen
(static/facilitation.js, touchHandle): a finger on a person's handle lifts them, the group
under the finger lights up, and lifting the finger there sends `groups.assign`; the server's
groups show the move, even when the panel reads its people again meanwhile. A tap, a cancelled touch or a drop outside a group moves nobody, and a
swipe elsewhere on the row still scrolls the page. axe-core finds nothing to fix meanwhile.

Touches go through the DevTools protocol (`Input.dispatchTouchEvent`), which Chromium turns
into Pointer Events with pointerType "touch", as a tablet's would be.
Every wait is on a condition (Playwright's `expect` and `wait_for_*`), never a fixed sleep.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import console_errors, facilitator_page, open_panel, two_manual_groups
from tests.browser.test_facilitation_panel import guest_page, no_violations

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

# An iPad Air upright, in CSS pixels.
TABLET = {"viewport": {"width": 820, "height": 1180}, "has_touch": True}
ELENA = "Elena Moretti (Cooperativa Il Ponte)"
LUCA = "Luca Ferri (Comune di Padova)"


def centre(locator) -> dict[str, float]:
    box = locator.bounding_box()
    return {"x": box["x"] + box["width"] / 2, "y": box["y"] + box["height"] / 2}


class Finger:
    """One finger on the page's touch screen."""

    def __init__(self, page):
        self.devtools = page.context.new_cdp_session(page)

    def touch(self, kind: str, at: dict[str, float] | None = None) -> None:
        self.devtools.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [at] if at else []})

    def press(self, at: dict[str, float]) -> None:
        self.touch("touchStart", at)

    def slide(self, start: dict[str, float], end: dict[str, float], steps: int = 8) -> None:
        for step in range(1, steps + 1):
            self.touch("touchMove", {axis: start[axis] + (end[axis] - start[axis]) * step / steps for axis in "xy"})

    def lift(self) -> None:
        self.touch("touchEnd")

    def drag(self, handle, target) -> None:
        start, end = centre(handle), centre(target)
        self.press(start)
        self.slide(start, end)
        self.lift()


def handle_of(bucket, name: str):
    return bucket.locator(".facilitation-person", has_text=name).locator(".facilitation-person-handle")


def members(client, world) -> dict[str, list[int]]:
    groups = client.get(f"/api/v1/meetings/{world.meeting['id']}", headers=world.facilitator.auth).json()["groups"]
    return {group["name"]: sorted(group["members"]) for group in groups}


def test_a_facilitator_moves_people_between_groups_by_touch(new_context, client, world):
    guest_page(new_context, client, world, "Elena Moretti", "third_sector")
    guest_page(new_context, client, world, "Luca Ferri", "public")
    staff = facilitator_page(new_context, world, bypass_csp=True, **TABLET)
    errors = console_errors(staff)
    panel = open_panel(staff)
    placement, loose, first, second = two_manual_groups(panel)
    expect(loose).to_contain_text(ELENA)
    placement.scroll_into_view_if_needed()
    finger = Finger(staff)

    # Elena lifted by her handle and held over group 2: her row is lifted, her name follows the
    # finger, group 2 lights up as it does under a mouse; nothing is sent until the finger lifts.
    elena = loose.locator(".facilitation-person", has_text=ELENA)
    start, over = centre(handle_of(loose, ELENA)), centre(second)
    finger.press(start)
    finger.slide(start, over)
    expect(elena).to_have_class("facilitation-person is-dragged")
    expect(second).to_have_class("facilitation-bucket is-drop-target")
    expect(first).not_to_have_class("facilitation-bucket is-drop-target")
    expect(staff.locator(".facilitation-ghost")).to_have_text(ELENA)
    no_violations(facilitator=staff)
    finger.lift()
    expect(second).to_contain_text(ELENA)
    expect(loose).not_to_contain_text(ELENA)
    expect(staff.locator(".facilitation-ghost")).to_have_count(0)
    expect(placement.locator(".is-drop-target, .is-dragged")).to_have_count(0)
    expect(staff.locator(".meeting-announcer")).to_contain_text(f"{ELENA} ora è in Gruppo 2.")
    elena_id = members(client, world)["Gruppo 2"]
    assert len(elena_id) == 1 and members(client, world)["Gruppo 1"] == []

    # From group 2 onto group 1.
    finger.drag(handle_of(second, ELENA), first)
    expect(first).to_contain_text(ELENA)
    expect(second).not_to_contain_text(ELENA)
    assert members(client, world) == {"Gruppo 1": elena_id, "Gruppo 2": []}

    # None of these moves Elena: a tap on her handle, a touch the browser cancels over group 2,
    # a drop outside every group (on the panel's hint).
    handle = handle_of(first, ELENA)
    finger.press(centre(handle))
    finger.lift()
    start = centre(handle)
    finger.press(start)
    finger.slide(start, centre(second))
    expect(second).to_have_class("facilitation-bucket is-drop-target")
    finger.touch("touchCancel")
    expect(placement.locator(".is-drop-target, .is-dragged")).to_have_count(0)
    expect(staff.locator(".facilitation-ghost")).to_have_count(0)
    finger.drag(handle, placement.locator(".facilitation-hint"))
    expect(placement.locator(".is-drop-target, .is-dragged")).to_have_count(0)
    # Luca's move comes after anything those sent, on the same ordered connection.
    finger.drag(handle_of(loose, LUCA), second)
    expect(second).to_contain_text(LUCA)
    expect(first).to_contain_text(ELENA)
    after = members(client, world)
    assert after["Gruppo 1"] == elena_id and len(after["Gruppo 2"]) == 1, after

    # A swipe up on a name, off the handle, scrolls the page as before and moves nobody.
    name = first.locator(".facilitation-person-name", has_text=ELENA)
    top = staff.evaluate("scrollY")
    start = centre(name)
    finger.press(start)
    finger.slide(start, {"x": start["x"], "y": start["y"] - 300})
    finger.lift()
    staff.wait_for_function("(top) => scrollY > top", arg=top)
    expect(first).to_contain_text(ELENA)
    expect(placement.locator(".is-dragged")).to_have_count(0)
    no_violations(facilitator=staff)
    assert errors == []


def test_the_panel_drawn_again_while_a_person_is_held_does_not_lose_the_move(new_context, client, world):
    guest_page(new_context, client, world, "Elena Moretti", "third_sector")
    staff = facilitator_page(new_context, world, bypass_csp=True, **TABLET)
    panel = open_panel(staff)
    # The attendance the panel reads again once groups are made is held back, to come while
    # a finger holds Elena: with it the panel draws its groups again.
    held = []
    staff.route("**/attendance", lambda route: held.append(route))
    placement, loose, first, second = two_manual_groups(panel)
    expect(loose).to_contain_text(ELENA)
    placement.scroll_into_view_if_needed()
    finger = Finger(staff)
    start, over = centre(handle_of(loose, ELENA)), centre(second)
    finger.press(start)
    finger.slide(start, over)
    expect(second).to_have_class("facilitation-bucket is-drop-target")
    assert held, "the panel should have asked for the attendance"
    with staff.expect_event("requestfinished", lambda request: request.url.endswith("/attendance")):
        held[0].continue_()
    expect(loose.locator(".is-dragged")).to_have_count(1)
    finger.lift()
    expect(second).to_contain_text(ELENA)
    assert len(members(client, world)["Gruppo 2"]) == 1

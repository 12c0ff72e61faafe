"""Chromium through Playwright against the live server (`live_server`, SQLite only).

With TAVOLO_CI=1 a missing /usr/bin/chromium fails instead of skipping (`need`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from playwright.sync_api import expect

from tests.conftest import PASSWORD, cheap_password_hashing, need

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
AXE = Path(__file__).resolve().parent.parent.parent / "static" / "vendor" / "axe-core" / "axe.min.js"
# WCAG 2.1 A and AA, what AgID's guidelines (EN 301 549) require.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Bootstrap Italia's CSS declares a VideoJS icon font as a data: URL, which our CSP
# (font-src 'self') refuses; no page of ours uses that font.
KNOWN_CONSOLE_NOISE = ("data:application/font-woff",)


@pytest.fixture(autouse=True, scope="package")
def quick_password_hashing():
    """Most tests make two staff accounts and sign them in; the live server checks a password
    at the cost its hash names, so the browser's sign-in is quick too."""
    with cheap_password_hashing():
        yield


@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    """One Chromium for the browser tests. Package-scoped: Playwright's sync API keeps an
    event loop running in this thread while it lives, which the asyncio tests of later
    packages must not meet."""
    need(CHROMIUM.exists(), f"Chromium ({CHROMIUM})")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, live_server):
    """Make browser contexts (each a fresh browser profile) on the live server."""
    contexts = []

    def make(lang: str = "it", **options):
        context = browser.new_context(
            base_url=live_server.url, locale={"it": "it-IT", "en": "en-GB"}[lang],
            extra_http_headers={"Accept-Language": lang}, **options,
        )
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


# CSS transitions and animations run this many times faster on pages that `quick_animations`
# was given: Bootstrap's focus rings take 0.15 s to appear, and the focus checks wait for them
# on every control (1,000 Tab presses in test_accessibility_everywhere.py).
ANIMATION_SPEED = 100


def quick_animations(page) -> None:
    """Play the page's CSS transitions and animations ANIMATION_SPEED times faster (the DevTools
    protocol's Animation domain): each ends in the same style as before, only sooner. Timers
    and the page's scripts keep their own pace."""
    devtools = page.context.new_cdp_session(page)
    devtools.send("Animation.enable")
    devtools.send("Animation.setPlaybackRate", {"playbackRate": ANIMATION_SPEED})


def console_errors(page) -> list[str]:
    """Collect the page's console errors (CSP refusals among them) as they come."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and not any(n in message.text for n in KNOWN_CONSOLE_NOISE)
            else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def sign_in(page, email: str, *, lang: str = "it") -> None:
    page.goto("/login")
    page.fill("#login-email", email)
    page.fill("#login-password", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url("**/processes")


def axe_violations(page) -> list[dict]:
    """Run axe-core with the WCAG 2.1 A/AA rules on the page as it is now.

    axe is injected once per document (a page checked again in a later state keeps it), and
    asked for the violations alone: it then skips describing every node that passes, which is
    most of its work, and finds the same violations."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                                    resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
            }));
        }""",
        AXE_TAGS,
    )


def describe(violations: dict[str, list[dict]]) -> str:
    """axe's findings, one line per element, to read in a failed test's output."""
    lines = []
    for where, found in violations.items():
        for violation in found:
            lines.append(f"{where}: {violation['id']} ({violation['impact']}) {violation['help']}")
            for node in violation["nodes"]:
                summary = " ".join(node["summary"].split())
                lines.append(f"    {node['target']}: {summary}")
    return "\n".join(lines)


def room_path(world) -> str:
    return f"/meetings/{world.meeting['id']}/room"


def live(page) -> None:
    """Wait until the board is connected and has its snapshot."""
    expect(page.locator(".board-status")).to_have_attribute("data-status", "online")
    page.locator(".board-list-body[data-live]").wait_for(state="attached")


def facilitator_page(new_context, world, lang: str = "it", **options):
    page = new_context(lang, **options).new_page()
    sign_in(page, world.facilitator.email)
    page.goto(room_path(world))
    live(page)
    return page


def open_panel(page):
    """Open the facilitator's panel by keyboard; returns it."""
    panel = page.locator("#facilitation-panel")
    page.locator(".facilitation-summary").focus()
    page.keyboard.press("Enter")
    expect(panel).to_have_attribute("open", "")
    return panel


def two_manual_groups(panel):
    """Make two groups to fill by hand in the open panel; returns the placement, the people
    without a group and the two groups."""
    panel.get_by_label("Come formarli").select_option("manual")
    panel.get_by_label("Numero di gruppi").fill("2")
    panel.get_by_role("button", name="Crea i gruppi").click()
    placement = panel.get_by_role("group", name="Persone nei gruppi")
    return (placement, placement.get_by_role("region", name="Senza gruppo"),
            placement.get_by_role("region", name="Gruppo 1"), placement.get_by_role("region", name="Gruppo 2"))

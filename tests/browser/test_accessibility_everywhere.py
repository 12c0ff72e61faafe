"""axe-core's WCAG 2.0/2.1 A and AA rules on every page and every state of the product, in
Italian and in English: the pages of visitors, members and staff, each state the meeting room
goes through in a workshop (board and list view, the facilitator's panel open, a guiding
question and a running timer, private mode, voting with its buttons, results, a group's board
while groups work, the record, a locked board, the end), the error pages, the accessibility
statement, and the HTML the exports produce.

The process is built once (tests/browser/scene.py) and the room is driven over the real-time
protocol by the facilitator's own connection, each state awaited on what the pages show.
Findings are gathered and reported together, one line per element.

A second test walks every page with Tab from top to bottom: each control shows a focus
indicator of at least 3:1 against its surroundings, and Tab reaches the end of the page (no
keyboard trap). A third opens every page 320 CSS pixels wide: nothing scrolls sideways but the
wide tables, inside their own region (reflow, WCAG 1.4.10).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, describe, live, quick_animations
from tests.browser.scene import add_record, approve_and_publish, build, new_client, socket
from tests.browser.test_keyboard_workshop import FOCUS_INDICATOR

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

LANGS = ("it", "en")
QUESTION = "Quali servizi mancano a chi dorme in strada d'inverno?"


@pytest.fixture(scope="module")
def scene(app, engine, live_server):
    with new_client(app) as client:
        scene = build(client, engine)
        add_record(scene, engine)
        approve_and_publish(scene)
        yield scene


class Findings:
    """axe's violations by page and state, across languages."""

    def __init__(self) -> None:
        self.found: dict[str, list[dict]] = {}
        self.checked: list[str] = []

    def check(self, page, name: str, path: str | None = None, *, status: int | None = None) -> None:
        if path:
            answer = page.goto(path)
            if status is not None:
                assert answer.status == status, f"{name}: {path} answered {answer.status}"
        # Forms folded in <details> are checked open.
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        self.checked.append(name)
        violations = axe_violations(page)
        if violations:
            self.found[name] = violations


def browsing_as(browser, live_server, lang: str, token: str | None = None):
    """A page in a fresh profile, signed in with `token` (a staff or participant token is
    also a browser session). axe is injected as an inline script, which our CSP (rightly)
    refuses: these pages bypass it. Transitions run fast (`quick_animations`): the checks
    wait for each to end."""
    context = browser.new_context(base_url=live_server.url, locale={"it": "it-IT", "en": "en-GB"}[lang],
                                  extra_http_headers={"Accept-Language": lang}, bypass_csp=True)
    if token:
        context.add_cookies([{"name": "tavolo_session", "value": token, "url": live_server.url}])
    page = context.new_page()
    quick_animations(page)
    return page


def static_pages(scene) -> dict[str, list[tuple[str, str, int]]]:
    """(name, path, status) of the pages each kind of viewer opens, by viewer."""
    process, meeting, approved = (f"/processes/{scene.process}", f"/meetings/{scene.meeting['id']}",
                                  f"/meetings/{scene.approved['id']}")
    return {
        "visitor": [
            ("login", "/login", 200),
            ("code entry", "/code", 200),
            ("code entry, empty code", "/code?code=", 422),
            ("code join", f"/code/{scene.code}", 200),
            ("invite (join)", f"/join/{scene.invite}", 200),
            ("public minutes", f"/public/meetings/{scene.approved['id']}/minutes", 200),
            ("public synthesis", f"/public/processes/{scene.process}/synthesis", 200),
            ("accessibility statement", "/accessibilita", 200),
            ("404 page, no such address", "/no-such-page", 404),
        ],
        "facilitator": [
            ("processes", "/processes", 200),
            ("process (staff)", process, 200),
            ("meeting set-up", f"{meeting}/setup", 200),
            ("attendance", f"{meeting}/attendance", 200),
            ("documents", f"{meeting}/documents", 200),
            ("minutes editor", f"{meeting}/minutes", 200),
            ("minutes approval step", f"{meeting}/minutes/approve", 200),
            ("minutes history (approved, published)", f"{approved}/minutes", 200),
            ("reflection (staff)", f"{process}/reflection", 200),
            ("meeting reflection", f"{meeting}/reflection", 200),
            ("synthesis editor", f"{process}/synthesis", 200),
            ("synthesis statement form", f"{process}/synthesis/statements/new?line={scene.line}", 200),
            ("synthesis statement edit", f"/synthesis/statements/{scene.statement}/edit", 200),
            ("pledges (staff)", f"{process}/pledges", 200),
            ("audit log", f"{process}/audit", 200),
            ("404 page, no such process", "/processes/999999", 404),
        ],
        "participant": [
            ("process (member)", process, 200),
            ("recording consent", f"{approved}/consent", 200),
            ("minutes (member view)", f"{approved}/minutes", 200),
            ("reflection (member)", f"{process}/reflection", 200),
            ("pledges (member)", f"{process}/pledges", 200),
            ("pledge edit (author)", f"/pledges/{scene.pledge}/edit", 200),
            ("403 page", f"{process}/audit", 403),
        ],
    }


def exports(scene) -> list[tuple[str, str, dict]]:
    """(name, API path, headers) of every HTML file the product exports."""
    staff, member = scene.facilitator.auth, scene.bearer(scene.people["participant"]["token"])
    return [
        ("verbale draft (html)", f"/api/v1/meetings/{scene.meeting['id']}/minutes?format=html", staff),
        ("verbale v1 (html)", f"/api/v1/meetings/{scene.approved['id']}/minutes?format=html&version=1", member),
        ("public verbale (html)", f"/api/v1/public/meetings/{scene.approved['id']}/minutes?format=html", {}),
        ("synthesis draft (html)", f"/api/v1/processes/{scene.process}/synthesis?format=html", staff),
        ("synthesis v1 (html)", f"/api/v1/processes/{scene.process}/synthesis?format=html&version=1", member),
        ("public synthesis (html)", f"/api/v1/processes/{scene.process}/synthesis/public?format=html", {}),
    ]


def open_panel(page) -> None:
    page.locator(".facilitation-summary").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#facilitation-panel")).to_have_attribute("open", "")


def test_no_axe_violations_on_any_page_or_state(scene, browser, live_server):
    findings = Findings()
    tokens = {"visitor": None, "facilitator": scene.facilitator.token,
              "participant": scene.people["participant"]["token"]}
    for lang in LANGS:
        for viewer, pages in static_pages(scene).items():
            page = browsing_as(browser, live_server, lang, tokens[viewer])
            for name, path, status in pages:
                findings.check(page, f"{name} ({lang})", path, status=status)
            page.context.close()

    # Pages after a form was used: a new meeting code and invite link shown; a form refused.
    # (Last among the pages: the meeting's code changes.)
    for lang in LANGS:
        page = browsing_as(browser, live_server, lang, scene.facilitator.token)
        page.goto(f"/meetings/{scene.meeting['id']}/setup")
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        page.locator(f"form[action='/meetings/{scene.meeting['id']}/code'] button[type=submit]").click()
        page.locator(".join-code").wait_for()
        page.locator("#invite-name").fill("Anna Costa")
        page.locator("#invite-organization").select_option(index=1)
        page.locator(f"form[action='/meetings/{scene.meeting['id']}/invites'] button[type=submit]").click()
        page.locator("#invite-link-new").wait_for()
        findings.check(page, f"meeting set-up, new code and invite link shown ({lang})")
        page.goto(f"/processes/{scene.process}")
        page.evaluate("document.querySelector('#organizations details').open = true")
        page.locator("#organization-name").fill("Comune di Padova")  # already there: refused
        page.locator("#organizations form button[type=submit]").click()
        page.locator("#organizations .alert-danger").wait_for()
        findings.check(page, f"process, a form with an error ({lang})")
        page.context.close()

    # The exported HTML files, as a browser shows them when opened.
    page = browsing_as(browser, live_server, "it")
    for name, path, headers in exports(scene):
        answer = scene.client.get(path, headers=headers)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html"), (name, answer.text[:200])
        page.set_content(answer.text)
        findings.check(page, name)
    page.context.close()

    # The room, through a workshop: a facilitator and a participant in each language.
    room = f"/meetings/{scene.meeting['id']}/room"
    staff = {lang: browsing_as(browser, live_server, lang, scene.facilitator.token) for lang in LANGS}
    guests = {"it": browsing_as(browser, live_server, "it", scene.people["participant"]["token"]),
              "en": browsing_as(browser, live_server, "en", scene.people["participant_en"]["token"])}
    # The secretary (the record's forms, no panel) and an observer (reading only), one language each.
    others = {"secretary (en)": browsing_as(browser, live_server, "en", scene.secretary.token),
              "observer (it)": browsing_as(browser, live_server, "it", scene.people["observer"]["token"])}
    for page in [*staff.values(), *guests.values(), *others.values()]:
        page.goto(room)
        live(page)
    for page in staff.values():
        open_panel(page)

    def room_state(name: str) -> None:
        for lang in LANGS:
            findings.check(staff[lang], f"room, {name}, facilitator panel open ({lang})")
            findings.check(guests[lang], f"room, {name}, participant ({lang})")
        for who, page in others.items():
            findings.check(page, f"room, {name}, {who}")

    def every(pages, condition) -> None:
        for page in pages.values():
            condition(page)

    plenary = f"board:{scene.meeting['plenary_board']}"
    meeting = "meeting"
    with socket(live_server, scene.meeting["id"], scene.facilitator.token) as facilitator:
        room_state("board and list view, scheduled")

        # A frame, and the dialog that makes it a line of work open.
        facilitator.op(plenary, "item.create", kind="frame", x=0, y=0, w=700, h=500, text="Bisogni", color="grey")
        frame = staff["it"].locator(".board-plane .board-item", has_text="Bisogni")
        frame.focus()
        frame.locator("[data-tool=promote]").click()
        expect(staff["it"].locator("#line-dialog")).to_be_visible()
        findings.check(staff["it"], "room, dialog of a new line of work (it)")
        staff["it"].keyboard.press("Escape")
        expect(staff["it"].locator("#line-dialog")).to_be_hidden()

        facilitator.op(meeting, "meeting.start")
        facilitator.op(meeting, "prompt.open", text=QUESTION)
        facilitator.op(meeting, "timer.start", seconds=300, label="Bisogni")
        every(guests, lambda page: expect(page.locator(".meeting-timer-clock")).to_have_text(re.compile(r"^0[45]:\d\d$")))
        every(guests, lambda page: expect(page.locator(".meeting-questions")).to_contain_text(QUESTION))
        room_state("guiding question and timer running")

        facilitator.op(plenary, "private.start")
        every(guests, lambda page: expect(page.locator(".meeting-flag-private")).to_be_visible())
        room_state("private mode")
        facilitator.op(plenary, "private.reveal")

        facilitator.op(plenary, "voting.start", budget=2)
        every(guests, lambda page: expect(page.locator(".board-plane .board-vote").first).to_be_visible())
        room_state("voting running")
        facilitator.op(plenary, "vote.cast", item=scene.notes[0])
        facilitator.op(plenary, "voting.end")
        every(guests, lambda page: expect(page.locator(".meeting-results")).to_be_visible())
        room_state("voting results")

        facilitator.op(meeting, "groups.create", strategy="random", count=2)
        facilitator.op(meeting, "groups.start")
        every(guests, lambda page: expect(page.locator(".board-name")).to_have_text(re.compile(r"^(Gruppo|Group) \d$")))
        room_state("group boards while groups work")
        staff["it"].locator("#facilitation-panel").get_by_role("button", name=re.compile("^Apri la lavagna di Gruppo 1")).click()
        expect(staff["it"].locator(".board-name")).to_have_text("Gruppo 1")
        findings.check(staff["it"], "room, facilitator looking into a group's board (it)")
        staff["it"].get_by_role("button", name="Torna alla plenaria").click()
        expect(staff["it"].locator(".board-name")).to_have_text("Plenaria")
        facilitator.op(meeting, "groups.end")

        facilitator.op(meeting, "decision.record", text="Aprire il dormitorio anche di giorno",
                       method="consensus", outcome="Approvata all'unanimità", items=scene.notes[:1])
        facilitator.op(meeting, "action.add", text="Verificare i locali disponibili",
                       owner=scene.organizations["public"], due="2027-01-15")
        facilitator.op(meeting, "message.broadcast", text="Dieci minuti di pausa")
        every(guests, lambda page: expect(page.locator(".record-decision")).to_contain_text("dormitorio"))
        every(guests, lambda page: expect(page.locator(".meeting-broadcast")).to_contain_text("Dieci minuti"))
        room_state("decision, action and a message")

        facilitator.op(plenary, "board.lock")
        every(guests, lambda page: expect(page.locator(".meeting-flag-locked")).to_be_visible())
        room_state("board locked")
        facilitator.op(plenary, "board.unlock")
        facilitator.op(meeting, "meeting.end")
        every(staff, lambda page: expect(page.locator(".facilitation-meeting-state")).to_have_text(re.compile("Concluso|Ended")))
        room_state("meeting ended")
    for page in [*staff.values(), *guests.values(), *others.values()]:
        page.context.close()

    assert len(findings.checked) >= 100, findings.checked
    assert not findings.found, f"axe violations:\n{describe(findings.found)}"


def test_every_control_of_every_page_shows_its_focus(scene, browser, live_server):
    tokens = {"visitor": None, "facilitator": scene.facilitator.token,
              "participant": scene.people["participant"]["token"]}
    pages = static_pages(scene)
    pages["facilitator"].append(("room (facilitator)", f"/meetings/{scene.meeting['id']}/room", 200))
    pages["participant"].append(("room (participant)", f"/meetings/{scene.meeting['id']}/room", 200))
    faint: dict[str, list[dict]] = {}
    trapped: list[str] = []
    for viewer, listed in pages.items():
        page = browsing_as(browser, live_server, "it", tokens[viewer])
        for name, path, _status in listed:
            page.goto(path)
            if path.endswith("/room"):
                live(page)
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            for _ in range(300):
                page.keyboard.press("Tab")
                indicator = page.evaluate(FOCUS_INDICATOR)
                if indicator["element"] == "body":  # past the last control
                    break
                if indicator["contrast"] < 3:
                    faint.setdefault(name, []).append(indicator)
            else:
                trapped.append(name)
        page.context.close()
    assert not trapped, f"Tab never reaches the end of: {trapped}"
    assert not faint, "\n".join(f"{name}: {found}" for name, found in faint.items())


def test_every_page_reflows_at_320_pixels(scene, browser, live_server):
    tokens = {"visitor": None, "facilitator": scene.facilitator.token,
              "participant": scene.people["participant"]["token"]}
    pages = static_pages(scene)
    pages["facilitator"].append(("room (facilitator)", f"/meetings/{scene.meeting['id']}/room", 200))
    pages["participant"].append(("room (participant)", f"/meetings/{scene.meeting['id']}/room", 200))
    wide: dict[str, int] = {}
    for viewer, listed in pages.items():
        page = browsing_as(browser, live_server, "it", tokens[viewer])
        page.set_viewport_size({"width": 320, "height": 640})
        for name, path, _status in listed:
            page.goto(path)
            if path.endswith("/room"):
                live(page)
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 320:
                wide[name] = width
        page.context.close()
    page = browsing_as(browser, live_server, "it")
    page.set_viewport_size({"width": 320, "height": 640})
    for name, path, headers in exports(scene):
        page.set_content(scene.client.get(path, headers=headers).text)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            wide[name] = width
    page.context.close()
    assert not wide, f"wider than 320 px: {wide}"

"""The live board in Chromium (static/board.js): two people on the same board see each
other's notes, edits and moves, which survive a reload; the keyboard alone is enough; the
list view follows and announces others' changes without flooding; a lost connection shows
and heals, delivering what was done meanwhile; axe-core finds nothing to fix.

Every wait is on a condition (Playwright's `expect` and `wait_for_*`), never a fixed sleep.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from boards.models import Board, BoardKind, Event, Meeting, MeetingState
from tests.browser.conftest import (
    axe_violations, console_errors, describe, facilitator_page, live, room_path, sign_in,
)
from tests.browser.scene import socket as meeting_socket

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

NOTE = ".board-plane .board-item"


def socket(live_server, world, token: str):
    """A protocol client of someone else in the world's meeting."""
    return meeting_socket(live_server, world.meeting["id"], token)


def participant_page(new_context, client, world, name: str = "Elena Moretti", lang: str = "it",
                     kind: str = "third_sector", **options):
    """A person invited by the facilitator, who opens their link and enters."""
    invite = client.post(f"/api/v1/processes/{world.process}/invites", headers=world.facilitator.auth,
                         json={"name": name, "role": "participant",
                               "organization": world.organizations[kind]}).json()
    page = new_context(lang, **options).new_page()
    page.goto(f"/join/{invite['invite']}")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/meetings/\d+/room$"))
    live(page)
    return page


def note(page, text: str):
    return page.locator(NOTE, has_text=text)


def drag(page, locator, dx: float, dy: float) -> None:
    """Drag with the mouse, from the middle of the element, by (dx, dy) screen pixels."""
    page.locator(".board-viewport").scroll_into_view_if_needed()
    box = locator.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y + dy, steps=8)
    page.mouse.up()


def position(locator) -> tuple[str, str]:
    return locator.evaluate("el => [el.style.left, el.style.top]")


def expect_position(locator, where: tuple[str, str]) -> None:
    expect(locator).to_have_css("left", where[0])
    expect(locator).to_have_css("top", where[1])


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


def focused(page, selector: str) -> bool:
    return page.evaluate("(s) => document.activeElement.matches(s)", selector)


def test_a_note_typed_in_one_browser_appears_moves_and_stays(new_context, client, world):
    staff = facilitator_page(new_context, world)
    guest = participant_page(new_context, client, world)
    errors = console_errors(staff) + console_errors(guest)

    staff.click("button[data-create=note]")
    editor = staff.locator(".board-editor")
    expect(editor).to_be_focused()
    staff.keyboard.type("Servono più posti letto d'inverno")
    staff.keyboard.press("Control+Enter")
    expect(staff.locator(".board-editor")).to_have_count(0)

    # It appears on the other page, with its author's organisation, and in its list view.
    theirs = note(guest, "Servono più posti letto")
    expect(theirs).to_be_visible()
    expect(guest.locator("#board-list")).to_contain_text("Servono più posti letto d'inverno")
    label = theirs.get_attribute("aria-label")
    assert label.startswith("nota di Giulia Ferraro") and "Servono più posti letto" in label

    # The participant drags it; the facilitator sees it land at the same place.
    before = position(theirs)
    drag(guest, theirs, 160, 90)
    moved = position(theirs)
    assert moved != before
    expect_position(note(staff, "Servono più posti letto"), moved)

    # Everything is stored: a reload shows the same note at the same place.
    staff.reload()
    live(staff)
    expect_position(note(staff, "Servono più posti letto"), moved)
    guest.reload()
    live(guest)
    expect_position(note(guest, "Servono più posti letto"), moved)

    # A click selects a note: its author gets its tools; a colour from them shows everywhere.
    note(staff, "Servono più posti letto").click()
    expect(note(staff, "Servono più posti letto")).to_be_focused()
    tools, view = (staff.locator(s).bounding_box() for s in (".board-item-tools", ".board-viewport"))
    assert view["x"] <= tools["x"] and tools["x"] + tools["width"] <= view["x"] + view["width"]
    assert view["y"] <= tools["y"]
    staff.locator(".board-item-tools [data-color=pink]").click()
    expect(note(guest, "Servono più posti letto")).to_have_class(re.compile(r"\bcolor-pink\b"))
    expect(guest.locator("#board-list")).to_contain_text("colore rosa")
    assert errors == [], errors


def moves_recorded(engine, world) -> int:
    with Session(engine) as session:
        return len(session.exec(select(Event).where(
            Event.stream == f"board:{world.meeting['plenary_board']}", Event.name == "item.moved")).all())


def test_the_keyboard_alone_creates_edits_moves_and_deletes(new_context, client, world, engine):
    staff = facilitator_page(new_context, world)
    guest = participant_page(new_context, client, world)
    errors = console_errors(guest)

    # "Nuova nota" by Tab and Enter opens the new note's editor.
    tab_to(guest, "button[data-create=note]")
    guest.keyboard.press("Enter")
    expect(guest.locator(".board-editor")).to_be_focused()
    guest.keyboard.type("Uno sportello unico per i servizi")
    guest.keyboard.press("Control+Enter")
    mine = note(guest, "Uno sportello unico")
    expect(mine).to_be_focused()
    theirs = note(staff, "Uno sportello unico")
    expect(theirs).to_be_visible()
    start = position(mine)

    # Arrow keys move it; ten quick presses make one move for the others, not ten.
    for _ in range(10):
        guest.keyboard.press("ArrowRight")
    guest.keyboard.press("Shift+ArrowDown")
    left, top = (int(value.removesuffix("px")) for value in start)
    expect_position(mine, (f"{left + 100}px", f"{top + 50}px"))
    expect_position(theirs, (f"{left + 100}px", f"{top + 50}px"))
    assert moves_recorded(engine, world) <= 2

    # Escape leaves the item for the board; Tab comes back to it; Enter edits, Escape saves.
    guest.keyboard.press("Escape")
    assert focused(guest, ".board-viewport")
    guest.keyboard.press("Tab")
    expect(mine).to_be_focused()
    guest.keyboard.press("Enter")
    expect(guest.locator(".board-editor")).to_be_focused()
    guest.keyboard.press("End")
    guest.keyboard.type(" (urgente)")
    guest.keyboard.press("Escape")
    expect(mine).to_be_focused()
    expect(theirs).to_contain_text("Uno sportello unico per i servizi (urgente)")
    expect(staff.locator("#board-list")).to_contain_text("Uno sportello unico per i servizi (urgente)")

    # The tools of the focused note are next in Tab order: a colour, by keyboard.
    tab_to(guest, ".board-tool-color.color-green")
    guest.keyboard.press("Enter")
    expect(theirs).to_have_class(re.compile(r"\bcolor-green\b"))
    guest.keyboard.press("Escape")
    expect(mine).to_be_focused()

    # Delete removes it, here and there; the focus stays on the board.
    guest.keyboard.press("Delete")
    expect(note(guest, "Uno sportello unico")).to_have_count(0)
    expect(note(staff, "Uno sportello unico")).to_have_count(0)
    expect(staff.locator("#board-list")).not_to_contain_text("Uno sportello unico")
    assert focused(guest, ".board-viewport")
    assert errors == [], errors


def test_the_list_view_follows_announces_in_one_go_and_edits(new_context, client, world, live_server):
    guest = participant_page(new_context, client, world)
    staff = facilitator_page(new_context, world)
    board = f"board:{world.meeting['plenary_board']}"

    # Three notes in a burst, from someone else: one announcement, not three.
    with socket(live_server, world, world.facilitator.token) as facilitator:
        frame = facilitator.op(board, "item.create", kind="frame", x=0, y=0, w=700, h=500,
                               text="Bisogni", color="grey")["item"]
        for index, text in enumerate(["Posti letto", "Mediatori culturali", "Orari più ampi"]):
            facilitator.op(board, "item.create", kind="note", x=40 + 220 * index, y=80, text=text,
                           frame=frame["id"])
    announcer = guest.locator("#board-announcer")
    expect(announcer).to_have_text("4 nuovi contributi.")
    rows = guest.locator("#board-list .board-list-item")
    expect(rows).to_have_count(3)
    expect(guest.locator("#board-list h3:visible")).to_have_text(["Bisogni"])
    assert rows.nth(0).inner_text().startswith("Posti letto")
    # Someone else's notes have no controls for a participant.
    expect(guest.locator("#board-list button[data-action]")).to_have_count(0)

    # A note of one's own, outside the frame: a second group, with its controls.
    guest.locator(".board-viewport").scroll_into_view_if_needed()
    box = guest.locator(".board-viewport").bounding_box()
    guest.mouse.dblclick(box["x"] + box["width"] - 40, box["y"] + box["height"] - 40)
    expect(guest.locator(".board-editor")).to_be_focused()
    guest.keyboard.type("Coinvolgere le parrocchie")
    guest.keyboard.press("Control+Enter")
    # Made, then typed into: one new contribution for the others.
    expect(staff.locator("#board-announcer")).to_have_text("Un nuovo contributo.")
    expect(guest.locator("#board-list h3:visible")).to_have_text(["Bisogni", "Fuori dai riquadri"])
    row = guest.locator("#board-list .board-list-item", has_text="Coinvolgere le parrocchie")
    row.get_by_role("button", name="Modifica: Coinvolgere le parrocchie").click()
    editor = row.locator("textarea")
    expect(editor).to_be_focused()
    editor.fill("Coinvolgere le parrocchie e la Caritas")
    row.get_by_role("button", name="Salva").click()
    expect(note(staff, "Coinvolgere le parrocchie e la Caritas")).to_be_visible()
    expect(row.get_by_role("button", name=re.compile("^Modifica"))).to_be_focused()
    expect(staff.locator("#board-announcer")).to_have_text("Un contributo modificato.")

    row.get_by_role("button", name=re.compile("^Elimina")).click()
    expect(note(staff, "Coinvolgere le parrocchie")).to_have_count(0)
    expect(staff.locator("#board-announcer")).to_have_text("Un contributo eliminato.")
    expect(rows).to_have_count(3)


def sent_frames(page) -> list[dict]:
    """What the page sends on its websockets from now on (Playwright sees every frame)."""
    sent: list[dict] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(json.loads(payload))))
    return sent


def test_offline_shows_and_what_was_done_meanwhile_arrives(new_context, client, world):
    staff = facilitator_page(new_context, world)
    guest = participant_page(new_context, client, world)
    sent = sent_frames(guest)
    errors = console_errors(guest)
    guest.click("button[data-create=note]")
    guest.keyboard.type("Prima della disconnessione")
    guest.keyboard.press("Control+Enter")
    expect(note(staff, "Prima della disconnessione")).to_be_visible()
    start = position(note(staff, "Prima della disconnessione"))

    guest.context.set_offline(True)
    status = guest.locator(".board-status")
    expect(status).to_have_attribute("data-status", "offline")
    expect(guest.locator(".board-status-text")).to_have_text(
        "Non in linea: riconnessione in corso. Le tue modifiche saranno inviate appena torna la connessione.")
    # While offline: a move of the note, and a new note typed in.
    note(guest, "Prima della disconnessione").focus()
    guest.keyboard.press("Shift+ArrowRight")
    guest.click("button[data-create=note]")
    guest.keyboard.type("Scritta senza rete")
    guest.keyboard.press("Control+Enter")
    expect(note(guest, "Scritta senza rete")).to_have_class(re.compile(r"\bis-pending\b"))
    expect(guest.locator(".board-pending")).to_have_text("2 modifiche in attesa di invio")

    # Meanwhile, the facilitator writes too.
    staff.click("button[data-create=note]")
    staff.keyboard.type("Mentre eri fuori linea")
    staff.keyboard.press("Control+Enter")
    expect(note(staff, "Mentre eri fuori linea")).not_to_have_class(re.compile(r"\bis-pending\b"))

    guest.context.set_offline(False)
    expect(status).to_have_attribute("data-status", "online")
    expect(guest.locator(".board-pending")).to_have_text("")
    expect(note(guest, "Mentre eri fuori linea")).to_be_visible()
    # It came back asking only for what it missed, and sent its ops once.
    board = f"board:{world.meeting['plenary_board']}"
    subscribes = [f for f in sent if f["type"] == "subscribe" and f["stream"] == board]
    assert len(subscribes) == 1 and subscribes[0]["since"] >= 1, subscribes
    ops = [f for f in sent if f["type"] == "op"]
    assert [op["name"] for op in ops] == ["item.move", "item.create"], ops
    expect(note(staff, "Scritta senza rete")).to_be_visible()
    left, top = (int(value.removesuffix("px")) for value in start)
    expect_position(note(staff, "Prima della disconnessione"), (f"{left + 50}px", f"{top}px"))
    expect(note(guest, "Scritta senza rete")).not_to_have_class(re.compile(r"\bis-pending\b"))
    # Sent once: the other page has exactly one of each.
    expect(note(staff, "Scritta senza rete")).to_have_count(1)
    assert [e for e in errors if "ERR_INTERNET_DISCONNECTED" not in e] == []


def test_others_are_seen_online_with_their_cursor_and_selection(new_context, client, world, engine):
    with Session(engine) as session:  # a meeting in progress records who is present
        meeting = session.get(Meeting, world.meeting["id"])
        meeting.state = MeetingState.live
        session.add(meeting)
        session.commit()
    guest = participant_page(new_context, client, world)
    staff = facilitator_page(new_context, world)
    expect(staff.locator(".board-online-list")).to_contain_text("Elena Moretti")
    expect(staff.locator(".board-online-list")).to_contain_text("Giulia Ferraro (tu)")
    expect(guest.locator(".board-online-list")).to_contain_text("Giulia Ferraro")

    staff.click("button[data-create=note]")
    staff.keyboard.type("Chi la sta guardando?")
    staff.keyboard.press("Control+Enter")
    staff.locator(".board-viewport").scroll_into_view_if_needed()
    box = staff.locator(".board-viewport").bounding_box()
    staff.mouse.move(box["x"] + 30, box["y"] + 30)
    staff.mouse.move(box["x"] + 60, box["y"] + 40, steps=3)
    cursor = guest.locator(".board-cursor-name", has_text="Giulia Ferraro")
    expect(cursor).to_be_visible()

    # The participant selects the note: the facilitator sees it marked.
    note(guest, "Chi la sta guardando?").focus()
    expect(note(staff, "Chi la sta guardando?")).to_have_class(re.compile(r"\bis-chosen\b"))

    # Leaving takes the cursor away at once, and the name once the departure is recorded.
    staff.mouse.move(box["x"] - 20, box["y"] - 20)
    expect(cursor).to_have_count(0)
    guest.close()
    expect(staff.locator(".board-online-list")).not_to_contain_text("Elena Moretti", timeout=15000)


def test_a_private_note_lies_face_down_for_the_others(new_context, client, world, engine):
    with Session(engine) as session:
        board = session.get(Board, world.meeting["plenary_board"])
        board.private = True
        session.add(board)
        session.commit()
    author = participant_page(new_context, client, world)
    other = participant_page(new_context, client, world, name="Luca Bianchi", kind="health")
    staff = facilitator_page(new_context, world)
    author.click("button[data-create=note]")
    author.keyboard.type("Un'idea ancora da proporre")
    author.keyboard.press("Control+Enter")

    face_down = other.locator(f"{NOTE}.is-redacted")
    expect(face_down.locator(".board-item-text")).to_have_text("Nota privata")
    assert "il testo resta nascosto" in face_down.get_attribute("aria-label")
    expect(other.locator("#board-list")).to_contain_text("nota privata")
    expect(other.locator("#board-list")).not_to_contain_text("Un'idea ancora da proporre")
    expect(note(staff, "Un'idea ancora da proporre")).to_be_visible()
    expect(note(author, "Un'idea ancora da proporre")).not_to_have_class(re.compile(r"\bis-redacted\b"))


def test_without_javascript_the_room_lists_the_board(new_context, client, world, live_server):
    board = f"board:{world.meeting['plenary_board']}"
    with socket(live_server, world, world.facilitator.token) as facilitator:
        frame = facilitator.op(board, "item.create", kind="frame", x=0, y=0, w=500, h=400,
                               text="Risorse", color="grey")["item"]
        facilitator.op(board, "item.create", kind="note", x=40, y=60, text="Volontari del quartiere",
                       color="green")
        facilitator.op(board, "item.create", kind="note", x=900, y=60, text="Fondi regionali")
    assert frame["id"]
    page = new_context("it", java_script_enabled=False).new_page()
    sign_in(page, world.facilitator.email)
    page.goto(room_path(world))
    assert page.locator(".board-fallback").is_visible()
    assert not page.locator(".board-live").is_visible()
    groups = page.locator("#board-list .board-list-group")
    expect(groups).to_have_count(2)
    assert groups.nth(0).locator("h3").inner_text() == "Risorse"
    assert "Volontari del quartiere" in groups.nth(0).inner_text()
    assert "colore verde" in groups.nth(0).inner_text()
    assert groups.nth(1).locator("h3").inner_text() == "Fuori dai riquadri"
    assert "Fondi regionali" in groups.nth(1).inner_text()


@pytest.mark.parametrize("lang", ["it", "en"])
def test_no_axe_violations_on_the_room_with_a_live_board(lang, new_context, client, world, live_server):
    board = f"board:{world.meeting['plenary_board']}"
    with socket(live_server, world, world.facilitator.token) as facilitator:
        frame = facilitator.op(board, "item.create", kind="frame", x=0, y=0, w=700, h=480,
                               text="Bisogni del territorio", color="grey")["item"]
        facilitator.op(board, "item.create", kind="note", x=40, y=60, text="Posti letto",
                       frame=frame["id"])
        facilitator.op(board, "item.create", kind="note", x=270, y=60, text="Mediatori",
                       color="pink", frame=frame["id"])
        facilitator.op(board, "item.create", kind="text", x=800, y=0, text="Da approfondire")
    found = {}
    # axe is injected as an inline script, which our CSP (rightly) refuses: bypass it here.
    guest = participant_page(new_context, client, world, lang=lang, bypass_csp=True)
    staff = facilitator_page(new_context, world, lang=lang, bypass_csp=True)
    staff.click("button[data-create=note]")
    staff.keyboard.type("Una nota in modifica")
    found["room, editing a note"] = axe_violations(staff)
    staff.keyboard.press("Control+Enter")  # the note keeps the focus, with its tools shown
    expect(staff.locator(".board-item-tools")).to_be_visible()
    staff.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    found["room, a note selected"] = axe_violations(staff)
    staff.locator("#board-list [data-action=edit]").first.click()
    found["room, editing in the list"] = axe_violations(staff)
    guest.mouse.move(10, 10)
    found["room (participant)"] = axe_violations(guest)
    failing = {name: violations for name, violations in found.items() if violations}
    assert not failing, f"axe violations ({lang}):\n{describe(failing)}"


def test_switching_to_another_board(new_context, world, engine, live_server):
    with Session(engine) as session:
        extra = Board(meeting_id=world.meeting["id"], title="Risorse dei partner", kind=BoardKind.extra)
        session.add(extra)
        session.commit()
        extra_id = extra.id
    with socket(live_server, world, world.facilitator.token) as facilitator:
        facilitator.op(f"board:{extra_id}", "item.create", kind="note", x=0, y=0, text="Una sala gratuita")
        facilitator.op(f"board:{world.meeting['plenary_board']}", "item.create", kind="note", x=0, y=0,
                       text="Nella plenaria")
    staff = facilitator_page(new_context, world)
    expect(note(staff, "Nella plenaria")).to_be_visible()
    staff.select_option("#board-switch", label="Risorse dei partner")
    expect(note(staff, "Una sala gratuita")).to_be_visible()
    expect(note(staff, "Nella plenaria")).to_have_count(0)
    expect(staff.locator("#board-title")).to_have_text("Lavagna: Risorse dei partner")
    expect(staff.locator("#board-list")).to_contain_text("Una sala gratuita")
    expect(staff.locator("#board-list")).not_to_contain_text("Nella plenaria")
    # The address names the board: a reload (or a link) opens the same one.
    staff.reload()
    live(staff)
    expect(note(staff, "Una sala gratuita")).to_be_visible()
    staff.select_option("#board-switch", label="Plenaria")
    expect(note(staff, "Nella plenaria")).to_be_visible()


def test_breakout_groups_take_a_participant_to_their_board_and_back(new_context, client, world,
                                                                    live_server):
    guest = participant_page(new_context, client, world)
    process = client.get(f"/api/v1/processes/{world.process}", headers=world.facilitator.auth).json()
    elena = next(p["id"] for p in process["people"] if p["name"] == "Elena Moretti")
    with socket(live_server, world, world.facilitator.token) as facilitator:
        groups = facilitator.op("meeting", "groups.create", strategy="manual", count=2,
                                assignments={str(elena): 1})["groups"]
        facilitator.op("meeting", "groups.start")
        theirs = groups[1]
        expect(guest.locator("#board-switch")).to_have_value(str(theirs["board"]))
        expect(guest.locator(".board-name")).to_have_text(theirs["name"])
        guest.click("button[data-create=note]")
        guest.keyboard.type("Idea del gruppo")
        guest.keyboard.press("Control+Enter")
        expect(note(guest, "Idea del gruppo")).not_to_have_class(re.compile(r"\bis-pending\b"))
        # The other group's board is not theirs to open.
        assert str(groups[0]["board"]) not in guest.locator("#board-switch option").evaluate_all(
            "options => options.map(o => o.value)")

        facilitator.op("meeting", "groups.end")
        expect(guest.locator("#board-switch")).to_have_value(str(world.meeting["plenary_board"]))
        expect(note(guest, "Idea del gruppo")).to_have_count(0)
        # For reporting back, every group board can be opened now.
        guest.select_option("#board-switch", str(theirs["board"]))
        expect(note(guest, "Idea del gruppo")).to_be_visible()

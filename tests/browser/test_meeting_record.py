"""The decision form of static/meeting-record.js in Chromium, by keyboard only: with the plenary
on screen, the facilitator cites a note that a breakout group wrote on its own board, found
among hundreds with the board choice and the filter; the notes chosen stay chosen across
boards (one of them, or all at once) and are taken off one by one; the decisions list then
names the group's note, for the group's member too, and only counts it for an observer, who
may not read the group's board. axe-core finds nothing to fix with the form in use.

Every wait is on a condition (Playwright's `expect`), never a fixed sleep.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from boards.models import Item, ItemKind
from tests.browser.conftest import axe_violations, console_errors, describe, facilitator_page, live, room_path
from tests.browser.scene import socket

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

GROUP_NOTE = "Un dormitorio aperto anche di giorno"
PLENARY_NOTE = "Una mensa serale vicino alla stazione"
# Enough notes that finding one needs the filter.
FILLERS = 300


def person_page(new_context, live_server, world, who: str):
    """The room of an invited person (world.participant or world.observer), on the plenary."""
    page = new_context("it").new_page()
    page.context.add_cookies([{"name": "tavolo_session", "value": getattr(world, who)["token"],
                               "url": live_server.url}])
    page.goto(room_path(world))
    live(page)
    expect(page.locator(".board-name")).to_have_text("Plenaria")
    return page


def test_a_decision_cites_a_note_of_a_group_board_from_the_plenary(new_context, client, world, engine, live_server):
    meeting = world.meeting["id"]
    with socket(live_server, meeting, world.facilitator.token) as facilitator:
        facilitator.op("meeting", "groups.create", strategy="random", count=1)
        facilitator.op(f"board:{world.meeting['plenary_board']}", "item.create", kind="note", x=0, y=0,
                       text=PLENARY_NOTE)
    group = client.get(f"/api/v1/meetings/{meeting}", headers=world.facilitator.auth).json()["groups"][0]
    assert group["members"] == [world.participant["person"]]
    with socket(live_server, meeting, world.participant["token"]) as participant:
        participant.op(f"board:{group['board']}", "item.create", kind="note", x=900, y=900, text=GROUP_NOTE)
    with Session(engine) as session:
        session.add_all([Item(board_id=group["board"], kind=ItemKind.note, author_id=world.participant["person"],
                              x=n % 20 * 210, y=n // 20 * 210, text=f"Idea numero {n}") for n in range(FILLERS)])
        session.commit()

    staff = facilitator_page(new_context, world, bypass_csp=True)
    # With the plenary on screen too: the group's member, and an observer, who may not read
    # the group's board while the group works.
    member, observer = (person_page(new_context, live_server, world, who) for who in ("participant", "observer"))
    errors = console_errors(staff) + console_errors(member) + console_errors(observer)
    expect(staff.locator(".board-name")).to_have_text("Plenaria")
    record = staff.get_by_role("region", name="Decisioni, azioni e linee di lavoro")
    record.get_by_text("Registra una decisione").focus()
    staff.keyboard.press("Enter")
    form = record.locator("form[data-op='decision.record']")
    form.get_by_label("Che cosa è stato deciso").fill("Aprire il dormitorio anche di giorno da gennaio")
    form.get_by_label("Esito (per esempio: approvata)").fill("approvata")
    notes = form.get_by_role("group", name="Note su cui si basa (facoltative)")
    choices = notes.locator(".record-item-choices")
    chosen = notes.get_by_role("list", name="Note scelte")
    expect(choices.get_by_role("checkbox")).to_have_count(1)
    expect(notes.get_by_role("status")).to_have_text("Una nota mostrata")

    # The group's board, from the board choice; its notes are many, the filter finds the one.
    board = notes.get_by_label("Note della lavagna")
    expect(board).to_have_value(str(world.meeting["plenary_board"]))
    expect(board.locator("option").first).to_have_text("Plenaria (mostrata)")
    board.focus()
    staff.keyboard.press("ArrowDown")
    expect(board).to_have_value(str(group["board"]))
    expect(choices.get_by_role("checkbox")).to_have_count(FILLERS + 1)
    expect(notes.get_by_role("status")).to_have_text(f"{FILLERS + 1} note mostrate")
    staff.keyboard.press("Tab")
    expect(notes.get_by_label("Cerca una nota")).to_be_focused()
    staff.keyboard.type("dormitorio")
    expect(choices.get_by_role("checkbox")).to_have_count(1)
    expect(notes.get_by_role("status")).to_have_text("Una nota mostrata")
    staff.keyboard.press("Enter")  # stays in the filter: the form is not sent
    expect(notes.get_by_label("Cerca una nota")).to_be_focused()
    staff.keyboard.press("Tab")
    expect(choices.get_by_role("checkbox", name=GROUP_NOTE)).to_be_focused()
    staff.keyboard.press("Space")
    expect(chosen.get_by_role("listitem")).to_contain_text([f"{GROUP_NOTE} (Gruppo 1)"])

    # All the boards at once, the filter kept: the note names its board, still chosen.
    board.focus()
    staff.keyboard.press("ArrowDown")
    expect(board).to_have_value("all")
    expect(choices.get_by_role("checkbox")).to_have_count(1)
    expect(choices.get_by_role("checkbox", name=f"{GROUP_NOTE} (Gruppo 1)")).to_be_checked()
    # Back on the plenary, the group's note stays chosen; a note of the plenary joins it.
    staff.keyboard.press("ArrowUp")
    staff.keyboard.press("ArrowUp")
    expect(board).to_have_value(str(world.meeting["plenary_board"]))
    notes.get_by_label("Cerca una nota").fill("")
    choices.get_by_role("checkbox", name=PLENARY_NOTE).focus()
    staff.keyboard.press("Space")
    expect(chosen.get_by_role("listitem")).to_have_count(2)
    violations = axe_violations(staff)
    assert not violations, describe({"facilitator": violations})
    # Taken off again, by keyboard: the focus goes to the remaining note's button.
    chosen.get_by_role("button", name=f"Rimuovi: {PLENARY_NOTE}").focus()
    staff.keyboard.press("Enter")
    expect(chosen.get_by_role("listitem")).to_have_count(1)
    expect(chosen.get_by_role("button", name=f"Rimuovi: {GROUP_NOTE}")).to_be_focused()
    expect(choices.get_by_role("checkbox", name=PLENARY_NOTE)).not_to_be_checked()

    form.get_by_role("button", name="Registra la decisione").focus()
    staff.keyboard.press("Enter")
    decisions = record.get_by_role("region", name="Decisioni")
    expect(decisions).to_contain_text("Aprire il dormitorio anche di giorno da gennaio")
    expect(decisions).to_contain_text(f"Si basa su: “{GROUP_NOTE}”")
    expect(form.get_by_label("Che cosa è stato deciso")).to_have_value("")
    expect(chosen.get_by_role("listitem")).to_have_count(0)
    expect(member.locator(".record-decisions")).to_contain_text(f"Si basa su: “{GROUP_NOTE}”")
    expect(observer.locator(".record-decisions")).to_contain_text("Si basa su: un contributo")
    expect(notes.get_by_text("Ancora nessuna nota scelta.")).to_be_visible()
    # The page as it comes, without JavaScript, names it too.
    page = client.get(room_path(world), headers=world.facilitator.auth).text
    assert f"Si basa su: “{GROUP_NOTE}”" in page.split('id="meeting-record"', 1)[1]
    assert errors == []

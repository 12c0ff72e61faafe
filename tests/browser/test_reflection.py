"""Between meetings in Chromium, by keyboard alone: the facilitator opens a question with a
deadline, a participant answers it, the facilitator comments on the answer and the
participant replies; htmx swaps each form's question or note in place; axe-core finds
nothing to fix, in Italian and in English.

Every wait is on a condition (Playwright's `expect`), never a fixed sleep.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from boards.models import Item, ItemKind

from tests.browser.conftest import axe_violations, console_errors, describe, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

QUESTION = "Che cosa manca a chi dorme in strada la sera?"
ANSWER = "Un punto di ascolto aperto fino alle 22"
COMMENT = "Con quali volontari?"
REPLY = "Quelli della mensa del giovedì"


def press(page, locator, key: str = "Enter") -> None:
    locator.focus()
    page.keyboard.press(key)


def test_a_participant_answers_an_open_question_and_replies_to_a_comment_by_keyboard(new_context, world, live_server):
    violations: dict[str, list[dict]] = {}
    path = f"/processes/{world.process}/reflection"
    # axe-core is injected as a script tag, which our CSP refuses: these pages bypass it.
    staff = new_context("it", bypass_csp=True).new_page()
    errors = console_errors(staff)
    sign_in(staff, world.facilitator.email)
    staff.goto(path)
    press(staff, staff.get_by_text("Apri una domanda di riflessione"))
    form = staff.locator("#questions form").first
    expect(form.get_by_label("Incontro")).to_be_visible()
    form.get_by_label("Domanda").focus()
    staff.keyboard.type(QUESTION)
    form.get_by_label("Scadenza").fill("2030-01-10T18:00")
    press(staff, form.get_by_role("button", name="Apri la domanda"))
    expect(staff.locator("#questions [role=status]")).to_have_text("La domanda è aperta fino alla scadenza.")
    question = staff.locator(".reflection-question").first
    expect(question).to_contain_text(QUESTION)
    expect(question).to_contain_text("Aperta fino al 10 gen 2030, 18:00")
    violations["facilitator, it"] = axe_violations(staff)

    guest_context = new_context("en", bypass_csp=True)
    guest_context.add_cookies([{"name": "tavolo_session", "value": world.participant["token"],
                                "url": live_server.url}])
    guest = guest_context.new_page()
    errors += console_errors(guest)
    guest.goto(path)
    expect(guest.get_by_role("heading", level=2, name="What changed since your last visit")).to_be_visible()
    answer = guest.get_by_label("Your contribution")
    answer.focus()
    guest.keyboard.type(ANSWER)
    press(guest, guest.get_by_role("button", name="Add the contribution"))
    expect(guest.locator(".reflection-question [role=status]")).to_contain_text("Your contribution is saved")
    note = guest.locator(".reflection-note").filter(has_text=ANSWER)
    expect(note).to_contain_text("between meetings")

    staff.reload()
    staff_note = staff.locator(".reflection-note").filter(has_text=ANSWER)
    press(staff, staff_note.locator("summary").filter(has_text="Commenta"))
    staff_note.get_by_label("Il tuo commento").focus()
    staff.keyboard.type(COMMENT)
    press(staff, staff_note.get_by_role("button", name="Invia"))
    expect(staff.locator(".reflection-note").filter(has_text=ANSWER)).to_contain_text("Il tuo commento è salvato.")

    guest.reload()
    note = guest.locator(".reflection-note").filter(has_text=ANSWER)
    expect(note.locator(".reflection-comment")).to_contain_text(COMMENT)
    press(guest, note.locator(".reflection-comment summary").filter(has_text="Reply"))
    field = note.get_by_label("Your reply to")
    expect(field).to_be_visible()
    field.focus()
    guest.keyboard.type(REPLY)
    guest.keyboard.press("Tab")
    expect(note.locator(".reflection-comment").get_by_role("button", name="Send")).to_be_focused()
    guest.keyboard.press("Enter")
    replies = guest.locator(".reflection-note").filter(has_text=ANSWER).locator(".reflection-replies")
    expect(replies).to_contain_text(REPLY)
    expect(guest.locator(".reflection-note").filter(has_text=ANSWER)).to_contain_text("Your comment is saved.")
    violations["participant, en"] = axe_violations(guest)

    guest.goto(f"/meetings/{world.meeting['id']}/reflection")
    expect(guest.locator(".reflection-replies")).to_contain_text(REPLY)
    violations["meeting notes, en"] = axe_violations(guest)
    staff.goto(f"/processes/{world.process}")
    expect(staff.locator("#between-meetings")).to_be_visible()
    violations["process page, it"] = axe_violations(staff)

    assert not any(violations.values()), describe(violations)
    assert errors == []


def test_the_pages_between_meetings_reflow_on_a_narrow_screen(new_context, world):
    """WCAG 1.4.10: at 320 CSS pixels nothing needs horizontal scrolling."""
    page = new_context("it", viewport={"width": 320, "height": 640}).new_page()
    sign_in(page, world.facilitator.email)
    page.goto(f"/processes/{world.process}/reflection")
    press(page, page.get_by_text("Apri una domanda di riflessione"))  # the widest part: its form
    expect(page.get_by_label("Scadenza")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.goto(f"/meetings/{world.meeting['id']}/reflection")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_a_facilitator_marks_a_note_publishable_by_keyboard(new_context, world, engine):
    """The toggle says its state (aria-pressed), htmx swaps the note with its badge and the
    confirmation, and the page stays axe-clean in both languages."""
    with Session(engine) as session:
        item = Item(board_id=world.meeting["plenary_board"], kind=ItemKind.note, text=ANSWER,
                    author_id=world.participant["person"])
        session.add(item)
        session.commit()
        item_id = item.id
    violations: dict[str, list[dict]] = {}
    staff = new_context("it", bypass_csp=True).new_page()
    errors = console_errors(staff)
    sign_in(staff, world.facilitator.email)
    staff.goto(f"/meetings/{world.meeting['id']}/reflection")
    note = staff.locator(f"#item-{item_id}")
    toggle = note.get_by_role("button", name="Pubblicabile negli open data")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    press(staff, toggle)
    expect(note.get_by_role("status")).to_have_text(
        "Il testo del contributo sarà pubblicato negli open data, con i nomi sostituiti da pseudonimi.")
    expect(note.get_by_role("button", name="Pubblicabile negli open data")).to_have_attribute("aria-pressed", "true")
    expect(note.locator(".badge")).to_have_text("Pubblicabile negli open data")
    violations["marked, it"] = axe_violations(staff)
    with Session(engine) as session:
        assert session.get(Item, item_id).publishable is True

    english = new_context("en", bypass_csp=True).new_page()
    sign_in(english, world.facilitator.email, lang="en")
    english.goto(f"/meetings/{world.meeting['id']}/reflection")
    toggle = english.locator(f"#item-{item_id}").get_by_role("button", name="Publishable in open data")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    press(english, toggle)
    expect(english.locator(f"#item-{item_id}").get_by_role("status")).to_have_text(
        "The note's text will not be published in open data.")
    expect(english.locator(f"#item-{item_id} .badge")).to_have_count(0)
    violations["unmarked, en"] = axe_violations(english)
    assert not any(violations.values()), describe(violations)
    assert errors == []

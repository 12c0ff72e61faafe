"""Live changes reach screen readers without flooding them: a burst of other people's changes
on the board becomes one grouped announcement in a live region ("30 nuovi contributi."), not
one per event; what the facilitator does at once (start, question, timer, voting, lock) is
said, each thing once, in a few updates. Every live region of the room page (role status, alert, log, or aria-live) is
watched, so an announcement made anywhere else would count too.

Every wait is on a condition (Playwright's `expect`), never a fixed sleep: each burst is
followed by a marker change whose announcement proves that the burst's have all been made.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import live
from tests.browser.scene import socket

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

# Records each new, non-empty text of every live region, in order.
RECORD_ANNOUNCEMENTS = """() => {
    const live = "[role=status], [role=alert], [role=log], [aria-live]:not([aria-live=off])";
    const name = (region) => region.id ? `#${region.id}` : `.${[...region.classList].join(".")}`;
    const last = new Map();
    for (const region of document.querySelectorAll(live)) last.set(region, region.textContent.trim());
    window.announcements = [];
    new MutationObserver(() => {
        for (const region of document.querySelectorAll(live)) {
            const text = region.textContent.trim();
            if (text && text !== last.get(region)) window.announcements.push([name(region), text]);
            last.set(region, text);
        }
    }).observe(document.body, {childList: true, subtree: true, characterData: true});
}"""


def participant_page(new_context, client, world, lang: str = "it"):
    invite = client.post(f"/api/v1/processes/{world.process}/invites", headers=world.facilitator.auth,
                         json={"name": "Elena Moretti", "role": "participant",
                               "organization": world.organizations["third_sector"]}).json()
    page = new_context(lang).new_page()
    page.goto(f"/join/{invite['invite']}")
    page.locator("main form button[type=submit]").press("Enter")
    page.wait_for_url(re.compile(r"/meetings/\d+/room$"))
    live(page)
    return page


def test_a_burst_of_changes_is_announced_once_grouped(new_context, client, world, live_server):
    guest = participant_page(new_context, client, world)
    guest.evaluate(RECORD_ANNOUNCEMENTS)
    announcer = guest.locator("#board-announcer")
    board = f"board:{world.meeting['plenary_board']}"
    with socket(live_server, world.meeting["id"], world.facilitator.token) as facilitator:
        # Thirty notes from another computer, sent without waiting for each answer.
        started = time.monotonic()
        sent = [facilitator.send(board, "item.create", kind="note", x=40 + 220 * (n % 6), y=40 + 160 * (n // 6),
                                 text=f"Proposta {n + 1}") for n in range(30)]
        facilitator.acks(sent)
        assert time.monotonic() - started < 1.0
        expect(guest.locator("#board-list .board-list-item")).to_have_count(30)
        expect(announcer).to_have_text("30 nuovi contributi.")
        assert guest.evaluate("window.announcements") == [["#board-announcer", "30 nuovi contributi."]]

        # A mixed burst: ten edited, five removed, every note moved (moves are not announced:
        # the canvas shows them, the list reorders in place).
        items = client.get(f"/api/v1/boards/{world.meeting['plenary_board']}",
                           headers=world.facilitator.auth).json()["items"]
        notes = sorted(item["id"] for item in items if item["text"].startswith("Proposta"))
        sent = [facilitator.send(board, "item.move", item=item, x=1400 + n, y=40) for n, item in enumerate(notes)]
        sent += [facilitator.send(board, "item.update", item=item, text=f"Proposta rivista {n}")
                 for n, item in enumerate(notes[:10])]
        sent += [facilitator.send(board, "item.delete", item=item) for item in notes[-5:]]
        facilitator.acks(sent)
        expect(announcer).to_have_text("10 contributi modificati, 5 contributi eliminati.")
        # One more note, after the burst: its announcement comes last, so nothing of the
        # burst is still waiting to be said.
        facilitator.op(board, "item.create", kind="note", x=40, y=900, text="Ultima proposta")
        expect(announcer).to_have_text("Un nuovo contributo.")
    assert guest.evaluate("window.announcements") == [
        ["#board-announcer", "30 nuovi contributi."],
        ["#board-announcer", "10 contributi modificati, 5 contributi eliminati."],
        ["#board-announcer", "Un nuovo contributo."],
    ]


def test_what_the_facilitator_does_at_once_is_said_once_in_few_updates(new_context, client, world, live_server):
    guest = participant_page(new_context, client, world)
    guest.evaluate(RECORD_ANNOUNCEMENTS)
    question = "Quali servizi mancano a chi dorme in strada d'inverno?"
    said = [
        "L’incontro è iniziato.",
        f"Nuova domanda guida: {question}",
        "Timer avviato per «Bisogni»: 5 minuti.",
        "Votazione aperta: ti restano 3 voti.",
        "Lavagna bloccata: solo il facilitatore può modificarla.",
    ]
    board = f"board:{world.meeting['plenary_board']}"
    with socket(live_server, world.meeting["id"], world.facilitator.token) as facilitator:
        facilitator.acks([facilitator.send("meeting", "meeting.start"),
                          facilitator.send("meeting", "prompt.open", text=question),
                          facilitator.send("meeting", "timer.start", seconds=300, label="Bisogni"),
                          facilitator.send(board, "voting.start", budget=3),
                          facilitator.send(board, "board.lock")])
        guest.wait_for_function("""(said) => {
            const heard = window.announcements.map(([, text]) => text).join(" ");
            return said.every((words) => heard.includes(words));
        }""", arg=said)
        # A marker after the burst: once it is said, nothing of the burst is left to say.
        facilitator.op("meeting", "timer.stop")
        expect(guest.locator(".meeting-announcer")).to_have_text("Il timer è stato fermato.")
    heard = [text for region, text in guest.evaluate("window.announcements") if region == ".visually-hidden.meeting-announcer"]
    assert heard[-1] == "Il timer è stato fermato."
    burst = " ".join(heard[:-1])
    assert all(burst.count(words) == 1 for words in said), heard
    assert len(heard) - 1 <= 3, heard

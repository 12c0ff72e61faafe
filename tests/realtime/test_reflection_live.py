"""Between meetings, live: what is posted on the reflection page (an answer to a question open
with a deadline, a comment) reaches everyone with the board open over a real websocket, as
an event with the stream's next seq, and a client that applies those events holds what a
fresh snapshot shows."""

from __future__ import annotations

import httpx2 as httpx

from tests.pages.conftest import csrf_of
from tests.realtime.support import BoardModel, Client


async def post_from_the_page(live_server, room, path: str, data: dict) -> httpx.Response:
    """A participant's browser: open the reflection page, then send its form (no htmx)."""
    async with httpx.AsyncClient(base_url=live_server.url,
                                 cookies={"tavolo_session": room.participant.token}) as browser:
        page = await browser.get(f"/processes/{room.process}/reflection")
        assert page.status_code == 200, page.text
        return await browser.post(path, data={**data, "csrf_token": csrf_of(page.text)},
                                  follow_redirects=False)


async def test_an_answer_and_a_comment_from_the_page_reach_the_board_live(live_server, room):
    staff = await Client.open(live_server.ws_url, room.meeting, room.facilitator.token)
    watcher = await Client.open(live_server.ws_url, room.meeting, room.observer.token)
    model = BoardModel(me=room.observer.id)
    for frame in await watcher.subscribe(room.board):
        model.apply(frame)
    opened = await staff.op("meeting", "prompt.open", {"text": "Che cosa manca la sera?",
                                                       "deadline": "2030-01-10T17:00:00Z"})
    prompt_id = opened["result"]["prompt"]["id"]

    answered = await post_from_the_page(live_server, room, f"/reflection/questions/{prompt_id}/answers",
                                        {"text": "Un punto di ascolto fino alle 22"})
    assert answered.status_code == 303, answered.text
    created = await watcher.take(lambda f: f["type"] == "event" and f["stream"] == room.board)
    assert (created["name"], created["seq"]) == ("item.created", model.seq + 1)
    item = created["data"]["item"]
    assert (item["text"], item["prompt"], item["author"], item["kind"]) == (
        "Un punto di ascolto fino alle 22", prompt_id, room.participant.id, "note")
    assert created["actor"] == {"participant": room.participant.id,
                                "organization": room.world.organizations["third_sector"]}
    assert answered.headers["location"].endswith(f"#item-{item['id']}")
    model.apply(created)

    commented = await post_from_the_page(live_server, room, f"/reflection/notes/{item['id']}/comments",
                                         {"text": "Con quali volontari?", "back": "process"})
    assert commented.status_code == 303, commented.text
    added = await watcher.take(lambda f: f["type"] == "event" and f["stream"] == room.board)
    assert (added["name"], added["seq"]) == ("comment.added", model.seq + 1)
    assert added["data"]["comment"]["item"] == item["id"]
    assert added["data"]["comment"]["text"] == "Con quali volontari?"
    model.apply(added)

    fresh = BoardModel(me=room.observer.id)
    late = await Client.open(live_server.ws_url, room.meeting, room.observer.token)
    for frame in await late.subscribe(room.board):
        fresh.apply(frame)
    assert model.state() == fresh.state()
    for client in (staff, watcher, late):
        await client.close()

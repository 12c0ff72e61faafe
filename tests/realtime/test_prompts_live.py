"""`prompt.open` over a real websocket after the meeting has ended: without a deadline the
server answers an `error` frame naming the field, in the person's language, and appends
nothing; with one it opens (boards/prompts.py, docs/protocol.md "Before, during and after")."""

from __future__ import annotations

from tests.realtime.support import Client

QUESTION = "Che cosa portiamo al prossimo incontro?"


async def test_after_the_end_a_question_needs_a_deadline(live_server, room):
    staff = await Client.open(live_server.ws_url, room.meeting, room.facilitator.token, lang="it")
    await staff.op("meeting", "meeting.start", {})
    ended = await staff.op("meeting", "meeting.end", {})
    assert ended["type"] == "ack"

    refused = await staff.op("meeting", "prompt.open", {"text": QUESTION})
    assert (refused["type"], refused["code"]) == ("error", "bad_request")
    assert "«deadline»" in refused["message"] and "terminato" in refused["message"]

    opened = await staff.op("meeting", "prompt.open", {"text": QUESTION, "deadline": "2030-01-10T17:00:00Z"})
    assert opened["type"] == "ack"
    # The refusal appended nothing: the question is the next event after the end.
    assert opened["seq"] == ended["seq"] + 1
    late = await Client.open(live_server.ws_url, room.meeting, room.facilitator.token)
    snapshot = next(f for f in await late.subscribe("meeting") if f["type"] == "snapshot")
    assert [p["text"] for p in snapshot["state"]["prompts"]] == [QUESTION]
    for client in (staff, late):
        await client.close()

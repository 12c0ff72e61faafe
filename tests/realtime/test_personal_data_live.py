"""Erasing a person over HTTP while they are in a live meeting, on a real server: their
connections close with 4403 after the `participant.removed` event, and they cannot come back."""

from __future__ import annotations

import asyncio
import json
from urllib.request import Request, urlopen

from tests.realtime.support import Client


async def test_an_erased_participant_is_disconnected_from_the_live_meeting(live_server, room):
    staff = await Client.open(live_server.ws_url, room.meeting, room.facilitator.token)
    gone = await Client.open(live_server.ws_url, room.meeting, room.participant.token)
    await staff.subscribe("meeting")
    await gone.subscribe("meeting")
    await staff.op("meeting", "meeting.start", {})

    def erase() -> dict:
        request = Request(f"{live_server.url}/api/v1/people/{room.participant.id}/erase", method="POST",
                          data=json.dumps({"reason": "Richiesta scritta"}).encode(),
                          headers={"Authorization": f"Bearer {room.facilitator.token}",
                                   "Content-Type": "application/json"})
        with urlopen(request, timeout=30) as answer:  # raises on an error status
            return json.loads(answer.read())

    done = await asyncio.to_thread(erase)
    assert done["person"] == room.participant.id and done["already_erased"] is False
    event = await gone.take(lambda f: f.get("name") == "participant.removed")
    assert event["data"] == {"participant": room.participant.id}
    assert (await gone.closed()).code == 4403
    again = await Client.open(live_server.ws_url, room.meeting, hello=False)
    await again.send({"type": "hello", "token": room.participant.token})
    assert (await again.closed()).code in (4401, 4403)
    await staff.close()

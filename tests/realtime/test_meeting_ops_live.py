"""Meeting ops that reach beyond one answer, over real websockets: a removed participant's
connections close with 4403; someone arriving while groups run is placed in one and finds
its board among their streams; a template is one ack for many events."""

from __future__ import annotations

from tests.realtime.support import BoardModel, Client


async def connect(live_server, room, token) -> Client:
    return await Client.open(live_server.ws_url, room.meeting, token)


async def test_a_removed_participant_is_disconnected_and_cannot_come_back(live_server, room):
    staff = await connect(live_server, room, room.facilitator.token)
    gone = await connect(live_server, room, room.participant.token)
    second_tab = await connect(live_server, room, room.participant.token)
    await staff.subscribe("meeting")
    await gone.subscribe("meeting")
    removed = await staff.op("meeting", "participant.remove", {"participant": room.participant.id})
    assert removed["result"] == {"participant": room.participant.id}
    # The event reaches them before the close.
    event = await gone.take(lambda f: f.get("name") == "participant.removed")
    assert event["seq"] == removed["seq"]
    assert (await gone.closed()).code == 4403
    assert (await second_tab.closed()).code == 4403
    again = await Client.open(live_server.ws_url, room.meeting, hello=False)
    await again.send({"type": "hello", "token": room.participant.token})
    assert (await again.closed()).code in (4401, 4403)
    await staff.close()


async def test_someone_arriving_while_groups_run_is_placed_and_gets_the_board(live_server, room):
    early = room.invite("Puntuale")
    staff = await connect(live_server, room, room.facilitator.token)
    first = await connect(live_server, room, early.token)
    model = BoardModel(me=room.facilitator.id)
    for frame in await staff.subscribe("meeting"):
        model.apply(frame)
    await staff.op("meeting", "meeting.start", {})
    made = await staff.op("meeting", "groups.create", {"strategy": "balanced", "count": 2})
    full, empty = sorted(made["result"]["groups"], key=lambda g: -len(g["members"]))
    assert (full["members"], empty["members"]) == ([early.id], [])
    started = await staff.op("meeting", "groups.start", {})
    for event in await staff.events_until("meeting", started["seq"]):
        model.apply(event)
    # Late: the participant joins the smallest group, and its board is in their welcome.
    late = await connect(live_server, room, room.participant.token)
    assert f"board:{empty['board']}" in late.welcome["streams"]
    assert f"board:{full['board']}" not in late.welcome["streams"]
    joined, assigned = await staff.events_until("meeting", started["seq"] + 2)
    assert (joined["name"], assigned["name"]) == ("participant.joined", "groups.assigned")
    assert assigned["data"] == {"participant": room.participant.id, "group": empty["id"]}
    assert assigned["actor"] == {"participant": None, "organization": None} and assigned["op"] is None
    for event in (joined, assigned):
        model.apply(event)
    fresh = BoardModel()
    for frame in await late.subscribe("meeting"):
        fresh.apply(frame)
    assert model.state() == fresh.state()
    note = await late.op(f"board:{empty['board']}", "item.create", {"kind": "note", "x": 0, "y": 0})
    assert note["type"] == "ack"
    for client in (staff, first, late):
        await client.close()


async def test_a_template_is_one_ack_with_the_seq_of_its_last_event(live_server, room):
    staff = await connect(live_server, room, room.facilitator.token)
    watcher = await connect(live_server, room, room.participant.token)
    await watcher.subscribe(room.board)
    applied = await staff.op(room.board, "template.apply", {"template": "design-thinking"})
    made = applied["result"]["items"]
    assert len(made) == 11 and applied["seq"] == 11
    events = await watcher.events_until(room.board, applied["seq"])
    assert [e["name"] for e in events] == ["item.created"] * 11
    assert [e["data"]["item"] for e in events] == made
    assert {e["op"] for e in events} == {applied["id"]}
    # board.create with a template: the new board's items, then `board.created`.
    await watcher.subscribe("meeting")
    created = await staff.op("meeting", "board.create", {"title": "SWOT del servizio", "template": "swot"})
    board = created["result"]["board"]
    assert board["title"] == "SWOT del servizio"
    event = await watcher.take(lambda f: f.get("name") == "board.created")
    assert event["data"] == created["result"] and event["seq"] == created["seq"]
    frames = await watcher.subscribe(f"board:{board['id']}")
    assert frames[0]["type"] == "snapshot" and len(frames[0]["state"]["items"]) == 9
    for client in (staff, watcher):
        await client.close()

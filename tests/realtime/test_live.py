"""Protocol v1 over real websockets against a real uvicorn, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.realtime.support import BoardModel, Client, new_op_id


def board_over_http(room) -> dict:
    answer = room.client.get(f"/api/v1/boards/{room.plenary}", headers=room.world.facilitator.auth)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def connect(live_server, room, token, **options) -> Client:
    return await Client.open(live_server.ws_url, room.meeting, token, **options)


async def test_welcome_tells_who_and_which_streams(live_server, room):
    client = await connect(live_server, room, room.participant.token)
    assert client.welcome["participant"] == {
        "id": room.participant.id, "name": "Persona participant",
        "organization": room.world.organizations["third_sector"], "role": "participant",
        "organization_name": "Cooperativa Il Ponte"}
    assert client.welcome["meeting"] == {"id": room.meeting, "title": "Primo incontro", "state": "scheduled"}
    assert client.welcome["streams"] == ["meeting", room.board]
    await client.close()


async def test_clients_see_each_others_ops_in_the_same_order(live_server, room):
    tokens = [room.facilitator.token, room.secretary.token, room.participant.token]
    clients = [await connect(live_server, room, token) for token in tokens]
    models = [BoardModel() for _ in clients]
    for client, model in zip(clients, models):
        for frame in await client.subscribe(room.board):
            model.apply(frame)

    async def work(client: Client, label: str) -> list[dict]:
        acks = []
        note = await client.op(room.board, "item.create", {"kind": "note", "x": 0, "y": 0, "text": label})
        acks.append(note)
        note_id = note["result"]["item"]["id"]
        for step in range(4):
            acks.append(await client.op(room.board, "item.move", {"item": note_id, "x": step, "y": step}))
            acks.append(await client.op(room.board, "item.update", {"item": note_id, "text": f"{label} {step}"}))
        acks.append(await client.op(room.board, "comment.add", {"item": note_id, "text": "ok"}))
        return acks

    acks = await asyncio.gather(*[work(client, f"client {n}") for n, client in enumerate(clients)])
    assert all(ack["type"] == "ack" for batch in acks for ack in batch)
    head = max(ack["seq"] for batch in acks for ack in batch)
    assert sorted(ack["seq"] for batch in acks for ack in batch) == list(range(1, head + 1))
    sequences = []
    for client, model in zip(clients, models):
        events = await client.events_until(room.board, head)
        for event in events:
            model.apply(event)
        sequences.append([(e["seq"], e["name"], e["op"], json.dumps(e["data"], sort_keys=True)) for e in events])
    assert sequences[0] == sequences[1] == sequences[2]
    # Each ack names the event its op made.
    by_op = {op: seq for seq, _name, op, _data in sequences[0]}
    assert all(by_op[ack["id"]] == ack["seq"] for batch in acks for ack in batch)
    fresh = board_over_http(room)
    assert fresh["seq"] == head
    for model in models:
        assert model.state()["items"] == fresh["items"]
        assert model.state()["comments"] == fresh["comments"]
    for client in clients:
        await client.close()


async def test_resubscribing_with_since_ends_with_the_state_of_a_fresh_snapshot(live_server, room):
    staff = await connect(live_server, room, room.facilitator.token)
    keep = await staff.op(room.board, "item.create", {"kind": "frame", "x": 0, "y": 0, "text": "Idee"})
    gone = await staff.op(room.board, "item.create", {"kind": "note", "x": 1, "y": 1, "text": "Via"})
    stale = BoardModel()
    watcher = await connect(live_server, room, room.participant.token)
    for frame in await watcher.subscribe(room.board):
        stale.apply(frame)
    assert stale.seq == 2
    await watcher.close()
    # While the watcher is away: every kind of board event.
    frame_id, gone_id = keep["result"]["item"]["id"], gone["result"]["item"]["id"]
    note = await staff.op(room.board, "item.create", {"kind": "note", "x": 5, "y": 5, "text": "Nuova",
                                                        "frame": frame_id, "color": "green"})
    await staff.op(room.board, "comment.add", {"item": gone_id, "text": "sparirà"})
    await staff.op(room.board, "comment.add", {"item": frame_id, "text": "resta"})
    await staff.op(room.board, "item.update", {"item": note["result"]["item"]["id"], "text": "Nuovissima",
                                                "w": 250, "frame": None})
    await staff.op(room.board, "item.move", {"item": frame_id, "x": -40, "y": 12.5})
    await staff.op(room.board, "item.delete", {"item": gone_id})
    # Back, with `since`: a replay of exactly what was missed, then synced.
    watcher = await connect(live_server, room, room.participant.token)
    frames = await watcher.subscribe(room.board, since=stale.seq)
    assert [f["type"] for f in frames] == ["event"] * 6 + ["synced"]
    for frame in frames:
        stale.apply(frame)
    fresh = BoardModel()
    for frame in await watcher.subscribe(room.board):  # a new snapshot
        fresh.apply(frame)
    assert stale.seq == fresh.seq == 8
    assert stale.state() == fresh.state()
    # Subscribing with a `since` beyond the head gets a snapshot.
    frames = await watcher.subscribe(room.board, since=999)
    assert [f["type"] for f in frames] == ["snapshot", "synced"] and frames[0]["seq"] == 8
    for client in (staff, watcher):
        await client.close()


async def test_a_resent_op_id_is_acknowledged_once_with_the_same_seq(live_server, room):
    client = await connect(live_server, room, room.participant.token)
    data = {"kind": "note", "x": 1, "y": 2, "text": "una volta sola"}
    first = await client.op(room.board, "item.create", data, op_id="same-op")
    again = await client.op(room.board, "item.create", data, op_id="same-op")
    assert again == first
    await client.close()
    # After reconnecting, as a client resending its unacknowledged ops does.
    client = await connect(live_server, room, room.participant.token)
    assert await client.op(room.board, "item.create", data, op_id="same-op") == first
    # Another person may use the same op id: ids are per person.
    other = await connect(live_server, room, room.facilitator.token)
    assert (await other.op(room.board, "item.create", data, op_id="same-op"))["seq"] == first["seq"] + 1
    board = board_over_http(room)
    assert board["seq"] == first["seq"] + 1
    assert [item["text"] for item in board["items"]] == ["una volta sola"] * 2
    # An op that cannot apply twice, resent: its first ack, not the error of a second try.
    note = first["result"]["item"]["id"]
    deleted = await client.op(room.board, "item.delete", {"item": note}, op_id="delete-once")
    assert deleted["type"] == "ack"
    assert await client.op(room.board, "item.delete", {"item": note}, op_id="delete-once") == deleted
    assert board_over_http(room)["seq"] == deleted["seq"]
    # A refused op leaves no trace: its id may be used again.
    refused = await client.op(room.board, "item.create", {"kind": "note", "x": 1, "y": "no"}, op_id="retry")
    assert refused["code"] == "bad_request"
    assert (await client.op(room.board, "item.create", data, op_id="retry"))["type"] == "ack"
    for c in (client, other):
        await c.close()


async def test_malformed_oversize_and_forbidden_frames_get_their_error_and_change_nothing(live_server, room):
    owner = await connect(live_server, room, room.facilitator.token)
    note = (await owner.op(room.board, "item.create", {"kind": "note", "x": 0, "y": 0, "text": "mia"}))
    note_id = note["result"]["item"]["id"]
    other_board = room.new_board("Altrove")
    before = board_over_http(room)
    client = await connect(live_server, room, room.participant.token)
    big = "x" * (64 * 1024)
    cases = [
        ("{not json", None, "bad_request"),
        (json.dumps(["op"]), None, "bad_request"),
        (json.dumps({"type": "shout"}), None, "bad_request"),
        (json.dumps({"type": "op", "id": "o1", "stream": room.board, "name": "item.burn", "data": {}}), "o1",
         "bad_request"),
        (json.dumps({"type": "op", "id": "o2", "stream": room.board, "name": "item.create",
                     "data": {"kind": "note", "x": 0, "y": 0, "text": big}}), "o2", "too_large"),
        ('{"type": "op", "text": "' + big, None, "too_large"),
        (json.dumps({"type": "op", "id": "o3", "stream": room.board, "name": "item.create",
                     "data": {"kind": "note", "x": 0, "y": 0, "text": "y" * 2001}}), "o3", "bad_request"),
        (json.dumps({"type": "op", "id": "o4", "stream": room.board, "name": "item.delete",
                     "data": {"item": note_id}}), "o4", "forbidden"),
        (json.dumps({"type": "op", "id": "o5", "stream": room.board, "name": "item.update",
                     "data": {"item": note_id, "text": "rubata"}}), "o5", "forbidden"),
        (json.dumps({"type": "op", "id": "o6", "stream": room.board, "name": "item.move",
                     "data": {"item": 999999, "x": 1, "y": 1}}), "o6", "not_found"),
        (json.dumps({"type": "op", "id": "o7", "stream": "board:999999", "name": "item.create",
                     "data": {"kind": "note", "x": 0, "y": 0}}), "o7", "not_found"),
        (json.dumps({"type": "op", "id": "o8", "stream": "meeting", "name": "item.create",
                     "data": {"kind": "note", "x": 0, "y": 0}}), "o8", "bad_request"),
    ]
    for text, op_id, code in cases:
        await client.send(text)
        error = await client.take(lambda f: f["type"] in ("error", "ack"))
        assert (error["type"], error["id"], error["code"]) == ("error", op_id, code), text[:80]
        assert error["message"]
    await client.send({"type": "subscribe", "stream": "board:999999"})
    error = await client.take(lambda f: f["type"] == "error")
    assert (error["id"], error["code"], error["stream"]) == (None, "not_found", "board:999999")
    assert board_over_http(room) == before
    # The connection is still open and works.
    assert (await client.op(f"board:{other_board}", "item.create", {"kind": "text", "x": 0, "y": 0}))["type"] == "ack"
    for c in (client, owner):
        await c.close()


async def test_observers_may_read_and_send_presence_but_not_ops(live_server, room):
    observer = await connect(live_server, room, room.observer.token)
    participant = await connect(live_server, room, room.participant.token)
    for client in (observer, participant):
        await client.subscribe(room.board)
    error = await observer.op(room.board, "item.create", {"kind": "note", "x": 0, "y": 0})
    assert error["code"] == "forbidden"
    await observer.send({"type": "presence", "stream": room.board, "cursor": {"x": 3, "y": 4}, "selection": []})
    seen = await participant.take(lambda f: f["type"] == "presence")
    assert seen == {"type": "presence", "stream": room.board, "cursor": {"x": 3, "y": 4}, "selection": [],
                    "participant": room.observer.id, "name": "Persona observer"}
    assert board_over_http(room)["seq"] == 0
    for client in (observer, participant):
        await client.close()


async def test_group_boards_are_for_their_members_and_staff(live_server, room):
    from sqlmodel import Session

    from boards.models import Board, BoardKind, BreakoutGroup, GroupMember

    member = room.invite("In gruppo")
    with Session(room.engine) as session:
        group = BreakoutGroup(meeting_id=room.meeting, name="Gruppo A", position=1)
        session.add(group)
        session.flush()
        board = Board(meeting_id=room.meeting, title="Gruppo A", kind=BoardKind.group, group_id=group.id)
        session.add(board)
        session.add(GroupMember(group_id=group.id, person_id=member.id))
        session.commit()
        stream = f"board:{board.id}"
    outsider = await connect(live_server, room, room.participant.token)
    insider = await connect(live_server, room, member.token)
    staff = await connect(live_server, room, room.secretary.token)
    assert stream not in outsider.welcome["streams"]
    assert stream in insider.welcome["streams"] and stream in staff.welcome["streams"]
    [refused] = await outsider.subscribe(stream)
    assert (refused["type"], refused["code"], refused["stream"]) == ("error", "forbidden", stream)
    assert (await outsider.op(stream, "item.create", {"kind": "note", "x": 0, "y": 0}))["code"] == "forbidden"
    for client in (insider, staff):
        assert (await client.op(stream, "item.create", {"kind": "note", "x": 0, "y": 0}))["type"] == "ack"
    for client in (outsider, insider, staff):
        await client.close()


async def test_close_codes_4401_and_4403(live_server, room):
    url = live_server.ws_url
    # Not a hello first.
    client = await Client.open(url, room.meeting, hello=False)
    await client.send({"type": "subscribe", "stream": "meeting"})
    assert (await client.closed()).code == 4401
    # A bad token, or none.
    for frame in ({"type": "hello", "token": "not-a-token"}, {"type": "hello"}):
        client = await Client.open(url, room.meeting, hello=False)
        await client.send(frame)
        assert (await client.closed()).code == 4401
    # A good token of someone outside this meeting's process, or of a meeting that does not exist.
    other_process = room.client.post("/api/v1/processes", headers=room.world.facilitator.auth,
                                     json={"title": "Altro percorso", "kind": "co-design"}).json()["id"]
    organization = room.client.post(f"/api/v1/processes/{other_process}/organizations",
                                    headers=room.world.facilitator.auth,
                                    json={"name": "Ente", "kind": "public"}).json()["id"]
    invite = room.client.post(f"/api/v1/processes/{other_process}/invites", headers=room.world.facilitator.auth,
                              json={"name": "Estranea", "organization": organization,
                                    "role": "participant"}).json()
    stranger = room.client.post("/api/v1/join", json={"invite": invite["invite"]}).json()["token"]
    for meeting in (room.meeting, 999999):
        client = await Client.open(url, meeting, hello=False)
        await client.send({"type": "hello", "token": stranger if meeting == room.meeting else room.participant.token})
        assert (await client.closed()).code == 4403
    # An invite limited to another meeting.
    other_meeting = room.client.post(
        f"/api/v1/processes/{room.process}/meetings", headers=room.world.facilitator.auth,
        json={"title": "Secondo", "starts_at": "2026-12-15T14:00:00Z", "mode": "online", "agenda": []},
    ).json()["id"]
    limited = room.client.post(f"/api/v1/processes/{room.process}/invites", headers=room.world.facilitator.auth,
                               json={"name": "Solo il secondo", "role": "participant", "meetings": [other_meeting],
                                     "organization": room.world.organizations["health"]}).json()
    token = room.client.post("/api/v1/join", json={"invite": limited["invite"]}).json()["token"]
    client = await Client.open(url, room.meeting, hello=False)
    await client.send({"type": "hello", "token": token})
    assert (await client.closed()).code == 4403
    welcome = await Client.open(url, other_meeting, token)
    assert welcome.welcome["meeting"]["id"] == other_meeting
    await welcome.close()


async def test_cookie_connections_need_our_origin(live_server, room):
    cookie = {"Cookie": f"tavolo_session={room.participant.token}"}
    client = await Client.open(live_server.ws_url, room.meeting, hello=False, headers=cookie,
                               origin="https://evil.example.com")
    await client.send({"type": "hello"})
    assert (await client.closed()).code == 4403
    client = await Client.open(live_server.ws_url, room.meeting, headers=cookie, origin=live_server.url)
    assert client.welcome["participant"]["id"] == room.participant.id
    await client.close()


@pytest.mark.parametrize(("lang", "message"), [
    ("en", "Unknown op 'item.launch'"),
    ("it", "Operazione sconosciuta: «item.launch»"),
    (None, "Operazione sconosciuta: «item.launch»"),  # Italian unless chosen otherwise
])
async def test_errors_are_written_in_the_chosen_language(live_server, room, lang, message):
    client = await connect(live_server, room, room.participant.token, lang=lang)
    error = await client.op(room.board, "item.launch", {})
    assert (error["code"], error["message"]) == ("bad_request", message)
    await client.close()


async def test_replays_come_in_batch_frames_unwrapped_in_order(live_server, room):
    writer = await connect(live_server, room, room.facilitator.token)
    ids = [new_op_id() for _ in range(30)]
    for index, op_id in enumerate(ids):
        await writer.send({"type": "op", "id": op_id, "stream": room.board, "name": "item.create",
                           "data": {"kind": "note", "x": index, "y": 0}})
    for op_id in ids:
        assert (await writer.answer(op_id))["type"] == "ack"
    reader = await connect(live_server, room, room.participant.token)
    frames = await reader.subscribe(room.board, since=1)
    assert [f["type"] for f in frames] == ["event"] * 29 + ["synced"]
    assert [f["seq"] for f in frames] == list(range(2, 31)) + [30]
    assert reader.batches >= 1
    for client in (writer, reader):
        await client.close()

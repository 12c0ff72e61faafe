"""A whole facilitated session over real websockets, on SQLite and PostgreSQL: a facilitator
and twelve participants from six organisations of three kinds; a guiding question; balanced
groups, each on its own board; what participants may not do; dot voting with a budget;
private notes until the reveal; back to the plenary. At the end, each client's model of the
meeting (snapshot plus every event) equals a fresh snapshot.

No sleeps: every wait is for a frame.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass

import pytest

from tests.realtime.support import BoardModel, Client

# Facilitator-only ops and plausible data: a participant gets `forbidden` for each.
FACILITATOR_BOARD_OPS = {
    "template.apply": {"template": "swot"}, "voting.start": {"budget": 3}, "voting.end": {},
    "private.start": {}, "private.reveal": {}, "board.lock": {}, "board.unlock": {},
}
FACILITATOR_MEETING_OPS = {
    "meeting.start": {}, "meeting.end": {}, "prompt.open": {"text": "Io?"}, "prompt.close": {"prompt": 1},
    "groups.create": {"strategy": "random", "count": 2}, "groups.assign": {"participant": 1, "group": 1},
    "groups.start": {}, "groups.end": {}, "timer.start": {"seconds": 60}, "timer.stop": {},
    "summon": {"board": 1, "x": 0, "y": 0, "zoom": 1}, "message.broadcast": {"text": "Ciao"},
    "board.create": {"title": "Mia"}, "line.promote": {"board": 1, "frame": 1, "title": "Linea"},
    "participant.remove": {"participant": 1},
}
STAFF_MEETING_OPS = {
    "decision.record": {"text": "x", "method": "consensus", "outcome": "ok"},
    "action.add": {"text": "x", "owner": 1}, "action.update": {"action": 1, "status": "done"},
}


@dataclass
class Member:
    id: int
    token: str
    organization: int
    kind: str


@pytest.fixture
def twelve(room) -> list[Member]:
    """Twelve participants of the room's process, two from each of six organisations of
    three kinds, invited through the API."""
    auth = room.world.facilitator.auth
    organizations = [(room.world.organizations[kind], kind) for kind in ("public", "health", "third_sector")]
    for name, kind in [("Comune di Abano Terme", "public"), ("Consultorio familiare", "health"),
                       ("Associazione Porte Aperte", "third_sector")]:
        answer = room.client.post(f"/api/v1/processes/{room.process}/organizations", headers=auth,
                                  json={"name": name, "kind": kind})
        assert answer.status_code == 201, answer.text
        organizations.append((answer.json()["id"], kind))
    members = []
    for organization, kind in organizations:
        for n in (1, 2):
            invite = room.client.post(f"/api/v1/processes/{room.process}/invites", headers=auth,
                                      json={"name": f"Persona {organization}-{n}", "organization": organization,
                                            "role": "participant"}).json()
            joined = room.client.post("/api/v1/join", json={"invite": invite["invite"]}).json()
            members.append(Member(joined["participant"]["id"], joined["token"], organization, kind))
    return members


async def follow(client: Client, stream: str, me: int) -> BoardModel:
    model = BoardModel(me=me)
    for frame in await client.subscribe(stream):
        model.apply(frame)
    return model


async def catch_up(client: Client, stream: str, model: BoardModel, seq: int) -> None:
    for event in await client.events_until(stream, seq):
        model.apply(event)


async def test_a_whole_facilitated_session(live_server, room, twelve):
    url, meeting = live_server.ws_url, room.meeting
    staff = await Client.open(url, meeting, room.facilitator.token)
    secretary = await Client.open(url, meeting, room.secretary.token)
    people = await asyncio.gather(*[Client.open(url, meeting, m.token) for m in twelve])
    member_of = {m.id: (m, client) for m, client in zip(twelve, people)}
    models = {room.facilitator.id: await follow(staff, "meeting", room.facilitator.id)}
    for m, client in zip(twelve, people):
        models[m.id] = await follow(client, "meeting", m.id)
    assert models[twelve[0].id].rest["meeting"]["state"] == "scheduled"

    # The meeting starts: everyone connected is recorded as present.
    started = await staff.op("meeting", "meeting.start", {})
    assert started["type"] == "ack" and set(started["result"]) == {"at"}
    for person, model in models.items():
        client = staff if person == room.facilitator.id else member_of[person][1]
        await catch_up(client, "meeting", model, started["seq"])
    expected_present = sorted([room.facilitator.id, room.secretary.id, *(m.id for m in twelve)])
    assert all(model.rest["present"] == expected_present for model in models.values())
    assert models[twelve[5].id].rest["meeting"]["chair"] == room.facilitator.id

    # A guiding question, seen by everyone.
    opened = await staff.op("meeting", "prompt.open", {"text": "Di che cosa hanno bisogno le persone senza dimora?"})
    prompt = opened["result"]["prompt"]["id"]
    # Balanced groups: four of three, each mixing kinds, no organisation twice in a group.
    made = await staff.op("meeting", "groups.create", {"strategy": "balanced", "count": 4})
    assert made["type"] == "ack", made
    groups = made["result"]["groups"]
    assert sorted(p for g in groups for p in g["members"]) == sorted(m.id for m in twelve)
    for group in groups:
        members = [member_of[p][0] for p in group["members"]]
        assert len(members) == 3
        assert len({m.kind for m in members}) >= 2
        assert max(Counter(m.organization for m in members).values()) == 1
    started_groups = await staff.op("meeting", "groups.start", {})
    for person, model in models.items():
        client = staff if person == room.facilitator.id else member_of[person][1]
        await catch_up(client, "meeting", model, started_groups["seq"])
        assert model.rest["running"] is True and model.rest["prompts"][0]["open"] is True
    group_of = {p: g for g in groups for p in g["members"]}

    # A new connection's welcome lists the group board; the other groups' boards are not there.
    again = await Client.open(url, meeting, twelve[0].token)
    mine, theirs = group_of[twelve[0].id], next(g for g in groups if twelve[0].id not in g["members"])
    assert f"board:{mine['board']}" in again.welcome["streams"]
    assert f"board:{theirs['board']}" not in again.welcome["streams"]
    await again.close()

    # Everyone posts a note on their group board, answering the question.
    boards = {m.id: f"board:{group_of[m.id]['board']}" for m in twelve}
    board_models = {}
    for m, client in zip(twelve, people):
        board_models[m.id] = await follow(client, boards[m.id], m.id)

    async def post(m: Member, client: Client) -> dict:
        return await client.op(boards[m.id], "item.create", {"kind": "note", "x": 0, "y": 0, "prompt": prompt,
                                                             "text": f"Idea di {m.id}"})

    acks = await asyncio.gather(*[post(m, client) for m, client in zip(twelve, people)])
    assert all(ack["type"] == "ack" and ack["result"]["item"]["prompt"] == prompt for ack in acks)
    notes = {m.id: ack["result"]["item"]["id"] for m, ack in zip(twelve, acks)}

    # What a participant may not do: another group's board, and every facilitator op.
    outsider, client = twelve[0], people[0]
    other_board = f"board:{theirs['board']}"
    [refused] = await client.subscribe(other_board)
    assert (refused["type"], refused["code"]) == ("error", "forbidden")
    for name, data in [("item.create", {"kind": "note", "x": 0, "y": 0}),
                       ("comment.add", {"item": notes[theirs["members"][0]], "text": "intrusione"}),
                       ("item.move", {"item": notes[theirs["members"][0]], "x": 5, "y": 5})]:
        assert (await client.op(other_board, name, data))["code"] == "forbidden", name
    for name, data in FACILITATOR_BOARD_OPS.items():
        assert (await client.op(boards[outsider.id], name, data))["code"] == "forbidden", name
    for name, data in {**FACILITATOR_MEETING_OPS, **STAFF_MEETING_OPS}.items():
        assert (await client.op("meeting", name, data))["code"] == "forbidden", name

    # Dot voting on the first group's board, budget 3: the fourth vote is refused; the
    # ballot is secret until the end; the results count every vote.
    voters_group = groups[0]
    board = f"board:{voters_group['board']}"
    voters = [member_of[p] for p in voters_group["members"]]
    watch = {"staff": await follow(staff, board, room.facilitator.id),
             "secretary": await follow(secretary, board, room.secretary.id)}
    assert (await staff.op(board, "voting.start", {"budget": 3}))["type"] == "ack"
    (first, first_client), (second, second_client), (third, third_client) = voters
    a, b = notes[first.id], notes[second.id]
    for item in (a, a, b):
        assert (await first_client.op(board, "vote.cast", {"item": item}))["type"] == "ack"
    exhausted = await first_client.op(board, "vote.cast", {"item": b})
    assert exhausted["code"] == "budget_exhausted" and exhausted["message"]
    assert (await second_client.op(board, "vote.cast", {"item": b}))["type"] == "ack"
    last = await third_client.op(board, "vote.cast", {"item": a})
    retracted = await third_client.op(board, "vote.retract", {"item": a})
    assert retracted["result"] == {"item": a}
    # What each saw of the first voter's votes.
    for m, client in voters:
        await catch_up(client, board, board_models[m.id], retracted["seq"])
    first_view = [e for e in first_client.frames if e.get("stream") == board and e.get("name") == "vote.cast"]
    assert [e["data"]["item"] for e in first_view[:3]] == [a, a, b]
    second_view = [e for e in second_client.frames if e.get("stream") == board and e.get("name") == "vote.cast"]
    assert [(e["data"]["item"], e["actor"]) for e in second_view] == [(None, None)] * 3 + [
        (b, {"participant": second.id, "organization": second.organization}), (None, None)]
    for who, client in (("staff", staff), ("secretary", secretary)):
        await catch_up(client, board, watch[who], retracted["seq"])
    staff_votes = [e for e in staff.frames if e.get("stream") == board and e.get("name", "").startswith("vote.")]
    secretary_votes = [e for e in secretary.frames
                       if e.get("stream") == board and e.get("name", "").startswith("vote.")]
    assert [e["data"]["item"] for e in staff_votes] == [a, a, b, b, a, a]
    assert {(e["data"]["item"], e["actor"], e["op"]) for e in secretary_votes} == {(None, None, None)}
    assert [e["seq"] for e in secretary_votes] == [e["seq"] for e in staff_votes]  # no gaps
    assert board_models[first.id].rest["voting"] == {"budget": 3, "my_votes": [a, a, b]}
    assert last["type"] == "ack"
    ended = await staff.op(board, "voting.end", {})
    assert ended["result"]["results"] == [{"item": item, "votes": 2, "rank": 1} for item in sorted((a, b))]

    # Private notes on the second group's board: redacted for the others until the reveal.
    private_group = groups[1]
    board = f"board:{private_group['board']}"
    (author, author_client), (other, other_client), _ = [member_of[p] for p in private_group["members"]]
    watch["secretary"] = await follow(secretary, board, room.secretary.id)
    assert (await staff.op(board, "private.start", {}))["type"] == "ack"
    hidden = await author_client.op(board, "item.create", {"kind": "note", "x": 9, "y": 9, "text": "Un'idea segreta"})
    assert hidden["result"]["item"]["text"] == "Un'idea segreta"
    hidden_id = hidden["result"]["item"]["id"]
    seen = await other_client.take(lambda f: f.get("name") == "item.created" and f["stream"] == board
                                   and f["data"]["item"]["id"] == hidden_id)
    assert (seen["data"]["item"]["text"], seen["data"]["item"]["redacted"]) == (None, True)
    assert seen["seq"] == hidden["seq"]
    late = await Client.open(url, meeting, other.token)
    fresh = await follow(late, board, other.id)  # snapshots redact too
    assert (fresh.items[hidden_id]["text"], fresh.items[hidden_id]["redacted"]) == (None, True)
    by_staff = await secretary.take(lambda f: f.get("name") == "item.created" and f.get("stream") == board
                                    and f["data"]["item"]["id"] == hidden_id)
    assert by_staff["data"]["item"]["text"] == "Un'idea segreta"
    revealed = await staff.op(board, "private.reveal", {})
    shown = await other_client.take(lambda f: f.get("name") == "private.revealed" and f["stream"] == board)
    assert [(i["id"], i["text"]) for i in shown["data"]["items"]] == [(hidden_id, "Un'idea segreta")]
    await catch_up(late, board, fresh, revealed["seq"])
    assert fresh.items[hidden_id]["text"] == "Un'idea segreta" and "redacted" not in fresh.items[hidden_id]
    await late.close()

    # Groups end: everyone is back on the plenary, where they write again.
    ended_groups = await staff.op("meeting", "groups.end", {})
    plenary_acks = await asyncio.gather(*[
        client.op(room.board, "item.create", {"kind": "note", "x": 1, "y": 1, "text": "In plenaria"})
        for client in people])
    assert all(ack["type"] == "ack" for ack in plenary_acks)
    for person, model in models.items():
        client = staff if person == room.facilitator.id else member_of[person][1]
        await catch_up(client, "meeting", model, ended_groups["seq"])
        assert model.rest["running"] is False
    # The groups' boards stay readable by everyone for reporting back, not writable.
    [snapshot, synced] = await people[0].subscribe(other_board)
    assert (snapshot["type"], synced["type"]) == ("snapshot", "synced")
    assert (await people[0].op(other_board, "item.create", {"kind": "note", "x": 0, "y": 0}))["code"] == "forbidden"

    # Every model (a snapshot and the events since) equals a fresh snapshot, read on a new
    # connection of the same person.
    tokens = {room.facilitator.id: room.facilitator.token, **{m.id: m.token for m in twelve}}
    checks = [(person, "meeting", models[person]) for person in list(models)[:4]]
    checks += [(m.id, boards[m.id], board_models[m.id]) for m, _ in [*voters, (author, None)]]
    for person, stream, model in checks:
        client = staff if person == room.facilitator.id else member_of[person][1]
        viewer = await Client.open(url, meeting, tokens[person])
        head = await follow(viewer, stream, person)
        await viewer.close()
        if model.seq < head.seq:
            await catch_up(client, stream, model, head.seq)
        assert model.state() == head.state(), (person, stream)
    for client in [staff, secretary, *people]:
        await client.close()

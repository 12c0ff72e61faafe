"""Property: whatever several clients do at once, each ends with the server's snapshot.

Random plans of board ops run concurrently from three connections (two of them allowed to
change only their own items, so refusals happen too); every client applies the events it
receives to the state it subscribed to, and must end with exactly the board that a fresh
fetch returns. Bounded to a few examples per backend so that it runs in seconds.
"""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.realtime.support import BoardModel, Client, drain

coordinates = st.integers(min_value=-500, max_value=500)
texts = st.text(alphabet='abcèé €\n"<>', max_size=12)
steps = st.one_of(
    st.tuples(st.just("create"), st.sampled_from(["note", "frame", "text"]), coordinates, coordinates, texts),
    st.tuples(st.just("move"), st.integers(0, 50), coordinates, coordinates),
    st.tuples(st.just("text"), st.integers(0, 50), texts),
    st.tuples(st.just("color"), st.integers(0, 50), st.sampled_from(["yellow", "blue", "#ff8800"])),
    st.tuples(st.just("frame"), st.integers(0, 50), st.integers(0, 50)),
    st.tuples(st.just("delete"), st.integers(0, 50)),
    st.tuples(st.just("comment"), st.integers(0, 50), texts),
)
plans = st.lists(st.lists(steps, min_size=1, max_size=12), min_size=3, max_size=3)


def to_op(step: tuple, model: BoardModel) -> tuple[str, dict]:
    ids = sorted(model.items)
    if step[0] == "create" or not ids:
        kind, x, y, text = step[1:] if step[0] == "create" else ("note", 0, 0, "")
        return "item.create", {"kind": kind, "x": x, "y": y, "text": text}
    target = ids[step[1] % len(ids)]
    if step[0] == "move":
        return "item.move", {"item": target, "x": step[2], "y": step[3]}
    if step[0] == "text":
        return "item.update", {"item": target, "text": step[2]}
    if step[0] == "color":
        return "item.update", {"item": target, "color": step[2]}
    if step[0] == "frame":
        frames = sorted(i for i, item in model.items.items() if item["kind"] == "frame")
        return "item.update", {"item": target, "frame": frames[step[2] % len(frames)] if frames else None}
    if step[0] == "delete":
        return "item.delete", {"item": target}
    return "comment.add", {"item": target, "text": step[2] or "ok"}


async def play(live_server, room, board: int, plan_per_client: list[list[tuple]]) -> None:
    stream = f"board:{board}"
    tokens = [room.facilitator.token, room.participant.token, room.secretary.token]
    clients = [await Client.open(live_server.ws_url, room.meeting, token) for token in tokens]
    models = [BoardModel() for _ in clients]
    for client, model in zip(clients, models):
        for frame in await client.subscribe(stream):
            model.apply(frame)

    async def run(client: Client, model: BoardModel, plan: list[tuple]) -> None:
        for step in plan:
            drain(client, stream, model)
            name, data = to_op(step, model)
            answer = await client.op(stream, name, data)
            assert answer["type"] == "ack" or answer["code"] in ("not_found", "forbidden", "bad_request"), answer

    await asyncio.gather(*[run(c, m, p) for c, m, p in zip(clients, models, plan_per_client)])
    fresh = room.client.get(f"/api/v1/boards/{board}", headers=room.world.facilitator.auth).json()
    for client, model in zip(clients, models):
        drain(client, stream, model)
        if model.seq < fresh["seq"]:
            for frame in await client.events_until(stream, fresh["seq"]):
                model.apply(frame)
        assert model.seq == fresh["seq"]
        assert model.state()["items"] == fresh["items"]
        assert model.state()["comments"] == fresh["comments"]
        await client.close()


@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plan_per_client=plans)
def test_random_concurrent_ops_converge_to_the_server_snapshot(live_server, room, plan_per_client):
    board = room.new_board("Proprietà")
    asyncio.run(play(live_server, room, board, plan_per_client))

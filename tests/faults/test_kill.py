"""`kill -9` of the one server process of a meeting (no Redis), on SQLite and PostgreSQL,
while two clients write: every acknowledged op survives, clients come back with `since`,
and ops resent with the same id are applied once.

With Redis and two processes the same is proven by
tests/realtime/test_fanout_redis.py::test_killing_a_process_loses_no_acknowledged_op.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.faults.support import Server, catch_up, subscribed
from tests.realtime.support import Client, new_op_id


@pytest.fixture
def server(server_env):
    server = Server.start(server_env)
    yield server
    server.stop()


def board_over_http(room) -> dict:
    answer = room.client.get(f"/api/v1/boards/{room.plenary}", headers=room.world.facilitator.auth)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_sigkill_mid_session_loses_no_acknowledged_op_and_duplicates_nothing(server, room):
    writers = {room.facilitator.token: "facilitatore", room.participant.token: "partecipante"}
    clients, models, texts = {}, {}, {}
    for token, who in writers.items():
        clients[token], models[token] = await subscribed(server.ws_url, room.meeting, room.board, token)
        texts[token] = {new_op_id(): f"{who} {n}" for n in range(30)}
    # Both write, pipelined, without waiting for answers: the kill comes while ops are in
    # flight, some committed and acknowledged, some not yet read by the server.
    for token, ops in texts.items():
        for op_id, text in ops.items():
            await clients[token].send({"type": "op", "id": op_id, "stream": room.board,
                                       "name": "item.create",
                                       "data": {"kind": "note", "x": 0, "y": 0, "text": text}})
    for token, ops in texts.items():
        for op_id in list(ops)[:10]:
            assert (await clients[token].answer(op_id))["type"] == "ack"
    server.kill()
    acks = {}
    for token, client in clients.items():
        await client.closed()
        acks[token] = {f["id"]: f for f in client.frames if f["type"] == "ack"}
        assert len(acks[token]) >= 10
    on_board = [item["text"] for item in board_over_http(room)["items"]]
    for token, ops in texts.items():
        assert {ops[op_id] for op_id in acks[token]} <= set(on_board), "an acknowledged op was lost"
    assert len(on_board) == len(set(on_board)), "nothing is on the board twice"

    server.restart()
    back = {}
    for token, client in clients.items():
        # What arrived before the kill, then the rest from the event log with `since`.
        for frame in [f for f in client.frames if f["type"] == "event"]:
            models[token].apply(frame)
        back[token] = await Client.open(server.ws_url, room.meeting, token)
        frames = await back[token].subscribe(room.board, since=models[token].seq)
        assert {f["type"] for f in frames} <= {"event", "synced"}, "a replay, not a snapshot"
        for frame in frames:
            models[token].apply(frame)

    async def resend(token: str) -> None:
        """Every op again, with its id: the acknowledged ones get their original ack."""
        for op_id, text in texts[token].items():
            answer = await back[token].op(room.board, "item.create",
                                          {"kind": "note", "x": 0, "y": 0, "text": text}, op_id=op_id)
            assert answer["type"] == "ack", answer
            if op_id in acks[token]:
                assert (answer["seq"], answer["result"]) == (acks[token][op_id]["seq"],
                                                             acks[token][op_id]["result"])

    await asyncio.gather(*[resend(token) for token in writers])
    fresh = board_over_http(room)
    assert sorted(item["text"] for item in fresh["items"]) == sorted(
        text for ops in texts.values() for text in ops.values())
    assert fresh["seq"] == 60, "each op made exactly one event"
    for token in writers:
        await catch_up(back[token], models[token], room.board, fresh["seq"])
        assert models[token].state()["items"] == fresh["items"]
        await back[token].close()
    # A newcomer's snapshot agrees with the clients that replayed.
    newcomer, model = await subscribed(server.ws_url, room.meeting, room.board, room.observer.token)
    assert model.seq == fresh["seq"] and model.state()["items"] == fresh["items"]
    await newcomer.close()

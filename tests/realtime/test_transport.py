"""The websocket transport over a real socket, with a uvicorn in this process so that the
hub's queue can be made small: a client that stops reading is closed with 4408 while the
others get everything."""

from __future__ import annotations

import asyncio
import json
import socket

import pytest
import uvicorn
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from app.main import create_app
from realtime import hub as hub_module
from realtime.ratelimit import TokenBucket
from realtime.wsserver import WebSocketProtocol
from tests.conftest import free_port
from tests.realtime.support import BoardModel, Client

# Small enough to overflow quickly once the socket's buffers are full.
QUEUE = 20


@pytest.fixture
async def small_queue_server(settings, monkeypatch):
    # The writer of this test goes faster than the rate limit allows anyone.
    monkeypatch.setattr(hub_module, "ops_bucket", lambda: TokenBucket(rate=1e6, burst=10**6))
    app = create_app(settings)
    app.state.hub.outbox_limits = {"max_frames": QUEUE, "max_bytes": 1024 * 1024}
    port = free_port()
    # Small kernel buffers on the server side too (accepted sockets inherit them).
    listening = socket.socket()
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    listening.bind(("127.0.0.1", port))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", ws_ping_interval=None,
                                          ws=WebSocketProtocol))
    task = asyncio.create_task(server.serve(sockets=[listening]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)  # polling a server that is starting: there is no event to await
    yield f"ws://127.0.0.1:{port}", app.state.hub
    server.should_exit = True
    await task


async def test_a_client_that_stops_reading_is_closed_4408_and_slows_nobody(small_queue_server, room):
    url, hub = small_queue_server

    def stalled_is_closing() -> bool:
        connections = hub._rooms[room.meeting].people.get(room.observer.id, ())
        return all(connection.closing for connection in connections)

    # A receive buffer of a few kilobytes, a client library that stops reading at once, and
    # no compression (the events below would shrink to nothing).
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", int(url.rsplit(":", 1)[1])))
    sock.setblocking(False)
    stalled = await connect(f"{url}/ws/meetings/{room.meeting}", sock=sock, max_queue=1, compression=None)
    await stalled.send(json.dumps({"type": "hello", "token": room.observer.token}))
    assert json.loads(await stalled.recv())["type"] == "welcome"
    await stalled.send(json.dumps({"type": "subscribe", "stream": room.board}))
    assert "synced" in await stalled.recv()  # snapshot and synced, in one batch
    # From here on the stalled client reads nothing.
    reader = await Client.open(url, room.meeting, room.participant.token)
    model = BoardModel()
    for frame in await reader.subscribe(room.board):
        model.apply(frame)
    writer = await Client.open(url, room.meeting, room.facilitator.token)
    text = "parola " * 280  # events of about 2 kB: the socket's buffers fill up sooner
    note = await writer.op(room.board, "item.create", {"kind": "note", "x": 0, "y": 0, "text": "x"})
    seq = note["seq"]
    for _ in range(1000):
        answer = await writer.op(room.board, "comment.add", {"item": note["result"]["item"]["id"], "text": text})
        assert answer["type"] == "ack", answer
        seq = answer["seq"]
        if stalled_is_closing():
            break
        if len(reader.unread) > 50:
            for frame in [f for f in reader.unread if f["type"] == "event"]:
                reader.unread.remove(frame)
                model.apply(frame)
    assert stalled_is_closing()
    # The stalled client reads again: what was in flight, then the close frame.
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await asyncio.wait_for(stalled.recv(), 10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4408
    for frame in await reader.events_until(room.board, seq):
        model.apply(frame)
    assert model.seq == seq
    for client in (reader, writer):
        await client.close()


async def test_a_path_that_is_not_a_meeting_id_is_refused_at_the_handshake(live_server):
    with pytest.raises(InvalidStatus) as refused:
        await connect(f"{live_server.ws_url}/ws/meetings/abc")
    assert refused.value.response.status_code == 403

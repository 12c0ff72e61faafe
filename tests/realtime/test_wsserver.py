"""permessage-deflate as `tavolo serve` negotiates it (realtime/wsserver.py), for what
Chromium and the websockets library offer, for what Firefox offers, and without it."""

from __future__ import annotations

from websockets.asyncio.client import connect
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory, PerMessageDeflate

from tests.realtime.support import MAX_SERVER_FRAME, TIMEOUT, Client


async def open_with(live_server, room, extensions: list) -> Client:
    ws = await connect(f"{live_server.ws_url}/ws/meetings/{room.meeting}", compression=None,
                       extensions=extensions or None, max_size=MAX_SERVER_FRAME, open_timeout=TIMEOUT)
    client = Client(ws)
    await client.send({"type": "hello", "client": "tests/1", "token": room.participant.token})
    client.welcome = await client.take(lambda f: f["type"] == "welcome")
    return client


async def test_a_small_compressor_and_no_decompressor_kept_between_messages(live_server, room):
    # Chromium offers "permessage-deflate; client_max_window_bits", as websockets does.
    client = await open_with(live_server, room, [ClientPerMessageDeflateFactory(client_max_window_bits=True)])
    assert client.ws.response.headers["Sec-WebSocket-Extensions"] == (
        "permessage-deflate; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=10")
    [deflate] = client.ws.protocol.extensions
    assert isinstance(deflate, PerMessageDeflate)
    # Frames go both ways compressed: a subscription's snapshot, an op and its ack.
    await client.subscribe(room.board)
    ack = await client.op(room.board, "item.create", {"kind": "note", "x": 0, "y": 0, "text": "compressa " * 50})
    assert ack["type"] == "ack"
    await client.close()


async def test_a_client_that_does_not_offer_a_window_size_keeps_its_own(live_server, room):
    # Firefox offers "permessage-deflate" alone: the server may not choose the client's
    # window, but it may still ask it to compress each message on its own.
    client = await open_with(live_server, room, [ClientPerMessageDeflateFactory(client_max_window_bits=None)])
    assert client.ws.response.headers["Sec-WebSocket-Extensions"] == (
        "permessage-deflate; client_no_context_takeover; server_max_window_bits=10")
    await client.subscribe(room.board)
    ack = await client.op(room.board, "item.create", {"kind": "note", "x": 0, "y": 0, "text": "ancora " * 50})
    assert ack["type"] == "ack"
    await client.close()


async def test_without_an_offer_nothing_is_compressed(live_server, room):
    client = await open_with(live_server, room, [])
    assert "Sec-WebSocket-Extensions" not in client.ws.response.headers
    assert client.ws.protocol.extensions == []
    await client.close()

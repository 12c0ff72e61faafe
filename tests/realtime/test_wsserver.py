"""The websocket protocol `tavolo serve` uses (realtime/wsserver.py): permessage-deflate as
it negotiates it, for what Chromium and the websockets library offer, for what Firefox
offers, and without it; the direct send and the read-ahead, on the protocol alone."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest
from uvicorn.config import Config
from uvicorn.protocols.utils import ClientDisconnected
from uvicorn.server import ServerState
from websockets.asyncio.client import connect
from websockets.client import ClientProtocol
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory, PerMessageDeflate

from websockets.uri import parse_uri

from realtime.wsserver import READ_AHEAD, EXTENSION, WebSocketProtocol
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


class Transport(asyncio.Transport):
    """What the server writes, and whether it paused reading."""

    def __init__(self) -> None:
        super().__init__()
        self.written = bytearray()
        self.paused = False

    def write(self, data: bytes) -> None:
        self.written += data

    def take(self) -> bytes:
        data, self.written = bytes(self.written), bytearray()
        return data

    def pause_reading(self) -> None:
        self.paused = True

    def resume_reading(self) -> None:
        self.paused = False

    def is_closing(self) -> bool:
        return False

    def close(self) -> None:
        pass

    def get_extra_info(self, name, default=None):
        return default


@dataclass
class Accepted:
    """The protocol alone, its handshake done with a sans-I/O client, and the application's
    side of the socket: its scope and its ASGI `receive`."""

    server: WebSocketProtocol
    transport: Transport
    client: ClientProtocol
    scope: dict
    receive: object
    release: asyncio.Event

    def send(self, text: str) -> None:
        """A text message from the client, read by the server."""
        self.client.send_text(text.encode())
        self.server.data_received(b"".join(self.client.data_to_send()))

    def close(self) -> None:
        self.release.set()
        self.server.connection_lost(None)


async def accept() -> Accepted:
    accepted, release = asyncio.Event(), asyncio.Event()
    scopes = []

    async def app(scope, receive, send):
        await receive()
        await send({"type": "websocket.accept"})
        scopes.append((scope, receive))
        accepted.set()
        await release.wait()

    config = Config(app=app, ws=WebSocketProtocol, lifespan="off", log_level="warning")
    config.load()
    server = WebSocketProtocol(config, ServerState(), {})
    transport = Transport()
    server.connection_made(transport)
    client = ClientProtocol(parse_uri("ws://testserver/ws"))
    client.send_request(client.connect())
    server.data_received(b"".join(client.data_to_send()))
    await asyncio.wait_for(accepted.wait(), TIMEOUT)
    client.receive_data(transport.take())
    [response] = client.events_received()
    assert response.status_code == 101
    [(scope, receive)] = scopes
    return Accepted(server, transport, client, scope, receive, release)


async def test_text_goes_out_below_asgi_and_reading_pauses_only_after_a_backlog():
    socket = await accept()
    send_text = socket.scope["extensions"][EXTENSION]["send_text"]
    # Framed by hand (no compression was negotiated): each of the three length encodings.
    texts = ["ciao 👋", "è" * 200, "x" * 70_000]
    for text in texts:
        await send_text(text)
    socket.client.receive_data(socket.transport.take())
    assert [frame.data.decode() for frame in socket.client.events_received()] == texts

    for count in range(1, READ_AHEAD + 1):
        socket.send(f"cursore {count}")
        assert socket.transport.paused == (count == READ_AHEAD), count
    messages = [await socket.receive() for _ in range(READ_AHEAD)]
    assert [m["text"] for m in messages] == [f"cursore {count}" for count in range(1, READ_AHEAD + 1)]
    assert not socket.transport.paused

    socket.close()
    with pytest.raises(ClientDisconnected):
        await send_text("troppo tardi")


async def test_a_text_handler_takes_what_it_accepts_while_the_reader_waits():
    socket = await accept()
    handled = []

    def handle(text: str) -> bool:
        if text.startswith("cursore"):
            handled.append(text)
            return True
        return False

    socket.scope["extensions"][EXTENSION]["handle_text"](handle)
    # Nobody waits for a message yet: queued, the handler is not asked.
    socket.send("cursore 1")
    assert handled == [] and (await socket.receive())["text"] == "cursore 1"
    reading = asyncio.ensure_future(socket.receive())
    await asyncio.sleep(0)  # the reader is now waiting
    socket.send("cursore 2 👋")
    assert handled == ["cursore 2 👋"] and not reading.done()
    socket.send("op")  # refused by the handler: the reader gets it
    assert (await asyncio.wait_for(reading, TIMEOUT))["text"] == "op"
    socket.scope["extensions"][EXTENSION]["handle_text"](None)
    reading = asyncio.ensure_future(socket.receive())
    await asyncio.sleep(0)
    socket.send("cursore 3")
    assert (await asyncio.wait_for(reading, TIMEOUT))["text"] == "cursore 3" and handled == ["cursore 2 👋"]
    socket.close()

"""uvicorn's websocket protocol as Tavolo serves it: permessage-deflate sized for hundreds of
mostly idle connections, fewer objects kept per connection once the handshake is over, and
less work per message.

`tavolo serve` passes `WebSocketProtocol` to uvicorn (`ws=`); tests that start a uvicorn of
their own do the same. What each choice saves: docs/performance.md ("Memory per idle
connection").
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.utils import ClientDisconnected
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory
from websockets.protocol import OPEN

# Browsers always offer permessage-deflate, and it matters on poor connections. The server's
# compressor keeps its window between messages (context takeover): that is what shrinks
# small frames, an event to a quarter of its size instead of 71% alone. A 1 KiB window and
# memLevel 2 make it about 12 KiB per connection instead of uvicorn's 37 KiB (4 KiB window,
# memLevel 5); events come out as small (25% of their size), cursor batches at 19% instead
# of 12%. Clients' messages (hellos, ops, cursor moves) are few and small: each is
# decompressed on its own (client_no_context_takeover), so an idle connection holds no
# decompressor at all, and a 1 KiB window bounds the one a message needs while it is read.
DEFLATE = ServerPerMessageDeflateFactory(
    server_max_window_bits=10,
    client_max_window_bits=10,
    client_no_context_takeover=True,
    compress_settings={"memLevel": 2},
)

# The scope extension through which the endpoint sends text frames without Starlette and
# ASGI's message dicts (`scope["extensions"][EXTENSION]["send_text"]`), receives without
# Starlette (`...["receive"]`, the ASGI receive), and hands the protocol a function that
# handles a text message as it is read (`...["handle_text"](function)`).
EXTENSION = "tavolo.websocket"
# Messages read ahead of the application before reading pauses. uvicorn pauses after each
# one and resumes once it is taken: two system calls per cursor move.
READ_AHEAD = 16


class WebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's "websockets-sansio" protocol with our compression, a lighter footprint, and
    shorter ways to send and read text."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.config.ws_per_message_deflate:
            self.conn.available_extensions = [DEFLATE]
        self.queue = _Inbox()
        self.writable = _Writable()
        # Called with each text message read while the application waits for one and none is
        # queued; True when it handled the message (which is then not queued).
        self.text_handler: Callable[[str], bool] | None = None

    async def send(self, message: Any) -> None:
        await super().send(message)
        if message["type"] == "websocket.accept" and self.handshake_complete:
            # Nothing reads the handshake's request and response again, but websockets'
            # parser keeps the request as a local variable for as long as the socket lasts.
            self.request.headers.clear()
            self.request = self.response = None

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        if self.handshake_initiated and not self.close_sent:
            self.scope["extensions"][EXTENSION] = {"send_text": self.send_text, "receive": self.receive,
                                                   "handle_text": self._set_text_handler}

    def _set_text_handler(self, handler: Callable[[str], bool] | None) -> None:
        self.text_handler = handler

    async def send_text(self, text: str) -> None:
        """`websocket.send` of a text frame once accepted, less the layers of dicts and
        checks around it (a sixth of a message's cost). Raises ClientDisconnected when the
        socket is closed or closing."""
        await self.writable.wait()
        if self.disconnected or self.close_sent or not self.handshake_complete or self.conn.state is not OPEN:
            raise ClientDisconnected()
        payload = text.encode()
        if self.conn.extensions:
            # permessage-deflate: the connection's compressor frames the message.
            self.conn.send_text(payload)
            self.transport.write(b"".join(self.conn.data_to_send()))
        else:
            # A server's frames are not masked: the header is all there is to add.
            self.transport.write(_text_header(len(payload)) + payload)

    def send_receive_event_to_app(self) -> None:
        if (self.text_handler is not None and self.curr_msg_data_type == "text" and len(self.frames) == 1
                and self.queue.awaited() and not self.close_sent):
            # Handled here (a cursor move), it spares the reader task a wake-up and the
            # message its trip through the queue and Starlette.
            try:
                text = self.frames[0].decode()
            except UnicodeDecodeError:
                pass  # uvicorn's path below answers it
            else:
                if self.text_handler(text):
                    self.frames = []
                    return
        paused = self.read_paused
        # uvicorn pauses reading after every message: pretend it is paused already, and
        # pause for real only once READ_AHEAD messages wait.
        self.read_paused = True
        super().send_receive_event_to_app()
        self.read_paused = paused
        if not paused and len(self.queue) >= READ_AHEAD:
            self.read_paused = True
            self.transport.pause_reading()


def _text_header(length: int) -> bytes:
    """A final, unmasked text frame's header (RFC 6455, 5.2)."""
    if length < 126:
        return bytes((0x81, length))
    if length < 1 << 16:
        return struct.pack("!BBH", 0x81, 126, length)
    return struct.pack("!BBQ", 0x81, 127, length)


class _Inbox:
    """The part of `asyncio.Queue` uvicorn uses for received messages, without the three
    deques and the Event a queue allocates up front. One reader at a time, as in ASGI."""

    __slots__ = ("_messages", "_waiter")

    def __init__(self) -> None:
        self._messages: list[Any] = []
        self._waiter: asyncio.Future | None = None

    def put_nowait(self, message: Any) -> None:
        self._messages.append(message)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def empty(self) -> bool:
        return not self._messages

    def __len__(self) -> int:
        return len(self._messages)

    def awaited(self) -> bool:
        """Whether the reader waits for a message, none being queued."""
        return self._waiter is not None and not self._waiter.done()

    async def get(self) -> Any:
        while not self._messages:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        # uvicorn pauses reading while a message waits here: the list stays a few long.
        return self._messages.pop(0)


class _Writable:
    """`asyncio.Event` as uvicorn uses it for "the transport takes more data", without the
    deque of waiters an Event allocates up front: a future exists only while paused."""

    __slots__ = ("_paused",)

    def __init__(self) -> None:
        self._paused: asyncio.Future | None = None

    def set(self) -> None:
        if self._paused is not None:
            self._paused.set_result(None)
            self._paused = None

    def clear(self) -> None:
        if self._paused is None:
            self._paused = asyncio.get_running_loop().create_future()

    async def wait(self) -> None:
        if self._paused is not None:
            # Shielded: a cancelled sender must not cancel the others' wait.
            await asyncio.shield(self._paused)

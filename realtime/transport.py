"""The websocket endpoint, GET /ws/meetings/{meeting_id}: a reader and a writer task around
a `Connection`. Everything else is in the sans-I/O protocol and the hub.

It is a plain Starlette route, not a FastAPI one: FastAPI's dependency machinery and exit
stacks would stay alive as long as the socket, several KiB for each idle connection
(docs/performance.md, "Memory per idle connection").

The writer drains the connection's outbox, several frames at a time as one `batch` frame,
at most 60 messages a second and BURST at once.
When the outbox overflows the writer may be stuck on a client that does not read: it is
cancelled and the socket closed with 4408. See docs/protocol.md ("Queues").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from starlette.websockets import WebSocket

from app.security import SESSION_COOKIE
from realtime.connection import Connection
from realtime.frames import batch
from realtime.outbox import Outbox
from realtime.protocol import HELLO_TIMEOUT
from realtime.ratelimit import TokenBucket
from realtime.wsserver import EXTENSION

log = logging.getLogger(__name__)

# What was queued before an orderly close may take this long to go out.
DRAIN_TIMEOUT = 10.0
# A close frame waits for the socket to be writable for at most this long.
CLOSE_TIMEOUT = 10.0
# At most 60 websocket messages a second per connection (as tldraw does): under load, what
# falls due meanwhile leaves as one `batch`. Up to BURST of them go out back to back, so that
# an event right after a cursor frame is not held back (the breakout's latency), and a
# connection within its budget sets no timer.
MESSAGES_PER_SECOND = 60.0
BURST = 3


# The route's path: the meeting id is a decimal integer, anything else is refused at the
# handshake (HTTP 403), as FastAPI's validation did.
PATH = "/ws/meetings/{meeting_id:int}"


async def endpoint(websocket: WebSocket) -> None:
    """Protocol v1 for one meeting (docs/protocol.md)."""
    hub = websocket.app.state.hub
    await websocket.accept()
    connection = hub.connect(websocket.path_params["meeting_id"],
                             cookie_token=websocket.cookies.get(SESSION_COOKIE),
                             origin=websocket.headers.get("origin"))
    await serve(websocket, connection)


async def serve(websocket: WebSocket, connection: Connection) -> None:
    outbox = connection.outbox
    direct = websocket.scope["extensions"].get(EXTENSION)
    if direct:
        # Cursor moves are handled as the socket reads them, without the reader task.
        direct["handle_text"](connection.receive_presence)
    reader = asyncio.create_task(_read(websocket, connection))
    writer = asyncio.create_task(_write(websocket, outbox))
    try:
        await asyncio.wait({reader, writer, outbox.closing}, return_when=asyncio.FIRST_COMPLETED)
        if outbox.close_code is not None and not _client_gone(reader):
            if outbox.urgent:
                writer.cancel()
                await asyncio.gather(writer, return_exceptions=True)
            else:
                await asyncio.wait({writer}, timeout=DRAIN_TIMEOUT)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(websocket.close(outbox.close_code, outbox.close_reason),
                                       CLOSE_TIMEOUT)
    finally:
        if direct:
            direct["handle_text"](None)
        for task in (reader, writer):
            task.cancel()
        await asyncio.gather(reader, writer, return_exceptions=True)
        await connection.hub.disconnect(connection)


def _client_gone(reader: asyncio.Task) -> bool:
    return reader.done() and (reader.cancelled() or reader.exception() is not None or reader.result())


async def _read(websocket: WebSocket, connection: Connection) -> bool:
    """Feed client frames to the connection; True when the client went away."""
    direct = websocket.scope["extensions"].get(EXTENSION)
    receive = direct["receive"] if direct else websocket.receive
    try:
        message = await asyncio.wait_for(receive(), HELLO_TIMEOUT)
    except TimeoutError:
        await connection.hello_timeout()
        return False
    while message["type"] == "websocket.receive":
        data = message.get("text")
        await connection.receive(data if data is not None else message.get("bytes") or b"")
        if connection.closing:
            return False
        message = await receive()
    return True


async def _write(websocket: WebSocket, outbox: Outbox) -> None:
    direct = websocket.scope["extensions"].get(EXTENSION)
    send_text = direct["send_text"] if direct else websocket.send_text
    messages = TokenBucket(rate=MESSAGES_PER_SECOND, burst=BURST, clock=asyncio.get_running_loop().time)
    while (frames := await outbox.take()) is not None:
        await send_text(frames[0] if len(frames) == 1 else batch(frames))
        messages.take()
        if (delay := messages.delay()) > 0:
            # A timer, not a synchronisation: what is queued meanwhile goes out together.
            await asyncio.sleep(delay)

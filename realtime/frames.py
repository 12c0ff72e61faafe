"""Reading client frames and writing server frames (JSON text), with no I/O.

See docs/protocol.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import orjson

from realtime.errors import _, ProtocolError

# The contract's limit on a client frame, in bytes of UTF-8.
MAX_CLIENT_FRAME = 64 * 1024
# Op ids are stored in OpReceipt.op_id, a 100-character column.
OP_ID_LIMIT = 100
# `client` in hello is for logs only: a name and a version.
CLIENT_NAME_LIMIT = 100
# More selected items than this in one presence frame is not a person selecting.
SELECTION_LIMIT = 200
# Cursors live on the board: the same bound as item coordinates.
CURSOR_LIMIT = 1_000_000


@dataclass(frozen=True)
class Hello:
    token: str | None
    client: str | None
    lang: str | None


@dataclass(frozen=True)
class Subscribe:
    stream: str
    since: int


@dataclass(frozen=True)
class Unsubscribe:
    stream: str


@dataclass(frozen=True)
class Op:
    id: str
    stream: str
    name: str
    data: dict


@dataclass(frozen=True)
class Presence:
    stream: str
    cursor: dict | None
    selection: list[int]


ClientFrame = Hello | Subscribe | Unsubscribe | Op | Presence


def too_large(data: str | bytes) -> bool:
    """Whether a frame is over MAX_CLIENT_FRAME bytes of UTF-8, encoding only when unsure."""
    if isinstance(data, bytes) or len(data) > MAX_CLIENT_FRAME:
        return len(data) > MAX_CLIENT_FRAME
    # A character takes one to four bytes.
    return len(data) * 4 > MAX_CLIENT_FRAME and len(data.encode("utf-8", "surrogatepass")) > MAX_CLIENT_FRAME


def readable_op_id(data: str | bytes) -> str | None:
    """The op id of an oversize frame, when it parses as an op (for `too_large`)."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if isinstance(value, dict) and value.get("type") == "op":
        op_id = value.get("id")
        if isinstance(op_id, str) and 0 < len(op_id) <= OP_ID_LIMIT:
            return op_id
    return None


def decode(data: str | bytes) -> dict:
    """A client frame as a dict with a string `type`. Raises ProtocolError."""
    if too_large(data):
        raise ProtocolError("too_large", _("A frame may be at most {limit} bytes"),
                            op_id=readable_op_id(data), limit=MAX_CLIENT_FRAME)
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise ProtocolError("bad_request", _("A frame must be a JSON object")) from None
    if not isinstance(value, dict):
        raise ProtocolError("bad_request", _("A frame must be a JSON object"))
    if not isinstance(value.get("type"), str):
        raise ProtocolError("bad_request", _("A frame needs a 'type'"))
    return value


def read_hello(value: dict) -> Hello:
    token = value.get("token")
    if token is not None and not isinstance(token, str):
        token = None  # not a token: treated as absent, then refused as unauthenticated
    lang = value.get("lang")
    client = value.get("client")
    return Hello(
        token=token or None,
        # For logs only: a bad one is dropped rather than refused.
        client=client[:CLIENT_NAME_LIMIT] if isinstance(client, str) else None,
        lang=lang.lower() if isinstance(lang, str) else None,
    )


def _stream(value: dict, *, op_id: str | None = None) -> str:
    stream = value.get("stream")
    if not isinstance(stream, str) or not stream:
        raise ProtocolError("bad_request", _("The frame needs a 'stream'"), op_id=op_id)
    return stream


def read_subscribe(value: dict) -> Subscribe:
    stream = _stream(value)
    since = value.get("since")
    if since is None:
        since = 0
    if isinstance(since, bool) or not isinstance(since, int) or since < 0:
        raise ProtocolError("bad_request", _("'since' must be a sequence number (0 or more)"),
                            stream=stream)
    return Subscribe(stream=stream, since=since)


def read_unsubscribe(value: dict) -> Unsubscribe:
    return Unsubscribe(stream=_stream(value))


def read_op(value: dict) -> Op:
    op_id = value.get("id")
    if not isinstance(op_id, str) or not 0 < len(op_id) <= OP_ID_LIMIT:
        raise ProtocolError("bad_request", _("An op needs an 'id': a text of 1 to {limit} characters"),
                            limit=OP_ID_LIMIT)
    stream = _stream(value, op_id=op_id)
    name = value.get("name")
    if not isinstance(name, str) or not name:
        raise ProtocolError("bad_request", _("An op needs a 'name'"), op_id=op_id)
    data = value.get("data", {})
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ProtocolError("bad_request", _("The 'data' of an op must be a JSON object"), op_id=op_id)
    return Op(id=op_id, stream=stream, name=name, data=data)


def _finite(value: object) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value) and abs(value) <= CURSOR_LIMIT)


def read_presence(value: dict) -> Presence:
    stream = _stream(value)
    cursor = value.get("cursor")
    if cursor is not None:
        if not isinstance(cursor, dict) or not _finite(cursor.get("x")) or not _finite(cursor.get("y")):
            raise ProtocolError("bad_request", _("'cursor' must be an object with numbers 'x' and 'y'"),
                                stream=stream)
        cursor = {"x": cursor["x"], "y": cursor["y"]}
    selection = value.get("selection")
    if selection is None:
        selection = []
    if (not isinstance(selection, list) or len(selection) > SELECTION_LIMIT
            or not all(isinstance(i, int) and not isinstance(i, bool) for i in selection)):
        raise ProtocolError("bad_request", _("'selection' must be a list of at most {limit} item ids"),
                            stream=stream, limit=SELECTION_LIMIT)
    return Presence(stream=stream, cursor=cursor, selection=selection)


def encode(frame: dict) -> str:
    """A server frame as JSON text: encoded once, then shared by every recipient."""
    return orjson.dumps(frame).decode()


def batch(encoded: list[str]) -> str:
    """Several encoded frames as one `batch` frame, without decoding them again."""
    return '{"type":"batch","frames":[' + ",".join(encoded) + "]}"

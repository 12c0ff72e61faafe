"""The state machine of one connection, sans-I/O: frames in, actions out.

`Protocol.receive` takes the text of a client frame and returns what the connection must do:
send a frame, close, authenticate a token, subscribe, apply an op, relay presence. It
checks everything that needs no database — frame size and shape, the `hello` rule, the
Origin rule for cookie connections, op names and data shapes, roles, rate limits — and
answers those errors itself. Tests feed it strings; `connection` wires it to the hub.
See docs/protocol.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from app.i18n import DEFAULT_LANGUAGE, LANGUAGES
from boards.errors import DomainError, InvalidInput
from realtime import frames
from realtime.errors import _, Close, ProtocolError, error_frame
from realtime.identity import Identity
from realtime.messages import OPS
from realtime.messages.spec import OpSpec
from realtime.ratelimit import (
    PRESENCE_BURST,
    PRESENCE_PER_SECOND,
    SUBSCRIPTIONS_BURST,
    SUBSCRIPTIONS_PER_SECOND,
    TokenBucket,
)
from realtime.streams import StreamName, parse_wire

# The contract's wait for `hello` before closing with 4401.
HELLO_TIMEOUT = 10.0


class State(Enum):
    AWAITING_HELLO = "awaiting hello"
    AUTHENTICATING = "authenticating"
    OPEN = "open"
    CLOSED = "closed"


# --- actions: what the connection must do ------------------------------------------------

@dataclass(frozen=True)
class Send:
    frame: dict


@dataclass(frozen=True)
class CloseSocket:
    code: Close
    reason: str


@dataclass(frozen=True)
class Authenticate:
    token: str
    lang: str | None
    client: str | None


@dataclass(frozen=True)
class Subscribe:
    stream: StreamName
    since: int


@dataclass(frozen=True)
class Unsubscribe:
    stream: StreamName


@dataclass(frozen=True)
class ApplyOp:
    op: frames.Op
    spec: OpSpec
    data: dict
    stream: StreamName


@dataclass(frozen=True)
class RelayPresence:
    stream: StreamName
    cursor: dict | None
    selection: list[int]


Action = Send | CloseSocket | Authenticate | Subscribe | Unsubscribe | ApplyOp | RelayPresence


class Protocol:
    """One connection to the meeting `meeting_id`.

    `cookie_token` is the session cookie of the upgrade request, `origin` its Origin header
    and `server_origin` ours (`Settings.origin`): a connection that authenticates by cookie
    must come from our own pages.
    """

    def __init__(
        self,
        *,
        meeting_id: int,
        server_origin: str,
        cookie_token: str | None = None,
        origin: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.meeting_id = meeting_id
        self.server_origin = server_origin
        self.cookie_token = cookie_token
        self.origin = origin
        self.clock = clock
        self.state = State.AWAITING_HELLO
        self.identity: Identity | None = None
        self.lang = DEFAULT_LANGUAGE
        self.ops_bucket: TokenBucket | None = None
        self.subscribe_bucket = TokenBucket(rate=SUBSCRIPTIONS_PER_SECOND, burst=SUBSCRIPTIONS_BURST, clock=clock)
        self.presence_bucket = TokenBucket(rate=PRESENCE_PER_SECOND, burst=PRESENCE_BURST, clock=clock)

    # --- input ---------------------------------------------------------------------------

    def receive(self, data: str | bytes) -> list[Action]:
        """What to do about one client frame."""
        if self.state == State.CLOSED:
            return []
        if self.state != State.OPEN:
            return self._receive_hello(data)
        try:
            value = frames.decode(data)
            reader = _FRAMES.get(value["type"])
            if reader is None:
                if value["type"] == "hello":
                    raise ProtocolError("bad_request", _("This connection has already said hello"))
                raise ProtocolError("bad_request", _("Unknown frame type '{type}'"), type=value["type"][:40])
            return reader(self, value)
        except ProtocolError as error:
            return [self.error(error)]

    def receive_presence(self, data: str | bytes) -> list[Action] | None:
        """`receive` for a presence frame, whose actions wait for nothing (a cursor move); None
        for any other frame, and for any frame before `hello` is through, changing nothing:
        `receive` is for those."""
        if self.state != State.OPEN:
            return None
        try:
            value = frames.decode(data)
        except ProtocolError:
            return None
        if value["type"] != "presence":
            return None
        try:
            return self._presence(value)
        except ProtocolError as error:
            return [self.error(error)]

    def hello_timeout(self) -> list[Action]:
        """No `hello` in time: close 4401."""
        if self.state != State.AWAITING_HELLO:
            return []
        return [self._close(Close.UNAUTHORIZED, "no hello within 10 s")]

    # --- results of the connection's work ------------------------------------------------

    def authenticated(self, identity: Identity, ops_bucket: TokenBucket) -> None:
        """The token is good: ops and subscriptions may follow."""
        self.identity = identity
        self.lang = identity.lang
        self.ops_bucket = ops_bucket
        self.state = State.OPEN

    def refused(self, code: Close, reason: str) -> list[Action]:
        return [self._close(code, reason)]

    def error(self, error: DomainError, *, op_id: str | None = None, stream: str | None = None) -> Send:
        """An `error` frame in this connection's language."""
        return Send(error_frame(error, self.lang, op_id=op_id, stream=stream))

    def closed(self) -> None:
        self.state = State.CLOSED

    # --- frames --------------------------------------------------------------------------

    def _close(self, code: Close, reason: str) -> CloseSocket:
        self.state = State.CLOSED
        return CloseSocket(code, reason)

    def _receive_hello(self, data: str | bytes) -> list[Action]:
        if self.state == State.AUTHENTICATING:
            # The connection waits for authentication before reading on: not reached.
            return [self._close(Close.UNAUTHORIZED, "frame before welcome")]
        try:
            value = frames.decode(data)
        except ProtocolError:
            return [self._close(Close.UNAUTHORIZED, "the first frame must be hello")]
        if value["type"] != "hello":
            return [self._close(Close.UNAUTHORIZED, "the first frame must be hello")]
        hello = frames.read_hello(value)
        if hello.lang in LANGUAGES:
            self.lang = hello.lang
        if hello.token is not None:
            token = hello.token
        elif self.cookie_token:
            if self.origin != self.server_origin:
                return [self._close(Close.FORBIDDEN, "cookie connection from another origin")]
            token = self.cookie_token
        else:
            return [self._close(Close.UNAUTHORIZED, "no token")]
        self.state = State.AUTHENTICATING
        return [Authenticate(token=token, lang=hello.lang if hello.lang in LANGUAGES else None,
                             client=hello.client)]

    def _stream(self, name: str, *, op_id: str | None = None) -> StreamName:
        stream = parse_wire(name, meeting_id=self.meeting_id)
        if stream is None:
            raise ProtocolError("bad_request", _("Unknown stream '{name}'"), op_id=op_id,
                                stream=name[:40], name=name[:40])
        return stream

    def _subscribe(self, value: dict) -> list[Action]:
        frame = frames.read_subscribe(value)
        stream = self._stream(frame.stream)
        if not self.subscribe_bucket.take():
            raise ProtocolError("rate_limited", _("Too many subscriptions: slow down"), stream=frame.stream)
        return [Subscribe(stream, frame.since)]

    def _unsubscribe(self, value: dict) -> list[Action]:
        frame = frames.read_unsubscribe(value)
        stream = self._stream(frame.stream)
        if not self.subscribe_bucket.take():
            raise ProtocolError("rate_limited", _("Too many subscriptions: slow down"), stream=frame.stream)
        return [Unsubscribe(stream)]

    def _op(self, value: dict) -> list[Action]:
        op = frames.read_op(value)
        spec = OPS.get(op.name)
        if spec is None:
            raise ProtocolError("bad_request", _("Unknown op '{name}'"), op_id=op.id, name=op.name[:40])
        stream = self._stream(op.stream, op_id=op.id)
        if stream.kind != spec.stream:
            raise ProtocolError("bad_request", _("'{name}' goes to a {kind} stream"), op_id=op.id,
                                name=op.name, kind=spec.stream)
        if self.identity.role not in spec.roles:
            raise ProtocolError("forbidden", _("Your role does not allow '{name}'"), op_id=op.id,
                                name=op.name)
        if not self.ops_bucket.take():
            raise ProtocolError("rate_limited", _("Too many operations: slow down"), op_id=op.id)
        try:
            data = spec.read(op.data)
        except InvalidInput as error:
            raise ProtocolError("bad_request", error.message, op_id=op.id, **error.params) from None
        return [ApplyOp(op, spec, data, stream)]

    def _presence(self, value: dict) -> list[Action]:
        frame = frames.read_presence(value)
        stream = self._stream(frame.stream)
        if not self.presence_bucket.take():
            return []  # presence is ephemeral: dropped, not refused
        return [RelayPresence(stream, frame.cursor, frame.selection)]


_FRAMES: dict[str, Callable[[Protocol, dict], list[Action]]] = {
    "subscribe": Protocol._subscribe,
    "unsubscribe": Protocol._unsubscribe,
    "op": Protocol._op,
    "presence": Protocol._presence,
}

"""One websocket's session: performs what its `Protocol` asks for, with the hub's help,
and queues the answers in its outbox. No socket here: `transport` owns that.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from boards.errors import DomainError
from realtime.errors import internal_error
from realtime.frames import encode
from realtime.identity import Identity
from realtime.outbox import Outbox
from realtime.protocol import (
    Action,
    ApplyOp,
    Authenticate,
    CloseSocket,
    Protocol,
    RelayPresence,
    Send,
    Subscribe,
    Unsubscribe,
)
from realtime.visibility import Viewer

if TYPE_CHECKING:
    from realtime.feeds import Subscription
    from realtime.hub import Hub, Room

log = logging.getLogger(__name__)


class Connection:
    def __init__(self, hub: Hub, meeting_id: int, *, cookie_token: str | None, origin: str | None) -> None:
        self.hub = hub
        self.meeting_id = meeting_id
        self.protocol = Protocol(meeting_id=meeting_id, server_origin=hub.server_origin,
                                 cookie_token=cookie_token, origin=origin)
        self.outbox = Outbox(**hub.outbox_limits)
        self.identity: Identity | None = None
        self.room: Room | None = None
        # Log stream name → subscription.
        self.subscriptions: dict[str, Subscription] = {}
        # Log streams this connection has sent presence to (to clear its cursor on leaving).
        self.presence_streams: set[str] = set()

    @property
    def viewer(self) -> Viewer:
        return self.identity.viewer

    @property
    def closing(self) -> bool:
        return self.outbox.close_code is not None

    async def receive(self, data: str | bytes) -> None:
        """Handle one client frame; the next is read only once this one is done."""
        try:
            for action in self.protocol.receive(data):
                await self.perform(action)
        except Exception:
            log.exception("unexpected failure handling a frame")
            self.send_error(internal_error())

    def receive_presence(self, data: str) -> bool:
        """Handle a presence frame at once, as the socket reads it (it waits for nothing); False,
        changing nothing, for any other frame: `receive` is for those."""
        try:
            actions = self.protocol.receive_presence(data)
            if actions is None:
                return False
            for action in actions:
                match action:
                    case RelayPresence():
                        self.hub.relay_presence(self, action)
                    case Send(frame):
                        self.send(frame)
        except Exception:
            log.exception("unexpected failure handling a presence frame")
            self.send_error(internal_error())
        return True

    async def hello_timeout(self) -> None:
        for action in self.protocol.hello_timeout():
            await self.perform(action)

    async def perform(self, action: Action) -> None:
        match action:
            case Send(frame):
                self.send(frame)
            case CloseSocket(code, reason):
                self.close(code, reason)
            case Authenticate():
                await self.hub.authenticate(self, action)
            case Subscribe():
                await self.hub.subscribe(self, action)
            case Unsubscribe(stream):
                self.hub.unsubscribe(self, stream)
            case ApplyOp():
                await self.hub.apply(self, action)
            case RelayPresence():
                self.hub.relay_presence(self, action)

    def send(self, frame: dict) -> None:
        self.outbox.put(encode(frame))

    def send_error(self, error: DomainError, *, op_id: str | None = None, stream: str | None = None) -> None:
        self.send(self.protocol.error(error, op_id=op_id, stream=stream).frame)

    def close(self, code: int, reason: str = "", *, urgent: bool = False) -> None:
        """Close after what is queued (or at once when `urgent`); nothing is read any more."""
        self.protocol.closed()
        self.outbox.close(code, reason, urgent=urgent)

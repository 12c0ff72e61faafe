"""The hub of one server process: meetings' rooms, per-stream ordering points, database
work (`realtime.database_work`), publication after commit, and fan-out to subscribers.

Writes to a stream go through `write`: one at a time per stream in this process (the
ordering point; the database orders writers across processes), and their events are
published on the meeting's broker channel only once committed. Every process listening on
that channel — this one too — puts what it receives through the stream's sequencer
(reorder buffer, gaps filled from the event log) and fans it out. See docs/protocol.md.
"""

from __future__ import annotations

import asyncio
import logging
import os
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlmodel import Session

from boards.errors import DomainError
from boards.events import meeting_stream
from boards.models import Event
from realtime import attendance, interpreter, ops
from realtime.broker import RESYNC, Broker, MemoryBroker
from realtime.connection import Connection
from realtime.database_work import DatabaseWork
from realtime.errors import _, Close, ProtocolError, internal_error
from realtime.feeds import Feed, Subscription
from realtime.frames import encode
from realtime.messages import hello, subscriptions
from realtime.outbox import MAX_BYTES, MAX_FRAMES
from realtime.protocol import ApplyOp, Authenticate, RelayPresence, Subscribe
from realtime.ratelimit import TokenBucket, ops_bucket
from realtime.streams import LogEvent, StreamName, pack, unpack, wire_name
from realtime.visibility import class_of, event_frame

log = logging.getLogger(__name__)

# A person whose last connection closed is recorded as gone after this long, so that a
# page reload or a network blip is not a departure.
DEPARTURE_GRACE = 5.0
# Before filling a gap from the event log, wait this long for the missing event to arrive.
GAP_WAIT = 0.2
# Presence is sent at most this often per stream (coalescing): 10 ticks a second, the rate
# the contract asks of clients ("about 10 Hz", which the board's script keeps to), so a tick
# holds at most one move per sender. Ticks twice as often cost a breakout of 500 people
# twice the cursor messages, most of the server's and its clients' websocket traffic.
PRESENCE_INTERVAL = 0.1
# Housekeeping (old op receipts, idle rate buckets) runs this often.
HOUSEKEEPING_SECONDS = 3600
# Presence frames of one stream waiting to go to the other processes, at most (the newest
# are kept): a broker that slow is far behind anyway.
PRESENCE_BACKLOG = 1000


def channel(meeting_id: int) -> str:
    return f"tavolo:meeting:{meeting_id}"


def unavailable(error: BaseException) -> bool:
    """Whether a database error means the database cannot be reached (close 1011)."""
    if isinstance(error, OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


@dataclass(eq=False)
class Room:
    """One meeting in this process: its connections, their people and its stream feeds."""

    meeting_id: int
    ready: asyncio.Future[None]
    connections: set[Connection] = field(default_factory=set)
    people: dict[int, set[Connection]] = field(default_factory=dict)
    feeds: dict[str, Feed] = field(default_factory=dict)
    listener: asyncio.Task | None = None


class Hub:
    def __init__(
        self,
        engine: Engine,
        *,
        server_origin: str,
        broker: Broker | None = None,
        departure_grace: float = DEPARTURE_GRACE,
        max_frames: int = MAX_FRAMES,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        self.database = DatabaseWork(engine)
        self.server_origin = server_origin
        self.broker = broker or MemoryBroker()
        self.departure_grace = departure_grace
        self.outbox_limits = {"max_frames": max_frames, "max_bytes": max_bytes}
        self._rooms: dict[int, Room] = {}
        self._ordering: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._buckets: dict[int, TokenBucket] = {}
        self._departures: dict[tuple[int, int], asyncio.Task] = {}
        self._tasks: set[asyncio.Task] = set()
        # Between processes (a broker other than the in-process one), each tick's presence
        # goes on the meeting's channel too, marked with this hub's origin to skip its echo.
        self._shares_presence = not isinstance(self.broker, MemoryBroker)
        self._origin = os.urandom(8).hex()
        # (meeting id, log stream) → presence frames waiting for the one publisher task.
        self._presence_out: dict[tuple[int, str], list[dict]] = {}
        self._presence_publisher: asyncio.Task | None = None
        self._housekeeping: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # --- life --------------------------------------------------------------------------------

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        interpreter.tune()
        await self.broker.connect()
        self._housekeeping = asyncio.create_task(self._keep_house())

    async def stop(self) -> None:
        """Close every connection (1001) and stop; pending departures are not recorded."""
        for room in list(self._rooms.values()):
            for connection in list(room.connections):
                connection.close(1001, "server shutting down")
        tasks = [*self._departures.values(), *self._tasks]
        if self._housekeeping is not None:
            tasks.append(self._housekeeping)
        for task in tasks:
            task.cancel()
        for room in list(self._rooms.values()):
            self._close_room(room)
        # Cancelled tasks finish before the database closes under them (those of this loop:
        # a hub started again, as tests do, may still hold tasks of a loop now closed).
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(task for task in tasks if task.get_loop() is loop), return_exceptions=True)
        self._departures.clear()
        self._tasks.clear()
        await self.broker.disconnect()
        await self.database.close()

    def connect(self, meeting_id: int, *, cookie_token: str | None = None,
                origin: str | None = None) -> Connection:
        """A new connection to a meeting, waiting for its `hello`."""
        return Connection(self, meeting_id, cookie_token=cookie_token, origin=origin)

    # --- database work -----------------------------------------------------------------------

    async def run_db(self, fn: Callable[..., Any], /, **kwargs: Any) -> Any:
        """`fn(session, **kwargs)` beside other work, with a session of its own."""
        return await self.database.run(fn, **kwargs)

    async def write(self, meeting_id: int, log_stream: str, fn: Callable[..., Any], /, **kwargs: Any) -> Any:
        """Run `fn(session, **kwargs)` at the stream's ordering point and publish its events.

        `fn` commits and returns its committed events (Event rows or LogEvents), or an object
        with such an `events` attribute; `write` returns what `fn` returned. Once started,
        the write and its publication complete even if the caller is cancelled. Raises what
        `fn` raises.
        """
        task = asyncio.ensure_future(self._write(meeting_id, log_stream, fn, kwargs))
        task.add_done_callback(_retrieve)
        return await asyncio.shield(task)

    async def _write(self, meeting_id: int, log_stream: str, fn: Callable[..., Any], kwargs: dict) -> Any:
        lock = self._ordering.get(log_stream)
        if lock is None:
            lock = self._ordering[log_stream] = asyncio.Lock()
        async with lock:
            result = await self.database.write(fn, **kwargs)
            events = getattr(result, "events", result)
            if events:
                await self.publish(meeting_id, [_log_event(e) for e in events])
        return result

    async def publish(self, meeting_id: int, events: list[LogEvent]) -> None:
        """Hand committed events to every process (this one included) for fan-out."""
        try:
            await self.broker.publish(channel(meeting_id), pack(events))
        except Exception:
            # Committed all the same: subscribers get them from the log at the next event.
            log.exception("could not publish %d event(s) of meeting %s", len(events), meeting_id)

    def publish_from_thread(self, meeting_id: int, events: list[Event]) -> None:
        """For code outside the event loop (sync HTTP handlers) that committed events itself."""
        logged = [_log_event(e) for e in events]
        asyncio.run_coroutine_threadsafe(self.publish(meeting_id, logged), self._loop)

    # --- connections: hello --------------------------------------------------------------------

    async def authenticate(self, connection: Connection, action: Authenticate) -> None:
        try:
            welcome = await self.run_db(hello.authenticate, meeting_id=connection.meeting_id,
                                        token=action.token, lang=action.lang)
        except hello.Refused as refused:
            for follow_up in connection.protocol.refused(refused.code, refused.reason):
                await connection.perform(follow_up)
            return
        except Exception as error:
            self._failed(connection, error, fatal=True)
            return
        identity = welcome.identity
        connection.identity = identity
        room = self._rooms.get(identity.meeting_id)
        if room is None:
            room = self._open_room(identity.meeting_id)
        room.connections.add(connection)
        connection.room = room
        try:
            await asyncio.shield(room.ready)
        except Exception as error:
            self._failed(connection, error, fatal=True)
            return
        bucket = self._buckets.get(identity.person_id)
        if bucket is None:
            bucket = self._buckets[identity.person_id] = ops_bucket()
        connection.protocol.authenticated(identity, bucket)
        first = not room.people.get(identity.person_id)
        room.people.setdefault(identity.person_id, set()).add(connection)
        if first:
            try:
                arrived = await self._arrive(identity.meeting_id, identity.person_id)
                if any(event.name == "groups.assigned" for event in arrived or ()):
                    # Placed in a running group on arrival: its board is among their streams.
                    welcome.frame["streams"] = await self.run_db(hello.streams_of, identity=identity)
            except Exception as error:
                self._failed(connection, error, fatal=True)
                return
        connection.send(welcome.frame)

    # --- subscriptions ---------------------------------------------------------------------

    async def subscribe(self, connection: Connection, action: Subscribe) -> None:
        room, stream = connection.room, action.stream
        feed = room.feeds.get(stream.log) or self._open_feed(room, stream.log)
        try:
            await asyncio.shield(feed.started)
        except Exception as error:
            self._failed(connection, error, stream=stream.wire)
            return
        subscription = Subscription(connection, stream)
        feed.subscriptions[connection] = subscription
        connection.subscriptions[stream.log] = subscription
        try:
            caught = await self.run_db(subscriptions.catch_up, identity=connection.identity,
                                       stream=stream, since=action.since)
        except Exception as error:
            if feed.subscriptions.get(connection) is subscription:
                self._drop_subscription(connection, stream.log)
            if isinstance(error, DomainError):
                connection.send_error(error, stream=stream.wire)
            else:
                self._failed(connection, error, stream=stream.wire)
            return
        if feed.subscriptions.get(connection) is not subscription:
            return  # unsubscribed, or subscribed again, in the meantime
        if caught.state is not None:
            frames = [encode({"type": "snapshot", "stream": stream.wire, "seq": caught.seq,
                              "state": caught.state})]
        else:
            viewer = connection.viewer
            frames = [encode(event_frame(event, class_of(event, viewer))) for event in caught.events]
        subscription.sync(caught.seq, frames)

    def unsubscribe(self, connection: Connection, stream: StreamName) -> None:
        self._drop_subscription(connection, stream.log)

    def _drop_subscription(self, connection: Connection, log_stream: str) -> None:
        connection.subscriptions.pop(log_stream, None)
        feed = connection.room.feeds.get(log_stream) if connection.room else None
        if feed is None:
            return
        feed.subscriptions.pop(connection, None)
        feed.presence.pop(connection, None)
        if log_stream in connection.presence_streams:
            connection.presence_streams.discard(log_stream)
            # Others stop showing this connection's cursor.
            self._queue_presence(feed, connection, {
                "type": "presence", "stream": wire_name(log_stream), "cursor": None, "selection": [],
                "participant": connection.identity.person_id, "name": connection.identity.name,
            })

    def _open_feed(self, room: Room, log_stream: str) -> Feed:
        feed = room.feeds[log_stream] = Feed(log_stream)

        async def start() -> None:
            try:
                head = await self.run_db(subscriptions.head, log_stream=log_stream)
            except Exception as error:
                if room.feeds.get(log_stream) is feed:
                    del room.feeds[log_stream]
                feed.started.set_exception(error)
                feed.started.exception()  # retrieved: each waiter reports it
                return
            feed.start(head)
            self._check_gap(room, feed)

        self._spawn(start())
        return feed

    # --- ops -----------------------------------------------------------------------------------

    async def apply(self, connection: Connection, action: ApplyOp) -> None:
        identity = connection.identity
        try:
            outcome = await self.write(identity.meeting_id, action.stream.log, ops.execute,
                                       identity=identity, op=action.op, spec=action.spec,
                                       data=action.data, stream=action.stream,
                                       connected=frozenset(self.connected_people(identity.meeting_id)))
        except DomainError as error:
            connection.send_error(error, op_id=action.op.id)
        except Exception as error:
            self._failed(connection, error, op_id=action.op.id)
        else:
            connection.send(outcome.ack)
            for person_id in outcome.close:  # participant.remove
                self.close_person(identity.meeting_id, person_id)

    # --- presence ------------------------------------------------------------------------------

    def relay_presence(self, connection: Connection, action: RelayPresence) -> None:
        stream = action.stream
        subscription = connection.subscriptions.get(stream.log)
        if subscription is None:
            connection.send_error(ProtocolError(
                "bad_request", _("Subscribe to '{name}' before sending presence to it"),
                stream=stream.wire, name=stream.wire))
            return
        connection.presence_streams.add(stream.log)
        self._queue_presence(connection.room.feeds[stream.log], connection, {
            "type": "presence", "stream": stream.wire, "cursor": action.cursor,
            "selection": action.selection, "participant": connection.identity.person_id,
            "name": connection.identity.name,
        })

    def _queue_presence(self, feed: Feed, sender: Connection, frame: dict) -> None:
        feed.presence[sender] = frame
        if feed.presence_timer is None:
            feed.presence_timer = asyncio.get_running_loop().call_later(
                PRESENCE_INTERVAL, self._flush_presence, sender.room.meeting_id, feed)

    def _flush_presence(self, meeting_id: int, feed: Feed) -> None:
        """Send a tick's presence here, and to the other processes when there are any."""
        frames = feed.flush_presence()
        if frames and self._shares_presence:
            waiting = self._presence_out.setdefault((meeting_id, feed.log_stream), [])
            waiting.extend(frames)
            del waiting[:-PRESENCE_BACKLOG]
            if self._presence_publisher is None:
                self._presence_publisher = self._spawn(self._publish_presence())

    async def _publish_presence(self) -> None:
        """One presence publication at a time for the whole process, so that cursors never
        take the broker's connections from the events; what waits meanwhile goes together."""
        try:
            while self._presence_out:
                meeting_id, log_stream = key = next(iter(self._presence_out))  # the oldest first
                frames = self._presence_out.pop(key)
                message = orjson.dumps({"presence": log_stream, "origin": self._origin, "frames": frames})
                try:
                    await self.broker.publish(channel(meeting_id), message)
                except Exception:
                    # Ephemeral: the next tick carries newer cursors anyway.
                    log.debug("could not share presence on %s", log_stream, exc_info=True)
        finally:
            self._presence_publisher = None

    def _receive_presence(self, room: Room, message: bytes) -> None:
        try:
            value = orjson.loads(message)
            log_stream, origin, frames = value["presence"], value["origin"], value["frames"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            log.warning("unreadable presence message on meeting %s", room.meeting_id)
            return
        if origin == self._origin:
            return  # ours, already sent to this process's subscribers
        feed = room.feeds.get(log_stream)
        if feed is not None:
            feed.relay_presence(frames)

    # --- leaving -------------------------------------------------------------------------------

    async def disconnect(self, connection: Connection) -> None:
        """The socket is gone: drop its subscriptions, and record a departure in a while."""
        connection.protocol.closed()
        room = connection.room
        if room is None:
            return
        for log_stream in list(connection.subscriptions):
            self._drop_subscription(connection, log_stream)
        room.connections.discard(connection)
        identity = connection.identity
        people = room.people.get(identity.person_id) if identity else None
        if people is not None:
            people.discard(connection)
            if not people:
                del room.people[identity.person_id]
                key = (room.meeting_id, identity.person_id)
                self._departures[key] = self._spawn(self._depart(*key))
                bucket = self._buckets.get(identity.person_id)
                if bucket is not None and bucket.idle():
                    del self._buckets[identity.person_id]
        if not room.connections:
            self._close_room(room)

    async def _arrive(self, meeting_id: int, person_id: int) -> list[LogEvent]:
        pending = self._departures.pop((meeting_id, person_id), None)
        if pending is not None:
            pending.cancel()  # back within the grace period: not a departure
            return []
        return await self.write(meeting_id, meeting_stream(meeting_id), _join, meeting_id=meeting_id,
                                person_id=person_id)

    async def _depart(self, meeting_id: int, person_id: int) -> None:
        await asyncio.sleep(self.departure_grace)  # a grace period, not a synchronisation
        self._departures.pop((meeting_id, person_id), None)
        try:
            await self.write(meeting_id, meeting_stream(meeting_id), _leave, meeting_id=meeting_id,
                             person_id=person_id)
        except Exception:
            log.exception("could not record that person %s left meeting %s", person_id, meeting_id)

    # --- for the meeting ops (facilitation) ------------------------------------------------

    def connected_people(self, meeting_id: int) -> set[int]:
        """People with at least one connection to this meeting in this process."""
        room = self._rooms.get(meeting_id)
        return set(room.people) if room else set()

    def close_person(self, meeting_id: int, person_id: int, code: int = Close.FORBIDDEN,
                     reason: str = "removed from the process") -> None:
        """Close every connection of one person to a meeting (`participant.remove`)."""
        room = self._rooms.get(meeting_id)
        for connection in list(room.people.get(person_id, ())) if room else []:
            connection.close(code, reason)

    # --- rooms and the broker ------------------------------------------------------------------

    def _open_room(self, meeting_id: int) -> Room:
        room = self._rooms[meeting_id] = Room(meeting_id, asyncio.get_running_loop().create_future())
        room.listener = asyncio.create_task(self._listen(room))
        return room

    def _close_room(self, room: Room) -> None:
        if self._rooms.get(room.meeting_id) is room:
            del self._rooms[room.meeting_id]
        if room.listener is not None:
            room.listener.cancel()
        for feed in room.feeds.values():
            if feed.presence and self._shares_presence:
                # The last connection here left: its cursor still leaves the other processes.
                self._flush_presence(room.meeting_id, feed)
            feed.stop()
        if not room.ready.done():
            room.ready.cancel()

    async def _listen(self, room: Room) -> None:
        try:
            async with self.broker.subscribe(channel(room.meeting_id)) as messages:
                room.ready.set_result(None)
                async for message in messages:
                    self._receive(room, message)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.exception("lost the broker channel of meeting %s", room.meeting_id)
            if not room.ready.done():
                room.ready.set_exception(error)
                room.ready.exception()
            for connection in list(room.connections):
                self._failed(connection, error, fatal=True)

    def _receive(self, room: Room, message: bytes) -> None:
        if message[:1] == b"{":
            self._receive_presence(room, message)
            return
        if message == RESYNC:
            for feed in list(room.feeds.values()):
                self._spawn(self._recheck_head(room, feed))
            return
        try:
            events = unpack(message)
        except Exception:
            log.exception("unreadable broker message on meeting %s", room.meeting_id)
            return
        for event in events:
            feed = room.feeds.get(event.stream)
            if feed is not None:
                if feed.presence_timer is not None:
                    # The cursors waiting for their tick leave with the event, in the same
                    # batch: one message to each subscriber instead of two.
                    feed.presence_timer.cancel()
                    self._flush_presence(room.meeting_id, feed)
                feed.offer(event)
                self._check_gap(room, feed)
            if event.name == "participant.removed":
                # The op may have run in another process: close the removed person here too,
                # once the event is queued for them.
                self.close_person(room.meeting_id, event.data["participant"])

    async def _recheck_head(self, room: Room, feed: Feed) -> None:
        """The broker may have lost messages: the stream's head is read from the log, and
        what the feed misses up to it is filled as any gap."""
        await asyncio.wait([feed.started])
        if feed.started.cancelled() or feed.started.exception() is not None:
            return
        try:
            head = await self.run_db(subscriptions.head, log_stream=feed.log_stream)
        except Exception:
            log.exception("could not read the head of %s", feed.log_stream)
            return
        if room.feeds.get(feed.log_stream) is feed:
            feed.sequencer.reached(head)
            self._check_gap(room, feed)

    def _check_gap(self, room: Room, feed: Feed) -> None:
        if feed.gap_task is None and feed.sequencer.missing() is not None:
            feed.gap_task = self._spawn(self._fill_gap(room, feed))

    async def _fill_gap(self, room: Room, feed: Feed) -> None:
        """Events that did not arrive in time are read from the log."""
        try:
            wait = GAP_WAIT
            while feed.sequencer.missing() is not None:
                await asyncio.sleep(wait)  # a timer: late publications usually arrive meanwhile
                gap = feed.sequencer.missing()
                if gap is None:
                    break
                try:
                    events = await self.run_db(subscriptions.since, log_stream=feed.log_stream,
                                               first=gap[0], last=gap[1])
                except Exception:
                    log.exception("could not fill a gap in %s", feed.log_stream)
                    wait = min(wait * 2, 5.0)
                    continue
                for event in events:
                    feed.offer(event)
        finally:
            feed.gap_task = None

    # --- errors and housekeeping ---------------------------------------------------------------

    def _failed(self, connection: Connection, error: BaseException, *, op_id: str | None = None,
                stream: str | None = None, fatal: bool = False) -> None:
        """An unexpected failure: `internal`, and close 1011 when the database is unreachable
        (or when the connection cannot go on, `fatal`)."""
        if not unavailable(error):
            log.error("internal error on a connection", exc_info=error)
        connection.send_error(internal_error(), op_id=op_id, stream=stream)
        if unavailable(error) or fatal:
            connection.close(Close.UNAVAILABLE, "database unavailable")

    def _spawn(self, coroutine) -> asyncio.Task:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _keep_house(self) -> None:
        while True:
            try:
                await self.run_db(ops.prune_receipts)
            except Exception:
                log.exception("could not prune op receipts")
            for person_id, bucket in list(self._buckets.items()):
                if bucket.idle() and not any(person_id in room.people for room in self._rooms.values()):
                    del self._buckets[person_id]
            await asyncio.sleep(HOUSEKEEPING_SECONDS)


def _log_event(event: Event | LogEvent) -> LogEvent:
    return event if isinstance(event, LogEvent) else LogEvent.from_row(event)


def _retrieve(task: asyncio.Task) -> None:
    if not task.cancelled():
        task.exception()


def _join(session: Session, *, meeting_id: int, person_id: int) -> list[LogEvent]:
    return [LogEvent.from_row(e) for e in attendance.record_join(session, meeting_id=meeting_id,
                                                                  person_id=person_id)]


def _leave(session: Session, *, meeting_id: int, person_id: int) -> list[LogEvent]:
    return [LogEvent.from_row(e) for e in attendance.record_leave(session, meeting_id=meeting_id,
                                                                   person_id=person_id)]


"""The hub without sockets: connections are fed frames and their outboxes read directly.

Covers what is hard to provoke over a real socket: concurrent writers while subscribing,
a stalled client, events published out of order or lost, two server processes sharing a
broker, attendance with its grace period, an unreachable database.
"""

from __future__ import annotations

import asyncio
import json
import random

import pytest
from sqlmodel import Session, select

from boards import items
from boards.db import make_engine
from boards.models import Board, Event, ItemKind, MeetingState, Person
from realtime.broker import MemoryBroker
from realtime.database_work import DatabaseWork
from realtime.errors import Close
from realtime import hub as hub_module
from realtime.hub import Hub
from tests.realtime.support import BoardModel

TIMEOUT = 10.0


class Closed(Exception):
    pass


class Peer:
    """A connection of the hub, driven as a client would drive its socket."""

    def __init__(self, hub: Hub, meeting: int) -> None:
        self.connection = hub.connect(meeting, origin=None)
        self.hub = hub
        self.unread: list[dict] = []
        self.raw: list[str] = []
        self.ops = 0

    @classmethod
    async def join(cls, hub: Hub, meeting: int, token: str) -> Peer:
        peer = cls(hub, meeting)
        await peer.send({"type": "hello", "token": token})
        peer.welcome = await peer.take(lambda f: f["type"] == "welcome")
        return peer

    async def send(self, frame: dict) -> None:
        await self.connection.receive(json.dumps(frame))

    async def _more(self) -> None:
        frames = await self.connection.outbox.take()
        if frames is None:
            raise Closed(self.connection.outbox.close_code)
        self.raw += frames
        self.unread += [json.loads(f) for f in frames]

    async def take(self, predicate, timeout: float = TIMEOUT) -> dict:
        async def wait() -> dict:
            while True:
                for index, frame in enumerate(self.unread):
                    if predicate(frame):
                        return self.unread.pop(index)
                await self._more()

        return await asyncio.wait_for(wait(), timeout)

    async def op(self, stream: str, name: str, data: dict, op_id: str | None = None) -> dict:
        self.ops += 1
        op_id = op_id or f"{id(self)}-{self.ops}"
        await self.send({"type": "op", "id": op_id, "stream": stream, "name": name, "data": data})
        return await self.take(lambda f: f["type"] in ("ack", "error") and f.get("id") == op_id)

    async def subscribe(self, stream: str, since: int = 0) -> BoardModel:
        await self.send({"type": "subscribe", "stream": stream, "since": since})
        return await self.follow(stream, BoardModel(seq=since))

    async def follow(self, stream: str, model: BoardModel, until: int | None = None) -> BoardModel:
        """Apply this stream's snapshot and events to `model`, up to `synced` or seq `until`."""
        while True:
            frame = await self.take(lambda f: f.get("stream") == stream
                                    and f["type"] in ("snapshot", "event", "synced", "error"))
            assert frame["type"] != "error", frame
            model.apply(frame)
            if until is None and frame["type"] == "synced":
                assert model.seq == frame["seq"]
                return model
            if until is not None and model.seq >= until:
                return model

    async def close(self) -> None:
        await self.hub.disconnect(self.connection)


@pytest.fixture
async def hub(engine):
    hub = Hub(engine, server_origin="http://testserver", departure_grace=0.2)
    await hub.start()
    yield hub
    await hub.stop()


def fresh_state(engine, board_id: int, person_id: int) -> dict:
    with Session(engine) as session:
        return items.board_state(session, session.get(Board, board_id), session.get(Person, person_id))


async def test_subscribing_during_concurrent_writes_misses_and_repeats_nothing(hub, room, engine):
    writers = [await Peer.join(hub, room.meeting, token)
               for token in (room.facilitator.token, room.participant.token, room.secretary.token)]
    first = await writers[0].op(room.board, "item.create", {"kind": "frame", "x": 0, "y": 0})
    frame_id = first["result"]["item"]["id"]
    rng = random.Random(3)

    async def write(peer: Peer, count: int) -> None:
        for index in range(count):
            choice = rng.random()
            if choice < 0.5:
                answer = await peer.op(room.board, "item.create", {"kind": "note", "x": index, "y": 1,
                                                                    "text": f"nota {index}"})
            elif choice < 0.8:
                answer = await peer.op(room.board, "item.move", {"item": frame_id, "x": index, "y": 2})
            else:
                answer = await peer.op(room.board, "comment.add", {"item": frame_id, "text": f"c{index}"})
            assert answer["type"] == "ack", answer

    async def subscribe_midway(delay: int, resubscribe: bool) -> tuple[Peer, BoardModel]:
        peer = await Peer.join(hub, room.meeting, room.observer.token)
        for _ in range(delay):
            await asyncio.sleep(0)  # let the writers run: subscribe in the middle of the burst
        model = await peer.subscribe(room.board)
        if resubscribe:
            await peer.send({"type": "unsubscribe", "stream": room.board})
            while len(peer.connection.outbox):
                await peer._more()
            for frame in [f for f in peer.unread if f.get("stream") == room.board]:
                peer.unread.remove(frame)
                model.apply(frame)
            for _ in range(delay):
                await asyncio.sleep(0)
            await peer.send({"type": "subscribe", "stream": room.board, "since": model.seq})
            await peer.follow(room.board, model)
        return peer, model

    results = await asyncio.gather(
        *[write(peer, 25) for peer in writers],
        *[subscribe_midway(delay, again) for delay in (0, 3, 10, 40) for again in (False, True)],
    )
    head = await hub.run_db(lambda s: s.exec(select(Event.seq).where(
        Event.stream == f"board:{room.plenary}").order_by(Event.seq.desc())).first())
    assert head == 76
    for peer, model in results[len(writers):]:
        if model.seq < head:
            await peer.follow(room.board, model, until=head)
        assert model.state() == fresh_state(engine, room.plenary, room.observer.id)


async def test_a_stalled_connection_is_closed_4408_and_slows_nobody(engine, room):
    hub = Hub(engine, server_origin="http://testserver", max_frames=20)
    await hub.start()
    try:
        stalled = await Peer.join(hub, room.meeting, room.observer.token)
        reader = await Peer.join(hub, room.meeting, room.participant.token)
        await stalled.subscribe(room.board)
        model = await reader.subscribe(room.board)
        writer = await Peer.join(hub, room.meeting, room.facilitator.token)
        for index in range(30):
            ack = await writer.op(room.board, "item.create", {"kind": "note", "x": index, "y": 0})
            await reader.follow(room.board, model, until=ack["seq"])
        outbox = stalled.connection.outbox
        assert (outbox.close_code, outbox.urgent, len(outbox)) == (Close.TOO_SLOW, True, 0)
        assert model.state() == fresh_state(engine, room.plenary, room.participant.id)
    finally:
        await hub.stop()


async def test_events_lost_or_late_on_the_broker_are_filled_from_the_log(hub, room, engine):
    peer = await Peer.join(hub, room.meeting, room.participant.token)
    model = await peer.subscribe(room.board)
    # Two committed events; only the second is published (the first is "lost").
    with Session(engine, expire_on_commit=False) as session:
        board = session.get(Board, room.plenary)
        author = session.get(Person, room.facilitator.id)
        events = [items.create_item(session=session, board=board, actor_person=author,
                                    kind=ItemKind.note, x=n, y=n) for n in (1, 2)]
        session.commit()
    from realtime.streams import LogEvent

    logged = [LogEvent.from_row(e) for e in events]
    await hub.publish(room.meeting, [logged[1]])
    await hub.publish(room.meeting, [logged[1]])  # and a repeat
    await peer.follow(room.board, model, until=logged[1].seq)
    assert model.state() == fresh_state(engine, room.plenary, room.participant.id)


async def test_two_processes_sharing_a_broker_deliver_everything_in_order(engine, room):
    broker = MemoryBroker()
    hubs = [Hub(engine, server_origin="http://testserver", broker=broker) for _ in range(2)]
    for hub in hubs:
        await hub.start()
    try:
        readers = [await Peer.join(hub, room.meeting, room.observer.token) for hub in hubs]
        models = [await reader.subscribe(room.board) for reader in readers]
        writers = [await Peer.join(hub, room.meeting, token)
                   for hub, token in zip(hubs, (room.facilitator.token, room.participant.token))]

        async def write(peer: Peer) -> None:
            for index in range(15):
                ack = await peer.op(room.board, "item.create", {"kind": "note", "x": index, "y": 0})
                assert ack["type"] == "ack", ack

        await asyncio.gather(*[write(writer) for writer in writers])
        for reader, model in zip(readers, models):
            await reader.follow(room.board, model, until=30)
            assert model.state() == fresh_state(engine, room.plenary, room.observer.id)
    finally:
        for hub in hubs:
            await hub.stop()


async def test_attendance_joins_once_per_person_and_leaves_after_a_grace(hub, room, engine):
    room.set_state(MeetingState.live)
    staff = await Peer.join(hub, room.meeting, room.facilitator.token)
    meeting = await staff.subscribe("meeting")
    assert meeting.rest["present"] == [room.facilitator.id]
    first = await Peer.join(hub, room.meeting, room.participant.token)
    joined = await staff.take(lambda f: f["type"] == "event")
    assert (joined["name"], joined["data"]["participant"]) == ("participant.joined", room.participant.id)
    second = await Peer.join(hub, room.meeting, room.participant.token)  # a second tab
    await first.close()
    await second.close()
    # A quick reconnect is not a departure.
    again = await Peer.join(hub, room.meeting, room.participant.token)
    assert (room.meeting, room.participant.id) not in hub._departures
    await again.close()
    left = await staff.take(lambda f: f["type"] == "event")
    assert (left["name"], left["data"]["participant"], left["seq"]) == (
        "participant.left", room.participant.id, joined["seq"] + 1)
    # The snapshot agrees: the participant is gone, the observer has just arrived.
    fresh = await Peer.join(hub, room.meeting, room.observer.token)
    assert (await fresh.subscribe("meeting")).rest["present"] == [room.facilitator.id, room.observer.id]
    for event in (joined, left):
        meeting.apply(event)
    await staff.follow("meeting", meeting, until=4)
    assert meeting.rest["present"] == [room.facilitator.id, room.observer.id]


async def test_no_attendance_before_the_meeting_starts(hub, room):
    staff = await Peer.join(hub, room.meeting, room.facilitator.token)
    await staff.subscribe("meeting")
    await Peer.join(hub, room.meeting, room.participant.token)
    snapshot = await Peer.join(hub, room.meeting, room.observer.token)
    model = await snapshot.subscribe("meeting")
    assert model.seq == 0 and model.rest["present"] == []


async def test_presence_is_coalesced_named_and_cleared_on_leaving(hub, room):
    sender = await Peer.join(hub, room.meeting, room.participant.token)
    watcher = await Peer.join(hub, room.meeting, room.observer.token)
    await sender.send({"type": "presence", "stream": room.board, "cursor": {"x": 0, "y": 0}})
    refused = await sender.take(lambda f: f["type"] == "error")
    assert refused["code"] == "bad_request" and refused["stream"] == room.board
    for peer in (sender, watcher):
        await peer.subscribe(room.board)
    for x in range(20):
        await sender.send({"type": "presence", "stream": room.board, "cursor": {"x": x, "y": 1},
                           "selection": [1, 2]})
    seen = await watcher.take(lambda f: f["type"] == "presence")
    assert seen["participant"] == room.participant.id and seen["name"] == "Persona participant"
    if seen["cursor"]["x"] != 19:
        seen = await watcher.take(lambda f: f["type"] == "presence" and f["cursor"]["x"] == 19)
    assert not [f for f in sender.unread if f["type"] == "presence"]
    await sender.close()
    gone = await watcher.take(lambda f: f["type"] == "presence")
    assert (gone["cursor"], gone["selection"]) == (None, [])


async def test_waiting_cursors_leave_with_the_next_event_in_one_message(hub, room, monkeypatch):
    monkeypatch.setattr(hub_module, "PRESENCE_INTERVAL", 60.0)  # no tick within the test
    sender = await Peer.join(hub, room.meeting, room.participant.token)
    watcher = await Peer.join(hub, room.meeting, room.observer.token)
    for peer in (sender, watcher):
        await peer.subscribe(room.board)
    await sender.send({"type": "presence", "stream": room.board, "cursor": {"x": 7, "y": 8}})
    ack = await sender.op(room.board, "item.create", {"kind": "note", "x": 0, "y": 0, "text": "insieme"})
    assert ack["type"] == "ack"
    together = [json.loads(frame) for frame in await asyncio.wait_for(watcher.connection.outbox.take(), TIMEOUT)]
    assert [frame["type"] for frame in together] == ["presence", "event"]
    assert together[0]["cursor"] == {"x": 7, "y": 8}
    assert together[1]["data"]["item"]["text"] == "insieme"
    assert not [f for f in sender.unread if f["type"] == "presence"]


async def test_each_visibility_class_is_encoded_once(hub, room):
    other = room.invite("Altra partecipante")
    private = room.new_board("Privata", private=True)
    stream = f"board:{private}"
    peers = {name: await Peer.join(hub, room.meeting, token) for name, token in (
        ("author", room.participant.token), ("other", other.token),
        ("staff", room.facilitator.token), ("observer", room.observer.token))}
    for peer in peers.values():
        await peer.subscribe(stream)
    ack = await peers["author"].op(stream, "item.create", {"kind": "note", "x": 0, "y": 0, "text": "idea"})
    assert ack["result"]["item"]["text"] == "idea"
    events = {}
    for name, peer in peers.items():
        await peer.take(lambda f: f["type"] == "event")
        events[name] = next(raw for raw in peer.raw if '"type":"event"' in raw)
    assert json.loads(events["other"])["data"]["item"]["text"] is None
    assert json.loads(events["staff"])["data"]["item"]["text"] == "idea"
    assert events["author"] is events["staff"]
    assert events["other"] is events["observer"]


async def test_an_unreachable_database_answers_internal_and_closes_1011(hub, room):
    peer = await Peer.join(hub, room.meeting, room.participant.token)
    working = hub.database
    hub.database = DatabaseWork(make_engine("postgresql://nobody@127.0.0.1:1/none"))
    try:
        await peer.send({"type": "op", "id": "lost", "stream": room.board, "name": "item.create",
                         "data": {"kind": "note", "x": 0, "y": 0}})
        error = await peer.take(lambda f: f["type"] == "error")
        assert (error["id"], error["code"]) == ("lost", "internal")
        with pytest.raises(Closed):
            await peer.take(lambda f: False)
        assert peer.connection.outbox.close_code == Close.UNAVAILABLE
    finally:
        await hub.database.close()
        hub.database = working

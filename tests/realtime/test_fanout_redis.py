"""Fan-out across processes through real Redis (`TAVOLO_TEST_REDIS_URL`): two `tavolo serve`
processes on different ports share one database and one Redis, with clients split across
them; and `tavolo serve --workers 2`.

Both databases. SQLite (WAL) takes two processes: pysqlite begins a transaction at its
first write, so the writers of both processes queue on SQLite's write lock (30 s busy
timeout) rather than fail; it held in every run so far.
Each module run uses channel names of its own (`TAVOLO_REDIS_PREFIX`), so runs sharing a
Redis do not hear each other. No sleeps: every wait is for a frame, an ack or a process.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from redis.asyncio import Redis
from sqlmodel import Session

from boards import items
from boards.models import Board, ItemKind, Person
from tests.conftest import Server, need
from tests.realtime.support import BoardModel, Client, new_op_id

pytestmark = pytest.mark.redis

REDIS_URL = os.environ.get("TAVOLO_TEST_REDIS_URL", "")


@pytest.fixture(scope="module")
def redis_env(server_env) -> dict[str, str]:
    need(bool(REDIS_URL), "Redis (TAVOLO_TEST_REDIS_URL)")
    return {**server_env, "TAVOLO_REDIS_URL": REDIS_URL,
            "TAVOLO_REDIS_PREFIX": f"test-{uuid.uuid4().hex[:8]}:"}


@pytest.fixture(scope="module")
def servers(redis_env):
    with ThreadPoolExecutor(2) as starting:  # both at once, as two hosts would
        pair = list(starting.map(lambda _: Server.start(redis_env), range(2)))
    yield pair
    for server in pair:
        server.stop()


@pytest.fixture
async def redis_admin():
    client = Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()


def board_over_http(room) -> dict:
    answer = room.client.get(f"/api/v1/boards/{room.plenary}", headers=room.world.facilitator.auth)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def subscribed(server: Server, room, token: str) -> tuple[Client, BoardModel]:
    client = await Client.open(server.ws_url, room.meeting, token)
    model = BoardModel()
    for frame in await client.subscribe(room.board):
        model.apply(frame)
    return client, model


async def catch_up(client: Client, model: BoardModel, stream: str, seq: int) -> None:
    """Apply this client's events up to `seq`; BoardModel refuses a gap or a repeat."""
    if model.seq < seq:
        for event in await client.events_until(stream, seq):
            model.apply(event)
    assert model.seq == seq


async def test_clients_on_two_processes_get_every_event_once_in_order(servers, room):
    """Writers on both processes at once; meanwhile a client subscribes (snapshot) on b and
    another comes back with `since` (replay) on a. Everyone ends with every seq, once, in
    order, and the state of a fresh snapshot."""
    a, b = servers
    writer_a, model_writer_a = await subscribed(a, room, room.facilitator.token)
    writer_b, model_writer_b = await subscribed(b, room, room.secretary.token)
    reader_a, model_reader_a = await subscribed(a, room, room.observer.token)
    reader_b, model_reader_b = await subscribed(b, room, room.participant.token)
    leaving, model_leaving = await subscribed(a, room, room.participant.token)
    late = await Client.open(b.ws_url, room.meeting, room.observer.token)
    quarter, halfway = asyncio.Event(), asyncio.Event()
    acks: list[dict] = []

    async def burst(client: Client, label: str, count: int) -> None:
        note = await client.op(room.board, "item.create", {"kind": "note", "x": 0, "y": 0, "text": label})
        acks.append(note)
        note_id = note["result"]["item"]["id"]
        for step in range(count):
            if step % 3 == 0:
                data = {"kind": "note", "x": step, "y": 1, "text": f"{label} {step}"}
                answer = await client.op(room.board, "item.create", data)
            elif step % 3 == 1:
                answer = await client.op(room.board, "item.move", {"item": note_id, "x": step, "y": step})
            else:
                answer = await client.op(room.board, "item.update", {"item": note_id, "text": f"{label} {step}"})
            assert answer["type"] == "ack", answer
            acks.append(answer)
            if label == "a" and step == count // 4:
                quarter.set()
            if label == "a" and step == count // 2:
                halfway.set()

    async def snapshot_mid_burst() -> BoardModel:
        await halfway.wait()
        model = BoardModel()
        for frame in await late.subscribe(room.board):
            model.apply(frame)
        assert model.seq > 0
        return model

    async def replay_mid_burst() -> tuple[Client, BoardModel]:
        await quarter.wait()
        seq = max(ack["seq"] for ack in acks)
        await catch_up(leaving, model_leaving, room.board, seq)
        await leaving.close()
        await halfway.wait()
        back = await Client.open(a.ws_url, room.meeting, room.participant.token)
        frames = await back.subscribe(room.board, since=seq)
        assert {frame["type"] for frame in frames} <= {"event", "synced"}
        for frame in frames:
            model_leaving.apply(frame)
        return back, model_leaving

    *_, snapshot, (back, model_back) = await asyncio.gather(
        burst(writer_a, "a", 45), burst(writer_b, "b", 45), snapshot_mid_burst(), replay_mid_burst())
    head = max(ack["seq"] for ack in acks)
    assert sorted(ack["seq"] for ack in acks) == list(range(1, head + 1))
    clients = [(writer_a, model_writer_a), (writer_b, model_writer_b), (reader_a, model_reader_a),
               (reader_b, model_reader_b), (late, snapshot), (back, model_back)]
    for client, model in clients:
        await catch_up(client, model, room.board, head)
    # No repeat waits behind the head: the next event anyone gets is the next seq.
    first_note = acks[0]["result"]["item"]["id"]
    last = await writer_b.op(room.board, "item.move", {"item": first_note, "x": 9, "y": 9})
    assert last["seq"] == head + 1
    fresh = board_over_http(room)
    for client, model in clients:
        await catch_up(client, model, room.board, head + 1)
        assert model.state()["items"] == fresh["items"]
    for client, _model in clients:
        await client.close()


async def test_killing_a_process_loses_no_acknowledged_op(servers, room):
    """SIGKILL of the process a writer is connected to, in the middle of a pipelined burst:
    every acknowledged op is in a fresh snapshot; the writer, back on the restarted process,
    resubscribes with `since`, resends what was not acknowledged, and everyone ends with
    every op exactly once. The watcher on the other process never disconnects: the events
    that came after the kill show it any gap (an op committed but not yet published when
    the process died), which it fills from the event log."""
    a, b = servers
    watcher, model_watcher = await subscribed(a, room, room.participant.token)
    writer, model_writer = await subscribed(b, room, room.facilitator.token)
    texts = {new_op_id(): f"nota {n}" for n in range(40)}
    for op_id, text in texts.items():
        await writer.send({"type": "op", "id": op_id, "stream": room.board, "name": "item.create",
                           "data": {"kind": "note", "x": 0, "y": 0, "text": text}})
    for op_id in list(texts)[:15]:
        assert (await writer.answer(op_id))["type"] == "ack"
    b.kill()
    await writer.closed()
    acked = {frame["id"] for frame in writer.frames if frame["type"] == "ack"}
    assert len(acked) >= 15
    on_board = [item["text"] for item in board_over_http(room)["items"]]
    assert {texts[op_id] for op_id in acked} <= set(on_board)

    b.restart()
    back = await Client.open(b.ws_url, room.meeting, room.facilitator.token)
    for frame in [f for f in writer.frames if f["type"] == "event"]:
        model_writer.apply(frame)  # what arrived before the kill
    for frame in await back.subscribe(room.board, since=model_writer.seq):
        model_writer.apply(frame)
    for op_id, text in texts.items():
        answer = await back.op(room.board, "item.create", {"kind": "note", "x": 0, "y": 0, "text": text},
                               op_id=op_id)
        assert answer["type"] == "ack", answer
    fresh = board_over_http(room)
    assert sorted(item["text"] for item in fresh["items"]) == sorted(texts.values())
    assert fresh["seq"] == len(texts)
    for client, model in ((watcher, model_watcher), (back, model_writer)):
        await catch_up(client, model, room.board, fresh["seq"])
        assert model.state()["items"] == fresh["items"]
    for client in (watcher, back):
        await client.close()


async def test_after_redis_drops_a_process_its_quiet_streams_catch_up(servers, room, redis_admin):
    """An event that no process published (as when the process that committed it dies
    first) reaches nobody live; once a process's Redis connection drops and comes back, it
    reads its streams' heads and sends what it missed, with no further event needed."""
    a, _b = servers
    watcher, model = await subscribed(a, room, room.participant.token)
    with Session(room.engine) as session:
        board = session.get(Board, room.plenary)
        facilitator = session.get(Person, room.facilitator.id)
        items.create_item(session=session, board=board, actor_person=facilitator, kind=ItemKind.note,
                          x=1, y=2, text="mai pubblicata")
        session.commit()
    [connection] = [c for c in await redis_admin.client_list()
                    if c["name"].startswith(f"tavolo-{a.process.pid}-") and c["name"].endswith("-sub")]
    assert await redis_admin.client_kill_filter(_id=connection["id"]) == 1
    await catch_up(watcher, model, room.board, 1)
    assert [item["text"] for item in model.state()["items"]] == ["mai pubblicata"]
    await watcher.close()


def wait_for_log(server: Server, text: str, *, times: int, timeout: float = 30) -> None:
    """Read the server's log (its stderr, a file) until `text` has appeared `times` times."""
    deadline = time.monotonic() + timeout
    while os.pread(server.process.log.fileno(), 1 << 20, 0).count(text.encode()) < times:
        assert server.process.poll() is None, "the server exited"
        assert time.monotonic() < deadline, (
            f"{text!r} did not appear {times} times in the server's log within {timeout} s")
        time.sleep(0.05)  # a log file has no event to await


def worker_connections(server: Server) -> dict[int, int]:
    """Established TCP connections to the server's port, per worker process (Linux)."""
    parent = server.process.pid
    children = [int(pid) for pid in Path(f"/proc/{parent}/task/{parent}/children").read_text().split()]
    listening, established = set(), set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == server.port:
                # fields[9] is the socket's inode; state 0A is LISTEN, 01 ESTABLISHED.
                {"0A": listening, "01": established}.get(fields[3], set()).add(fields[9])
    counts = {}
    for pid in children:
        sockets = set()
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue  # closed meanwhile
            if target.startswith("socket:["):
                sockets.add(target[8:-1])
        if sockets & listening:  # a worker (not, say, multiprocessing's resource tracker)
            counts[pid] = len(sockets & established)
    return counts


# PostgreSQL only, the database of a deployment with workers: SQLite shared by two processes
# is covered above, and starting two workers costs about 10 s here.
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_serve_with_two_workers_fans_out_between_them(redis_env, room):
    """`tavolo serve --workers 2`: connections are opened until both workers hold some
    (workers share one listening socket: the kernel decides); then every client sees every
    op of every other, in order."""
    need(Path("/proc/net/tcp").exists(), "Linux /proc (to see which worker holds a connection)")
    server = Server.start(redis_env, workers=2)
    clients: list[Client] = []
    try:
        # /healthz answered as soon as one worker was up.
        wait_for_log(server, "Application startup complete", times=2)
        while min(worker_connections(server).values(), default=0) == 0:
            assert len(clients) < 40, f"every connection went to one worker: {worker_connections(server)}"
            # Connecting several at once wakes several workers up in accept().
            clients += await asyncio.gather(*[
                Client.open(server.ws_url, room.meeting, room.participant.token) for _ in range(8)])
        assert len(worker_connections(server)) == 2
        models = []
        for client in clients:
            models.append(BoardModel())
            for frame in await client.subscribe(room.board):
                models[-1].apply(frame)
        answers = await asyncio.gather(*[
            client.op(room.board, "item.create", {"kind": "note", "x": n, "y": 0, "text": f"da {n}"})
            for n, client in enumerate(clients)])
        assert sorted(answer["seq"] for answer in answers) == list(range(1, len(clients) + 1))
        fresh = board_over_http(room)
        for client, model in zip(clients, models):
            await catch_up(client, model, room.board, len(clients))
            assert model.state()["items"] == fresh["items"]
    finally:
        for client in clients:
            await client.close()
        server.stop()


async def test_a_participant_removed_on_one_process_is_disconnected_on_the_other(servers, room):
    a, b = servers
    staff = await Client.open(a.ws_url, room.meeting, room.facilitator.token)
    gone = await Client.open(b.ws_url, room.meeting, room.participant.token)
    await staff.subscribe("meeting")
    removed = await staff.op("meeting", "participant.remove", {"participant": room.participant.id})
    assert removed["result"] == {"participant": room.participant.id}
    assert (await gone.closed()).code == 4403
    await staff.close()


async def test_cursors_cross_processes_and_disappear_when_their_connection_closes(servers, room):
    a, b = servers
    here = await Client.open(a.ws_url, room.meeting, room.participant.token)
    there = await Client.open(b.ws_url, room.meeting, room.facilitator.token)
    for client in (here, there):
        await client.subscribe(room.board)

    def cursor_of(person: int, *, gone: bool = False):
        return lambda f: (f["type"] == "presence" and f["participant"] == person
                          and (f["cursor"] is None) == gone)

    await here.send({"type": "presence", "stream": room.board, "cursor": {"x": 120, "y": 80}, "selection": []})
    seen = await there.take(cursor_of(room.participant.id))
    assert seen == {"type": "presence", "stream": room.board, "cursor": {"x": 120, "y": 80}, "selection": [],
                    "participant": room.participant.id, "name": "Persona participant"}
    await there.send({"type": "presence", "stream": room.board, "cursor": {"x": -5, "y": 7.5}, "selection": []})
    assert (await here.take(cursor_of(room.facilitator.id)))["cursor"] == {"x": -5, "y": 7.5}
    # Nobody gets their own cursor back, from either process.
    assert not [f for f in here.frames if f["type"] == "presence" and f["participant"] == room.participant.id]
    await here.close()
    assert (await there.take(cursor_of(room.participant.id, gone=True)))["selection"] == []
    await there.close()

"""The load generator: generator processes, each holding many websocket clients.

A client stamps what it sends with the sending time (CLOCK_MONOTONIC, the same in every
process of the machine): a Tavolo op id starts with it in hex, and a cursor's `x` is the time
in milliseconds modulo 1,000,000 (coordinates are bounded). Every receiver reads the stamp
back, so a delivery's latency is measured where it lands without any bookkeeping between
processes. The y-websocket peer's updates and awareness states carry the same stamp in a
string field.

The coordinator (`run`) and each generator process talk through a pipe, in steps:
connect half of the clients (→ "half"), more to connect the rest (→ "ready"), go (→
"stopped", after the load), heads (→ "result", once every subscription has caught up with
its stream's head or a deadline has passed).
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import random
import resource
import time
from array import array
from collections import Counter
from dataclasses import asdict, dataclass, field

import orjson

from realtime.interpreter import GC_THRESHOLDS

# Websocket messages above this size are refused by the contract's clients.
MAX_FRAME = 16 * 1024 * 1024
# Connections opened at once by one generator process.
CONNECT_CONCURRENCY = 25
# Waiting this long for the last deliveries (or acks) after the load means they are lost.
DRAIN_TIMEOUT = 30.0
CONNECT_TIMEOUT = 60.0
NOTE_TEXT = "Più posti in accoglienza notturna, con un presidio sanitario"
# A cursor's x is a time in ms modulo this (the protocol bounds coordinates at ±1,000,000).
CURSOR_MODULO = 1_000_000
# A message holding cursors only is counted without being parsed, and the cursors of a
# message that also holds events (the server sends waiting cursors with the next event) are
# counted without being handled, but for one message in this many, whose cursors give the
# latency figures: handling all of them was half the generator's CPU in the plenary, on the
# cores it shares with the server. The sample is by arrival order, so it is blind to
# latency. Frames are compact JSON, in which `"type":"` occurs only as a key (a quote
# inside a string value is escaped).
PRESENCE_SAMPLE = 8
TYPE_KEY = '"type":"'
PRESENCE_TYPE = '"type":"presence"'
BATCH_TYPE = '"type":"batch"'


def now_ms() -> float:
    return time.monotonic_ns() / 1e6


@dataclass
class ClientSpec:
    """One simulated person: what they read and, when active, what they do."""

    token: str = ""
    streams: list[str] = field(default_factory=list)
    # Where their ops and cursor go (None: a reader only).
    board: str | None = None
    op_period: float = 0.0
    cursor_hz: float = 0.0
    # The facilitator: meeting events (timer, prompt, broadcast) every `op_period` seconds.
    facilitator: bool = False


@dataclass
class Plan:
    system: str  # "tavolo" or "peer"
    urls: list[str]  # a client connects to urls[index % len(urls)]
    meeting_id: int
    clients: list[ClientSpec]
    deflate: bool = False
    seed: int = 0


# --- statistics of one generator process -----------------------------------------------------

class Stats:
    def __init__(self) -> None:
        # Latencies in ms: "event" (board streams), "meeting" (meeting stream), "presence", "ack".
        self.latency: dict[str, array] = {k: array("f") for k in ("event", "meeting", "presence", "ack")}
        self.delivered = 0
        self.duplicates = 0
        self.out_of_order = 0
        self.presence = 0
        self.messages = 0
        self.bytes = 0
        self.ops_sent = 0
        self.acks = 0
        self.errors: Counter = Counter()
        self.closed: Counter = Counter()
        self.max_ack: dict[str, int] = {}
        # Events delivered before the load started (arrivals while connecting).
        self.before_load = 0

    def export(self) -> dict:
        return {
            "latency": {k: v.tobytes() for k, v in self.latency.items()},
            "delivered": self.delivered, "load_delivered": self.delivered - self.before_load,
            "duplicates": self.duplicates,
            "out_of_order": self.out_of_order, "presence": self.presence,
            "messages": self.messages, "bytes": self.bytes, "ops_sent": self.ops_sent,
            "acks": self.acks, "errors": dict(self.errors), "closed": dict(self.closed),
        }


@dataclass
class StreamState:
    synced: asyncio.Future
    seq: int = 0  # the last seq received
    first: int = 0  # the seq of the snapshot
    target: int | None = None
    reached: asyncio.Event = field(default_factory=asyncio.Event)

    def check(self) -> None:
        if self.target is not None and self.seq >= self.target:
            self.reached.set()


# --- a Tavolo client -----------------------------------------------------------------------------

class TavoloClient:
    def __init__(self, index: int, spec: ClientSpec, stats: Stats, url: str, plan: Plan) -> None:
        self.index = index
        self.spec = spec
        self.stats = stats
        self.url = f"{url}/ws/meetings/{plan.meeting_id}"
        self.deflate = plan.deflate
        self.ws = None
        self.streams: dict[str, StreamState] = {}
        # Op id → (time sent, stream) until its ack or error.
        self.pending: dict[str, tuple[float, str]] = {}
        self.item: int | None = None
        self.count = 0
        self.stopping = False
        self.idle = asyncio.Event()
        self.idle.set()
        self.reader: asyncio.Task | None = None
        self.presence_messages = 0

    async def connect(self) -> None:
        from websockets.asyncio.client import connect

        self.ws = await connect(self.url, max_size=MAX_FRAME, ping_interval=None, open_timeout=CONNECT_TIMEOUT,
                                compression="deflate" if self.deflate else None)
        await self.ws.send(orjson.dumps({"type": "hello", "token": self.spec.token, "client": "bench/1"}).decode())
        welcome = orjson.loads(await self.ws.recv())
        if welcome.get("type") != "welcome":
            raise RuntimeError(f"no welcome: {welcome}")
        self.reader = asyncio.create_task(self._read())
        loop = asyncio.get_running_loop()
        for stream in self.spec.streams:
            self.streams[stream] = StreamState(loop.create_future())
            await self.ws.send(orjson.dumps({"type": "subscribe", "stream": stream}).decode())
        await asyncio.gather(*(state.synced for state in self.streams.values()))

    async def subscribe_timed(self, stream: str, since: int | None = None) -> tuple[float, int]:
        """Subscribe again; (ms until `synced`, bytes of the snapshot or replay received)."""
        state = self.streams[stream] = StreamState(asyncio.get_running_loop().create_future())
        frame = {"type": "subscribe", "stream": stream}
        if since is not None:
            frame["since"] = since
        before = self.stats.bytes
        started = now_ms()
        await self.ws.send(orjson.dumps(frame).decode())
        await state.synced
        return now_ms() - started, self.stats.bytes - before

    async def _read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for message in self.ws:
                received = now_ms()
                self.stats.messages += 1
                self.stats.bytes += len(message)
                cursors = message.count(PRESENCE_TYPE)
                sampled = True
                if cursors:
                    self.presence_messages += 1
                    sampled = self.presence_messages % PRESENCE_SAMPLE == 0
                    if not sampled and message.count(TYPE_KEY) == cursors + message.startswith(BATCH_TYPE, 1):
                        self.stats.presence += cursors
                        continue
                frame = orjson.loads(message)
                if frame["type"] == "batch":
                    for inner in frame["frames"]:
                        if sampled or inner["type"] != "presence":
                            self._handle(inner, received)
                        else:
                            self.stats.presence += 1
                else:
                    self._handle(frame, received)
        except ConnectionClosed:
            pass
        finally:
            if not self.stopping:
                self.stats.closed[str(self.ws.close_code)] += 1
            for state in self.streams.values():
                if not state.synced.done():
                    state.synced.set_exception(RuntimeError(f"closed {self.ws.close_code}"))

    def _handle(self, frame: dict, received: float) -> None:
        kind = frame["type"]
        if kind == "event":
            state = self.streams.get(frame["stream"])
            if state is None or not state.synced.done():
                return
            seq = frame["seq"]
            if seq <= state.seq:
                self.stats.duplicates += 1
                return
            if seq != state.seq + 1:
                self.stats.out_of_order += 1
            state.seq = seq
            self.stats.delivered += 1
            op = frame.get("op")
            if op and op[0] == "b":
                sent = int(op[1:op.index(".")], 16) / 1e6
                category = "meeting" if frame["stream"] == "meeting" else "event"
                self.stats.latency[category].append(received - sent)
            state.check()
        elif kind == "presence":
            self.stats.presence += 1
            cursor = frame.get("cursor")
            if cursor:
                self.stats.latency["presence"].append((received - cursor["x"]) % CURSOR_MODULO)
        elif kind == "ack" or kind == "error":
            pending = self.pending.pop(frame.get("id"), None)
            if kind == "error":
                self.stats.errors[frame.get("code")] += 1
            elif pending is not None:
                sent, stream = pending
                self.stats.acks += 1
                self.stats.latency["ack"].append(received - sent)
                self.stats.max_ack[stream] = max(self.stats.max_ack.get(stream, 0), frame["seq"])
                item = (frame.get("result") or {}).get("item")
                if isinstance(item, dict):
                    self.item = item["id"]
            if not self.pending:
                self.idle.set()
        elif kind == "snapshot":
            state = self.streams.get(frame["stream"])
            if state is not None:
                state.first = frame["seq"]
        elif kind == "synced":
            state = self.streams.get(frame["stream"])
            if state is not None and not state.synced.done():
                state.seq = frame["seq"]
                state.first = frame["seq"]
                state.synced.set_result(frame["seq"])
                state.check()

    async def send_op(self, stream: str, name: str, data: dict) -> None:
        self.count += 1
        sent = now_ms()
        op_id = f"b{time.monotonic_ns():x}.{self.index}.{self.count}"
        self.pending[op_id] = (sent, stream)
        self.idle.clear()
        self.stats.ops_sent += 1
        await self.ws.send(orjson.dumps({"type": "op", "id": op_id, "stream": stream, "name": name,
                                         "data": data}).decode())

    async def act(self, rng: random.Random) -> None:
        """One op: a new note now and then, else moving one's latest note."""
        board = self.spec.board
        if self.item is None or self.count % 4 == 0:
            await self.send_op(board, "item.create", {"kind": "note", "x": rng.uniform(0, 5000),
                                                      "y": rng.uniform(0, 3000), "text": NOTE_TEXT})
        else:
            await self.send_op(board, "item.move", {"item": self.item, "x": rng.uniform(0, 5000),
                                                    "y": rng.uniform(0, 3000)})

    async def facilitate(self, rng: random.Random) -> None:
        """The facilitator's meeting events: a timer, a guiding question, a message."""
        step = self.count % 3
        if step == 0:
            await self.send_op("meeting", "timer.start", {"seconds": 600, "label": "Lavoro in gruppo"})
        elif step == 1:
            await self.send_op("meeting", "prompt.open", {"text": "Quali risorse può mettere in campo il vostro ente?"})
        else:
            await self.send_op("meeting", "message.broadcast", {"text": "Mancano dieci minuti"})

    async def cursor(self, index: int) -> None:
        await self.ws.send(orjson.dumps({"type": "presence", "stream": self.spec.board, "selection": [],
                                         "cursor": {"x": now_ms() % CURSOR_MODULO, "y": index}}).decode())

    async def close(self) -> None:
        self.stopping = True
        await self.ws.close()
        if self.reader is not None:
            await asyncio.gather(self.reader, return_exceptions=True)


# --- a y-websocket client (the peer) ------------------------------------------------------------

def _var_uint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    out.append(value)
    return bytes(out)


def _var_bytes(data: bytes) -> bytes:
    return _var_uint(len(data)) + data


# Stamps in the peer's binary updates: rare enough never to occur by chance in them.
MARK = b"~bench~"


class PeerClient:
    """Speaks y-websocket's sync and awareness messages; updates are made with pycrdt (Yrs),
    so the peer's server applies real Yjs updates to its document."""

    DOC = "plenaria"

    def __init__(self, index: int, spec: ClientSpec, stats: Stats, url: str, plan: Plan) -> None:
        self.index = index
        self.spec = spec
        self.stats = stats
        self.url = f"{url}/{self.DOC}"
        self.deflate = plan.deflate
        self.ws = None
        self.received = 0
        self.target: int | None = None
        self.reached = asyncio.Event()
        self.stopping = False
        self.count = 0
        self.clock = 0
        self.doc = None
        self.notes = None
        self.item = None
        self.reader: asyncio.Task | None = None

    async def connect(self) -> None:
        from websockets.asyncio.client import connect

        self.ws = await connect(self.url, max_size=MAX_FRAME, ping_interval=None, open_timeout=CONNECT_TIMEOUT,
                                compression="deflate" if self.deflate else None)
        if self.spec.board:
            from pycrdt import Doc, Map

            self.doc = Doc()
            self.notes = self.doc.get("notes", type=Map)
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for message in self.ws:
                received = now_ms()
                self.stats.messages += 1
                self.stats.bytes += len(message)
                if isinstance(message, str):
                    continue
                if message[0] == 0 and message[1] == 2:  # sync: an update
                    self.received += 1
                    self.stats.delivered += 1
                    category = "event"
                elif message[0] == 1:  # awareness
                    self.stats.presence += 1
                    category = "presence"
                else:
                    continue
                at = message.find(MARK)
                if at >= 0:
                    start = at + len(MARK)
                    sent = int(message[start:message.index(b"~", start)], 16) / 1e6
                    self.stats.latency[category].append(received - sent)
                if self.target is not None and self.received >= self.target:
                    self.reached.set()
        except ConnectionClosed:
            pass
        finally:
            if not self.stopping:
                self.stats.closed[str(self.ws.close_code)] += 1

    def _mark(self) -> str:
        return f"{MARK.decode()}{time.monotonic_ns():x}~"

    async def act(self, rng: random.Random) -> None:
        from pycrdt import Map

        self.count += 1
        state = self.doc.get_state()
        if self.item is None or self.count % 4 == 1:
            key = f"{self.index}-{self.count}"
            self.notes[key] = Map({"kind": "note", "x": rng.uniform(0, 5000), "y": rng.uniform(0, 3000),
                                   "w": 200.0, "h": 200.0, "text": NOTE_TEXT, "color": "yellow",
                                   "op": self._mark()})
            self.item = key
        else:
            note = self.notes[self.item]
            with self.doc.transaction():
                note["x"] = rng.uniform(0, 5000)
                note["y"] = rng.uniform(0, 3000)
                note["op"] = self._mark()
        update = self.doc.get_update(state)
        self.stats.ops_sent += 1
        await self.ws.send(b"\x00\x02" + _var_bytes(update))

    async def cursor(self, index: int) -> None:
        self.clock += 1
        state = orjson.dumps({"cursor": {"x": now_ms() % CURSOR_MODULO, "y": index},
                              "user": {"name": f"Persona {self.index}"}, "t": self._mark()})
        update = _var_uint(1) + _var_uint(self.doc.client_id) + _var_uint(self.clock) + _var_bytes(state)
        await self.ws.send(b"\x01" + _var_bytes(update))

    async def close(self) -> None:
        self.stopping = True
        await self.ws.close()
        if self.reader is not None:
            await asyncio.gather(self.reader, return_exceptions=True)


# --- a generator process ----------------------------------------------------------------------

async def _every(period: float, until: float, rng: random.Random, action) -> None:
    """Call `action()` every `period` seconds from a random phase until `until` (monotonic),
    or until the connection closes (its reader counts it as dropped)."""
    from websockets.exceptions import ConnectionClosed

    loop = asyncio.get_running_loop()
    at = loop.time() + rng.uniform(0, period)
    while at < until:
        await asyncio.sleep(max(0.0, at - loop.time()))  # a schedule, not a synchronisation
        try:
            await action()
        except ConnectionClosed:
            return
        at += period


async def _generate(pipe, plan: Plan, offset: int) -> None:
    stats = Stats()
    kind = TavoloClient if plan.system == "tavolo" else PeerClient
    clients = [kind(offset + i, spec, stats, plan.urls[(offset + i) % len(plan.urls)], plan)
               for i, spec in enumerate(plan.clients)]
    rng = random.Random(plan.seed + offset)
    limit = asyncio.Semaphore(CONNECT_CONCURRENCY)
    failures: list[str] = []

    async def open_one(client) -> None:
        async with limit:
            try:
                await client.connect()
            except Exception as error:  # reported, not raised: one refused socket is a figure
                failures.append(repr(error)[:200])

    started = time.monotonic()
    loop = asyncio.get_running_loop()
    # In two halves: the coordinator reads the server's memory after each, and counts what
    # the second half added per connection.
    half = len(clients) // 2
    await asyncio.gather(*(open_one(client) for client in clients[:half]))
    pipe.send(("half", {"connected": half - len(failures)}))
    await loop.run_in_executor(None, pipe.recv)
    await asyncio.gather(*(open_one(client) for client in clients[half:]))
    # As the server does (realtime/interpreter.py): the clients live until the end, so the
    # collector stops walking them, and collects rarely; its pauses would count as latency.
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    pipe.send(("ready", {"connected": len(clients) - len(failures), "failures": failures[:5],
                         "connect_seconds": time.monotonic() - started}))
    command, argument = await loop.run_in_executor(None, pipe.recv)
    live = [client for client in clients if client.ws is not None]
    if command == "go":
        until = loop.time() + argument["duration"]
        tasks = []
        for client in live:
            spec = client.spec
            if spec.op_period:
                action = client.facilitate if spec.facilitator else client.act
                tasks.append(_every(spec.op_period, until, rng, lambda a=action: a(rng)))
            if spec.cursor_hz and spec.board:
                tasks.append(_every(1 / spec.cursor_hz, until, rng, lambda c=client: c.cursor(c.index)))
        cpu = time.process_time()
        stats.before_load = stats.delivered
        await asyncio.gather(*tasks)
        if plan.system == "tavolo":
            with_pending = [client.idle.wait() for client in live]
            try:
                await asyncio.wait_for(asyncio.gather(*with_pending), DRAIN_TIMEOUT)
            except TimeoutError:
                pass
        maxima: dict[str, int] = stats.max_ack
        pipe.send(("stopped", {"max_ack": maxima, "sent": stats.ops_sent}))
        command, heads = await loop.run_in_executor(None, pipe.recv)
        expected = 0
        waits = []
        for client in live:
            if plan.system == "tavolo":
                for stream, state in client.streams.items():
                    head = heads.get(stream)
                    if head is None:
                        continue
                    expected += max(0, head - state.first)
                    state.target = head
                    state.check()
                    waits.append(state.reached.wait())
            else:
                client.target = heads["updates"]
                expected += heads["updates"]
                if client.received >= client.target:
                    client.reached.set()
                waits.append(client.reached.wait())
        try:
            await asyncio.wait_for(asyncio.gather(*waits), DRAIN_TIMEOUT)
        except TimeoutError:
            pass
        result = stats.export()
        result.update(expected=expected, generator_cpu=time.process_time() - cpu)
        pipe.send(("result", result))
        command, _ = await loop.run_in_executor(None, pipe.recv)
    await asyncio.gather(*(client.close() for client in live), return_exceptions=True)
    pipe.send(("closed", None))


def _worker(pipe, plan: Plan, offset: int) -> None:
    try:
        import uvloop

        uvloop.run(_generate(pipe, plan, offset))
    except ImportError:
        asyncio.run(_generate(pipe, plan, offset))


def _raise_file_limit() -> None:
    # A generator may hold a thousand sockets: the default soft limit of 1,024 is not enough.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class Generators:
    """Generator processes sharing a plan's clients, driven step by step from the coordinator."""

    def __init__(self, plan: Plan, processes: int) -> None:
        _raise_file_limit()
        context = multiprocessing.get_context("spawn")
        self.pipes = []
        self.processes = []
        processes = max(1, min(processes, len(plan.clients)))
        share = -(-len(plan.clients) // processes)
        for index in range(processes):
            part = plan.clients[index * share:(index + 1) * share]
            if not part:
                continue
            ours, theirs = context.Pipe()
            sub = Plan(**{**asdict(plan), "clients": part})
            process = context.Process(target=_worker, args=(theirs, sub, index * share), daemon=True)
            process.start()
            self.pipes.append(ours)
            self.processes.append(process)

    def expect(self, step: str, timeout: float = 300.0) -> list[dict]:
        answers = []
        for pipe in self.pipes:
            if not pipe.poll(timeout):
                raise RuntimeError(f"a generator did not answer {step!r} within {timeout:.0f} s")
            name, value = pipe.recv()
            if name != step:
                raise RuntimeError(f"expected {step!r} from a generator, got {name!r}")
            answers.append(value)
        return answers

    def send(self, command: str, argument=None) -> None:
        for pipe in self.pipes:
            pipe.send((command, argument))

    def close(self) -> None:
        for process in self.processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()

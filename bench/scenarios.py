"""The scenarios of issue 6: plenary, breakout, big board, scale-out and the peer."""

from __future__ import annotations

import asyncio
import dataclasses
import signal
import statistics
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from bench import procstat, provision
from bench.figures import summarise
from bench.load import ClientSpec, Generators, PeerClient, Plan, Stats, TavoloClient
from bench.servers import Database, peer_server, tavolo_servers

MIB = 1024 * 1024
# After the load, the heads must stay still this long to count as final (at most the timeout).
HEADS_QUIET = 1.0
HEADS_TIMEOUT = 60.0


@dataclass
class Options:
    n: int = 500
    active: int = 50
    group: int = 10
    duration: float = 30.0
    op_period: float = 2.0
    cursor_hz: float = 10.0
    facilitator_period: float = 5.0
    processes: int = 2
    db: str = "sqlite"
    deflate: bool = False
    live: bool = True
    # Seconds for the connection phase's own work (arrivals) to finish before measuring.
    settle: float = 2.0
    items: int = 5000
    contributions: int = 2000
    resync: int = 1000
    repeat: int = 5
    seed: int = 1
    # A folder for py-spy's profiles of the servers during the load (collapsed stacks).
    profile: Path | None = None


def _warm_up(plan: Plan) -> None:
    """One connection before measuring, so that what loads once (modules, caches, the
    meeting's room) does not count as the memory of the connections that follow."""
    async def once() -> None:
        kind = TavoloClient if plan.system == "tavolo" else PeerClient
        client = kind(0, plan.clients[0], Stats(), plan.urls[0], plan)
        await client.connect()
        await client.close()

    asyncio.run(once())


def _heads(database: Database, meeting_id: int) -> dict[str, int]:
    """Each stream's last seq, by its wire name."""
    engine = database.engine()
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT stream, seq FROM streamhead")).all()
    finally:
        engine.dispose()
    return {("meeting" if stream == f"meeting:{meeting_id}" else stream): seq for stream, seq in rows}


def _final_heads(database: Database, meeting_id: int) -> dict[str, int]:
    """The heads once no op is still being written: an op whose socket was dropped has no
    ack to wait for, but may still commit after the load."""
    heads = _heads(database, meeting_id)
    deadline = time.monotonic() + HEADS_TIMEOUT
    while time.monotonic() < deadline:
        time.sleep(HEADS_QUIET)  # polling the database: no event tells that writes have ended
        again = _heads(database, meeting_id)
        if again == heads:
            break
        heads = again
    return heads


def run_load(plan: Plan, pids: list[int], options: Options, *, heads=None) -> dict:
    """Connect the plan's clients, drive them for `options.duration`, and measure the servers."""
    _warm_up(plan)
    servers = [p for pid in pids for p in procstat.tree(pid)]
    load_before = procstat.load_average()
    rss_before = procstat.rss_bytes(servers)
    samplers = [procstat.Sampler(pid) for pid in pids]
    for sampler in samplers:
        sampler.__enter__()
    generators = Generators(plan, options.processes)
    try:
        halfway = sum(h["connected"] for h in generators.expect("half"))
        time.sleep(options.settle)  # let the arrivals' writes finish: a pause, not a synchronisation
        servers = [p for pid in pids for p in procstat.tree(pid)]
        rss_half = procstat.rss_bytes(servers)
        generators.send("more")
        ready = generators.expect("ready")
        connected = sum(r["connected"] for r in ready)
        time.sleep(options.settle)
        servers = [p for pid in pids for p in procstat.tree(pid)]
        rss_idle = procstat.rss_bytes(servers)
        cpu_before = procstat.cpu_seconds(servers)
        ticks_before = procstat.machine_ticks()
        profilers = _profile(servers, options.profile, plan.system)
        started = time.monotonic()
        generators.send("go", {"duration": options.duration})
        stopped = generators.expect("stopped", options.duration + 120)
        sent = sum(s["sent"] for s in stopped)
        generators.send("heads", heads(sent) if heads else {"updates": sent})
        results = generators.expect("result", 120)
        elapsed = time.monotonic() - started
        cpu = procstat.cpu_seconds(servers) - cpu_before
        stolen = procstat.stolen_percent(ticks_before, procstat.machine_ticks())
        for profiler in profilers:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(timeout=60)
        generators.send("close")
        generators.expect("closed", 60)
    finally:
        generators.close()
        for sampler in samplers:
            sampler.__exit__(None, None, None)
    figures = summarise(results)
    # What the server did while measured: the load's events (not the arrivals before it).
    events = figures["load_delivered"]
    deliveries = events + figures["presence"]
    figures.update(
        system=plan.system,
        clients=len(plan.clients),
        connected=connected,
        connect_failures=[f for r in ready for f in r["failures"]],
        connect_seconds=round(max(r["connect_seconds"] for r in ready), 2),
        active=sum(1 for c in plan.clients if c.op_period),
        duration=options.duration,
        elapsed_seconds=round(elapsed, 2),
        events_per_second=events / options.duration,
        presence_per_second=figures["presence"] / options.duration,
        server_cpu_seconds=round(cpu, 3),
        server_cores=cpu / elapsed,
        cpu_per_1000_deliveries=1000 * cpu / deliveries if deliveries else 0.0,
        cpu_per_1000_events=1000 * cpu / events if events else 0.0,
        peak_rss_mib=sum(s.peak for s in samplers) / MIB,
        rss_before_mib=rss_before / MIB,
        # What one more connection costs: the second half's growth. The first half also pays
        # for what grows once, with the first burst of arrivals rather than with their number
        # (worker threads, their SQLite connections and caches, allocator arenas): that
        # average is kept for comparison with figures measured before.
        kib_per_connection=(rss_idle - rss_half) / 1024 / max(1, connected - halfway),
        kib_per_connection_average=(rss_idle - rss_before) / 1024 / max(1, connected),
        load_before=load_before,
        load_after=procstat.load_average(),
        stolen_percent=round(stolen, 2),
    )
    return figures


def _profile(pids: list[int], folder: Path | None, system: str) -> list[subprocess.Popen]:
    """py-spy sampling each Python server process, until interrupted."""
    if folder is None or system != "tavolo":
        return []
    folder.mkdir(parents=True, exist_ok=True)
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    profilers = []
    for pid in pids:
        target = folder / f"{time.strftime('%H%M%S')}-{pid}.txt"
        profilers.append(subprocess.Popen(
            [spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "200", "--nonblocking",
             "--output", str(target)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return profilers


def _spread(count: int, chosen: int) -> set[int]:
    """`chosen` indices spread evenly over `count` (so every generator process has some)."""
    if chosen <= 0:
        return set()
    step = count / chosen
    return {int(i * step) for i in range(min(chosen, count))}


def plenary_specs(world: provision.World, options: Options) -> list[ClientSpec]:
    board = f"board:{world.plenary}"
    active = _spread(len(world.tokens), options.active)
    return [ClientSpec(token=token, streams=[board], board=board if i in active else None,
                       op_period=options.op_period if i in active else 0.0,
                       cursor_hz=options.cursor_hz if i in active else 0.0)
            for i, token in enumerate(world.tokens)]


def plenary(options: Options, run_dir: Path) -> dict:
    database = Database.fresh(options.db, run_dir)
    try:
        world = provision.build(database.engine(), participants=options.n, live=options.live)
        with tavolo_servers(database, run_dir) as servers:
            plan = Plan("tavolo", [s.ws_url for s in servers], world.meeting_id,
                        plenary_specs(world, options), options.deflate, options.seed)
            return run_load(plan, [s.pid for s in servers], options,
                            heads=lambda sent: _final_heads(database, world.meeting_id))
    finally:
        database.drop()


def breakout_specs(world: provision.World, options: Options) -> list[ClientSpec]:
    specs = []
    for token, group in zip(world.tokens, world.group_of):
        board = f"board:{world.group_boards[group]}"
        specs.append(ClientSpec(token=token, streams=["meeting", board], board=board,
                                op_period=options.op_period, cursor_hz=options.cursor_hz))
    # The facilitator follows the meeting and sends its events (timer, prompt, message).
    specs.append(ClientSpec(token=world.facilitator_token, streams=["meeting"], facilitator=True,
                            op_period=options.facilitator_period))
    return specs


def breakout(options: Options, run_dir: Path, *, servers_count: int = 1) -> dict:
    database = Database.fresh(options.db, run_dir)
    try:
        world = provision.build(database.engine(), participants=options.n, live=options.live,
                                groups_of=options.group)
        with tavolo_servers(database, run_dir, count=servers_count) as servers:
            plan = Plan("tavolo", [s.ws_url for s in servers], world.meeting_id,
                        breakout_specs(world, options), options.deflate, options.seed)
            figures = run_load(plan, [s.pid for s in servers], options,
                               heads=lambda sent: _final_heads(database, world.meeting_id))
            figures["server_processes"] = servers_count
            return figures
    finally:
        database.drop()


def scaleout(options: Options, run_dir: Path) -> dict:
    """The breakout on one process, then on two sharing Redis and the database.

    Always on PostgreSQL: server processes sharing a SQLite file refuse each other's writes
    under this load ("database is locked": a transaction that began by reading cannot
    become a writer once another process has committed), so several processes mean
    PostgreSQL, as in production.
    """
    options = dataclasses.replace(options, db="postgresql")
    one = breakout(options, run_dir / "one")
    two = breakout(options, run_dir / "two", servers_count=2)
    ratio = two["events_per_second"] / one["events_per_second"] if one["events_per_second"] else 0.0
    return {"db": options.db, "one": one, "two": two, "events_per_second_ratio": ratio}


def peer(options: Options, run_dir: Path) -> dict:
    """The plenary fan-out job against Tavolo and against the y-websocket server."""
    tavolo = plenary(options, run_dir / "tavolo")
    specs = [ClientSpec(board="doc" if spec.board else None, op_period=spec.op_period, cursor_hz=spec.cursor_hz)
             for spec in plenary_specs(provision.World(0, 0, "", [""] * options.n, []), options)]
    (run_dir / "peer").mkdir(parents=True, exist_ok=True)
    with peer_server(run_dir / "peer") as server:
        plan = Plan("peer", [server.ws_url], 0, specs, options.deflate, options.seed)
        other = run_load(plan, [server.pid], options)
    return {"tavolo": tavolo, "peer": other, "ratios": {
        "cpu_per_delivery": _ratio(tavolo["cpu_per_1000_deliveries"], other["cpu_per_1000_deliveries"]),
        "cpu_per_event": _ratio(tavolo["cpu_per_1000_events"], other["cpu_per_1000_events"]),
        "cpu_per_second": _ratio(tavolo["server_cores"], other["server_cores"]),
        "event_p50": _ratio(_latency(tavolo, "p50"), _latency(other, "p50")),
        "event_p99": _ratio(_latency(tavolo, "p99"), _latency(other, "p99")),
    }}


def _latency(figures: dict, key: str) -> float:
    event = figures["latency_ms"]["event"]
    return event[key] if event else 0.0


def _ratio(ours: float, theirs: float) -> float | None:
    return round(ours / theirs, 2) if theirs else None


# --- big board ------------------------------------------------------------------------------

def bigboard(options: Options, run_dir: Path) -> dict:
    """Snapshot of a board of `items` items (in the process and over the socket), and the
    resync of the last `resync` events."""
    from sqlmodel import Session

    from boards.items import board_state, get_board
    from boards.models import Person

    database = Database.fresh(options.db, run_dir)
    try:
        world = provision.build(database.engine(), participants=10, live=options.live)
        engine = database.engine()
        started = time.monotonic()
        provision.fill_board(engine, world.plenary, options.items)
        fill_seconds = time.monotonic() - started
        in_process = []
        with Session(engine) as session:
            viewer = session.get(Person, world.person_ids[0])
            for _ in range(options.repeat):
                started = time.perf_counter()
                board_state(session, get_board(session, world.plenary), viewer)
                in_process.append((time.perf_counter() - started) * 1000)
                session.expire_all()
        engine.dispose()
        head = _heads(database, world.meeting_id)[f"board:{world.plenary}"]
        with tavolo_servers(database, run_dir) as servers:
            stream = f"board:{world.plenary}"
            plan = Plan("tavolo", [servers[0].ws_url], world.meeting_id,
                        [ClientSpec(token=world.tokens[0], streams=[])], options.deflate)
            snapshot, replay = asyncio.run(_timed_subscriptions(plan, stream, head, options))
        return {
            "items": options.items, "fill_seconds": round(fill_seconds, 2),
            "board_state_ms": _median_and_all(in_process),
            "snapshot_ms": _median_and_all([t for t, _ in snapshot]),
            "snapshot_bytes": snapshot[0][1],
            "resync_events": options.resync,
            "resync_ms": _median_and_all([t for t, _ in replay]),
            "resync_bytes": replay[0][1],
            "load_before": procstat.load_average(),
        }
    finally:
        database.drop()


async def _timed_subscriptions(plan: Plan, stream: str, head: int, options: Options):
    client = TavoloClient(0, plan.clients[0], Stats(), plan.urls[0], plan)
    await client.connect()
    try:
        await client.subscribe_timed(stream)  # warm: the first read fills the server's caches
        snapshot = [await client.subscribe_timed(stream) for _ in range(options.repeat)]
        replay = [await client.subscribe_timed(stream, since=head - options.resync) for _ in range(options.repeat)]
    finally:
        await client.close()
    return snapshot, replay


def _median_and_all(values: list[float]) -> dict:
    return {"median": round(statistics.median(values), 1), "all": [round(v, 1) for v in values]}


# --- minutes --------------------------------------------------------------------------------

MINUTES_FORMATS = ["md", "html", "docx", "odt", "pdf"]


def minutes(options: Options, run_dir: Path) -> dict:
    """The verbale of a meeting with `contributions` notes: generating its Markdown, then
    rendering it in each export format (in this process: no server involved)."""
    from sqlmodel import Session

    from boards import exports
    from boards import minutes as verbale
    from boards.exports.store import ExportStore

    database = Database.fresh(options.db, run_dir)
    try:
        world = provision.build(database.engine(), participants=50, live=options.live)
        engine = database.engine()
        provision.fill_board(engine, world.plenary, options.contributions)
        timings = {}
        with Session(engine) as session:
            started, cpu = time.perf_counter(), time.process_time()
            markdown = verbale.generate(session, meeting_id=world.meeting_id)
            timings["generate"] = _timed(started, cpu, len(markdown.encode()))
        engine.dispose()
        letterhead = exports.Letterhead(administration="Comune di Padova", title="Verbale (bench)",
                                        status="Bozza non approvata")
        for fmt in MINUTES_FORMATS:
            started, cpu = time.perf_counter(), time.process_time()
            document = exports.render(markdown, fmt, letterhead)
            timings[fmt] = _timed(started, cpu, len(document))
        # An approved version's PDF is made once, in the background when it is approved
        # (here: stored from the in-memory cache of the print above), then every download
        # reads it from the store on disk.
        with tempfile.TemporaryDirectory() as folder:
            store = ExportStore(Path(folder))
            store.render(markdown, "pdf", letterhead)
            started, cpu = time.perf_counter(), time.process_time()
            document = store.render(markdown, "pdf", letterhead)
            timings["pdf_stored"] = _timed(started, cpu, len(document))
        return {"contributions": options.contributions, "timings": timings, "load_before": procstat.load_average()}
    finally:
        database.drop()


def _timed(started: float, cpu: float, size: int) -> dict:
    return {"seconds": round(time.perf_counter() - started, 3), "cpu_seconds": round(time.process_time() - cpu, 3),
            "bytes": size}

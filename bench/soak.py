"""A bounded soak: a workshop in groups held for minutes, to show that the server's memory
stays flat and that no connection is lost.

    .venv/bin/python -m bench.soak --minutes 3            # 100 people in groups of 10
    .venv/bin/python -m bench.soak --minutes 10 --n 300 --db postgresql

It runs the breakout scenario of the benchmark (every participant writes on their group's
board and moves a cursor, the facilitator sends meeting events) on one `tavolo serve`,
reading the server's resident memory every `--sample` seconds. It prints the memory over
time, the connections and events lost, and a verdict; the exit status is 1 when memory grew
(see `flat`) or anything was lost. Figures go to bench/results/soak-TIME.json (or `--json`).
Not part of the unit suite: tests/bench/test_soak.py runs it for a few seconds.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import threading
import time
from pathlib import Path

from bench import procstat, provision, scenarios
from bench.load import Plan
from bench.servers import ROOT, SCRATCH, Database, tavolo_servers

MIB = 1024 * 1024
# Memory counts as flat when the last third of the load holds at most this much more than
# the middle third (the first third is warm-up: caches, the pool, pymalloc's arenas).
GROWTH_ALLOWED = 0.05
GROWTH_FLOOR_MIB = 4.0


class RssSeries:
    """The resident memory of a process tree, read every `interval` seconds in a thread."""

    def __init__(self, pid: int, interval: float) -> None:
        self.pid = pid
        self.interval = interval
        self.started = time.monotonic()
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSeries:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = procstat.rss_bytes(procstat.tree(self.pid))
            self.samples.append((round(time.monotonic() - self.started, 1), round(rss / MIB, 1)))
            self._stop.wait(self.interval)


def flat(samples: list[tuple[float, float]], load_from: float, load_to: float) -> dict:
    """Compare the middle and last thirds of the load's samples (medians, in MiB)."""
    during = [rss for at, rss in samples if load_from <= at <= load_to]
    if len(during) < 3:
        return {"samples": len(during), "flat": None, "why": "too few samples to judge"}
    third = len(during) // 3
    middle = statistics.median(during[third:2 * third] or during[:1])
    last = statistics.median(during[2 * third:])
    allowed = max(GROWTH_FLOOR_MIB, GROWTH_ALLOWED * middle)
    return {"samples": len(during), "middle_mib": middle, "last_mib": last,
            "growth_mib": round(last - middle, 1), "allowed_mib": round(allowed, 1),
            "flat": last - middle <= allowed}


def soak(options: scenarios.Options, sample: float, run_dir: Path) -> dict:
    database = Database.fresh(options.db, run_dir)
    try:
        world = provision.build(database.engine(), participants=options.n, live=True,
                                groups_of=options.group)
        with tavolo_servers(database, run_dir) as [server]:
            plan = Plan("tavolo", [server.ws_url], world.meeting_id,
                        scenarios.breakout_specs(world, options), options.deflate, options.seed)
            with RssSeries(server.pid, sample) as series:
                figures = scenarios.run_load(
                    plan, [server.pid], options,
                    heads=lambda sent: scenarios._final_heads(database, world.meeting_id))
                ended = time.monotonic() - series.started
    finally:
        database.drop()
    # The load is the last `elapsed_seconds` before the results came back.
    load_from = ended - figures["elapsed_seconds"]
    memory = flat(series.samples, load_from, load_from + options.duration)
    lost_connections = figures["dropped_sockets"] + figures["clients"] - figures["connected"]
    return {
        "minutes": options.duration / 60, "clients": figures["clients"], "db": options.db,
        "rss_mib": series.samples, "load_from_s": round(load_from, 1), "memory": memory,
        "connections_lost": lost_connections, "close_codes": figures["close_codes"],
        "events_expected": figures["expected"], "events_lost": figures["lost"],
        "duplicates": figures["duplicates"], "out_of_order": figures["out_of_order"],
        "ops_sent": figures["ops_sent"], "acks": figures["acks"], "errors": figures["errors"],
        "ok": bool(memory["flat"] is not False and lost_connections == 0 and figures["lost"] == 0
                   and figures["duplicates"] == figures["out_of_order"] == 0),
        "load": figures,
    }


def render(report: dict) -> str:
    lines = [f"soak: {report['clients']} clients for {report['minutes']:g} min on {report['db']}",
             "", "   time     RSS"]
    for at, rss in report["rss_mib"]:
        mark = "" if at >= report["load_from_s"] else "  (connecting)"
        lines.append(f"{at:6.0f} s {rss:7.1f} MiB{mark}")
    memory = report["memory"]
    lines += ["", f"memory: {'flat' if memory['flat'] else 'GREW' if memory['flat'] is False else 'not judged'}"
              + (f" (middle third {memory['middle_mib']} MiB, last third {memory['last_mib']} MiB,"
                 f" growth {memory['growth_mib']} MiB, allowed {memory['allowed_mib']} MiB)"
                 if "growth_mib" in memory else f" ({memory['why']})"),
              f"connections lost: {report['connections_lost']} {report['close_codes'] or ''}".rstrip(),
              f"events lost: {report['events_lost']} of {report['events_expected']}, duplicates "
              f"{report['duplicates']}, out of order {report['out_of_order']}",
              f"ops: {report['acks']} acknowledged of {report['ops_sent']}, errors {report['errors'] or 'none'}",
              "verdict: " + ("OK" if report["ok"] else "FAILED")]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=3.0, help="length of the load (default %(default)s)")
    parser.add_argument("--sample", type=float, default=5.0, help="seconds between memory readings (default %(default)s)")
    parser.add_argument("--n", type=int, default=100, help="participants (default %(default)s)")
    parser.add_argument("--group", type=int, default=10, help="group size (default %(default)s)")
    parser.add_argument("--op-period", type=float, default=2.0, help="seconds between two ops of a participant")
    parser.add_argument("--cursor-hz", type=float, default=2.0, help="cursor moves per second of a participant")
    parser.add_argument("--processes", type=int, default=2, help="load generator processes")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--json", type=Path, help="where to write the figures (default bench/results/soak-TIME.json)")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    options = scenarios.Options(n=args.n, group=args.group, duration=args.minutes * 60, op_period=args.op_period,
                                cursor_hz=args.cursor_hz, processes=args.processes, db=args.db,
                                facilitator_period=5.0, settle=1.0)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    report = soak(options, args.sample, SCRATCH / "runs" / f"soak-{stamp}")
    target = args.json or ROOT / "bench" / "results" / f"soak-{stamp}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(report, indent=2, default=str))
    if not args.quiet:
        print(render(report))
        print(f"\nfigures written to {target}")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

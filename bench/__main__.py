"""`python -m bench SCENARIO [options]`: run a scenario, print a table, write JSON.

Scenarios: plenary, breakout, bigboard, minutes, scaleout, peer (needs Node.js and npm),
all (every one of them in turn). See docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from dataclasses import asdict
from pathlib import Path

from bench import scenarios
from bench.figures import table
from bench.servers import ROOT, SCRATCH

RESULTS = ROOT / "bench" / "results"
SCENARIOS = ["plenary", "breakout", "bigboard", "minutes", "scaleout", "peer"]


def parse(argv: list[str] | None) -> tuple[str, scenarios.Options, Path | None, bool]:
    defaults = scenarios.Options()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", choices=[*SCENARIOS, "all"])
    parser.add_argument("--n", type=int, default=defaults.n, help="participants connected (default %(default)s)")
    parser.add_argument("--active", type=int, default=defaults.active,
                        help="plenary: participants making ops and moving cursors (default %(default)s)")
    parser.add_argument("--group", type=int, default=defaults.group, help="breakout: group size (default %(default)s)")
    parser.add_argument("--duration", type=float, default=defaults.duration,
                        help="seconds of load (default %(default)s)")
    parser.add_argument("--op-period", type=float, default=defaults.op_period,
                        help="seconds between two ops of an active participant (default %(default)s)")
    parser.add_argument("--cursor-hz", type=float, default=defaults.cursor_hz,
                        help="cursor moves per second of an active participant (default %(default)s)")
    parser.add_argument("--facilitator-period", type=float, default=defaults.facilitator_period,
                        help="breakout: seconds between two facilitator events (default %(default)s)")
    parser.add_argument("--processes", type=int, default=defaults.processes,
                        help="load generator processes (default %(default)s)")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default=defaults.db)
    parser.add_argument("--deflate", action="store_true",
                        help="clients offer permessage-deflate (browsers do; off by default, as the peer's server has it off)")
    parser.add_argument("--scheduled", action="store_true",
                        help="leave the meeting scheduled (no attendance events) instead of live")
    parser.add_argument("--items", type=int, default=defaults.items,
                        help="bigboard: items on the board (default %(default)s)")
    parser.add_argument("--contributions", type=int, default=defaults.contributions,
                        help="minutes: contributions in the verbale (default %(default)s)")
    parser.add_argument("--resync", type=int, default=defaults.resync,
                        help="bigboard: events replayed by a resync (default %(default)s)")
    parser.add_argument("--repeat", type=int, default=defaults.repeat,
                        help="bigboard: timings taken (default %(default)s)")
    parser.add_argument("--settle", type=float, default=defaults.settle,
                        help="seconds between connecting and measuring (default %(default)s)")
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="sample the Tavolo server with py-spy during the load (collapsed stacks in DIR)")
    parser.add_argument("--json", type=Path, help="where to write the figures (default bench/results/SCENARIO-TIME.json)")
    parser.add_argument("--quiet", action="store_true", help="no table")
    args = parser.parse_args(argv)
    options = scenarios.Options(
        n=args.n, active=args.active, group=args.group, duration=args.duration, op_period=args.op_period,
        cursor_hz=args.cursor_hz, facilitator_period=args.facilitator_period, processes=args.processes,
        db=args.db, deflate=args.deflate, live=not args.scheduled, items=args.items,
        contributions=args.contributions, resync=args.resync,
        repeat=args.repeat, settle=args.settle, profile=args.profile,
    )
    return args.scenario, options, args.json, args.quiet


def machine() -> dict:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    # The cores this run may use (`taskset -c 0 python -m bench ...` runs everything on one).
    return {"cores": len(os.sched_getaffinity(0)), "machine_cores": os.cpu_count(), "cpu": model,
            "python": sys.version.split()[0],
            "memory_gib": round(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**30, 1)}


def render(scenario: str, figures: dict) -> str:
    if scenario in ("plenary", "breakout"):
        return table([(scenario, figures)])
    if scenario == "scaleout":
        return (table([("1 process", figures["one"]), ("2 processes + Redis", figures["two"])])
                + f"\nevents/s ratio 2 : 1 = {figures['events_per_second_ratio']:.2f}")
    if scenario == "peer":
        ratios = ", ".join(f"{k} {v}" for k, v in figures["ratios"].items())
        return table([("Tavolo", figures["tavolo"]), ("y-websocket", figures["peer"])]) + f"\nTavolo / peer: {ratios}"
    if scenario == "bigboard":
        return "\n".join([
            f"board of {figures['items']} items",
            f"  board_state in the process   {figures['board_state_ms']['median']} ms (median)",
            f"  snapshot over the socket     {figures['snapshot_ms']['median']} ms (median), "
            f"{figures['snapshot_bytes'] / 1024:.0f} KiB",
            f"  resync of {figures['resync_events']} events        {figures['resync_ms']['median']} ms (median), "
            f"{figures['resync_bytes'] / 1024:.0f} KiB",
        ])
    if scenario == "minutes":
        lines = [f"verbale of {figures['contributions']} contributions"]
        for step, timing in figures["timings"].items():
            lines.append(f"  {step:<10} {timing['seconds']:7.2f} s  ({timing['cpu_seconds']:.2f} s CPU, "
                         f"{timing['bytes'] / 1024:.0f} KiB)")
        return "\n".join(lines)
    return json.dumps(figures, indent=2)


def main(argv: list[str] | None = None) -> int:
    scenario, options, target, quiet = parse(argv)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # a thousand sockets, and the server's
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    run_dir = SCRATCH / "runs" / f"{scenario}-{stamp}"
    run_dir.mkdir(parents=True, exist_ok=True)
    chosen = SCENARIOS if scenario == "all" else [scenario]
    report = {"scenario": scenario, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "machine": machine(), "options": asdict(options), "results": {}}
    for name in chosen:
        figures = getattr(scenarios, name)(options, run_dir / name)
        report["results"][name] = figures
        if not quiet:
            print(f"\n== {name} ==")
            print(render(name, figures))
    target = target or RESULTS / f"{scenario}-{stamp}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(report, indent=2, default=str))
    if not quiet:
        print(f"\nfigures written to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

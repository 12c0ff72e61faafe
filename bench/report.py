"""`python -m bench.report FIGURES.json`: the figures of a run as Markdown, next to issue 6's
targets, for docs/performance.md."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _ms(figures: dict, category: str, key: str) -> float | None:
    latency = figures["latency_ms"].get(category)
    return latency[key] if latency else None


def _fmt(value, unit: str = "", digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}{unit}"


def _verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**not met**")


def _load_table(rows: list[tuple[str, dict]]) -> list[str]:
    header = "| | " + " | ".join(name for name, _ in rows) + " |"
    lines = [header, "|---|" + "---|" * len(rows)]

    def row(label: str, values: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(values) + " |")

    row("participants (active)", [f"{f['clients']} ({f['active']})" for _, f in rows])
    row("events delivered / expected", [f"{f['delivered']:,} / {f['expected']:,}" for _, f in rows])
    row("lost, duplicated, out of order", [f"{f['lost']}, {f['duplicates']}, {f['out_of_order']}" for _, f in rows])
    row("dropped sockets", [str(f["dropped_sockets"]) for _, f in rows])
    row("events delivered a second (load)", [_fmt(f["events_per_second"]) for _, f in rows])
    row("cursor frames delivered a second", [_fmt(f["presence_per_second"]) for _, f in rows])
    for category, label in (("event", "board event"), ("meeting", "meeting event"), ("presence", "cursor"),
                            ("ack", "ack")):
        if any(f["latency_ms"].get(category) for _, f in rows):
            row(f"{label} latency p50 / p99 / max (ms)",
                [" / ".join(_fmt(_ms(f, category, k), digits=1) for k in ("p50", "p99", "max")) for _, f in rows])
    row("server CPU (cores used)", [_fmt(f["server_cores"], digits=2) for _, f in rows])
    row("server CPU per delivery (µs)", [_fmt(1000 * f["cpu_per_1000_deliveries"], digits=1) for _, f in rows])
    row("server CPU per event delivered (µs)", [_fmt(1000 * f["cpu_per_1000_events"], digits=1) for _, f in rows])
    row("peak server RSS (MiB)", [_fmt(f["peak_rss_mib"], digits=1) for _, f in rows])
    row("memory per idle connection (KiB)", [_fmt(f["kib_per_connection"], digits=1) for _, f in rows])
    row("generator CPU (s)", [_fmt(f["generator_cpu_seconds"], digits=1) for _, f in rows])
    row("load average (1 min) before / after",
        [f"{f['load_before'][0]:.2f} / {f['load_after'][0]:.2f}" for _, f in rows])
    row("machine CPU stolen by its host (%)", [_fmt(f.get("stolen_percent"), digits=1) for _, f in rows])
    return lines


def markdown(report: dict) -> str:
    results = report["results"]
    machine = report["machine"]
    cores = f"{machine['cores']} cores"
    if machine.get("machine_cores", machine["cores"]) != machine["cores"]:
        cores = f"{machine['cores']} of the machine's {machine['machine_cores']} cores"
    out = [f"Run of `{report['scenario']}` at {report['at']} on {cores} ({machine['cpu']}), "
           f"{machine['memory_gib']} GiB, Python {machine['python']}; "
           f"{report['options']['duration']:.0f} s of load, database {report['options']['db']}.", ""]
    targets = []
    if "plenary" in results:
        f = results["plenary"]
        out += ["### Plenary", "", *_load_table([("plenary", f)]), ""]
        p99 = _ms(f, "event", "p99")
        targets.append(("Plenary 500 / 50 active: p99 < 100 ms, nothing lost, no dropped socket",
                        f"p99 {_fmt(p99, ' ms', 1)}, lost {f['lost']}, dropped {f['dropped_sockets']}",
                        p99 is not None and p99 < 100 and f["lost"] == 0 and f["dropped_sockets"] == 0))
        targets.append(("Under 50 KiB per idle connection", f"{f['kib_per_connection']:.1f} KiB",
                        f["kib_per_connection"] < 50))
    if "breakout" in results:
        f = results["breakout"]
        out += ["### Breakout", "", *_load_table([("breakout", f)]), ""]
        p99 = max(v for v in (_ms(f, "event", "p99"), _ms(f, "meeting", "p99")) if v is not None)
        targets.append(("Breakout 500 in groups of 10: p99 < 50 ms", f"p99 {_fmt(p99, ' ms', 1)}",
                        p99 < 50 and f["lost"] == 0))
    if "bigboard" in results:
        f = results["bigboard"]
        out += ["### Big board", "",
                f"| board of {f['items']:,} items | median (ms) | all (ms) | size |", "|---|---|---|---|",
                f"| `board_state` in the process | {f['board_state_ms']['median']} | {f['board_state_ms']['all']} | |",
                f"| snapshot over the socket (subscribe → synced) | {f['snapshot_ms']['median']} | "
                f"{f['snapshot_ms']['all']} | {f['snapshot_bytes'] / 1024:,.0f} KiB |",
                f"| resync of {f['resync_events']:,} events (subscribe with since → synced) | "
                f"{f['resync_ms']['median']} | {f['resync_ms']['all']} | {f['resync_bytes'] / 1024:,.0f} KiB |", ""]
        targets.append(("Snapshot of a 5,000-item board < 150 ms", f"{f['snapshot_ms']['median']} ms over the socket",
                        f["snapshot_ms"]["median"] < 150))
    if "minutes" in results:
        f = results["minutes"]
        out += ["### Minutes", "", f"| verbale of {f['contributions']:,} contributions | time (s) | CPU (s) | size |",
                "|---|---|---|---|"]
        for step, timing in f["timings"].items():
            out.append(f"| {step} | {timing['seconds']:.2f} | {timing['cpu_seconds']:.2f} | "
                       f"{timing['bytes'] / 1024:,.0f} KiB |")
        out.append("")
        pdf = f["timings"]["pdf"]["seconds"]
        targets.append(("Verbale of 2,000 contributions to PDF < 3 s", f"{pdf:.1f} s", pdf < 3))
    if "scaleout" in results:
        f = results["scaleout"]
        out += ["### Scale-out", "", f"Database: {f['db']}.", "",
                *_load_table([("1 process", f["one"]), ("2 processes + Redis", f["two"])]), ""]
        targets.append(("2 processes with Redis ≥ 1.7× the events a second of one, same p99",
                        f"{f['events_per_second_ratio']:.2f}× at a fixed offered load", None))
    if "peer" in results:
        f = results["peer"]
        ratios = f["ratios"]
        out += ["### Tavolo and the y-websocket peer, same plenary job", "",
                *_load_table([("Tavolo", f["tavolo"]), ("y-websocket", f["peer"])]), "",
                "Tavolo / peer: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in ratios.items()), ""]
        targets.append(("Server CPU per delivered event ≤ the peer's (ratio ≤ 1.0)",
                        f"{ratios['cpu_per_delivery']} per delivery, {ratios['cpu_per_event']} per event",
                        ratios["cpu_per_delivery"] is not None and ratios["cpu_per_delivery"] <= 1.0))
    if targets:
        out += ["### Against the targets", "", "| target | measured | |", "|---|---|---|"]
        out += [f"| {target} | {measured} | {_verdict(ok)} |" for target, measured, ok in targets]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m bench.report FIGURES.json", file=sys.stderr)
        return 2
    print(markdown(json.loads(Path(args[0]).read_text())))
    return 0


if __name__ == "__main__":
    sys.exit(main())

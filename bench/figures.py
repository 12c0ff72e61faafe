"""Turning the generators' raw counts and latencies into figures, and printing them."""

from __future__ import annotations

from array import array


def merged(results: list[dict], category: str) -> list[float]:
    values = array("f")
    for result in results:
        values.frombytes(result["latency"][category])
    return sorted(values)


def percentiles(values: list[float]) -> dict | None:
    if not values:
        return None

    def at(q: float) -> float:
        return round(values[min(len(values) - 1, int(q * len(values)))], 2)

    return {"count": len(values), "p50": at(0.50), "p99": at(0.99), "max": round(values[-1], 2)}


def summarise(results: list[dict]) -> dict:
    """Totals over every generator process."""
    total = {key: sum(result[key] for result in results)
             for key in ("delivered", "load_delivered", "expected", "duplicates", "out_of_order", "presence", "messages",
                         "bytes", "ops_sent", "acks")}
    errors: dict[str, int] = {}
    closed: dict[str, int] = {}
    for result in results:
        for code, count in result["errors"].items():
            errors[code] = errors.get(code, 0) + count
        for code, count in result["closed"].items():
            closed[code] = closed.get(code, 0) + count
    total.update(
        lost=max(0, total["expected"] - total["delivered"]),
        errors=errors,
        dropped_sockets=sum(closed.values()),
        close_codes=closed,
        generator_cpu_seconds=round(sum(result["generator_cpu"] for result in results), 2),
        latency_ms={category: percentiles(merged(results, category))
                    for category in ("event", "meeting", "presence", "ack")},
    )
    return total


def _ms(figure: dict | None, key: str) -> str:
    return "—" if not figure else f"{figure[key]:.1f}"


def table(rows: list[tuple[str, dict]]) -> str:
    """A side-by-side table of load runs (name, figures)."""
    lines = [
        ("", [name for name, _ in rows]),
        ("clients (active)", [f"{f['clients']} ({f['active']})" for _, f in rows]),
        ("events delivered / expected", [f"{f['delivered']} / {f['expected']}" for _, f in rows]),
        ("lost · dup · out of order", [f"{f['lost']} · {f['duplicates']} · {f['out_of_order']}" for _, f in rows]),
        ("dropped sockets", [str(f["dropped_sockets"]) for _, f in rows]),
        ("op errors", [", ".join(f"{k} {v}" for k, v in f["errors"].items()) or "0" for _, f in rows]),
        ("websocket messages received", [str(f["messages"]) for _, f in rows]),
        ("events delivered / s", [f"{f['events_per_second']:.0f}" for _, f in rows]),
        ("presence delivered / s", [f"{f['presence_per_second']:.0f}" for _, f in rows]),
    ]
    for category, label in (("event", "board event"), ("meeting", "meeting event"),
                            ("presence", "cursor"), ("ack", "ack")):
        if any(f["latency_ms"].get(category) for _, f in rows):
            lines.append((f"{label} p50 / p99 / max ms",
                          [" / ".join(_ms(f["latency_ms"].get(category), k) for k in ("p50", "p99", "max"))
                           for _, f in rows]))
    lines += [
        ("server CPU s (load + drain)", [f"{f['server_cpu_seconds']:.2f}" for _, f in rows]),
        # CPU seconds per 1,000 deliveries are milliseconds per delivery: shown in µs.
        ("server CPU µs / delivery", [f"{1000 * f['cpu_per_1000_deliveries']:.1f}" for _, f in rows]),
        ("server CPU µs / event delivered", [f"{1000 * f['cpu_per_1000_events']:.1f}" for _, f in rows]),
        ("server CPU use (cores)", [f"{f['server_cores']:.2f}" for _, f in rows]),
        ("peak server RSS MiB", [f"{f['peak_rss_mib']:.1f}" for _, f in rows]),
        ("KiB per idle connection", [f"{f['kib_per_connection']:.1f}" for _, f in rows]),
        ("generator CPU s", [f"{f['generator_cpu_seconds']:.1f}" for _, f in rows]),
        ("load average (1 min) before", [f"{f['load_before'][0]:.2f}" for _, f in rows]),
        ("machine CPU stolen by its host %", [f"{f['stolen_percent']:.1f}" for _, f in rows]),
    ]
    width = max(len(label) for label, _ in lines)
    columns = [max(len(values[i]) for _, values in lines) for i in range(len(rows))]
    out = []
    for label, values in lines:
        out.append(f"{label:<{width}}  " + "  ".join(f"{v:>{w}}" for v, w in zip(values, columns)))
    return "\n".join(out)

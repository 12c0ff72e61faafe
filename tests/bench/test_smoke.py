"""Smoke runs of every Tavolo scenario of the benchmark at a small size, so that the harness
cannot rot: each must deliver every event it expects and write its figures. Timings are
reported by the benchmark, never asserted here. The y-websocket peer needs npm: not here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.report import markdown
from tests.conftest import need

ROOT = Path(__file__).resolve().parents[2]
FAST = ["--duration", "1.5", "--settle", "0.3", "--processes", "2", "--quiet"]


def bench(tmp_path: Path, *args: str) -> dict:
    target = tmp_path / "figures.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAVOLO_")}
    if os.environ.get("TAVOLO_TEST_REDIS_URL"):
        env["TAVOLO_BENCH_REDIS_URL"] = os.environ["TAVOLO_TEST_REDIS_URL"]
    if os.environ.get("TAVOLO_TEST_POSTGRES_URL"):
        env["TAVOLO_BENCH_POSTGRES_URL"] = os.environ["TAVOLO_TEST_POSTGRES_URL"]
    done = subprocess.run([sys.executable, "-m", "bench", *args, "--json", str(target)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(target.read_text())
    assert report["machine"]["cores"] >= 1
    # The Markdown for docs/performance.md has a section for each scenario run.
    sections = [line for line in markdown(report).splitlines() if line.startswith("### ")]
    assert len(sections) >= len(report["results"])
    return report["results"]


def assert_complete(figures: dict, *, active: int) -> None:
    """Every event arrived once, in order, on sockets that stayed open; the figures are there."""
    assert figures["connected"] == figures["clients"]
    assert figures["active"] == active
    assert figures["ops_sent"] > 0
    assert figures["acks"] == figures["ops_sent"]
    assert figures["errors"] == {}
    assert figures["expected"] > 0
    assert figures["delivered"] == figures["expected"]
    assert figures["lost"] == figures["duplicates"] == figures["out_of_order"] == 0
    assert figures["dropped_sockets"] == 0
    event = figures["latency_ms"]["event"]
    assert event["count"] == figures["load_delivered"] - (figures["latency_ms"]["meeting"] or {"count": 0})["count"]
    assert 0 <= event["p50"] <= event["p99"] <= event["max"]
    # Cursor latencies come from a sample of the cursor-only messages (bench/load.py).
    assert 0 < figures["latency_ms"]["presence"]["count"] <= figures["presence"]
    assert figures["server_cpu_seconds"] > 0
    assert figures["cpu_per_1000_deliveries"] > 0
    assert figures["peak_rss_mib"] > 10
    assert "kib_per_connection" in figures
    assert 0 <= figures["stolen_percent"] <= 100


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
def test_plenary(tmp_path, db):
    if db == "postgresql":
        need(bool(os.environ.get("TAVOLO_TEST_POSTGRES_URL")), "PostgreSQL (TAVOLO_TEST_POSTGRES_URL)")
    figures = bench(tmp_path, "plenary", "--n", "8", "--active", "3", "--db", db, *FAST)["plenary"]
    assert_complete(figures, active=3)
    assert figures["clients"] == 8
    # Everyone, the sender included, gets each op's event on the one board.
    assert figures["latency_ms"]["event"]["count"] == figures["acks"] * 8


def test_breakout(tmp_path):
    figures = bench(tmp_path, "breakout", "--n", "9", "--group", "3", "--facilitator-period", "0.5",
                    *FAST)["breakout"]
    # Nine participants and the facilitator, all active.
    assert_complete(figures, active=10)
    assert figures["latency_ms"]["meeting"]["count"] > 0


@pytest.mark.redis
def test_scaleout(tmp_path):
    need(bool(os.environ.get("TAVOLO_TEST_REDIS_URL")), "Redis (TAVOLO_TEST_REDIS_URL)")
    results = bench(tmp_path, "scaleout", "--n", "8", "--group", "4", *FAST)["scaleout"]
    assert_complete(results["one"], active=9)
    assert_complete(results["two"], active=9)
    assert results["two"]["server_processes"] == 2
    assert results["events_per_second_ratio"] > 0


def test_bigboard(tmp_path):
    figures = bench(tmp_path, "bigboard", "--items", "300", "--resync", "100", "--repeat", "2", "--quiet")["bigboard"]
    assert figures["items"] == 300
    # 300 notes of ~60 characters each cannot fit in less than 300 × 60 bytes.
    assert figures["snapshot_bytes"] > 300 * 60
    assert 100 * 60 < figures["resync_bytes"] < figures["snapshot_bytes"]
    assert len(figures["snapshot_ms"]["all"]) == len(figures["resync_ms"]["all"]) == 2
    assert figures["board_state_ms"]["median"] > 0


def test_minutes(tmp_path):
    figures = bench(tmp_path, "minutes", "--contributions", "20", "--quiet")["minutes"]
    assert figures["contributions"] == 20
    timings = figures["timings"]
    assert list(timings) == ["generate", "md", "html", "docx", "odt", "pdf", "pdf_stored"]
    # The Markdown export is the verbale's exact bytes; every format holds something; the
    # stored PDF is the one printed.
    assert timings["md"]["bytes"] == timings["generate"]["bytes"] > 20 * 60
    assert timings["pdf_stored"]["bytes"] == timings["pdf"]["bytes"]
    assert all(timing["bytes"] > 1000 and timing["seconds"] >= 0 for timing in timings.values())

"""A ten-second run of the soak (`python -m bench.soak`), so that it cannot rot: it must read
the server's memory along the way, lose no connection and no event, and say so. Whether
memory is flat is judged by the real run of minutes, not by ten seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_short_soak_loses_nothing_and_reports_memory_over_time(tmp_path):
    target = tmp_path / "soak.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAVOLO_")}
    done = subprocess.run(
        [sys.executable, "-m", "bench.soak", "--minutes", "0.17", "--sample", "1", "--n", "10",
         "--group", "5", "--json", str(target)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    report = json.loads(target.read_text())
    assert report["connections_lost"] == 0, report["close_codes"]
    assert report["events_lost"] == report["duplicates"] == report["out_of_order"] == 0
    assert report["events_expected"] > 0 and report["acks"] == report["ops_sent"] > 0
    assert report["memory"]["samples"] >= 3
    assert all(rss > 10 for _at, rss in report["rss_mib"])
    # The verdict is printed with the memory readings, and sets the exit status.
    assert "connections lost: 0" in done.stdout and " MiB" in done.stdout
    assert done.returncode == (0 if report["ok"] else 1), done.stderr[-3000:]

"""CPU time and memory of a server process and its descendants, read from /proc.

Children count while they run (uvicorn's `--workers` are children of a supervisor), so the
tree is walked at each reading rather than relying on cutime, which grows only once a child
has been reaped.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces: split after its closing parenthesis.
    return text[text.rindex(")") + 2:].split()


def tree(pid: int) -> list[int]:
    """`pid` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields is not None:
                children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of these processes (threads included)."""
    total = 0
    for pid in pids:
        fields = _stat(pid)
        if fields is not None:
            # utime and stime are fields 14 and 15 of stat: 11 and 12 after the command name.
            total += int(fields[11]) + int(fields[12])
    return total / TICKS


def rss_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        except OSError:
            pass
    return total


def machine_ticks() -> tuple[int, int]:
    """All CPU time of the machine so far and the part of it stolen by the hypervisor for
    other guests, in clock ticks (the first line of /proc/stat)."""
    fields = [int(field) for field in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    # user nice system idle iowait irq softirq steal; guest time is already in user and nice.
    return sum(fields[:8]), fields[7]


def stolen_percent(before: tuple[int, int], after: tuple[int, int]) -> float:
    """The share of the machine's CPU time stolen between two `machine_ticks` readings: a
    virtual machine's cores that run slower because its host is busy say so here."""
    total = after[0] - before[0]
    return 100 * (after[1] - before[1]) / total if total else 0.0


def load_average() -> tuple[float, float, float]:
    one, five, fifteen = Path("/proc/loadavg").read_text().split()[:3]
    return float(one), float(five), float(fifteen)


class Sampler:
    """Reads the RSS of a process tree every `interval` seconds, keeping the peak."""

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        pids = tree(self.pid)
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes(pids))
            self._stop.wait(self.interval)
            pids = tree(self.pid) if len(pids) == 1 else pids

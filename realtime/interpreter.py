"""How a busy hub wants the interpreter run: the GIL's switch interval and the cyclic
garbage collector's pace. See docs/performance.md ("What was there, and what changed").
"""

from __future__ import annotations

import gc
import sys

# How long a thread may keep the GIL while another waits for it (Python's default: 5 ms).
# Under load the event loop's thread keeps it busy, and a database thread gives it back
# at each SQL statement: waiting 5 ms to get it again each time made an op take 20 ms or
# more.
SWITCH_INTERVAL = 0.001
# With Python's defaults (700, 10, 10) the breakout of 500 ran a full collection every
# second or so, each walking every object of the process (connections, queues, ORM caches)
# while every connection waited: 65 full and 720 middle collections in a 10 s run, against
# 4 and 39 with these. Most young objects die by reference count before a collection
# comes; cycles that reach the oldest generation wait longer to be freed.
GC_THRESHOLDS = (50_000, 20, 100)


_tuned = False


def tune() -> None:
    """Once per process, when the server has started: what exists then lives as long as
    the process, so it is moved out of the collector's sight (`gc.freeze`) and never walked
    again. (Tests start many hubs in one process: only the first freezes.)"""
    global _tuned
    if _tuned:
        return
    _tuned = True
    sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)

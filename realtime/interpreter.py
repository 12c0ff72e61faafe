"""How a busy hub wants the interpreter run: the GIL's switch interval and the cyclic
garbage collector's pace. See docs/performance.md ("Garbage collection").
"""

from __future__ import annotations

import gc
import os
import sys

# How long a thread may keep the GIL while another waits for it (Python's default: 5 ms).
# Under load the event loop's thread keeps it busy, and a database thread gives it back
# at each SQL statement: waiting 5 ms to get it again each time made an op take 20 ms or
# more.
SWITCH_INTERVAL = 0.001
# Python's defaults (700, 10, 10) ran a full collection every second or so in the breakout
# of 500: each walks every object of the process (hundreds of thousands: connections,
# queues, ORM caches) and held up every connection for 100 ms or more, the whole of the
# p99. Young objects are still collected, a thousand times less often; cycles reaching the
# oldest generation wait longer to be freed.
GC_THRESHOLDS = tuple(int(x) for x in os.environ.get("TAVOLO_GC", "50000,20,100").split(","))


def tune() -> None:
    """Once the server has started: what exists now lives as long as the process, so it is
    moved out of the collector's sight (`gc.freeze`) and never walked again."""
    sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)

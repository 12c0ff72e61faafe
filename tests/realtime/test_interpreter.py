"""The interpreter tuning a hub applies when it starts (docs/performance.md)."""

import gc
import sys

from realtime import interpreter


def test_tuning_freezes_what_exists_and_paces_the_collector():
    interpreter.tune()
    assert gc.get_threshold() == interpreter.GC_THRESHOLDS
    assert gc.get_freeze_count() > 0
    assert sys.getswitchinterval() <= interpreter.SWITCH_INTERVAL


def test_tuning_twice_freezes_once():
    interpreter.tune()
    frozen = gc.get_freeze_count()
    kept = [[] for _ in range(10)]  # tracked objects a second freeze would take
    interpreter.tune()
    assert gc.get_freeze_count() == frozen
    assert all(gc.is_tracked(x) for x in kept)

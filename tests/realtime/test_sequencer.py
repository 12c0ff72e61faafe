"""The reorder buffer: events out in seq order, each exactly once."""

from __future__ import annotations

import random

from realtime.sequencer import Sequencer
from realtime.streams import LogEvent


def event(seq: int) -> LogEvent:
    return LogEvent("board:1", seq, "item.moved", {"item": 1}, 7, 3, None, "2026-11-22T10:00:00Z")


def seqs(events) -> list[int]:
    return [e.seq for e in events]


def test_nothing_is_handed_out_before_the_head_is_known():
    sequencer = Sequencer()
    assert sequencer.offer(event(5)) == []
    assert sequencer.offer(event(7)) == []
    assert sequencer.missing() is None
    # Started at 4: 5 follows on, 6 is missing.
    assert seqs(sequencer.start(4)) == [5]
    assert sequencer.missing() == (6, 6)
    assert seqs(sequencer.offer(event(6))) == [6, 7]
    assert sequencer.missing() is None


def test_events_before_the_start_are_dropped():
    sequencer = Sequencer()
    sequencer.offer(event(3))
    assert sequencer.start(3) == []
    assert sequencer.pending == {}


def test_any_arrival_order_with_repeats_comes_out_in_order_once():
    rng = random.Random(7)
    arrivals = [event(s) for s in range(11, 200)] * 2
    rng.shuffle(arrivals)
    sequencer = Sequencer()
    sequencer.start(10)
    out = []
    for arrival in arrivals:
        out += sequencer.offer(arrival)
    assert seqs(out) == list(range(11, 200))
    assert sequencer.head == 199 and sequencer.pending == {}


def test_a_known_head_is_a_gap_even_with_nothing_waiting():
    # After a broker reconnection the hub reads the stream's head: what was lost at the end
    # of a quiet stream is missing although nothing after it arrived.
    sequencer = Sequencer()
    sequencer.reached(9)
    assert sequencer.missing() is None  # not started yet
    sequencer.start(5)
    assert sequencer.missing() == (6, 9)
    assert seqs(sequencer.offer(event(6))) == [6]
    sequencer.offer(event(8))
    assert sequencer.missing() == (7, 7)  # the gap before what waits comes first
    assert seqs(sequencer.offer(event(7))) == [7, 8]
    assert sequencer.missing() == (9, 9)
    sequencer.reached(4)  # an older head changes nothing
    assert seqs(sequencer.offer(event(9))) == [9]
    assert sequencer.missing() is None

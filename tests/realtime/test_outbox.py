"""The bounded send queue of a connection."""

from __future__ import annotations

from realtime.errors import Close
from realtime.outbox import Outbox


async def test_frames_come_out_in_order_batched():
    outbox = Outbox(max_frames=10)
    for index in range(3):
        assert outbox.put(f"f{index}")
    outbox.put_all(["r1", "r2"])
    assert await outbox.take() == ["f0", "f1", "f2", "r1", "r2"]


async def test_overflow_closes_4408_at_once_and_drops_what_was_queued():
    outbox = Outbox(max_frames=3)
    assert all(outbox.put(f"f{index}") for index in range(3))
    assert not outbox.put("one too many")
    assert (outbox.close_code, outbox.urgent) == (Close.TOO_SLOW, True)
    assert outbox.closing.done()
    assert await outbox.take() is None
    assert not outbox.put("after")


async def test_bytes_are_bounded_too_but_a_first_big_frame_passes():
    outbox = Outbox(max_frames=100, max_bytes=10)
    assert outbox.put("x" * 50)
    assert not outbox.put("y")
    assert outbox.close_code == Close.TOO_SLOW


async def test_presence_is_dropped_when_half_full_not_a_reason_to_close():
    outbox = Outbox(max_frames=4)
    outbox.put("a")
    outbox.put("b")
    assert outbox.put("cursor", droppable=True)
    assert len(outbox) == 2
    assert outbox.close_code is None


async def test_an_orderly_close_lets_the_queue_drain_first():
    outbox = Outbox()
    outbox.put("last words")
    outbox.close(Close.UNAUTHORIZED, "bye")
    assert await outbox.take() == ["last words"]
    assert await outbox.take() is None

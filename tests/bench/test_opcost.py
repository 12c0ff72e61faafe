"""`python -m bench.opcost` at a few ops, so that the measurement cannot rot. Its figures are
reported, never asserted."""

from __future__ import annotations

from bench.opcost import measure


def test_each_op_is_measured():
    figures = measure("sqlite", 12)
    assert set(figures) == {"item.create", "item.move"}
    assert all(costs["median_us"] > 0 and costs["mean_us"] > 0 for costs in figures.values())

"""Percentiles and rates of a run's measurements: plain arithmetic, no clock."""

from __future__ import annotations

from collections.abc import Sequence

PERCENTILES = (50, 95, 99)


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile, interpolating linearly between the two nearest ranks (as numpy)."""
    if not values:
        raise ValueError("no values")
    if not 0 <= p <= 100:
        raise ValueError(f"percentile {p} is outside 0..100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(values_ms: Sequence[float]) -> dict[str, float | int]:
    """Count, mean, p50/p95/p99 and max of latencies in milliseconds, rounded to 0.1 ms."""
    if not values_ms:
        return {"count": 0}
    figures: dict[str, float | int] = {
        "count": len(values_ms),
        "mean": round(sum(values_ms) / len(values_ms), 1),
    }
    for p in PERCENTILES:
        figures[f"p{p}"] = round(percentile(values_ms, p), 1)
    figures["max"] = round(max(values_ms), 1)
    return figures


def rate(count: int, seconds: float) -> float:
    """Loops per second over a window, rounded to 0.01."""
    if seconds <= 0:
        raise ValueError("the window must last some time")
    return round(count / seconds, 2)


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator to 3 decimals, or None when there is nothing to divide by."""
    return round(numerator / denominator, 3) if denominator else None

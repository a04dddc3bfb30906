"""Latency statistics of scoring requests (pure: numbers in, a frozen value out)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["LatencyStats", "percentile"]


def percentile(sorted_ms: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) of sorted values, linear between closest ranks."""
    if not sorted_ms:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"q must be between 0 and 100, not {q}")
    rank = (len(sorted_ms) - 1) * q / 100
    lo, hi = math.floor(rank), math.ceil(rank)
    return sorted_ms[lo] + (sorted_ms[hi] - sorted_ms[lo]) * (rank - lo)


@dataclass(frozen=True, slots=True)
class LatencyStats:
    """What a batch of scoring requests measured (latencies of successful requests, in ms)."""

    latencies_ms: tuple[float, ...]
    failures: int = 0

    @property
    def count(self) -> int:
        return len(self.latencies_ms) + self.failures

    @property
    def p50_ms(self) -> float:
        return percentile(sorted(self.latencies_ms), 50)

    @property
    def p95_ms(self) -> float:
        return percentile(sorted(self.latencies_ms), 95)

    @property
    def mean_ms(self) -> float:
        return sum(self.latencies_ms) / len(self.latencies_ms)

    @property
    def request_seconds(self) -> float:
        """Mean time per request in seconds: the ``request_seconds`` of the replica formula."""
        return self.mean_ms / 1000

    @classmethod
    def from_results(cls, results: Sequence[tuple[int, float]]) -> LatencyStats:
        """From (HTTP status, latency ms) pairs; non-2xx answers count as failures."""
        ok = tuple(ms for status, ms in results if 200 <= status < 300)
        return cls(latencies_ms=ok, failures=len(results) - len(ok))

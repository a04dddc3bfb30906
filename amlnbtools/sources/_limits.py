"""Time limits of calls to a service, whichever SDK makes them, and a deadline for the whole call."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["Limits", "run_with_deadline"]

T = TypeVar("T")
# each caller waits for its own call: the pool only lets a call be abandoned, it is not what bounds concurrency
_deadline_pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="amlnbtools-sdk")


@dataclass(frozen=True)
class Limits:
    """Time limits of SDK calls: per request, retries, and the whole call (≤ 30 s by default)."""

    request_timeout_s: float = 7.0
    retries: int = 2
    backoff_s: float = 1.0
    budget_s: float = 30.0


def run_with_deadline(fn: Callable[[], T], budget_s: float) -> T:
    """Run ``fn`` on a worker thread; raise ``TimeoutError`` if it overruns ``budget_s``.

    The worker is abandoned, not killed: what ``fn`` calls must bound its own requests.
    """
    future = _deadline_pool.submit(fn)
    try:
        return future.result(timeout=budget_s)
    except FutureTimeout:
        raise TimeoutError(f"no answer within {budget_s:.0f} s") from None

"""Replica arithmetic for AKS web services: the documented formula done exactly, and the queueing view.

The formula (Azure ML docs)::

    concurrent_requests = target_rps × request_seconds ÷ target_utilization
    replicas            = ⌈concurrent_requests ÷ max_concurrent_requests⌉

is computed on exact fractions: every float is taken as the decimal it prints as (``0.1`` is 1/10), so
7 rps × 0.1 s ÷ 0.7 is exactly 1 replica, not ⌈1.0000000000000002⌉ = 2.

The formula ignores queueing: requests arrive at random, and one that waits longer than
``max_request_wait_time`` (500 ms by default) is answered 503. The M/M/c view treats the service as
``replicas × max_concurrent_requests`` servers with exponential service times (mean
``request_seconds``) and gives the probability that a request waits past the deadline (Erlang C).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from numbers import Rational, Real
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas

__all__ = ["concurrent_requests", "erlang_c", "max_spike", "rate_503", "replicas_for_rate_503",
           "replicas_table", "required_replicas"]

DEFAULT_MAX_WAIT_S = 0.5


def _exact(name: str, value: object, *, upper: Fraction | None = None, hint: str = "") -> Fraction:
    """``value`` as an exact fraction, checked to be finite, > 0 and (if given) ≤ ``upper``."""
    valid = f"a finite number > 0{f' and ≤ {upper}' if upper is not None else ''}"
    if isinstance(value, bool) or not isinstance(value, (Real, Decimal)):
        raise ValueError(f"{name} must be {valid}, not {value!r}{hint}")
    number = float(value)
    if math.isnan(number) or math.isinf(number) or number <= 0 or (upper is not None and number > upper):
        raise ValueError(f"{name} must be {valid}, not {value!r}{hint}")
    if isinstance(value, (Rational, Decimal)):
        return Fraction(value)
    return Fraction(repr(number))  # the decimal the user typed, not the binary approximation


def _count(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a whole number ≥ 1, not {value!r}")
    return value


def concurrent_requests(target_rps: float, request_seconds: float, target_utilization: float = 0.7) -> Fraction:
    """``target_rps × request_seconds ÷ target_utilization``, exactly."""
    rps = _exact("target_rps", target_rps)
    seconds = _exact("request_seconds", request_seconds)
    utilization = _exact("target_utilization", target_utilization, upper=Fraction(1),
                         hint=" (a fraction: 70 % is 0.7)")
    return rps * seconds / utilization


def required_replicas(target_rps: float, request_seconds: float, max_concurrent_requests: int = 1,
                      target_utilization: float = 0.7) -> int:
    """Replicas the documented formula asks for, computed exactly.

    >>> required_replicas(20, 10)
    286
    >>> required_replicas(7, 0.1)
    1

    Raises
    ------
    ValueError
        For a value ≤ 0, NaN or infinite, a ``max_concurrent_requests`` that is not a whole number ≥ 1,
        or a ``target_utilization`` above 1 (it is a fraction; the SDK's 70 is 0.7 here).
    """
    concurrent = concurrent_requests(target_rps, request_seconds, target_utilization)
    return math.ceil(concurrent / _count("max_concurrent_requests", max_concurrent_requests))


def replicas_table(rps_values: Iterable[float], request_seconds: float, max_concurrent_requests: int = 1,
                   target_utilization: float = 0.7) -> pandas.DataFrame:
    """The formula over a range of request rates: columns ``rps``, ``concurrent_requests``, ``replicas``."""
    import pandas as pd

    rows = []
    for rps in rps_values:
        concurrent = concurrent_requests(rps, request_seconds, target_utilization)
        rows.append({"rps": float(rps), "concurrent_requests": float(concurrent),
                     "replicas": math.ceil(concurrent / _count("max_concurrent_requests", max_concurrent_requests))})
    return pd.DataFrame(rows, columns=["rps", "concurrent_requests", "replicas"])


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival has to wait in an M/M/c queue (Erlang C).

    ``offered_load`` is λ/μ (requests per second × seconds per request). Computed through the Erlang B
    recursion, which stays stable for thousands of servers; 1.0 when the queue is unstable (load ≥ servers).
    """
    servers = _count("servers", servers)
    if offered_load < 0 or math.isnan(offered_load):
        raise ValueError(f"offered_load must be ≥ 0, not {offered_load!r}")
    if offered_load == 0:
        return 0.0
    if offered_load >= servers:
        return 1.0
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = offered_load * blocking / (k + offered_load * blocking)
    return servers * blocking / (servers - offered_load * (1 - blocking))


def rate_503(target_rps: float, request_seconds: float, replicas: int, max_concurrent_requests: int = 1,
             max_request_wait_s: float = DEFAULT_MAX_WAIT_S) -> float:
    """Share of requests that wait longer than ``max_request_wait_s`` (answered 503), in the M/M/c view.

    ``P(wait > t) = C(c, a) · exp(−(c·μ − λ)·t)`` with ``c = replicas × max_concurrent_requests``.
    1.0 when the load reaches the capacity (the M/M/c queue then grows without bound).
    """
    rps = float(_exact("target_rps", target_rps))
    seconds = float(_exact("request_seconds", request_seconds))
    servers = _count("replicas", replicas) * _count("max_concurrent_requests", max_concurrent_requests)
    wait = float(_exact("max_request_wait_s", max_request_wait_s))
    load = rps * seconds
    if load >= servers:
        return 1.0
    return erlang_c(servers, load) * math.exp(-(servers / seconds - rps) * wait)


def max_spike(target_rps: float, request_seconds: float, replicas: int, max_concurrent_requests: int = 1,
              max_request_wait_s: float = DEFAULT_MAX_WAIT_S, max_rate_503: float = 0.01) -> float:
    """The largest factor the load can grow by (×) before more than ``max_rate_503`` of requests get 503."""
    _exact("max_rate_503", max_rate_503, upper=Fraction(1))
    capacity = replicas * max_concurrent_requests / (float(target_rps) * float(request_seconds))

    def ok(factor: float) -> bool:
        return rate_503(target_rps * factor, request_seconds, replicas, max_concurrent_requests,
                        max_request_wait_s) <= max_rate_503

    lo, hi = 0.0, capacity
    if not ok(1e-9 * capacity + 1e-12):
        return 0.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if ok(mid) else (lo, mid)
    return lo


def replicas_for_rate_503(target_rps: float, request_seconds: float, max_rate_503: float = 0.01,
                          max_concurrent_requests: int = 1, max_request_wait_s: float = DEFAULT_MAX_WAIT_S,
                          limit: int = 100_000) -> int:
    """The fewest replicas that keep the M/M/c 503 rate at or below ``max_rate_503``."""
    _exact("max_rate_503", max_rate_503, upper=Fraction(1))
    per_replica = _count("max_concurrent_requests", max_concurrent_requests)
    replicas = max(1, math.floor(float(target_rps) * float(request_seconds) / per_replica))
    while rate_503(target_rps, request_seconds, replicas, per_replica, max_request_wait_s) > max_rate_503:
        replicas += 1
        if replicas > limit:
            raise ValueError(f"more than {limit} replicas would be needed: check target_rps and request_seconds")
    return replicas

"""The replica calculation as text: the formula step by step, the queueing view, ready-to-paste code.

Shared by the ``amlnbtools replicas`` command and the replica calculator panel (pure text: no I/O).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from amlnbtools.core.capacity import replicas as r
from amlnbtools.i18n import _, n_

__all__ = ["ReplicaReport", "autoscale_range", "deploy_code", "formula_lines", "queueing_lines", "replica_report"]


@dataclass(frozen=True)
class ReplicaReport:
    """Everything the calculator says about one set of inputs."""

    target_rps: float
    request_seconds: float
    max_concurrent_requests: int
    target_utilization: float
    max_request_wait_ms: float
    concurrent_requests: float
    replicas: int
    rate_503: float
    max_spike: float
    replicas_for_1pct_503: int


def replica_report(target_rps: float, request_seconds: float, max_concurrent_requests: int = 1,
                   target_utilization: float = 0.7, max_request_wait_ms: float = 500.0) -> ReplicaReport:
    """Compute the formula and the queueing view (raises ValueError on invalid input)."""
    replicas = r.required_replicas(target_rps, request_seconds, max_concurrent_requests, target_utilization)
    wait_s = float(r._exact("max_request_wait_ms", max_request_wait_ms)) / 1000
    return ReplicaReport(
        target_rps=target_rps, request_seconds=request_seconds, max_concurrent_requests=max_concurrent_requests,
        target_utilization=target_utilization, max_request_wait_ms=max_request_wait_ms,
        concurrent_requests=float(r.concurrent_requests(target_rps, request_seconds, target_utilization)),
        replicas=replicas,
        rate_503=r.rate_503(target_rps, request_seconds, replicas, max_concurrent_requests, wait_s),
        max_spike=r.max_spike(target_rps, request_seconds, replicas, max_concurrent_requests, wait_s),
        replicas_for_1pct_503=r.replicas_for_rate_503(target_rps, request_seconds, 0.01, max_concurrent_requests,
                                                      wait_s))


def _num(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text if Fraction(text) == Fraction(repr(float(value))) else text + "…"


def formula_lines(rep: ReplicaReport) -> list[str]:
    """The formula with the user's numbers, step by step."""
    return [
        _("concurrent requests = target RPS × request time ÷ target utilization = {rps} × {seconds} ÷ {u} = {c}")
        .format(rps=_num(rep.target_rps), seconds=_num(rep.request_seconds), u=_num(rep.target_utilization),
                c=_num(rep.concurrent_requests)),
        _("replicas = ⌈concurrent requests ÷ max concurrent requests per replica⌉ = ⌈{c} ÷ {m}⌉ = {n}")
        .format(c=_num(rep.concurrent_requests), m=rep.max_concurrent_requests, n=rep.replicas),
    ]


def queueing_lines(rep: ReplicaReport) -> list[str]:
    """What the M/M/c view adds: the 503 rate, the spike headroom, the replicas for at most 1 % 503s."""
    return [
        n_("With {n} replica, {pct:.2f} % of requests wait longer than {ms:.0f} ms and get HTTP 503 (M/M/c view).",
           "With {n} replicas, {pct:.2f} % of requests wait longer than {ms:.0f} ms and get HTTP 503 (M/M/c view).",
           rep.replicas).format(n=rep.replicas, pct=100 * rep.rate_503, ms=rep.max_request_wait_ms),
        (_("The load can grow ×{spike:.2f} before more than 1 % of requests get 503.") if rep.rate_503 <= 0.01 else
         _("Already more than 1 % of requests get 503 at this load: it would have to shrink to ×{spike:.2f}."))
        .format(spike=rep.max_spike),
        _("Fewest replicas for at most 1 % of 503s: {n}.").format(n=rep.replicas_for_1pct_503),
    ]


def autoscale_range(replicas: int, min_replicas: int | None = None, max_replicas: int | None = None) -> tuple[int, int]:
    """(min, max) replicas that keep autoscaling on.

    The minimum is the formula's replicas, or ``min_replicas`` if that is higher. The maximum is ``max_replicas``
    when it leaves room above the minimum, else the minimum and half of it again (at least one more): equal
    bounds would switch the autoscaler off, and a spike of half the load again would find no replica to add.
    """
    low = max(min_replicas or 0, replicas, 1)
    floor = low + max(1, math.ceil(low / 2))
    high = max_replicas if max_replicas is not None and max_replicas > low else floor
    return low, high


def deploy_code(rep: ReplicaReport, min_replicas: int | None = None, max_replicas: int | None = None) -> str:
    """Ready-to-paste SDK v1 code (autoscale_target_utilization is the SDK's integer percent); the replicas are
    :func:`autoscale_range` (never equal bounds, which would switch autoscaling off)."""
    percent = round(rep.target_utilization * 100)
    low, top = autoscale_range(rep.replicas, min_replicas, max_replicas)
    return (f"AksWebservice.deploy_configuration(autoscale_enabled=True, autoscale_min_replicas={low}, "
            f"autoscale_max_replicas={top}, autoscale_target_utilization={percent}, "
            f"replica_max_concurrent_requests={rep.max_concurrent_requests}, "
            f"max_request_wait_time={round(rep.max_request_wait_ms)})\n"
            f"service.update(autoscale_min_replicas={low}, autoscale_max_replicas={top}, "
            f"autoscale_target_utilization={percent})")

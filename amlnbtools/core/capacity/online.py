"""Capacity of a managed online deployment (SDK v2): instances for a load, the 429 threshold, 429 and 408 rates.

A managed deployment runs a fixed ``instance_count`` of instances, each serving at most
``max_concurrent_requests_per_instance`` requests at once. It holds at most ``2 × max_concurrent × instances``
requests (in service and waiting) and answers 429 to the next; a request that takes longer than
``request_timeout_ms`` (waiting included) is answered 408.

The model: an M/M/c/K queue (c = instances × max concurrent, K = 2c), Poisson arrivals at the load's rate,
exponential service times of mean ``request_seconds``. At one rate it gives the 429 rate (the chance an
arrival finds K requests) and the 408 rate (the chance an accepted request's wait plus service exceeds the
timeout), exactly. :func:`play` applies it to each second of a load trace (the queue is taken as settled
within each second: requests last far less than the trace's changes), so a daily cycle or spikes show
when 429s and 408s happen. The instances for a load come from the same formula as the AKS replicas
(:func:`amlnbtools.core.capacity.replicas.required_replicas`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from amlnbtools.core.capacity.replicas import required_replicas

__all__ = ["OnlineCapacity", "TraceRates", "mmck_rates", "online_capacity", "pending_limit", "play", "v2_code"]

#: At most this many instances are searched for a target rate.
MAX_INSTANCES = 500


def pending_limit(max_concurrent_requests_per_instance: int, instance_count: int) -> int:
    """Requests a managed deployment holds (in service and waiting) before it answers 429."""
    return 2 * int(max_concurrent_requests_per_instance) * int(instance_count)


def _poisson_tail(mean: float, below: int) -> float:
    """P(Poisson(mean) < below) = P(Erlang(below) > T) for mean = rate × T; exact sum in log space."""
    if below <= 0:
        return 0.0
    if mean == 0:
        return 1.0
    log_mean = math.log(mean)
    return math.fsum(math.exp(i * log_mean - mean - math.lgamma(i + 1)) for i in range(below))


def _late(j: int, servers: int, mu: float, timeout_s: float) -> float:
    """P(Erlang(j, servers·mu) + Exp(mu) > T): j completions before service starts, then the service."""
    b = mu
    if j == 0:
        return math.exp(-b * timeout_s)
    a = servers * mu
    if servers == 1:  # a == b: j + 1 exponential phases of the same rate
        return _poisson_tail(b * timeout_s, j + 1)
    theta = a - b
    ratio_log = j * (math.log(a) - math.log(theta))
    gamma_cdf = 1.0 - _poisson_tail(theta * timeout_s, j)
    return min(1.0, _poisson_tail(a * timeout_s, j) + math.exp(-b * timeout_s + ratio_log) * gamma_cdf)


@lru_cache(maxsize=4096)
def mmck_rates(rate: float, request_seconds: float, servers: int, capacity: int,
               timeout_s: float) -> tuple[float, float]:
    """(429 rate, 408 rate) among arrivals at ``rate`` a second for ``servers`` slots and ``capacity`` places."""
    if rate <= 0:
        return 0.0, 0.0
    mu = 1.0 / request_seconds
    load = rate / mu
    # log of the unnormalised state probabilities p_k, k = 0..capacity
    logs = []
    for k in range(capacity + 1):
        if k <= servers:
            logs.append(k * math.log(load) - math.lgamma(k + 1))
        else:
            logs.append(servers * math.log(load) - math.lgamma(servers + 1) + (k - servers) * math.log(load / servers))
    top = max(logs)
    weights = [math.exp(v - top) for v in logs]
    total = math.fsum(weights)
    p = [w / total for w in weights]
    blocked = p[capacity]
    late = math.fsum(p[k] * _late(max(0, k - servers + 1), servers, mu, timeout_s) for k in range(capacity))
    return blocked, late


@dataclass(frozen=True)
class OnlineCapacity:
    """What the calculator says about one managed deployment at one load."""

    target_rps: float
    request_seconds: float
    max_concurrent_requests: int
    target_utilization: float
    request_timeout_ms: int
    instances_needed: int  # the formula
    instances: int  # the count the rates are for (the deployment's, or the formula's)
    pending_limit: int
    rate_429: float
    rate_408: float
    instances_for_1pct: int | None  # fewest instances with at most 1 % answered 429 or 408 (None: beyond the search)


def online_capacity(target_rps: float, request_seconds: float, max_concurrent_requests: int = 1,
                    target_utilization: float = 0.7, request_timeout_ms: int = 5000,
                    instances: int | None = None) -> OnlineCapacity:
    """The instances for ``target_rps`` and the 429 / 408 rates with ``instances`` (default: that count)."""
    needed = required_replicas(target_rps, request_seconds, max_concurrent_requests, target_utilization)
    count = needed if instances is None else int(instances)
    if count < 1:
        raise ValueError(f"instances must be at least 1, not {instances!r}")
    if not 1 <= int(request_timeout_ms) <= 180_000:
        raise ValueError(f"request_timeout_ms must be from 1 to 180000, not {request_timeout_ms!r}")
    timeout_s = int(request_timeout_ms) / 1000

    def rates(n: int) -> tuple[float, float]:
        slots = n * max_concurrent_requests
        return mmck_rates(float(target_rps), float(request_seconds), slots, 2 * slots, timeout_s)

    r429, r408 = rates(count)
    enough = next((n for n in range(1, MAX_INSTANCES + 1) if sum(rates(n)) <= 0.01), None)
    return OnlineCapacity(target_rps=target_rps, request_seconds=request_seconds,
                          max_concurrent_requests=max_concurrent_requests, target_utilization=target_utilization,
                          request_timeout_ms=int(request_timeout_ms), instances_needed=needed, instances=count,
                          pending_limit=pending_limit(max_concurrent_requests, count), rate_429=r429, rate_408=r408,
                          instances_for_1pct=enough)


@dataclass(frozen=True)
class TraceRates:
    """A load trace played on a deployment: per-second expected 429s and 408s, and the totals."""

    series: pd.DataFrame  # columns rps, rejected_429, late_408 (expected requests a second)
    rate_429: float
    rate_408: float


def play(load: pd.Series, request_seconds: float, instances: int, max_concurrent_requests: int = 1,
         request_timeout_ms: int = 5000) -> TraceRates:
    """Apply the model to every second of ``load`` (requests a second, one value a second)."""
    slots = int(instances) * int(max_concurrent_requests)
    timeout_s = int(request_timeout_ms) / 1000
    rps = pd.Series(load, dtype="float64").clip(lower=0)
    # rates at 3 significant digits: a day of seconds needs a few hundred distinct queue solutions
    rounded = rps.map(lambda x: float(f"{x:.3g}"))
    cache = {x: mmck_rates(x, float(request_seconds), slots, 2 * slots, timeout_s) for x in rounded.unique()}
    blocked = rounded.map(lambda x: cache[x][0]) * rps
    late = rounded.map(lambda x: cache[x][1]) * rps
    total = float(rps.sum())
    frame = pd.DataFrame({"rps": rps.to_numpy(), "rejected_429": blocked.to_numpy(), "late_408": late.to_numpy()},
                         index=rps.index)
    return TraceRates(series=frame, rate_429=float(blocked.sum()) / total if total else 0.0,
                      rate_408=float(late.sum()) / total if total else 0.0)


def v2_code(endpoint: str, deployment: str, instances: int, max_concurrent_requests: int, request_timeout_ms: int,
            scale: tuple[int, int, int] | None = None) -> str:
    """Ready-to-paste azure-ai-ml code that sets the deployment's capacity.

    ``scale`` = (min, max, target %) for a Kubernetes deployment that autoscales (TargetUtilization).
    """
    lines = [f"deployment = ml_client.online_deployments.get({deployment!r}, endpoint_name={endpoint!r})"]
    if scale is None:
        lines.append(f"deployment.instance_count = {int(instances)}")
    else:
        low, high, percent = scale
        lines += ["from azure.ai.ml.entities import TargetUtilizationScaleSettings",
                  f"deployment.scale_settings = TargetUtilizationScaleSettings(min_instances={low}, "
                  f"max_instances={high}, target_utilization_percentage={percent})"]
    lines += [f"deployment.request_settings.max_concurrent_requests_per_instance = {int(max_concurrent_requests)}",
              f"deployment.request_settings.request_timeout_ms = {int(request_timeout_ms)}",
              "ml_client.online_deployments.begin_create_or_update(deployment).result()"]
    return "\n".join(lines)

"""What the AKS front end's autoscaler (azureml-fe, Azure ML v1) does to a load trace. The model, at 1 s steps:

- Arrivals: ``Poisson(rps)`` a second (numpy ``Generator(seed)``), or with ``poisson=False`` the
  trace's own counts (fractions carried over: for traces of real counts).
- Capacity: ``slots = ready × max_concurrent_requests``, one request at a time each, taking
  ``r = request_seconds`` on average. In a second the free slots (``slots - busy``) plus what the
  pool finishes (``slots / r``) can start: saturated, it serves ``slots / r`` a second. ``busy``, the
  expected number in service for exponential service times: ``busy·e^(-1/r) + starts·r·(1 - e^(-1/r))``.
- Queue (FIFO): at most ``slots / r × max_request_wait_s`` wait (those that start within the
  wait); whole requests beyond that are answered 503.
- 504: served requests whose exponential service time exceeds ``scoring_timeout_s``:
  ``Binomial(served, e^(-timeout/r))`` from a stream of their own, spread over arrival seconds.
- Autoscaler: utilization = (busy + queued) / slots, seen every second (queued includes requests
  bound for a 503, for the time they wait). Above ``target_utilization``: desired =
  ceil(ready × utilization / target) ≤ ``max_replicas``, requested at once, ready ``startup_s``
  later. Below it without a break for ``scale_down_delay_s``: down to ceil(ready × the highest
  utilization of the last ``scale_down_delay_s`` / target) ≥ ``min_replicas`` (starting replicas
  cancelled first), checked every ceil(delay / 6) s. It acts at most once per ``refresh_period_s``.

Simplifications: arrivals are even within a second (no sub-second bursts); service times vary
only for 504s (which keep their slot for their whole service time), so with slow requests at high
utilization the steady 503 rate is below an M/M/c queue's (compare with Erlang C); replicas never
fail; nodes are never short (the front end does not scale nodes); removed replicas finish their work.
"""

from __future__ import annotations

import dataclasses
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

__all__ = ["AutoscaleConfig", "SimulationResult", "simulate", "sweep"]

_INF = float("inf")
_NEVER = 2**30 - 1  # a second never reached (small ints compare fastest)
_HOW = {"rps": "mean", "replicas": "max", "desired": "max", "rejected_503": "sum", "timed_out_504": "sum",
        "utilization": "mean"}
_INTS = (int, np.integer)
_SECONDS = {"refresh_period_s": ">", "scale_down_delay_s": ">=", "startup_s": ">=", "max_request_wait_s": ">=",
            "scoring_timeout_s": ">"}


def _is_number(value: object) -> bool:  # finite int or float, not bool
    return isinstance(value, (int, float, np.number)) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class AutoscaleConfig:
    """The front end's autoscale settings and a replica's limits (defaults: AKS v1's); checked on creation."""

    min_replicas: int = 1
    max_replicas: int = 10
    target_utilization: float = 0.7  # a fraction in (0, 1]: the SDK's autoscale_target_utilization=70 is 0.7
    refresh_period_s: float = 1.0
    scale_down_delay_s: float = 60.0
    startup_s: float = 30.0
    max_concurrent_requests: int = 1
    max_request_wait_s: float = 0.5
    scoring_timeout_s: float = 60.0
    initial_replicas: int | None = None  # None: min_replicas

    def __post_init__(self) -> None:
        for name in ("min_replicas", "max_replicas", "max_concurrent_requests", "initial_replicas"):
            value = getattr(self, name)
            ok = isinstance(value, _INTS) and not isinstance(value, bool) and value >= 1
            if not ok and not (value is None and name == "initial_replicas"):
                raise ValueError(f"{name} must be an integer >= 1, not {value!r}")
        if self.max_replicas < self.min_replicas:
            raise ValueError(f"max_replicas ({self.max_replicas}) must be >= min_replicas ({self.min_replicas})")
        if not self.min_replicas <= self.start_replicas <= self.max_replicas:
            raise ValueError(f"initial_replicas ({self.initial_replicas}) must be None or between min_replicas "
                             f"({self.min_replicas}) and max_replicas ({self.max_replicas})")
        target = self.target_utilization
        if not (_is_number(target) and 0 < target <= 1):
            hint = f" (a percent {target} is {target / 100:g})" if _is_number(target) and target > 1 else ""
            raise ValueError(f"target_utilization must be a fraction in (0, 1], not {target!r}{hint}")
        for name, op in _SECONDS.items():
            value = getattr(self, name)
            if not (_is_number(value) and (value > 0 if op == ">" else value >= 0)):
                raise ValueError(f"{name} must be a finite number of seconds {op} 0, not {value!r}")

    @property
    def start_replicas(self) -> int:
        """Replicas ready at second 0: ``initial_replicas``, or ``min_replicas`` when it is None."""
        return self.min_replicas if self.initial_replicas is None else self.initial_replicas


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """Totals of a simulated trace and its series, one row a second (index: seconds from 0).

    ``served`` counts the requests that reached a replica, 504s included: ``requests == served +
    rejected_503``; ``replica_seconds == series.replicas.sum()``. Columns: ``rps`` (arrivals in that
    second), ``replicas`` (ready), ``desired`` (ready + starting, as decided in that second),
    ``rejected_503``, ``timed_out_504`` (by arrival second), ``utilization`` (as the autoscaler
    saw it, (busy + queued) / slots: may exceed 1).
    """

    requests: int
    served: int
    rejected_503: int
    timed_out_504: int
    replica_seconds: float
    series: pd.DataFrame = dataclasses.field(repr=False)

    @property
    def rate_503(self) -> float:
        """Share of all requests answered 503 (0 when there were none)."""
        return self.rejected_503 / self.requests if self.requests else 0.0

    @property
    def rate_504(self) -> float:
        """Share of all requests answered 504 (0 when there were none)."""
        return self.timed_out_504 / self.requests if self.requests else 0.0

    def resampled(self, seconds: int) -> pd.DataFrame:
        """The series in windows of ``seconds``, for charts: means of ``rps`` and ``utilization``, maxima
        of ``replicas`` and ``desired``, sums of the 503s and 504s; index: each window's first second."""
        if not (isinstance(seconds, _INTS) and seconds >= 1):
            raise ValueError(f"seconds must be an integer >= 1, not {seconds!r}")
        return self.series.groupby(self.series.index // seconds * seconds).agg(_HOW).rename_axis("second")


def _arrivals(load: pd.Series | Sequence[float], request_seconds: float, seed: int, poisson: bool) -> np.ndarray:
    if not (_is_number(request_seconds) and request_seconds > 0):
        raise ValueError(f"request_seconds must be a finite number > 0, not {request_seconds!r}")
    rates = np.asarray(load, dtype=float)
    if rates.ndim != 1 or rates.size == 0 or not np.isfinite(rates).all() or (rates < 0).any():
        raise ValueError("load must be a non-empty series of requests per second (finite, >= 0), one a second")
    index = getattr(load, "index", None)
    if isinstance(index, pd.DatetimeIndex) and not ((index[1:] - index[:-1]) == pd.Timedelta(seconds=1)).all():
        raise ValueError("load's DatetimeIndex must step by 1 s: use load.resample('1s').sum() or load_csv()")
    if poisson:
        return np.random.default_rng(seed).poisson(rates)
    return np.diff(np.floor(np.cumsum(rates) + 0.5).astype(np.int64), prepend=0)  # rounded, fractions carried


def _cancel(pending: deque, ready: int, npend: int, desired: int) -> tuple[int, int, float]:
    """Down to ``desired`` replicas in all, starting ones cancelled first (newest first); next ready time."""
    cut = ready + npend - desired
    while cut and pending:
        when, k = pending.pop()
        if k > cut:
            pending.append([when, k - cut])
        cut, npend = cut - min(k, cut), npend - min(k, cut)
    return ready - cut, npend, (pending[0][0] if pending else _NEVER)


def _run(arrivals: list[float], request_seconds: float, cfg: AutoscaleConfig, record: bool) -> tuple:
    """The step loop: plain Python, local names; the common second (all served, below target) is short."""
    mcr, wait, target = cfg.max_concurrent_requests, cfg.max_request_wait_s, cfg.target_utilization
    per_replica, lo, hi, delay = mcr * target, cfg.min_replicas, cfg.max_replicas, cfg.scale_down_delay_s
    decay = math.exp(-1.0 / request_seconds)  # share of the busy still busy a second later
    gain = request_seconds * (1.0 - decay)  # busy a start adds, on average over the second it starts in
    lag, step = 1 + math.ceil(cfg.startup_s), cfg.refresh_period_s  # asked for in second t: ready at t + lag

    def sized(ready: int) -> tuple[float, float, float, float]:  # slots, slots + rate, wait room, threshold
        slots = float(ready * mcr)
        return slots, slots + slots / request_seconds, slots / request_seconds * wait, target * slots

    slots, top, qmax, thr = sized(ready := cfg.start_replicas)
    busy = num = peak = 0.0
    pending: deque[list[int]] = deque()
    t_ready: float = _NEVER  # when the next starting replica is ready
    npend, next_act, down_at, since = 0, 0.0, -1, 0  # down_at -1: not below the target
    span = max(1, math.ceil(delay / 6))  # scale-down looks at the peaks of 1 s .. delay / 6 buckets
    done: deque[float] = deque(maxlen=max(1, math.ceil(delay / span)))  # those of the last delay s

    def bounds(total: int) -> tuple[float, float]:  # busy + queued: above, scale up; a peak at or below: fewer
        return total * per_replica if total < hi else _INF, (total - 1 + 1e-9) * per_replica if total > lo else -1.0

    up_at, low_at = bounds(ready)
    # seconds with 503s and how many (no tuples: less GC); busy + queued
    rej_t: list[int] = []
    rej_n: list[int] = []
    nums: list[float] = []
    push, ready_ev, desired_ev = nums.append, [(0, ready)], [(0, ready)]
    work, last = list(arrivals), len(arrivals) - 1  # arrivals, plus those still queued (added on the way)
    for t, x in enumerate(work):
        if t >= t_ready:  # replicas finished starting
            while pending and pending[0][0] <= t:
                k = pending.popleft()[1]
                npend, ready = npend - k, ready + k
            t_ready = pending[0][0] if pending else _NEVER
            slots, top, qmax, thr = sized(ready)
            ready_ev.append((t, ready))
        if x <= top - busy:  # free slots now + what busy ones finish this second: all start
            busy = busy * decay + x * gain
            if busy < thr:  # the common second: below the target
                if record:
                    push(busy)
                if t >= down_at:  # a below-target period starts, or one of its buckets ends
                    if down_at < 0:
                        since = t
                        done.clear()
                    else:
                        done.append(peak)
                        if peak <= low_at and t - since >= delay and t >= next_act:  # below for the whole delay
                            d = max(lo, math.ceil(max(done) / per_replica - 1e-9))
                            if d < ready + npend:
                                desired_ev.append((t, d))
                                left, npend, t_ready = _cancel(pending, ready, npend, d)
                                (up_at, low_at), next_act = bounds(d), t + step
                                if left < ready:
                                    ready = left
                                    slots, top, qmax, thr = sized(ready)
                                    busy = min(busy, slots)
                                    ready_ev.append((t + 1, ready))
                    down_at, peak = t + span, 0.0
                if busy > peak:
                    peak = busy
                continue
            if busy > slots:
                busy = slots
            num = busy
        else:
            cap = top - busy
            busy = slots  # decay·busy + gain·cap ≥ slots here, since gain > decay (e^y - 1 > y)
            queue = x - cap
            if queue - qmax >= 1.0:  # those who would wait too long: 503 (whole requests)
                rej = int(min(arrivals[t], queue - qmax))  # the newest: this second's
                queue -= rej
                rej_t.append(t)
                rej_n.append(rej)
                num = busy + queue + rej * wait
            else:
                num = busy + queue
            if t < last:  # those still waiting go first next second
                work[t + 1] += queue
        if record:
            push(num)
        down_at = -1
        if num > up_at and t >= next_act:  # above the target and above what is already on its way
            d = min(hi, math.ceil(num / per_replica - 1e-9))
            if d > ready + npend:
                pending.append([t + lag, d - ready - npend])
                npend = d - ready
                t_ready = min(t_ready, t + lag)
                desired_ev.append((t, d))
                next_act = t + step
                up_at, low_at = bounds(d)
    return ready_ev, desired_ev, rej_t, rej_n, nums


def _steps(events: list[tuple[int, int]], n: int) -> np.ndarray:  # per-second values from (second, value) changes
    return np.repeat([e[1] for e in events], np.diff(np.minimum([e[0] for e in events] + [n], n)))


def _result(arrivals: np.ndarray, run: tuple, request_seconds: float, cfg: AutoscaleConfig, seed: int,
            series: bool) -> SimulationResult:
    ready_ev, desired_ev, rej_t, rej_n, nums = run
    replicas = _steps(ready_ev, n := len(arrivals))
    requests, rejected = int(arrivals.sum()), sum(rej_n)
    rng = np.random.default_rng([seed, 504])  # a stream of its own: sweep() and simulate() draw the same
    timed_out = int(rng.binomial(requests - rejected, math.exp(-cfg.scoring_timeout_s / request_seconds)))
    frame = None
    if series:
        rejected_s = np.zeros(n, dtype=np.int64)
        rejected_s[rej_t] = rej_n
        # "count" is faster, its memory grows with the total
        how: Literal["count", "marginals"] = "count" if requests < 5_000_000 else "marginals"
        timed_out_s = rng.multivariate_hypergeometric(arrivals - rejected_s, timed_out, method=how)
        frame = pd.DataFrame({"rps": arrivals, "replicas": replicas, "desired": _steps(desired_ev, n),
                              "rejected_503": rejected_s, "timed_out_504": timed_out_s,
                              "utilization": np.asarray(nums) / (replicas * cfg.max_concurrent_requests)},
                             index=pd.RangeIndex(n, name="second"))
    return SimulationResult(requests, requests - rejected, rejected, timed_out, float(replicas.sum()), frame)


def simulate(load: pd.Series, request_seconds: float, config: AutoscaleConfig = AutoscaleConfig(), *,
             seed: int = 0, poisson: bool = True) -> SimulationResult:
    """Simulate the front end and its autoscaler over ``load`` at 1 s steps (model: module docstring).

    ``load``: requests per second, one value a second (:mod:`amlnbtools.core.capacity.load`); ``request_seconds``: mean
    time a slot spends on a request (the replica formula's ``reqTime``); ``seed`` seeds arrivals and 504s (same
    inputs and seed, same result); ``poisson=False`` takes the trace's counts as they are, not Poisson arrivals.
    """
    arrivals = _arrivals(load, request_seconds, seed, poisson)
    run = _run(arrivals.astype(float).tolist(), float(request_seconds), config, record=True)
    return _result(arrivals, run, request_seconds, config, seed, series=True)


def sweep(load: pd.Series, request_seconds: float, configs: Sequence[AutoscaleConfig], *, seed: int = 0,
          poisson: bool = True) -> pd.DataFrame:
    """Simulate ``load`` under each config, with the same arrivals for all: one row per config.

    Columns: the config's fields, then ``requests``, ``served``, ``rejected_503``,
    ``timed_out_504``, ``rate_503``, ``rate_504``, ``replica_seconds``, ``mean_replicas``,
    ``peak_replicas``. A row's totals equal :func:`simulate`'s for that config and seed.
    """
    arrivals = _arrivals(load, request_seconds, seed, poisson)
    steps, rows = arrivals.astype(float).tolist(), []
    for config in configs:
        run = _run(steps, float(request_seconds), config, record=False)
        res = _result(arrivals, run, request_seconds, config, seed, series=False)
        rows.append({**dataclasses.asdict(config), "requests": res.requests, "served": res.served,
                     "rejected_503": res.rejected_503, "timed_out_504": res.timed_out_504,
                     "rate_503": res.rate_503, "rate_504": res.rate_504, "replica_seconds": res.replica_seconds,
                     "mean_replicas": res.replica_seconds / len(steps),
                     "peak_replicas": max(e[1] for e in run[0])})
    return pd.DataFrame(rows)

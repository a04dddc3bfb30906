"""Autoscaler simulation speed: one day at 1 s steps and a 256-config sweep, against references run here.

Goals: a day in 100 ms, 256 configurations over that day in 5 s (2-core machine). References, measured
in the same run on the same arrivals: the same model written the plain way (a state object with a
method called once a second, settings read through attributes, every column appended each second;
its totals must equal the simulator's), and the naive pandas way (that object fed one DataFrame row
at a time, results written back with ``.loc``), over the first hour and extrapolated to the day.
"""

from __future__ import annotations

import itertools
import math
import time

import numpy as np
import pandas as pd

from amlnbtools.core.capacity.autoscale import AutoscaleConfig, simulate, sweep
from amlnbtools.core.capacity.load import diurnal

GOAL_DAY_S, GOAL_SWEEP_S = 0.100, 5.0
REQUEST_SECONDS = 0.2


class PlainAutoscaler:
    """The simulator's model, written without its optimisations: one ``step`` call per second."""

    def __init__(self, request_seconds: float, config: AutoscaleConfig) -> None:
        self.r, self.cfg = request_seconds, config
        self.decay = math.exp(-1.0 / request_seconds)
        self.gain = request_seconds * (1.0 - self.decay)
        self.ready, self.pending = config.start_replicas, []  # pending: [ready at, count], oldest first
        self.busy = self.queue = self.peak = 0.0
        self.next_act, self.below_since, self.bucket_end, self.buckets = 0.0, None, 0.0, []
        self.span = max(1, math.ceil(config.scale_down_delay_s / 6))
        self.n_buckets = max(1, math.ceil(config.scale_down_delay_s / self.span))
        self.rows: list[dict] = []

    def step(self, t: int, arrived: float) -> dict:
        cfg = self.cfg
        for item in [p for p in self.pending if p[0] <= t]:
            self.ready += item[1]
            self.pending.remove(item)
        slots = float(self.ready * cfg.max_concurrent_requests)
        top, qmax = slots + slots / self.r, slots / self.r * cfg.max_request_wait_s
        x, self.queue, rejected = self.queue + arrived, 0.0, 0
        if x <= top - self.busy:
            self.busy = min(self.busy * self.decay + x * self.gain, slots)
            num = self.busy
        else:
            cap = top - self.busy
            self.busy = slots  # saturated: every slot busy
            self.queue = x - cap
            if self.queue - qmax >= 1.0:
                rejected = int(min(arrived, self.queue - qmax))
                self.queue -= rejected
            num = self.busy + self.queue + rejected * cfg.max_request_wait_s
        row = {"rps": arrived, "replicas": self.ready, "rejected_503": rejected, "utilization": num / slots}
        self.autoscale(t, num, cfg.target_utilization * slots)
        row["desired"] = self.ready + sum(k for _, k in self.pending)
        self.rows.append(row)
        return row

    def autoscale(self, t: int, num: float, threshold: float) -> None:
        cfg = self.cfg
        per_replica = cfg.max_concurrent_requests * cfg.target_utilization
        total = self.ready + sum(k for _, k in self.pending)
        if num < threshold:
            if self.below_since is None:
                self.below_since, self.buckets, self.peak, self.bucket_end = t, [], 0.0, t + self.span
            elif t >= self.bucket_end:
                self.buckets = (self.buckets + [self.peak])[-self.n_buckets:]
                if t - self.below_since >= cfg.scale_down_delay_s and t >= self.next_act:
                    d = max(cfg.min_replicas, math.ceil(max(self.buckets) / per_replica - 1e-9))
                    if d < total:
                        self.next_act, cut = t + cfg.refresh_period_s, total - d
                        while cut and self.pending:
                            when, k = self.pending.pop()
                            if k > cut:
                                self.pending.append([when, k - cut])
                            cut -= min(k, cut)
                        self.ready -= cut  # the busy ones beyond the slots left finish on the removed replicas
                        self.busy = min(self.busy, float(self.ready * cfg.max_concurrent_requests))
                self.peak, self.bucket_end = 0.0, t + self.span
            self.peak = max(self.peak, num)
        else:
            self.below_since = None
            if num > threshold and t >= self.next_act:
                d = min(cfg.max_replicas, math.ceil(num / per_replica - 1e-9))
                if d > total:
                    self.pending.append([t + 1 + math.ceil(cfg.startup_s), d - total])
                    self.next_act = t + cfg.refresh_period_s


def plain_day(arrivals: np.ndarray, config: AutoscaleConfig) -> tuple[int, float]:
    sim = PlainAutoscaler(REQUEST_SECONDS, config)
    for t, a in enumerate(arrivals.astype(float).tolist()):
        sim.step(t, a)
    frame = pd.DataFrame(sim.rows)
    return int(frame["rejected_503"].sum()), float(frame["replicas"].sum())


def naive_pandas(arrivals: np.ndarray, config: AutoscaleConfig) -> pd.DataFrame:
    frame = pd.DataFrame({"rps": arrivals.astype(float), "replicas": 0, "rejected_503": 0, "utilization": 0.0})
    sim = PlainAutoscaler(REQUEST_SECONDS, config)
    for t in range(len(frame)):
        row = sim.step(t, frame.iloc[t]["rps"])
        for column in ("replicas", "rejected_503", "utilization"):
            frame.loc[t, column] = row[column]
    return frame


def configs() -> list[AutoscaleConfig]:
    """256 settings one might compare: target × start-up × max replicas × min replicas."""
    grid = itertools.product((0.5, 0.6, 0.7, 0.8), (10, 30, 60, 120), (10, 15, 20, 30), (1, 2, 4, 8))
    return [AutoscaleConfig(target_utilization=u, startup_s=s, max_replicas=hi, min_replicas=lo)
            for u, s, hi, lo in grid]


def best(fn, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main(repeats: int = 5) -> dict[str, float]:
    load = diurnal(20, 50, seed=1)  # one day, 20 rps on average, 50 at noon, noisy
    config = AutoscaleConfig()
    day_s, result = best(lambda: simulate(load, REQUEST_SECONDS, config), repeats)
    sweep_s, table = best(lambda: sweep(load, REQUEST_SECONDS, configs()), 2)
    arrivals = result.series["rps"].to_numpy()
    plain_s, plain = best(lambda: plain_day(arrivals, config), 1)
    assert plain == (result.rejected_503, result.replica_seconds), (plain, result)
    hour_s, hourly = best(lambda: naive_pandas(arrivals[:3600], config), 1)
    assert int(hourly["rejected_503"].sum()) == int(result.series["rejected_503"].iloc[:3600].sum())
    naive_day_s = hour_s * len(arrivals) / 3600
    out = {
        "day_ms": day_s * 1000, "day_vs_goal": day_s / GOAL_DAY_S,
        "sweep_256_s": sweep_s, "sweep_vs_goal": sweep_s / GOAL_SWEEP_S,
        "sweep_ms_per_config": sweep_s * 1000 / len(table),
        "plain_python_day_ms": plain_s * 1000, "speedup_vs_plain_python": plain_s / day_s,
        "naive_pandas_day_s": naive_day_s, "speedup_vs_naive_pandas": naive_day_s / day_s,
    }
    print(f"simulate 1 day (86,400 s, {result.requests:,} requests, {result.rate_503:.2%} 503): "
          f"{out['day_ms']:.1f} ms = {out['day_vs_goal']:.2f} of the 100 ms goal; "
          f"{out['speedup_vs_plain_python']:.1f}x the plain Python step loop ({out['plain_python_day_ms']:.0f} ms), "
          f"{out['speedup_vs_naive_pandas']:.0f}x naive pandas row-per-step "
          f"({out['naive_pandas_day_s']:.0f} s, from {hour_s:.1f} s for the first hour)")
    print(f"sweep 256 configs x 1 day: {sweep_s:.2f} s = {out['sweep_vs_goal']:.2f} of the 5 s goal "
          f"({out['sweep_ms_per_config']:.1f} ms a config; plain Python would take "
          f"{plain_s * len(table):.0f} s = {plain_s * len(table) / sweep_s:.1f}x)")
    return out


if __name__ == "__main__":
    main()

"""The front end / autoscaler simulator: validation, determinism, conservation, known behaviours."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amlnbtools.core.capacity.autoscale import AutoscaleConfig, SimulationResult, simulate, sweep
from amlnbtools.core.capacity.load import diurnal, spikes, steady

COLUMNS = ["rps", "replicas", "desired", "rejected_503", "timed_out_504", "utilization"]


def fixed(replicas: int, **kwargs) -> AutoscaleConfig:
    """A deployment that cannot scale."""
    return AutoscaleConfig(min_replicas=replicas, max_replicas=replicas, **kwargs)


# ------------------------------------------------------------------------------ validation


def test_defaults_are_the_aks_v1_defaults() -> None:
    c = AutoscaleConfig()
    assert (c.min_replicas, c.max_replicas, c.target_utilization, c.refresh_period_s) == (1, 10, 0.7, 1.0)
    assert (c.max_concurrent_requests, c.max_request_wait_s, c.scoring_timeout_s) == (1, 0.5, 60.0)
    assert c.scale_down_delay_s == 60.0 and c.initial_replicas is None and c.start_replicas == 1
    assert AutoscaleConfig(min_replicas=2, initial_replicas=5).start_replicas == 5


@pytest.mark.parametrize(("kwargs", "needles"), [
    ({"min_replicas": 0}, ["min_replicas", "integer >= 1", "0"]),
    ({"min_replicas": 1.5}, ["min_replicas", "integer >= 1"]),
    ({"max_replicas": True}, ["max_replicas", "integer >= 1"]),
    ({"min_replicas": 5, "max_replicas": 3}, ["max_replicas (3)", ">= min_replicas (5)"]),
    ({"initial_replicas": 11}, ["initial_replicas (11)", "between min_replicas (1) and max_replicas (10)"]),
    ({"max_concurrent_requests": 0}, ["max_concurrent_requests", "integer >= 1"]),
    ({"target_utilization": 70}, ["target_utilization", "fraction in (0, 1]", "70", "0.7"]),
    ({"target_utilization": 0}, ["target_utilization", "fraction in (0, 1]"]),
    ({"target_utilization": float("nan")}, ["target_utilization", "(0, 1]"]),
    ({"refresh_period_s": 0}, ["refresh_period_s", "> 0"]),
    ({"scale_down_delay_s": -1}, ["scale_down_delay_s", ">= 0"]),
    ({"startup_s": float("inf")}, ["startup_s", "finite", ">= 0"]),
    ({"max_request_wait_s": "0.5"}, ["max_request_wait_s", ">= 0"]),
    ({"scoring_timeout_s": 0}, ["scoring_timeout_s", "> 0"]),
])
def test_config_validation_names_the_parameter_and_range(kwargs: dict, needles: list[str]) -> None:
    with pytest.raises(ValueError) as info:
        AutoscaleConfig(**kwargs)
    for needle in needles:
        assert needle in str(info.value)


def test_config_accepts_numpy_numbers_and_is_frozen() -> None:
    c = AutoscaleConfig(min_replicas=np.int64(2), max_replicas=np.int64(4), target_utilization=np.float64(0.5))
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.min_replicas = 3  # type: ignore[misc]
    assert dataclasses.replace(AutoscaleConfig(initial_replicas=None), min_replicas=3).start_replicas == 3


@pytest.mark.parametrize(("load", "request_seconds", "needle"), [
    (steady(1, 10), 0, "request_seconds"),
    (steady(1, 10), float("nan"), "request_seconds"),
    (pd.Series([], dtype=float), 1, "non-empty"),
    (pd.Series([1.0, -1.0]), 1, ">= 0"),
    (pd.Series([1.0, np.nan]), 1, "finite"),
    (pd.Series([1.0, 2.0], index=pd.DatetimeIndex(["2024-01-01 00:00", "2024-01-01 00:01"])), 1, "resample('1s')"),
])
def test_simulate_rejects_bad_input(load: pd.Series, request_seconds: float, needle: str) -> None:
    with pytest.raises(ValueError) as info:
        simulate(load, request_seconds)
    assert needle in str(info.value)


def test_accepts_a_datetime_index_and_plain_sequences() -> None:
    times = pd.date_range("2024-01-01", periods=30, freq="s", tz="UTC")
    a = simulate(pd.Series(2.0, index=times), 0.1)
    b = simulate([2.0] * 30, 0.1)  # type: ignore[arg-type]
    assert a.requests == b.requests and a.series.equals(b.series)


# ------------------------------------------------------------------------------ determinism, conservation


def test_same_seed_same_result_other_seed_other_arrivals() -> None:
    load = spikes(2, 20, every_s=300, spike_s=30, seconds=1800)
    a, b, c = (simulate(load, 0.5, seed=s) for s in (3, 3, 4))
    assert (a.requests, a.rejected_503, a.timed_out_504, a.replica_seconds) == \
        (b.requests, b.rejected_503, b.timed_out_504, b.replica_seconds)
    assert a.series.equals(b.series)
    assert not a.series["rps"].equals(c.series["rps"])


def check_invariants(result: SimulationResult, config: AutoscaleConfig, n: int) -> None:
    s = result.series
    assert list(s.columns) == COLUMNS and len(s) == n and s.index.name == "second"
    assert result.requests == result.served + result.rejected_503
    assert 0 <= result.timed_out_504 <= result.served
    assert s["rps"].sum() == result.requests
    assert s["rejected_503"].sum() == result.rejected_503
    assert s["timed_out_504"].sum() == result.timed_out_504
    assert s["replicas"].sum() == result.replica_seconds
    assert (s["rps"] - s["rejected_503"] - s["timed_out_504"] >= 0).all()
    assert s["replicas"].between(config.min_replicas, config.max_replicas).all()
    assert s["desired"].between(config.min_replicas, config.max_replicas).all()
    assert (s["desired"].iloc[:-1].to_numpy() >= s["replicas"].iloc[1:].to_numpy()).all()  # asked ≥ got
    assert (s["utilization"] >= 0).all() and np.isfinite(s["utilization"]).all()
    assert 0 <= result.rate_503 <= 1 and 0 <= result.rate_504 <= 1


configs = st.builds(
    lambda lo, extra, start, **kw: AutoscaleConfig(min_replicas=lo, max_replicas=lo + extra,
                                                   initial_replicas=lo + min(start, extra), **kw),
    lo=st.integers(1, 4), extra=st.integers(0, 6), start=st.integers(0, 6),
    target_utilization=st.floats(0.2, 1.0), refresh_period_s=st.sampled_from([0.5, 1.0, 2.5, 10.0]),
    scale_down_delay_s=st.floats(0, 90), startup_s=st.floats(0, 90),
    max_concurrent_requests=st.integers(1, 4), max_request_wait_s=st.floats(0, 2),
    scoring_timeout_s=st.floats(0.5, 60))
loads = st.lists(st.floats(0, 60), min_size=1, max_size=400)


@settings(max_examples=120)
@given(loads, st.floats(0.01, 20), configs, st.integers(0, 2**32 - 1), st.booleans())
def test_conservation_and_bounds_for_any_run(load, request_seconds, config, seed, poisson) -> None:
    result = simulate(pd.Series(load), request_seconds, config, seed=seed, poisson=poisson)
    check_invariants(result, config, len(load))
    if not poisson:
        assert result.requests == math.floor(sum(load) + 0.5)


@settings(max_examples=40)
@given(loads, st.floats(0.01, 20), st.lists(configs, min_size=1, max_size=3), st.integers(0, 1000))
def test_sweep_rows_equal_simulate(load, request_seconds, cfgs, seed) -> None:
    table = sweep(pd.Series(load), request_seconds, cfgs, seed=seed)
    assert len(table) == len(cfgs)
    for row, config in zip(table.itertuples(), cfgs, strict=True):
        one = simulate(pd.Series(load), request_seconds, config, seed=seed)
        assert (row.requests, row.served, row.rejected_503, row.timed_out_504, row.replica_seconds) == \
            (one.requests, one.served, one.rejected_503, one.timed_out_504, one.replica_seconds)
        assert row.rate_503 == one.rate_503 and row.peak_replicas == one.series["replicas"].max()
        assert row.target_utilization == config.target_utilization


# ------------------------------------------------------------------------------ known cases


def test_steady_load_far_below_capacity_gives_no_503_and_no_scaling() -> None:
    result = simulate(steady(1, 3600), 0.1)  # 1 replica serves 10 rps; utilization ≈ 0.1
    assert result.rejected_503 == 0 and result.served == result.requests > 3000
    assert (result.series["replicas"] == 1).all() and result.replica_seconds == 3600


@pytest.mark.parametrize(("request_seconds", "replicas", "mcr"), [(0.1, 1, 1), (0.5, 4, 1), (1.0, 2, 1),
                                                                   (2.0, 1, 1), (2.0, 1, 4)])
def test_three_times_capacity_without_scaling_rejects_two_thirds(request_seconds, replicas, mcr) -> None:
    capacity = replicas * mcr / request_seconds
    result = simulate(steady(3 * capacity, 3600), request_seconds, fixed(replicas, max_concurrent_requests=mcr))
    assert result.rate_503 == pytest.approx(1 - 1 / 3, abs=0.01)
    assert result.served / 3600 == pytest.approx(capacity, rel=0.02)


def test_a_spike_with_long_startup_gives_more_503s_than_with_short() -> None:
    load = spikes(2, 30, every_s=1800, spike_s=300, seconds=7200)
    rejected = [simulate(load, 0.5, AutoscaleConfig(max_replicas=30, startup_s=s)).rejected_503
                for s in (5, 30, 120, 300)]
    assert rejected == sorted(rejected) and rejected[0] < rejected[-1] / 10


def test_scale_up_asks_at_once_and_replicas_are_ready_after_startup() -> None:
    load = pd.concat([steady(1, 100), steady(20, 200)], ignore_index=True)
    s = simulate(load, 0.5, AutoscaleConfig(max_replicas=20, startup_s=30), poisson=False).series
    asked = int(s.index[s["desired"] > 1][0])
    assert 100 <= asked <= 101
    assert s.loc[asked, "desired"] >= 10  # utilization far above target: many at once, not one by one
    grew = int(s.index[s["replicas"] > 1][0])
    assert grew == asked + 1 + 30
    assert (s.loc[100:grew - 1, "rejected_503"] > 0).mean() > 0.9  # 503s while the replicas start


def first_shrink(s: pd.DataFrame, after: int) -> int:
    return int(s.index[(s.index >= after) & (s["replicas"] < s.loc[after - 1, "replicas"])][0])


@pytest.mark.parametrize("delay", [0, 30, 60, 120])
def test_scale_down_waits_scale_down_delay_after_overload(delay: float) -> None:
    load = pd.concat([steady(30, 600), steady(0.5, 900)], ignore_index=True)  # above target until 600
    config = AutoscaleConfig(max_replicas=10, scale_down_delay_s=delay, startup_s=10)
    s = simulate(load, 0.5, config, poisson=False).series
    assert s.loc[599, "replicas"] == 10 and s.loc[599, "utilization"] > 0.7
    assert 600 + delay <= first_shrink(s, 600) <= 600 + delay + 2
    assert s["replicas"].iloc[-1] == 1


@pytest.mark.parametrize("delay", [0, 30, 120])
def test_scale_down_waits_scale_down_delay(delay: float) -> None:
    load = pd.concat([steady(12, 600), steady(0.5, 900)], ignore_index=True)  # below target before, too
    config = AutoscaleConfig(max_replicas=10, scale_down_delay_s=delay, startup_s=10)
    s = simulate(load, 0.5, config, poisson=False).series
    assert s.loc[599, "replicas"] >= 9
    shrink = first_shrink(s, 600)
    assert 600 + delay <= shrink <= 600 + delay + math.ceil(delay / 6) + 2  # decided every delay / 6 s
    assert (s.loc[600:shrink - 1, "replicas"] == s.loc[599, "replicas"]).all()
    assert s["replicas"].iloc[-1] == 1  # 0.5 rps × 0.5 s needs one replica


def test_scale_down_keeps_what_the_window_needed() -> None:
    load = pd.concat([steady(16, 300), steady(4, 600)], ignore_index=True)
    s = simulate(load, 0.5, AutoscaleConfig(startup_s=5), poisson=False).series
    assert s.loc[299, "replicas"] == 10  # 8 busy at 0.7 would need 12: capped at max_replicas
    assert s.loc[899, "replicas"] == math.ceil(4 * 0.5 / 0.7)  # 2 busy at 0.7 → 3 replicas


def test_replicas_never_leave_min_and_max() -> None:
    config = AutoscaleConfig(min_replicas=2, max_replicas=4, startup_s=5, scale_down_delay_s=10)
    result = simulate(spikes(0, 50, every_s=120, spike_s=30, seconds=3600, seed=1), 0.5, config)
    counts = result.series["replicas"]
    assert counts.min() == 2 and counts.max() == 4 and result.rejected_503 > 0


def test_refresh_period_limits_how_often_it_acts() -> None:
    load = spikes(3, 40, every_s=300, spike_s=60, seconds=3600, seed=5)
    s = simulate(load, 0.3, AutoscaleConfig(refresh_period_s=10, max_replicas=40, scale_down_delay_s=20)).series
    acts = s.index[s["desired"].diff().fillna(0) != 0]
    assert len(acts) > 3 and (np.diff(acts) >= 10).all()


def test_lower_target_keeps_more_replicas() -> None:
    load = diurnal(10, 30, seconds=21600, seed=2)
    table = sweep(load, 0.5, [AutoscaleConfig(target_utilization=t, max_replicas=40) for t in (0.5, 0.7, 0.9)])
    assert table["replica_seconds"].is_monotonic_decreasing
    assert table["rate_503"].iloc[0] <= table["rate_503"].iloc[-1]


def test_504_share_is_the_exponential_tail() -> None:
    result = simulate(steady(2, 3600), 30.0, AutoscaleConfig(max_replicas=200, initial_replicas=100))
    assert result.rejected_503 == 0
    assert result.timed_out_504 / result.served == pytest.approx(math.exp(-60 / 30), abs=0.015)
    fast = simulate(steady(2, 3600), 0.5)
    assert fast.timed_out_504 == 0


def test_max_request_wait_zero_rejects_whatever_cannot_start() -> None:
    waiting = simulate(steady(15, 1800), 1.0, fixed(10, max_request_wait_s=2.0))
    impatient = simulate(steady(15, 1800), 1.0, fixed(10, max_request_wait_s=0.0))
    assert impatient.rejected_503 >= waiting.rejected_503 > 0


def test_resampled_keeps_totals_and_shrinks_the_series() -> None:
    result = simulate(diurnal(5, 15, seconds=3600, seed=1), 0.4, AutoscaleConfig(startup_s=20))
    minutes = result.resampled(60)
    assert list(minutes.columns) == COLUMNS and len(minutes) == 60 and minutes.index[1] == 60
    assert minutes["rejected_503"].sum() == result.rejected_503
    assert minutes["rps"].sum() * 60 == pytest.approx(result.requests)
    assert (minutes["replicas"].to_numpy() == result.series["replicas"].groupby(result.series.index // 60).max()).all()
    with pytest.raises(ValueError, match="seconds"):
        result.resampled(0)


def test_result_repr_is_short_and_has_no_frame() -> None:
    text = repr(simulate(steady(1, 60), 0.1))
    assert text.startswith("SimulationResult(requests=") and "series" not in text and "\n" not in text

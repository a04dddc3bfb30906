"""Load traces: generators (shape, determinism) and the CSV loader (App Insights and plain shapes)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from amlnbtools.core.capacity.load import DAY_S, diurnal, load_csv, spikes, steady


def test_steady_is_constant_at_one_second_resolution() -> None:
    load = steady(3.5, 120)
    assert len(load) == 120 and (load == 3.5).all()
    assert load.index.name == "second" and load.index[0] == 0 and load.index[-1] == 119
    assert load.name == "rps" and load.dtype == float


def test_diurnal_without_seed_is_a_smooth_daily_sine() -> None:
    load = diurnal(10, 25)
    assert len(load) == DAY_S
    assert load.iloc[0] == 0 and (load >= 0).all()  # 10 - 15 at midnight: clipped
    assert load.idxmax() == DAY_S // 2 and load.max() == pytest.approx(25)
    smooth = diurnal(10, 18)  # no clipping: the mean is the mean
    assert smooth.mean() == pytest.approx(10, rel=1e-6)
    assert smooth.iloc[0] == pytest.approx(2) and (smooth >= 0).all()
    assert diurnal(10, 18).equals(smooth)


def test_diurnal_noise_is_deterministic_for_a_seed_and_changes_once_a_minute() -> None:
    a, b, c = diurnal(10, 18, seed=1), diurnal(10, 18, seed=1), diurnal(10, 18, seed=2)
    assert a.equals(b) and not a.equals(c)
    assert not a.equals(diurnal(10, 18))
    ratio = (a / diurnal(10, 18)).to_numpy()
    assert np.allclose(ratio[:60], ratio[0]) and not np.isclose(ratio[0], ratio[60])
    assert a.mean() == pytest.approx(10, rel=0.02) and (a >= 0).all()


def test_diurnal_can_start_at_any_second_of_the_day() -> None:
    day = diurnal(10, 18)
    noon_hour = diurnal(10, 18, seconds=3600, start_s=43_200 - 1800)
    assert len(noon_hour) == 3600 and noon_hour.index[0] == 0
    assert np.allclose(noon_hour.to_numpy(), day.iloc[41_400:45_000].to_numpy())
    assert noon_hour.max() == pytest.approx(18) and noon_hour.min() > 17


def test_diurnal_rejects_a_peak_below_the_mean() -> None:
    with pytest.raises(ValueError, match="peak_rps"):
        diurnal(10, 5)


def test_spikes_without_seed_are_regular() -> None:
    load = spikes(2, 40, every_s=100, spike_s=10, seconds=350)
    high = np.flatnonzero(load.to_numpy() == 40)
    assert high.tolist() == [*range(100, 110), *range(200, 210), *range(300, 310)]
    assert (load.drop(load.index[high]) == 2).all()


def test_spikes_with_seed_are_deterministic_one_per_period() -> None:
    a = spikes(1, 30, every_s=60, spike_s=5, seconds=600, seed=7)
    assert a.equals(spikes(1, 30, every_s=60, spike_s=5, seconds=600, seed=7))
    assert not a.equals(spikes(1, 30, every_s=60, spike_s=5, seconds=600, seed=8))
    assert (a == 30).sum() == 9 * 5  # periods 1..9 of 60 s, each holds one whole spike
    assert (a.iloc[:60] == 1).all()


def test_spikes_reject_overlapping_spikes() -> None:
    with pytest.raises(ValueError, match="every_s"):
        spikes(1, 10, every_s=5, spike_s=10, seconds=100)


@pytest.mark.parametrize("call", [lambda: steady(-1, 10), lambda: steady(1, 0), lambda: diurnal(float("nan"), 1)])
def test_generators_reject_bad_numbers(call) -> None:
    with pytest.raises(ValueError, match="must be a finite number"):
        call()


@given(st.floats(0, 1e4), st.integers(1, 5000))
def test_steady_any_rate(rps: float, seconds: int) -> None:
    load = steady(rps, seconds)
    assert len(load) == seconds and load.sum() == pytest.approx(rps * seconds)


# ------------------------------------------------------------------------------ CSV


def csv(text: str) -> io.StringIO:
    return io.StringIO(text)


def test_app_insights_requests_export_sums_item_count_per_second() -> None:
    text = ('timestamp [UTC],name,itemCount,duration\n'
            '"3/8/2021, 12:58:41.120 PM",POST /score,1,20.5\n'
            '"3/8/2021, 12:58:41.900 PM",POST /score,2,19.0\n'
            '"3/8/2021, 12:58:44.004 PM",POST /score,1,3.1\n')
    load = load_csv(csv(text))
    assert isinstance(load.index, pd.DatetimeIndex) and str(load.index.tz) == "UTC"
    assert load.index[0] == pd.Timestamp("2021-03-08 12:58:41", tz="UTC")
    assert load.tolist() == [3.0, 0.0, 0.0, 1.0]


def test_iso_timestamps_without_count_column_count_one_per_row() -> None:
    text = ("timestamp,resultCode,duration\n2024-05-01T10:00:00.10Z,200,5\n2024-05-01T10:00:00.90Z,503,1\n"
            "2024-05-01T10:00:02.50Z,200,7\n")
    assert load_csv(csv(text)).tolist() == [2.0, 0.0, 1.0]


def test_summarised_export_spreads_buckets_over_their_seconds() -> None:
    text = ("timestamp [UTC],count_\n2024-05-01T10:00:00Z,600\n2024-05-01T10:01:00Z,60\n"
            "2024-05-01T10:03:00Z,120\n")
    load = load_csv(csv(text))
    assert len(load) == 4 * 60 and load.sum() == pytest.approx(780)
    assert load.iloc[0] == pytest.approx(10) and load.iloc[60] == pytest.approx(1)
    assert (load.iloc[120:180] == 0).all() and load.iloc[-1] == pytest.approx(2)


@pytest.mark.parametrize("text", ["time,count\n0,5\n1,3\n3,2\n", "0,5\n1,3\n3,2\n", "t,requests\n0,5\n1,3\n3,2\n"])
def test_plain_two_column_csv_in_seconds(text: str) -> None:
    load = load_csv(csv(text))
    assert load.index.tolist() == [0, 1, 2, 3] and load.tolist() == [5.0, 3.0, 0.0, 2.0]


def test_named_columns_and_fractional_seconds() -> None:
    text = "when,hits,other\n10.2,1,9\n10.7,2,9\n12.0,4,9\n"
    load = load_csv(csv(text), time_column="when", count_column="hits")
    assert load.index.tolist() == [10, 11, 12] and load.tolist() == [3.0, 0.0, 4.0]


def test_reads_a_path(tmp_path) -> None:
    path = tmp_path / "requests.csv"
    path.write_text("time,count\n0,1\n1,2\n", encoding="utf-8")
    assert load_csv(path).tolist() == [1.0, 2.0]


@pytest.mark.parametrize(("text", "kwargs", "needles"), [
    ("", {}, ["empty", "timestamp [UTC]"]),
    ("time,count\n", {}, ["no rows"]),
    ("host,status,size\nx,200,3\n", {}, ["no time column", "'host'", "timestamp [UTC]", "time_column="]),
    ("time,count\n0,-2\n", {}, ["count column 'count'", "-2", ">= 0", "count_column="]),
    ("time,count\n0,many\n", {}, ["'many'", "count_column="]),
    ("timestamp,itemCount\nyesterday-ish,1\n", {}, ["'yesterday-ish'", "not a time", "time_column="]),
    ("time,count\n0,1\n", {"time_column": "ts"}, ["'ts' not found", "'time'", "'count'"]),
])
def test_bad_csv_names_the_problem_and_the_fix(text: str, kwargs: dict, needles: list[str]) -> None:
    with pytest.raises(ValueError) as info:
        load_csv(csv(text), **kwargs)
    for needle in needles:
        assert needle in str(info.value)


@given(st.lists(st.tuples(st.floats(0, 300, allow_nan=False), st.integers(0, 50)), min_size=1, max_size=60))
def test_loader_conserves_requests(rows: list[tuple[float, int]]) -> None:
    text = "time,itemCount\n" + "".join(f"{t!r},{n}\n" for t, n in rows)
    load = load_csv(csv(text))
    assert load.sum() == pytest.approx(sum(n for _, n in rows))
    assert (load >= 0).all() and load.index[0] == int(min(t for t, _ in rows))
    assert (np.diff(load.index) == 1).all()

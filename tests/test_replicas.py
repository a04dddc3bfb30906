"""Replica arithmetic: the formula done exactly, Erlang C, and the replicas command."""

from __future__ import annotations

import io
import itertools
import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amlnbtools.cli import main
from amlnbtools.core.capacity.replicas import (
    erlang_c,
    max_spike,
    rate_503,
    replicas_for_rate_503,
    replicas_table,
    required_replicas,
)


@pytest.mark.parametrize(("args", "expected"), [
    ((20, 10, 1, 0.7), 286),
    ((7, 0.1, 1, 0.7), 1),  # float arithmetic says ceil(1.0000000000000002) = 2
    ((7, 0.1), 1),
    ((100, 0.25, 4, 0.5), 13),  # 100 × 0.25 ÷ 0.5 = 50 concurrent ÷ 4 = 12.5 → 13
    ((0.3, 1, 1, 0.3), 1),  # exactly 1 concurrent request
    ((1, 1, 1, 1), 1),
])
def test_formula_is_exact(args: tuple, expected: int) -> None:
    assert required_replicas(*args) == expected


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"target_rps": 0}, "target_rps"), ({"target_rps": -3}, "target_rps"), ({"target_rps": math.nan}, "target_rps"),
    ({"target_rps": math.inf}, "target_rps"), ({"target_rps": "20"}, "target_rps"),
    ({"target_rps": True}, "target_rps"),
    ({"request_seconds": 0.0}, "request_seconds"), ({"request_seconds": -math.inf}, "request_seconds"),
    ({"max_concurrent_requests": 0}, "max_concurrent_requests"),
    ({"max_concurrent_requests": 1.5}, "max_concurrent_requests"),
    ({"target_utilization": 70}, "target_utilization"), ({"target_utilization": 1.01}, "target_utilization"),
    ({"target_utilization": 0}, "target_utilization"),
])
def test_invalid_input_names_the_parameter_and_range(kwargs: dict, name: str) -> None:
    args = {"target_rps": 20, "request_seconds": 10, "max_concurrent_requests": 1, "target_utilization": 0.7, **kwargs}
    with pytest.raises(ValueError) as info:
        required_replicas(**args)
    message = str(info.value)
    assert message.startswith(name) and ("> 0" in message or "≥ 1" in message)


def test_target_utilization_of_70_says_it_is_a_fraction() -> None:
    with pytest.raises(ValueError, match="70 % is 0.7"):
        required_replicas(20, 10, target_utilization=70)


def test_table_over_a_range_of_rps() -> None:
    table = replicas_table([1, 7, 20, 100], 0.1)
    assert list(table.columns) == ["rps", "concurrent_requests", "replicas"]
    assert table["replicas"].tolist() == [1, 1, 3, 15]


def test_erlang_c_known_values() -> None:
    assert erlang_c(1, 0.5) == pytest.approx(0.5)  # M/M/1: the chance to wait is the utilization
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert erlang_c(3, 0.0) == 0.0 and erlang_c(3, 3.0) == 1.0
    assert 0 < erlang_c(5000, 4900.0) < 1  # stable for thousands of servers


@given(st.floats(0.1, 200), st.floats(0.01, 5), st.integers(1, 4))
def test_more_replicas_never_mean_more_503s(rps: float, seconds: float, per_replica: int) -> None:
    base = max(1, math.ceil(rps * seconds / per_replica))
    rates = [rate_503(rps, seconds, n, per_replica) for n in range(base, base + 6)]
    assert all(0 <= a <= 1 for a in rates)
    assert all(b <= a + 1e-12 for a, b in itertools.pairwise(rates))


@given(st.floats(0.5, 200), st.floats(0.05, 5))
def test_replicas_for_a_503_target_are_the_fewest_that_reach_it(rps: float, seconds: float) -> None:
    n = replicas_for_rate_503(rps, seconds, 0.01)
    assert rate_503(rps, seconds, n) <= 0.01
    assert n == 1 or rate_503(rps, seconds, n - 1) > 0.01


def test_spike_headroom_at_the_formula_count_is_far_below_the_folk_30_percent_rule() -> None:
    for rps, seconds in ((20, 10), (50, 0.2), (10, 2)):
        n = required_replicas(rps, seconds)
        spike = max_spike(rps, seconds, n)
        assert 1.0 < spike < 1 / 0.7  # "70 % handles spikes up to 30 %" would be ×1.43
        assert rate_503(rps * spike, seconds, n) == pytest.approx(0.01, rel=1e-3)


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(args), out=out, err=err), out.getvalue(), err.getvalue()


def test_replicas_command_text_and_json() -> None:
    code, text, _ = run("replicas", "--rps", "20", "--request-seconds", "10")
    assert code == 0 and "= 286" in text and "autoscale_target_utilization=70" in text
    code, out, _ = run("replicas", "--rps", "7", "--request-seconds", "0.1", "--json")
    report = json.loads(out)
    assert code == 0 and report["replicas"] == 1 and report["concurrent_requests"] == 1.0
    assert report["replicas_for_1pct_503"] == 2 and 0.15 < report["rate_503"] < 0.16


@pytest.mark.parametrize("args", [["--rps", "0", "--request-seconds", "1"],
                                  ["--rps", "5", "--request-seconds", "1", "--target-utilization", "70"],
                                  ["--rps", "5"]])
def test_replicas_command_rejects_bad_input_with_exit_2(args: list[str], capsys: pytest.CaptureFixture) -> None:
    code, _, err = run("replicas", *args)
    assert code == 2 and (err + capsys.readouterr().err).strip()

"""Capacity of online deployments (SDK v2): the M/M/c/K model checked against a queue simulated request by request,
the calculator panels on the sample's managed and Kubernetes deployments, and applying through azure-ai-ml."""

from __future__ import annotations

import heapq

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import amlnbtools
from amlnbtools.core.capacity import load
from amlnbtools.core.capacity.online import mmck_rates, online_capacity, pending_limit, play, v2_code
from amlnbtools.core.capacity.report import autoscale_range, deploy_code, replica_report


def simulated(rate: float, request_seconds: float, servers: int, timeout_s: float, n: int, seed: int):
    """An M/M/c/K queue (K = 2c, FIFO) run request by request: the share refused and the share late."""
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.exponential(1 / rate, n))
    services = rng.exponential(request_seconds, n)
    free_at = [0.0] * servers
    leaving: list[float] = []
    refused = late = 0
    for arrival, service in zip(arrivals, services, strict=True):
        while leaving and leaving[0] <= arrival:
            heapq.heappop(leaving)
        if len(leaving) >= 2 * servers:
            refused += 1
            continue
        slot = min(range(servers), key=free_at.__getitem__)
        end = max(arrival, free_at[slot]) + service
        free_at[slot] = end
        heapq.heappush(leaving, end)
        late += end - arrival > timeout_s
    return refused / n, late / n


@pytest.mark.parametrize(("rate", "request_seconds", "servers", "timeout_s"), [
    (10, 0.5, 4, 1.0),   # overloaded: many 429s and 408s
    (3, 0.5, 2, 2.0),
    (20, 0.1, 3, 0.3),   # a tight timeout
    (6, 0.5, 8, 1.0),    # light load: almost nothing
])
def test_the_queue_model_matches_a_simulated_queue(rate, request_seconds, servers, timeout_s) -> None:
    exact = mmck_rates(rate, request_seconds, servers, 2 * servers, timeout_s)
    measured = simulated(rate, request_seconds, servers, timeout_s, n=200_000, seed=7)
    for model, sample in zip(exact, measured, strict=True):
        assert abs(model - sample) < 0.006, (exact, measured)


@given(rate=st.floats(0.1, 200), request_seconds=st.floats(0.01, 5), servers=st.integers(1, 60),
       timeout_s=st.floats(0.01, 180))
def test_rates_are_probabilities_and_more_servers_never_hurt(rate, request_seconds, servers, timeout_s) -> None:
    blocked, late = mmck_rates(rate, request_seconds, servers, 2 * servers, timeout_s)
    assert 0 <= blocked <= 1 and 0 <= late <= 1 and blocked + late <= 1 + 1e-9
    more_blocked, more_late = mmck_rates(rate, request_seconds, servers + 1, 2 * servers + 2, timeout_s)
    assert more_blocked <= blocked + 1e-12


def test_the_formula_the_threshold_and_the_fewest_instances() -> None:
    cap = online_capacity(30, 0.1, 1, 0.7, 5000, instances=2)
    assert (cap.instances_needed, cap.pending_limit) == (5, 4) and pending_limit(4, 3) == 24
    assert cap.rate_429 > 0.3  # two instances for thirty 0.1 s requests a second
    assert cap.instances_for_1pct is not None
    enough = online_capacity(30, 0.1, 1, 0.7, 5000, instances=cap.instances_for_1pct)
    fewer = online_capacity(30, 0.1, 1, 0.7, 5000, instances=cap.instances_for_1pct - 1)
    assert enough.rate_429 + enough.rate_408 <= 0.01 < fewer.rate_429 + fewer.rate_408
    with pytest.raises(ValueError):
        online_capacity(30, 0.1, request_timeout_ms=200_000)


def test_a_trace_shows_when_errors_happen() -> None:
    trace = load.spikes(10, 40, every_s=600, spike_s=60, seconds=1800, seed=0)
    result = play(trace, 0.2, instances=3, max_concurrent_requests=1)
    spikes = result.series["rps"] > 25
    assert result.series.loc[spikes, "rejected_429"].mean() > 10 * result.series.loc[~spikes, "rejected_429"].mean()
    assert 0 < result.rate_429 < 1 and result.rate_408 >= 0
    assert play(load.steady(0, 60), 0.2, 1).rate_429 == 0.0


def test_the_code_is_azure_ai_ml_code_that_runs(replay) -> None:
    pytest.importorskip("azure.ai.ml", reason="the v2 extra is installed by make test")
    code = v2_code("taxi-fare", "blue", 4, 2, 8000)
    ml_client = replay.ml_client
    exec(compile(code, "<capacity code>", "exec"), {"ml_client": ml_client})
    changed = ml_client.online_deployments.get("blue", "taxi-fare")
    assert changed.instance_count == 4 and changed.request_settings.max_concurrent_requests_per_instance == 2
    scaled = v2_code("edge-k8s", "blue", 2, 1, 5000, scale=(2, 6, 60))
    exec(compile(scaled, "<capacity code>", "exec"), {"ml_client": ml_client})
    settings = ml_client.online_deployments.get("blue", "edge-k8s").scale_settings
    assert (settings.min_instances, settings.max_instances, settings.target_utilization_percentage) == (2, 6, 60)


def test_v1_code_never_pins_min_and_max_together() -> None:
    assert autoscale_range(1) == (1, 2)
    assert autoscale_range(3, 1, 10) == (3, 10)
    assert autoscale_range(12, 1, 10) == (12, 18)  # the maximum asked for is below what the load needs
    assert autoscale_range(4, 4, 4) == (4, 6)
    code = deploy_code(replica_report(7, 0.1))
    assert "autoscale_min_replicas=1, autoscale_max_replicas=2" in code


def test_a_managed_deployment_gets_the_online_calculator_and_applies_after_confirming(workspace_v2, replay) -> None:
    panel = amlnbtools.replica_calculator("taxi-fare/blue", workspace_v2, target_rps=30, request_seconds=0.1)
    assert type(panel).__name__ == "OnlineCapacityPanel"
    assert panel.wait().status == "finished"
    assert panel.inputs["instances"] == 2 and panel.proposed_instances == 5
    assert "deployment.instance_count = 5" in panel._code.value
    assert not [c for c in replay.calls if c.method == "PUT"]
    panel.request_apply()
    assert "taxi-fare/blue to 5 instances" in panel._confirm_row.children[0].value
    assert not [c for c in replay.calls if c.method == "PUT"]  # nothing changes before the confirmation
    panel.confirm_apply()
    assert panel.wait().status == "finished"
    assert [c.route for c in replay.calls if c.method == "PUT"] == ["v2-deployment-update"]
    assert replay.ml_client.online_deployments.get("blue", "taxi-fare").instance_count == 5


def test_a_kubernetes_deployment_gets_the_autoscaler_calculator_with_v2_code(workspace_v2, replay) -> None:
    panel = amlnbtools.replica_calculator("edge-k8s/blue", workspace_v2, target_rps=10, request_seconds=0.2)
    assert type(panel).__name__ == "ReplicaCalculatorPanel"
    assert panel.wait().status == "finished"
    assert "TargetUtilizationScaleSettings(min_instances=" in panel._code.value
    panel.request_apply()
    panel.confirm_apply()
    assert panel.wait().status == "finished"
    scale = replay.ml_client.online_deployments.get("blue", "edge-k8s").scale_settings
    assert scale.min_instances < scale.max_instances  # autoscaling stays on

"""The replica calculator panel, headless: formula, queueing, simulation, charts updated in place, apply."""

from __future__ import annotations

import pytest

import amlnbtools
from amlnbtools.core.capacity.latency import LatencyStats
from amlnbtools.widgets.deployment_logs import DeploymentLogsPanel
from amlnbtools.widgets.replicas import ReplicaCalculatorPanel


def test_formula_step_by_step_and_sdk_percent_in_the_code() -> None:
    panel = amlnbtools.replica_calculator(target_rps=20, request_seconds=10)
    assert panel.report.replicas == 286
    assert "20 × 10 ÷ 0.7 = 285.714…" in panel._formula.value and "= 286" in panel._formula.value
    assert "autoscale_target_utilization=70" in panel._code.value  # the SDK takes an integer percent
    panel.set_inputs(target_rps=7, request_seconds=0.1)
    assert panel.report.replicas == 1  # exact arithmetic, not ceil(1.0000000000000002)


def test_charts_are_replaced_by_the_new_figure_and_only_when_it_changed() -> None:
    panel = ReplicaCalculatorPanel(target_rps=10, request_seconds=0.5)
    rps_chart, sim_chart = panel.rps_chart, panel.simulation_chart
    output = rps_chart.output
    before = (list(rps_chart.figure.data[0].y), list(sim_chart.figure.data[0].y))
    panel.set_inputs(target_rps=40, target_utilization=0.5)
    assert panel.rps_chart is rps_chart and rps_chart.output is output  # the same widget shows the new figure
    assert (list(rps_chart.figure.data[0].y), list(sim_chart.figure.data[0].y)) != before
    shown = rps_chart.output.outputs[0]["data"]["application/vnd.plotly.v1+json"]
    assert shown["data"][2]["x"] == [40.0] and shown["data"][2]["y"] == [panel.report.replicas]
    updates = (rps_chart.updates, sim_chart.updates)
    panel.set_inputs(target_rps=40)  # the same inputs: nothing is sent again
    assert (rps_chart.updates, sim_chart.updates) == updates


def test_a_panel_with_charts_carries_the_figures_not_a_plotting_library() -> None:
    import json

    panel = ReplicaCalculatorPanel(target_rps=10, request_seconds=0.5)
    seen, todo, size = set(), [panel.widget], 0
    while todo:
        widget = todo.pop()
        if id(widget) in seen:
            continue
        seen.add(id(widget))
        size += len(json.dumps(widget.get_state(), default=str))
        todo.extend(getattr(widget, "children", ()) or ())
    assert size < 1_000_000, f"the panel's widget state is {size / 1e6:.1f} MB"
    assert all(not hasattr(w, "_esm") for w in seen), "a widget ships JavaScript in its state"


def test_simulation_reports_503s_when_replicas_start_slowly() -> None:
    panel = ReplicaCalculatorPanel(target_rps=20, request_seconds=0.5, min_replicas=1, max_replicas=30)
    panel.set_inputs(startup_s=300, pattern="spikes")
    slow = panel.simulation.rate_503
    panel.set_inputs(min_replicas=panel.report.replicas_for_1pct_503 * 2)
    assert panel.simulation.rate_503 < slow
    assert "answered 503" in panel._simulated.value


def test_invalid_input_is_shown_not_raised() -> None:
    panel = ReplicaCalculatorPanel()
    with pytest.raises(ValueError, match="unknown inputs"):
        panel.set_inputs(rps=3)
    panel._inputs["target_rps"].value = 0.001
    panel.set_inputs(request_seconds=0.0001)
    assert panel.error is None and panel.report.replicas == 1


def test_request_time_comes_from_a_latency_measurement() -> None:
    stats = LatencyStats(latencies_ms=(180.0, 220.0, 200.0))
    panel = amlnbtools.replica_calculator(stats, target_rps=30)
    assert panel.inputs["request_seconds"] == pytest.approx(0.2)
    with pytest.raises(ValueError, match="send requests first"):
        amlnbtools.replica_calculator(LatencyStats(latencies_ms=(), failures=3))


def test_reads_the_service_settings_and_applies_only_after_confirmation(sample_source, replay) -> None:
    logs = DeploymentLogsPanel(sample_source, "fraud-aks-503", refresh=False)
    panel = amlnbtools.replica_calculator(logs, target_rps=12, request_seconds=0.8)
    assert panel.wait().status == "finished"
    assert (panel.inputs["min_replicas"], panel.inputs["max_replicas"]) == (1, 4)  # from the service
    assert panel.inputs["target_utilization"] == pytest.approx(0.7)
    with pytest.raises(RuntimeError, match="Nothing to confirm"):
        panel.confirm_apply()
    panel.request_apply()
    assert not [c for c in replay.calls if c.method == "PATCH"]  # asking is not applying
    panel.cancel_apply()
    panel.request_apply()
    panel.confirm_apply()
    assert panel.wait().status == "finished", panel.error
    applied = sample_source.service_details("fraud-aks-503").autoscale
    assert applied.min_replicas == max(panel.report.replicas, 1) and applied.target_utilization_percent == 70
    assert "applied" in panel._status.value


def test_apply_is_unavailable_without_a_service() -> None:
    panel = ReplicaCalculatorPanel()
    assert panel._apply_button.disabled
    with pytest.raises(RuntimeError, match="No service"):
        panel.request_apply()


def test_slider_drift_does_not_break_the_exact_formula() -> None:
    panel = ReplicaCalculatorPanel(target_rps=7, request_seconds=0.1)
    panel._inputs["target_utilization"].value = 0.1 + 0.6  # 0.7 as a slider may produce it: 0.7000000000000001
    panel.set_inputs(target_rps=7)
    assert panel.report.replicas == 1 and "÷ 0.7 = 1" in panel._formula.value

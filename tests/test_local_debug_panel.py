"""The local debugging panel, headless, on the real local inference server."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import amlnbtools
from amlnbtools.widgets.local_debug import LocalDebugPanel

pytest.importorskip("azureml_inference_server_http", reason="the 'local' extra is not installed")




def test_start_send_measure_stop(scripts: Path) -> None:
    panel = amlnbtools.debug_locally(scripts / "healthy.py", scripts / "model")
    assert isinstance(panel, LocalDebugPanel)
    try:
        assert panel.wait().status == "finished" and panel.server.running, panel.error
        assert "Scoring timeout is set to 60000" in panel.log_view.html
        panel.send()
        panel.wait()
        assert panel.last_result.status == 200 and "196500.0" in panel._result.value
        panel.send_many(30)
        panel.wait()
        stats = panel.latency
        assert stats.count == 30 and stats.failures == 0
        assert 0 < stats.p50_ms <= stats.p95_ms and stats.request_seconds == pytest.approx(stats.mean_ms / 1000)
        (output,) = panel._figure.output.outputs
        figure = output["data"]["application/vnd.plotly.v1+json"]
        assert figure["data"][0]["type"] == "histogram" and len(figure["data"][0]["x"]) == 30
        assert {s["type"] for s in figure["layout"]["shapes"]} == {"line"}  # the p50 and p95 markers
    finally:
        panel.stop()
        panel.wait()
    assert not panel.server.running and "stopped" in panel._state.value


def test_a_failing_init_shows_the_diagnosis_and_its_line(scripts: Path) -> None:
    panel = amlnbtools.debug_locally(scripts / "init_model_path.py", scripts / "model")
    assert panel.wait().status == "error"
    assert panel.error.kind == "boot-failed" and "exit code 3" in panel._status.value
    rules = [f.rule for f in panel.findings]
    assert "model-not-found" in rules and "crash-loop" in rules
    finding = panel.select_finding(rules.index("model-not-found"))
    assert panel.log_view.highlighted == finding.line
    assert "FileNotFoundError" in panel.log_view.html


def test_a_run_error_appears_in_the_findings_after_the_request(scripts: Path) -> None:
    panel = amlnbtools.debug_locally(scripts / "run_raises.py", scripts / "model", payload='{"data": [[80, 3]]}')
    try:
        panel.wait()
        panel.send()
        panel.wait()
        assert panel.last_result.status == 500
        deadline = time.monotonic() + 5  # the live log catches up within a poll or two
        while "scoring-error" not in [f.rule for f in panel.findings] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "scoring-error" in [f.rule for f in panel.findings]
    finally:
        panel.stop()
        panel.wait()

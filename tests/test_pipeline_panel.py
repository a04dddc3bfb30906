"""The pipeline log panel on a folder of downloaded logs: table, timeline, root cause, step and file choice."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import amlnbtools
from amlnbtools.sources.files.pipeline import FolderPipelineSource
from amlnbtools.widgets.pipeline.panel import PipelineLogsPanel

LOGS = Path(__file__).resolve().parents[1] / "amlnbtools" / "samples" / "logs"
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def run_folder(tmp_path: Path) -> Path:
    root = tmp_path / "run"
    shutil.copytree(LOGS / "healthy" / "prep_ok", root / "prep")
    shutil.copytree(LOGS / "pipeline" / "train_model_dir_missing", root / "train")
    shutil.copytree(LOGS / "pipeline" / "prs_2021", root / "score")
    return root


def _panel(path: Path) -> PipelineLogsPanel:
    panel = amlnbtools.pipeline_logs(path)
    state = panel.wait()
    assert state.status == "finished", state.error
    return panel


def test_opens_on_the_root_cause_line_of_the_first_failed_step(run_folder: Path) -> None:
    panel = _panel(run_folder)
    assert repr(panel) == "PipelineLogsPanel(run='run')"
    cause = panel.root_cause
    assert cause is not None and cause.step == "train" and cause.finding is not None
    assert panel.step is not None and panel.step.name == "train"
    assert panel.file == "azureml-logs/70_driver_log.txt"
    assert panel.log_view.highlighted == cause.line
    assert "output-dir-missing" in panel.findings.rules
    assert "Root cause: step train failed" in panel._cause.value
    assert "FileNotFoundError" in panel._cause.value


def test_step_table_and_timeline(run_folder: Path) -> None:
    panel = _panel(run_folder)
    frame = panel.steps_frame()
    assert list(frame["step"]) == ["train", "score", "prep"]
    assert list(frame["status"]) == ["failed", "failed", "unknown"]
    assert "Queued (UTC)" in panel._table.value and "train" in panel._table.value
    (output,) = panel._timeline.output.outputs
    figure = output["data"]["application/vnd.plotly.v1+json"]
    assert {trace.get("name") for trace in figure["data"]} >= {"failed", "waiting"}


def test_selecting_a_step_opens_its_most_relevant_log(run_folder: Path) -> None:
    panel = _panel(run_folder)
    panel.select_step("score")
    panel.wait()
    assert panel.file == "logs/job_result.txt"
    assert "parallel-run-error-threshold" in panel.findings.rules
    panel.select_file("logs/user/error.txt")
    panel.wait()
    assert panel.file == "logs/user/error.txt" and panel.log_view.line_count > 0
    with pytest.raises(ValueError, match="its files are"):
        panel.select_file("azureml-logs/75_job_post.txt")
    with pytest.raises(KeyError, match="the steps are"):
        panel.select_step("nope")


def test_choosing_in_the_dropdowns_does_what_the_api_does(run_folder: Path) -> None:
    panel = _panel(run_folder)
    panel._step_box.value = "prep"
    panel.wait()
    assert panel.step is not None and panel.step.name == "prep" and panel.file == "user_logs/std_log.txt"
    panel.show_root_cause()
    panel.wait()
    assert panel.step.name == "train" and panel.log_view.highlighted == panel.root_cause.line


def test_names_and_log_text_are_escaped(tmp_path: Path) -> None:
    step = tmp_path / "run" / "step"
    (step / "azureml-logs").mkdir(parents=True)
    (step / "azureml-logs" / "70_driver_log.txt").write_text(
        f"Traceback (most recent call last):\n  File \"x.py\", line 1\nValueError: {XSS}\n", encoding="utf-8")
    meta = {"format": "amlnbtools-pipeline/1", "run_id": "r", "name": XSS, "raw_status": "Failed",
            "steps": [{"folder": "step", "name": f"s{XSS}", "raw_status": "Failed", "error": XSS}]}
    (tmp_path / "run" / "amlnbtools-pipeline.json").write_text(json.dumps(meta), encoding="utf-8")
    panel = _panel(tmp_path / "run")
    html_values = [panel._cause.value, panel._table.value, panel._status.value, panel._log_status.value,
                   panel.log_view.html]
    assert all(XSS not in value for value in html_values)
    assert any("&lt;img src=x onerror=alert(1)&gt;" in value for value in html_values)


def test_a_log_that_cannot_be_read_shows_the_fix_and_the_panel_recovers(run_folder: Path) -> None:
    panel = PipelineLogsPanel(FolderPipelineSource(run_folder), refresh=False)
    panel.refresh()
    panel.wait()
    driver = run_folder / "train" / "azureml-logs" / "70_driver_log.txt"
    moved = driver.rename(driver.with_name("elsewhere.bin"))
    panel.select_step("train")
    panel.wait()
    assert "download the step&#x27;s logs again" in panel._log_status.value
    moved.rename(driver)
    panel.select_step("train")
    panel.wait()
    assert "⚠" not in panel._log_status.value and panel.log_view.line_count > 0


def test_wrong_arguments_name_what_is_accepted(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="folder of downloaded logs"):
        amlnbtools.pipeline_logs(42)
    with pytest.raises(Exception, match="No folder at"):
        amlnbtools.pipeline_logs(tmp_path / "missing")


def test_a_parallel_run_step_gets_its_summary(run_folder: Path) -> None:
    panel = _panel(run_folder)
    assert panel.parallel_run is None  # train is not a ParallelRunStep
    panel.select_step("score")
    panel.wait()
    summary = panel.parallel_run
    assert summary is not None and summary.layout == "2021" and summary.status == "failed"
    assert summary.mini_batches.failed == 7
    assert "Mini-batches: 96 in total, 61 succeeded, 7 failed, 28 not processed" in panel._parallel.value
    panel.select_step("prep")
    panel.wait()
    assert panel.parallel_run is None and panel._parallel.value == ""


def test_auto_refresh_stops_by_itself_once_the_run_has_ended(run_folder: Path) -> None:
    panel = _panel(run_folder)
    panel.start_auto_refresh(interval_s=0.05, max_refreshes=50)
    panel._auto._thread.join(timeout=30)
    assert not panel.auto_refreshing
    assert panel._stop_button.disabled and not panel._auto_button.disabled
    with pytest.raises(ValueError, match="interval_s"):
        panel.start_auto_refresh(interval_s=0)

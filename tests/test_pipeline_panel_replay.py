"""The pipeline log panel on the sample workspace, through azureml-core and azureml-pipeline-core."""

from __future__ import annotations

import pytest

import amlnbtools
from amlnbtools.sources.replay import PIPELINE_RUNS, WIDE_STEPS


def test_opens_a_pipeline_run_object_on_its_root_cause(replay) -> None:
    from azureml.core import Run
    from azureml.pipeline.core import PipelineRun

    run = Run.get(replay.workspace, PIPELINE_RUNS["defects-pipeline"])
    assert isinstance(run, PipelineRun)
    panel = amlnbtools.pipeline_logs(run)
    assert panel.wait().status == "finished"
    frame = panel.steps_frame()
    assert list(frame["step"]) == ["prep-data", "train-model", "score-batch", "evaluate-model"]
    assert list(frame["status"]) == ["completed", "failed", "failed", "canceled"]
    assert list(frame["reused"]) == [True, False, False, False]
    cause = panel.root_cause
    assert cause is not None and cause.step == "train-model" and cause.finding.rule == "output-dir-missing"
    assert panel.step.name == "train-model" and panel.file == "azureml-logs/70_driver_log.txt"
    assert panel.log_view.highlighted == cause.line
    panel.select_step("score-batch")
    panel.wait()
    assert panel.parallel_run is not None and "parallel-run-error-threshold" in panel.parallel_run.error_rules
    assert "sig=" not in repr(panel.widget.get_state())


def test_opens_by_run_id_with_the_workspace_panel(replay, monkeypatch: pytest.MonkeyPatch) -> None:
    import amlnbtools.sources.sample as sample

    monkeypatch.setattr(sample, "_replay", replay)
    workspace = amlnbtools.connect(sample=True)
    panel = amlnbtools.pipeline_logs(PIPELINE_RUNS["iris-pipeline"], workspace)
    assert panel.wait().status == "finished"
    assert panel.summary.status == "completed" and panel.root_cause is None
    assert panel.file is not None and panel.file.startswith("user_logs/std_log")


def test_fifty_steps(replay) -> None:
    panel = amlnbtools.pipeline_logs(PIPELINE_RUNS["wide-pipeline"], replay.workspace)
    assert panel.wait().status == "finished"
    assert len(panel.summary.steps) == WIDE_STEPS == 50
    assert panel._table.value.count("<tr>") == 51


def test_an_expired_link_or_dead_storage_shows_the_fix_and_recovers(replay) -> None:
    panel = amlnbtools.pipeline_logs(PIPELINE_RUNS["iris-pipeline"], replay.workspace)
    panel.wait()
    step = panel.summary.steps[-1]
    replay.inject("blob", "500")
    panel.select_step(step.name)
    panel.wait()
    assert "⚠" in panel._log_status.value and "sig=" not in panel._log_status.value
    replay.clear_faults()
    panel.select_step(step.name)
    panel.wait()
    assert "⚠" not in panel._log_status.value and panel.log_view.line_count > 0


def test_an_unknown_run_id_names_where_to_find_it(replay) -> None:
    panel = amlnbtools.pipeline_logs("no-such-run", replay.workspace)
    panel.wait()
    assert panel.error is not None and panel.error.kind == "not-found"
    assert "Run ID" in panel.error.message


def test_a_run_id_without_workspace_says_what_to_pass() -> None:
    from amlnbtools.sources.errors import SourceError

    with pytest.raises(SourceError, match="For a run id, give the workspace too"):
        amlnbtools.pipeline_logs("5b9e0c3a-2f41-4d7e-9a86-1c3f5e7d9b20")


def test_a_log_load_that_finishes_late_does_not_replace_the_newer_one(replay) -> None:
    """Two loads' callbacks may run at once on their workers: the older result is dropped, whichever ends last."""
    from amlnbtools.widgets._tasks import TaskState

    panel = amlnbtools.pipeline_logs(PIPELINE_RUNS["defects-pipeline"], replay.workspace)
    assert panel.wait().status == "finished"
    shown = (panel.file, panel.findings, panel._findings_box.options, panel._findings_box.value)
    assert panel.findings, "the root cause's log has findings"
    step = panel.summary.steps[0]
    other = panel.source.fetch_log(step, step.log_files[0])
    stale = TaskState("finished", value=(step.log_files[0], other, amlnbtools.Findings(), None))
    panel._on_log(stale)  # not the task's current state: a load that lost the race
    assert (panel.file, panel.findings, panel._findings_box.options, panel._findings_box.value) == shown

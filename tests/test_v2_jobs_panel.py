"""The pipeline log panel on SDK v2 jobs of the sample workspace: the failed pipeline job's root cause, a command
job, a job name that does not exist, faults, and the live tail of a running job."""

from __future__ import annotations

import time

import pytest

import amlnbtools
from tests.test_panels import tree_state

pytest.importorskip("azure.ai.ml", reason="the v2 extra is installed by make test")

PIPELINE = "sleepy_lemon_7k2m9xq4"


def _wait_until(check, timeout_s: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def test_a_failed_pipeline_job_by_name_opens_on_its_root_cause(workspace_v2) -> None:
    panel = amlnbtools.pipeline_logs(PIPELINE, workspace_v2)
    assert panel.wait().status == "finished", panel.error
    frame = panel.steps_frame()
    assert list(frame["step"]) == ["prep_data", "train_model", "score_batch", "reporting/evaluate",
                                   "reporting/publish"]
    assert list(frame["reused"]) == [True, False, False, False, False]
    cause = panel.root_cause
    assert cause is not None and cause.step == "train_model" and cause.finding.rule == "dependency-error"
    assert (panel.step.name, panel.file) == ("train_model", "user_logs/std_log.txt")
    assert panel.log_view.highlighted == cause.line
    assert "lightgbm" in panel._cause.value and "mounted read-only" in panel._step_note.value
    assert not panel.following  # a job that has ended is not followed
    panel.select_step("score_batch")
    panel.wait()
    assert panel.parallel_run is not None and panel.parallel_run.status == "failed"
    panel.select_step("reporting/evaluate")
    assert "no log files yet" in panel._log_status.value
    assert "sig=" not in tree_state(panel.widget)


def test_a_job_object_and_an_ml_client(workspace_v2, replay) -> None:
    job = replay.ml_client.jobs.get("iris-train-v2")
    panel = amlnbtools.pipeline_logs(job, replay.ml_client)
    assert panel.wait().status == "finished", panel.error
    assert panel.summary.status == "completed" and panel.root_cause is None
    assert panel.file == "user_logs/std_log.txt" and panel.log_view.line_count == 22
    with pytest.raises(TypeError, match="workspace"):
        amlnbtools.pipeline_logs(job)


def test_a_v1_run_id_still_opens_through_azureml_core(workspace_v2) -> None:
    panel = amlnbtools.pipeline_logs("5b9e0c3a-2f41-4d7e-9a86-1c3f5e7d9b20", workspace_v2)
    assert panel.wait().status == "finished", panel.error
    assert panel.root_cause is not None and panel.root_cause.step == "train-model"


def test_an_unknown_name_says_where_to_find_it_and_the_panel_stays_usable(workspace_v2, replay) -> None:
    panel = amlnbtools.pipeline_logs("no_such_job", workspace_v2)
    panel.wait()
    assert panel.error is not None and panel.error.kind == "not-found"
    assert "ml_client.jobs.list()" in panel._status.value
    panel = amlnbtools.pipeline_logs(PIPELINE, workspace_v2)
    panel.wait()
    replay.inject("v2-run-children", "503")
    panel.refresh()
    panel.wait()
    assert panel.error is not None and panel.error.kind == "server-error" and "⚠" in panel._status.value
    assert panel.summary is not None and panel.root_cause is not None  # what was shown stays
    replay.clear_faults()
    panel.refresh()
    panel.wait()
    assert panel.error is None


def test_the_live_tail_grows_shows_findings_as_they_arrive_and_stops_at_the_end(workspace_v2, replay) -> None:
    replay.start_live_job(lines_per_s=40, run_s=4)
    panel = amlnbtools.pipeline_logs("live-train", workspace_v2)
    try:
        assert panel.wait().status == "finished", panel.error
        assert panel.summary.status == "running" and panel.following and panel._follow_button.value
        assert panel.file == "user_logs/std_log_process_0.txt"
        first = panel.log_view.line_count
        assert _wait_until(lambda: panel.log_view.line_count > first + 20)
        assert panel.log_view.visible_lines[-1] == panel.log_view.line_count  # the end is shown
        assert _wait_until(lambda: not panel.following, timeout_s=30)
        assert panel.summary.status == "failed" and not panel._follow_button.value
        assert [f.rule for f in panel.findings] == ["out-of-memory"]
        assert "CUDA out of memory" in panel.log_view.html
    finally:
        panel.stop_following()


def test_following_can_be_switched_off_and_on(workspace_v2, replay) -> None:
    replay.start_live_job(lines_per_s=20, run_s=60)
    panel = amlnbtools.pipeline_logs("live-train", workspace_v2)
    try:
        panel.wait()
        assert panel.following
        panel._follow_button.value = False
        assert not panel.following
        count = panel.log_view.line_count
        panel.refresh()
        panel.wait()
        assert not panel.following  # a refresh does not start it again once switched off
        panel.follow(interval_s=0.2)
        assert _wait_until(lambda: panel.log_view.line_count > count)
        panel.select_step("live-train")
        panel.select_file("user_logs/std_log_process_1.txt")
        panel.wait()
        assert _wait_until(lambda: "Process 1 of 2" in panel.log_view.html or panel.log_view.page_count > 1)
    finally:
        panel.stop_following()
    assert not panel.following

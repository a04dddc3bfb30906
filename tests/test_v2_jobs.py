"""SDK v2 jobs as pipeline sources: the real azure-ai-ml (jobs.get, run history's children and details) and the
SAS links of each step's logs, answered by the replay; folders in the ``az ml job download --all`` layout."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from amlnbtools.core.pipeline import PipelineSummary
from amlnbtools.sources._limits import Limits
from amlnbtools.sources.azureml_v2.jobs import AzureMLJobSource
from amlnbtools.sources.base import PipelineSource, fetch_logs
from amlnbtools.sources.errors import SourceError
from amlnbtools.sources.files.export import export_pipeline_logs
from amlnbtools.sources.files.pipeline import FolderPipelineSource
from amlnbtools.sources.pipeline.cause import find_root_cause
from amlnbtools.sources.pipeline.either import FirstFound
from amlnbtools.sources.pipeline.parallel import summarize_step

pytest.importorskip("azure.ai.ml", reason="the v2 extra is installed by make test")

PIPELINE = "sleepy_lemon_7k2m9xq4"
FAST = Limits(request_timeout_s=1.0, retries=1, backoff_s=0.05, budget_s=10.0)


@pytest.fixture()
def job(v2):
    with AzureMLJobSource(v2, PIPELINE) as source:
        yield source


def test_the_sample_lists_its_jobs_through_the_real_sdk(replay) -> None:
    listed = list(replay.ml_client.jobs.list())
    jobs = {j.name: j for j in listed}
    v1_runs = ["churn-train_1733329201_5d2c8e0f", "vision-train_1733412000_9a1b2c3d"]  # SDK v1 runs are listed too
    assert sorted(jobs) == sorted(["env-build-train", "iris-train-v2", "live-train", "queued-gpu-train", PIPELINE,
                                   *v1_runs])
    assert listed[0].name == "live-train" and listed[-1].name == PIPELINE  # newest first
    assert type(jobs[PIPELINE]).__name__ == "PipelineJob"
    assert jobs["live-train"].status == "Running"


def test_a_failed_pipeline_job_has_its_steps_walked_through_subgraphs(job: AzureMLJobSource, replay) -> None:
    assert isinstance(job, PipelineSource)
    replay.reset_calls()
    summary = job.summary()
    assert (summary.name, summary.status) == ("defects-v2", "failed")
    assert "Failed nodes: /train_model, /score_batch" in (summary.error or "")
    steps = {s.name: s for s in summary.steps}
    assert list(steps) == ["prep_data", "train_model", "score_batch", "reporting/evaluate", "reporting/publish"]
    assert [steps[n].status for n in steps] == ["completed", "failed", "failed", "canceled", "canceled"]
    assert steps["prep_data"].reused and steps["prep_data"].error is None
    assert steps["score_batch"].kind == "parallel-run"
    assert "No module named 'lightgbm'" in (steps["train_model"].error or "")
    assert steps["train_model"].warnings == ("The input 'prepared' was mounted read-only.",)
    assert steps["train_model"].first_log == "user_logs/std_log.txt"
    assert steps["reporting/evaluate"].log_files == () and steps["reporting/evaluate"].started is None
    routes = [c.route for c in replay.calls]
    # one request per level: the job's children, then the subgraph's
    assert routes.count("v2-run-children") == 2
    assert routes.count("v2-run-details") == 1 + len(steps)


def test_a_reused_step_shows_the_logs_of_the_run_it_reused(job: AzureMLJobSource) -> None:
    step = job.summary().step("prep_data")
    text = job.fetch_log(step, "user_logs/std_log.txt").read_text()
    assert "Resized 24000 images" in text


def test_the_root_cause_is_the_missing_package_with_its_fix(job: AzureMLJobSource) -> None:
    summary = job.summary()
    cause = find_root_cause(summary, job.fetch_log)
    assert cause is not None and cause.step == "train_model"
    assert cause.file == "user_logs/std_log.txt"
    assert cause.finding is not None and cause.finding.rule == "dependency-error"
    assert cause.exception == "ModuleNotFoundError: No module named 'lightgbm'"


def test_a_parallel_job_step_gets_the_parallel_run_summary(job: AzureMLJobSource) -> None:
    result = summarize_step(job, job.summary().step("score_batch"))
    assert result is not None and result.status == "failed"
    assert (result.mini_batches.succeeded, result.mini_batches.failed) == (57, 14)


def test_a_command_job_is_one_step(v2) -> None:
    with AzureMLJobSource(v2, "iris-train-v2") as source:
        summary = source.summary()
    assert (summary.name, summary.status, len(summary.steps)) == ("iris-train", "completed", 1)
    step = summary.steps[0]
    assert (step.name, step.run_id, step.status) == ("iris-train", "iris-train-v2", "completed")
    assert step.started is not None and step.ended is not None and step.run_seconds == pytest.approx(102.6, abs=1)


def test_a_job_object_opens_its_source(v2, replay) -> None:
    with AzureMLJobSource.from_job(replay.ml_client.jobs.get(PIPELINE), v2) as source:
        assert source.label == f"defects-v2: {PIPELINE}"
    with pytest.raises(TypeError, match="azure.ai.ml job"):
        AzureMLJobSource.from_job(object(), v2)


def test_an_unknown_job_name_says_how_to_find_the_name(v2) -> None:
    with AzureMLJobSource(v2, "no_such_job") as source, pytest.raises(SourceError) as caught:
        source.summary()
    assert caught.value.kind == "not-found"
    assert "ml_client.jobs.list()" in str(caught.value) and "no_such_job" in str(caught.value)


def test_a_name_that_is_a_v1_run_is_read_through_azureml_core(v2, replay) -> None:
    from amlnbtools.sources.azureml_v1.pipeline import AzureMLPipelineSource

    run_id = "5b9e0c3a-2f41-4d7e-9a86-1c3f5e7d9b20"
    either = FirstFound(AzureMLJobSource(v2, run_id),
                        lambda: AzureMLPipelineSource.open(replay.workspace, run_id, lazy=True))
    try:
        summary = either.summary()
        assert isinstance(either.chosen, AzureMLPipelineSource)
        assert [s.name for s in summary.steps][:2] == ["prep-data", "train-model"]
        assert either.fetch_log(summary.step("train-model"), summary.step("train-model").first_log).is_file()
    finally:
        either.close()


def test_a_step_whose_logs_run_is_gone_is_shown_with_why(job: AzureMLJobSource, replay) -> None:
    origin = job.summary().step("prep_data")
    data = replay._server.data  # the run prep_data reused was deleted since
    reused_from = data.runs[origin.run_id]["properties"]["azureml.reusedrunid"]
    del data.runs[reused_from]
    step = job.summary().step("prep_data")
    assert step.status == "completed" and step.log_files == ()
    assert step.error is not None and "not found" in step.error.lower()


@pytest.mark.parametrize(("route", "fault", "kind"), [
    ("v2-job", "401-auth-failed", "auth-failed"), ("v2-job", "403", "forbidden"), ("v2-job", "404", "not-found"),
    ("v2-run-children", "429", "throttled"), ("v2-run-details", "503", "server-error"),
    ("v2-run-children", "stall", "timeout"), ("v2-run-details", "truncated-json", "bad-response"),
])
def test_faults_become_source_errors_that_name_the_fix(job: AzureMLJobSource, replay, route, fault, kind) -> None:
    replay.inject(route, fault)
    started = time.monotonic()
    with pytest.raises(SourceError) as caught:
        job.summary()
    assert time.monotonic() - started < FAST.budget_s + 2
    assert caught.value.kind == kind, caught.value
    assert str(caught.value) and "sig=" not in str(caught.value)
    replay.clear_faults()
    assert job.summary().status == "failed"  # usable again


def test_an_expired_link_is_refreshed_once(job: AzureMLJobSource, replay) -> None:
    step = job.summary().step("train_model")
    replay.inject("blob", "403", times=1)
    assert "lightgbm" in job.fetch_log(step, step.first_log).read_text()
    replay.inject("blob", "403")
    with pytest.raises(SourceError) as caught:
        AzureMLJobSource.fetch_log(job, step, "system_logs/cs_capability/cs-capability.log")
    assert caught.value.kind == "token-expired" and "Refresh" in str(caught.value)


def test_a_running_log_is_fetched_again_from_where_the_copy_ends(v2, replay) -> None:
    replay.start_live_job(lines_per_s=50, run_s=30)
    with AzureMLJobSource(v2, "live-train") as source:
        summary = source.summary()
        assert summary.status == "running" and not summary.steps[0].final
        step = summary.steps[0]
        assert step.log_files[:2] == ("user_logs/std_log_process_0.txt", "user_logs/std_log_process_1.txt")
        first = source.fetch_log(step, step.first_log).read_bytes()
        time.sleep(0.5)
        replay.reset_calls()
        second = source.fetch_log(step, step.first_log).read_bytes()
    assert len(second) > len(first) and second.startswith(first)
    blob = [c for c in replay.calls if c.route == "blob"]
    assert len(blob) == 1  # one ranged request for the new bytes only
    assert second.decode().count("\n") == second.decode().count(" INFO ")


def test_concurrent_fetch_of_every_step(job: AzureMLJobSource) -> None:
    summary = job.summary()
    results = fetch_logs(job, [(s, n) for s in summary.steps for n in s.log_files])
    assert results and all(isinstance(r, Path) and r.is_file() for r in results.values())


def _download_layout(root: Path, summary: PipelineSummary, job: AzureMLJobSource) -> None:
    """What az ml job download --all writes for the pipeline and for each child job (one folder each)."""
    (root / "artifacts" / "logs" / "azureml").mkdir(parents=True)
    (root / "artifacts" / "logs" / "azureml" / "executionlogs.txt").write_text("[2026-11-30 09:00:21Z] Submitting\n")
    (root / "named-outputs" / "scores").mkdir(parents=True)
    for step in summary.steps:
        folder = root / step.name.replace("/", "_")
        (folder / "named-outputs").mkdir(parents=True)
        for name in step.log_files:
            target = folder / "artifacts" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(job.fetch_log(step, name).read_bytes())


def test_a_downloaded_job_folder_opens_with_its_failing_step(job: AzureMLJobSource, tmp_path: Path) -> None:
    summary = job.summary()
    _download_layout(tmp_path / "defects", summary, job)
    folder = FolderPipelineSource(tmp_path / "defects")
    read = folder.summary()
    names = {s.name for s in read.steps}
    assert {"train_model", "score_batch", "prep_data"} <= names and "artifacts" not in names
    assert read.step("train_model").status == "failed"
    cause = find_root_cause(read, folder.fetch_log)
    assert cause is not None and cause.step == "train_model" and cause.finding.rule == "dependency-error"


def test_export_writes_the_download_layout_and_reopens(job: AzureMLJobSource, tmp_path: Path) -> None:
    out, failures = export_pipeline_logs(job, tmp_path / "export")
    assert failures == {}
    assert (out / "train_model" / "artifacts" / "user_logs" / "std_log.txt").is_file()
    assert (out / "score_batch" / "artifacts" / "logs" / "job_result.txt").is_file()
    again = FolderPipelineSource(out).summary()
    assert [s.name for s in again.steps] == [s.name for s in job.summary().steps]
    assert again.step("prep_data").reused and again.status == "failed"

"""Pipeline runs through the real azureml-core / azureml-pipeline-core code path, answered by the replay."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timezone
from pathlib import Path

import pytest
import requests

import amlnbtools
from amlnbtools.core.pipeline import StepSummary
from amlnbtools.sources.azureml_v1.pipeline import AzureMLPipelineSource, Limits
from amlnbtools.sources.errors import SourceError
from amlnbtools.sources.pipeline import fetch_logs
from amlnbtools.sources.replay import PIPELINE_ROUTES, PIPELINE_RUNS, WIDE_STEPS, ReplayWorkspace

FAST = Limits(request_timeout_s=1.0, retries=1, backoff_s=0.01, budget_s=10.0)
DEFECTS, IRIS, WIDE = PIPELINE_RUNS["defects-pipeline"], PIPELINE_RUNS["iris-pipeline"], PIPELINE_RUNS["wide-pipeline"]
SIG = re.compile(r"sig=(?!\[REDACTED\])[A-Za-z0-9%+/=_-]{6,}")


@pytest.fixture(scope="module")
def pipeline_replay() -> Iterator[ReplayWorkspace]:
    with ReplayWorkspace() as rw:
        yield rw


@pytest.fixture
def replay(pipeline_replay: ReplayWorkspace) -> Iterator[ReplayWorkspace]:
    pipeline_replay.clear_faults()
    pipeline_replay.set_latency(0)
    pipeline_replay.reset_calls()
    yield pipeline_replay
    pipeline_replay.clear_faults()
    pipeline_replay.set_latency(0)


@pytest.fixture
def defects(replay: ReplayWorkspace) -> Iterator[AzureMLPipelineSource]:
    with AzureMLPipelineSource.open(replay.workspace, DEFECTS, limits=FAST) as source:
        yield source


def _served(step_run, name: str) -> bytes:
    """The bytes the replay serves for a step's log file, fetched with plain requests from its SAS link."""
    response = requests.get(step_run.get_details()["logFiles"][name], timeout=5)
    response.raise_for_status()
    return response.content


# ---- the SDK itself on the replay -------------------------------------------------------------------------------
def test_run_get_rehydrates_a_pipeline_run_and_its_step_runs(replay: ReplayWorkspace) -> None:
    from azureml.core import Experiment, Run
    from azureml.pipeline.core import PipelineRun, StepRun

    run = Run.get(replay.workspace, DEFECTS)
    assert isinstance(run, PipelineRun) and run.get_status() == "Failed"
    same = PipelineRun(Experiment(replay.workspace, "defects-pipeline"), DEFECTS)
    assert same.get_details()["status"] == "Failed"
    steps = {step.name: step for step in run.get_steps()}
    assert set(steps) == {"prep-data", "train-model", "score-batch", "evaluate-model"}
    assert all(isinstance(step, StepRun) for step in steps.values())
    assert [name for name, step in steps.items() if step._is_reused] == ["prep-data"]
    assert steps["prep-data"].pipeline_run_id != DEFECTS  # the SDK hands back the earlier run it reused
    assert steps["train-model"].pipeline_run_id == DEFECTS
    statuses = {name: step.get_status() for name, step in steps.items()}
    assert statuses == {"prep-data": "Finished", "train-model": "Failed", "score-batch": "Failed",
                        "evaluate-model": "Canceled"}
    details = steps["train-model"].get_details()
    assert details["status"] == "Failed" and details["startTimeUtc"] < details["endTimeUtc"]
    assert "azureml-logs/70_driver_log.txt" in details["logFiles"]
    assert all(".blob.core.windows.net/" in url and "sig=" in url for url in details["logFiles"].values())
    assert steps["score-batch"].properties["StepType"] == "ParallelRunStep"
    assert not any(c.route == "unmatched" for c in replay.calls)  # e.g. no POST creating an experiment


def test_common_runtime_logs_come_from_the_artifact_service(replay: ReplayWorkspace) -> None:
    from azureml.core import Run

    step = next(iter(Run.get(replay.workspace, IRIS).get_steps()))
    files = step.get_details()["logFiles"]
    assert "user_logs/std_log.txt" in files and "logs/azureml/executionlogs.txt" in files
    assert {c.route for c in replay.calls} >= {"artifact-prefix", "history-run-details"}


def test_served_logs_are_what_the_catalogue_diagnoses(replay: ReplayWorkspace) -> None:
    from azureml.core import Run

    steps = {step.name: step for step in Run.get(replay.workspace, DEFECTS).get_steps()}
    driver = _served(steps["train-model"], "azureml-logs/70_driver_log.txt").decode()
    assert "After variable expansion, calling script [train.py]" in driver
    assert "output-dir-missing" in {f.rule for f in amlnbtools.diagnose(driver)}
    for name in ("azureml-logs/70_driver_log.txt", "logs/job_result.txt", "logs/user/error.txt"):
        text = _served(steps["score-batch"], name).decode()
        assert "parallel-run-error-threshold" in {f.rule for f in amlnbtools.diagnose(text)}, name
    assert not amlnbtools.diagnose(_served(steps["prep-data"], "azureml-logs/70_driver_log.txt")).errors


def test_blob_route_checks_the_signature_and_serves_ranges(replay: ReplayWorkspace) -> None:
    from azureml.core import Run

    step = next(s for s in Run.get(replay.workspace, DEFECTS).get_steps() if s.name == "train-model")
    url = step.get_details()["logFiles"]["azureml-logs/70_driver_log.txt"]
    whole = requests.get(url, timeout=5).content
    part = requests.get(url, headers={"Range": "bytes=10-19"}, timeout=5)
    assert part.status_code == 206 and part.content == whole[10:20]
    assert part.headers["Content-Range"] == f"bytes 10-19/{len(whole)}"
    tampered = re.sub(r"sig=[^&]+", "sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%3D", url)
    refused = requests.get(tampered, timeout=5)
    assert refused.status_code == 403 and refused.headers["x-ms-error-code"] == "AuthenticationFailed"
    missing = requests.get(url.replace("70_driver_log.txt", "71_nothing.txt"), timeout=5)
    assert missing.status_code in (403, 404)  # the signature covers the path: a changed path is refused


# ---- the source ---------------------------------------------------------------------------------------------------
def test_summary_of_the_failed_pipeline(defects: AzureMLPipelineSource) -> None:
    summary = defects.summary()
    assert (summary.run_id, summary.status, summary.raw_status) == (DEFECTS, "failed", "Failed")
    assert summary.started is not None and summary.started.tzinfo is not None
    assert summary.started < summary.ended and "failed steps" in (summary.error or "")
    steps = {s.name: s for s in summary.steps}
    assert [s.name for s in summary.steps] == ["prep-data", "train-model", "score-batch", "evaluate-model"]
    assert {n: s.status for n, s in steps.items()} == {"prep-data": "completed", "train-model": "failed",
                                                       "score-batch": "failed", "evaluate-model": "canceled"}
    assert [n for n, s in steps.items() if s.reused] == ["prep-data"]
    assert steps["score-batch"].kind == "parallel-run" and steps["train-model"].kind == "python-script"
    assert [s.name for s in summary.failed_steps] == ["train-model", "score-batch"]
    assert "FileNotFoundError" in (steps["train-model"].error or "")
    for step in (steps["prep-data"], steps["train-model"], steps["score-batch"]):
        assert step.first_log == "azureml-logs/70_driver_log.txt"
        assert "75_job_post" in step.log_files[-1] and step.first_log != step.log_files[-1]
        assert all(t is None or t.utcoffset() == timezone.utc.utcoffset(None)
                   for t in (step.queued, step.started, step.ended))
    assert steps["score-batch"].log_files[1] == "logs/job_result.txt"
    assert steps["prep-data"].reused and steps["prep-data"].log_files  # the logs of the run it reused
    assert steps["evaluate-model"].log_files == () and steps["evaluate-model"].started is None
    assert not SIG.search(repr(summary)) and not SIG.search(repr(defects))


def test_fetched_logs_equal_the_served_bytes(replay: ReplayWorkspace, defects: AzureMLPipelineSource) -> None:
    from azureml.core import Run

    summary = defects.summary()
    sdk_steps = {s.name: s for s in Run.get(replay.workspace, DEFECTS).get_steps()}
    for step in summary.steps:
        for name in step.log_files:
            path = defects.fetch_log(step, name)
            assert path.is_file() and path.is_relative_to(defects._cache.folder)
            assert path.read_bytes() == _served(sdk_steps[step.name], name), (step.name, name)
    step = summary.step("train-model")
    assert "output-dir-missing" in {f.rule for f in amlnbtools.diagnose(defects.fetch_log(step, step.first_log)
                                                                         .read_text())}


def test_common_runtime_pipeline_opens_std_log_first(replay: ReplayWorkspace) -> None:
    with AzureMLPipelineSource.open(replay.workspace, IRIS, limits=FAST) as source:
        summary = source.summary()
        assert (summary.status, summary.raw_status) == ("completed", "Finished")
        assert [s.status for s in summary.steps] == ["completed"] * 3
        assert {s.raw_status for s in summary.steps} == {"Completed"}
        for step in summary.steps:
            assert step.first_log == "user_logs/std_log.txt" and not step.failed
            assert source.fetch_log(step, step.first_log).read_text().strip()


def test_the_fifty_step_pipeline(replay: ReplayWorkspace) -> None:
    with AzureMLPipelineSource.open(replay.workspace, WIDE, limits=FAST) as source:
        summary = source.summary()
        assert len(summary.steps) == WIDE_STEPS == 50 and summary.status == "completed"
        assert len({s.run_id for s in summary.steps}) == 50
        assert all(s.first_log == "azureml-logs/70_driver_log.txt" for s in summary.steps)
        results = fetch_logs(source, [(s, s.first_log) for s in summary.steps])
        assert len(results) == 50 and all(isinstance(p, Path) for p in results.values())
        assert all(p.read_text().startswith("[2026-05-07T") for p in results.values())


def test_step_runs_and_plain_runs_are_sources_too(replay: ReplayWorkspace) -> None:
    from azureml.core import Run

    pipeline = Run.get(replay.workspace, DEFECTS)
    step_run = next(s for s in pipeline.get_steps() if s.name == "prep-data")
    with AzureMLPipelineSource(step_run, limits=FAST) as source:  # a reused StepRun: one step, itself
        (step,) = source.summary().steps
        assert step.reused and step.status == "completed" and step.first_log == "azureml-logs/70_driver_log.txt"
    plain = next(r for r in pipeline.get_children(_rehydrate_runs=False) if r.name == "train-model")
    assert type(plain) is Run
    with AzureMLPipelineSource(plain, limits=FAST) as source:
        summary = source.summary()
        (step,) = summary.steps
        assert (summary.status, step.status, step.kind) == ("failed", "failed", "python-script")
        assert source.fetch_log(step, step.first_log).read_bytes() == _served(plain, step.first_log)
    as_run = Run(pipeline.experiment, DEFECTS)  # the pipeline as a plain Run: children are the steps
    with AzureMLPipelineSource(as_run, limits=FAST) as source:
        summary = source.summary()
        assert (summary.raw_status, len(summary.steps)) == ("Failed", 4)
        assert summary.step("prep-data").reused


def test_unknown_run_id_names_the_fix(replay: ReplayWorkspace) -> None:
    with pytest.raises(SourceError) as caught:
        AzureMLPipelineSource.open(replay.workspace, "0f0f0f0f-0000-4000-8000-000000000000", limits=FAST)
    assert caught.value.kind == "not-found" and "Check the run id" in str(caught.value)


def test_a_lazy_open_requests_nothing_until_the_first_summary(replay: ReplayWorkspace) -> None:
    assert replay.workspace is not None  # built before counting: building it makes no call either
    replay.reset_calls()
    with AzureMLPipelineSource.open(replay.workspace, IRIS, lazy=True, limits=FAST) as source:
        assert source.label == IRIS and not replay.calls
        assert source.summary().status == "completed" and replay.calls
        assert source.label == f"iris-pipeline: {IRIS}"
    with AzureMLPipelineSource.open(replay.workspace, "no-such-run", lazy=True, limits=FAST) as source:
        with pytest.raises(SourceError) as caught:
            source.summary()
        assert caught.value.kind == "not-found" and "Check the run id" in str(caught.value)


def test_cache_reuse_refresh_and_close(replay: ReplayWorkspace) -> None:
    source = AzureMLPipelineSource.open(replay.workspace, DEFECTS, limits=FAST)
    step = source.summary().step("train-model")
    first = source.fetch_log(step, step.first_log)
    replay.reset_calls()
    assert source.fetch_log(step, step.first_log) == first and not replay.calls  # final step: from the cache
    first.unlink()
    replay.inject("blob", "403", times=1)  # an expired link: new links are fetched once, then it works
    assert source.fetch_log(step, step.first_log).read_bytes()
    assert [c.route for c in replay.calls if c.route in ("blob", "history-run-details")] == [
        "blob", "history-run-details", "blob"]
    with pytest.raises(SourceError) as caught:
        source.fetch_log(step, "azureml-logs/does-not-exist.txt")
    assert caught.value.kind == "not-found" and "refresh the panel" in str(caught.value)
    folder = source._cache.folder
    source.close()
    assert not folder.exists() and source.closed
    with pytest.raises(SourceError):
        source.fetch_log(step, step.first_log)


def test_fetch_log_wants_a_step_summary(defects: AzureMLPipelineSource) -> None:
    with pytest.raises(TypeError):
        defects.fetch_log("train-model", "azureml-logs/70_driver_log.txt")  # type: ignore[arg-type]
    with pytest.raises(SourceError):  # a step this source never listed
        defects.fetch_log(StepSummary(run_id="x", name="x", status="failed", log_files=("a.txt",)), "a.txt")


# ---- faults on the pipeline routes -----------------------------------------------------------------------------
_KIND = {"401-expired": "token-expired", "404": "not-found", "500": "server-error", "read-timeout": "timeout",
         "truncated-json": "bad-response"}
_BLOB_KIND = {**_KIND, "truncated-json": "network"}
_FIX = {"token-expired": ("Sign in again", "Refresh the panel"),
        "not-found": ("refresh", "Refresh", "Check the run id"),
        "server-error": ("in a minute",), "timeout": ("Check the network",), "bad-response": ("Refresh",),
        "network": ("Check the network",)}
# which operation reaches each route
_OPEN = ("pipeline-datatypes", "history-workspace-run", "history-experiment-id")
_SUMMARY = ("pipeline-run", "history-run-details", "history-children", "artifact-prefix")


@pytest.mark.parametrize("fault", list(_KIND))
@pytest.mark.parametrize("route", PIPELINE_ROUTES)
def test_faults_become_source_errors_that_name_the_fix(replay: ReplayWorkspace, route: str, fault: str) -> None:
    from azureml.core import Run

    source = AzureMLPipelineSource.open(replay.workspace, DEFECTS, limits=FAST)
    step_source = AzureMLPipelineSource(next(s for s in Run.get(replay.workspace, DEFECTS).get_steps()
                                             if s.name == "train-model"), limits=FAST)
    step = source.summary().step("train-model")

    def operation() -> object:
        if route in _OPEN:
            return AzureMLPipelineSource.open(replay.workspace, DEFECTS, limits=FAST)
        if route in _SUMMARY:
            return source.summary()
        if route == "pipeline-node-status":
            return step_source.summary()  # a StepRun's status comes from the pipelines service
        source._cache.path_for(step.run_id, step.first_log).unlink(missing_ok=True)
        return source.fetch_log(step, step.first_log)

    replay.reset_calls()
    replay.inject(route, fault)
    with pytest.raises(SourceError) as caught:
        operation()
    error = caught.value
    assert error.kind == (_BLOB_KIND if route == "blob" else _KIND)[fault], str(error)
    assert any(fix in str(error) for fix in _FIX[error.kind]), str(error)
    for text in (str(error), repr(error), error.detail):
        assert not SIG.search(text) and "sig=" not in text
    assert 1 <= sum(c.route == route for c in replay.calls) <= 12  # retries are few
    replay.clear_faults()
    assert operation() is not None  # and it works again
    source.close()
    step_source.close()


def test_injecting_a_service_on_a_pipeline_route_is_refused(replay: ReplayWorkspace) -> None:
    with pytest.raises(ValueError, match="not about one service"):
        replay.inject("blob", "500", service="iris-aci")
    with pytest.raises(ValueError, match="unknown replay route"):
        replay.set_latency(0.1, "blobs")
    with pytest.raises(ValueError):
        replay.set_latency(-1, "blob")


# ---- concurrency --------------------------------------------------------------------------------------------------
def _max_in_flight(calls: list) -> int:
    events = sorted([(c.started, 1) for c in calls] + [(c.ended, -1) for c in calls])
    level = peak = 0
    for _when, step in events:  # an end sorts before a start at the same instant
        level += step
        peak = max(peak, level)
    return peak


@pytest.mark.parametrize("workers", [1, 4])
def test_fetch_logs_overlaps_downloads_within_its_bound(replay: ReplayWorkspace, workers: int) -> None:
    with AzureMLPipelineSource.open(replay.workspace, WIDE, limits=FAST) as source:
        steps = source.summary().steps[:24]
        replay.set_latency(0.02, "blob")
        replay.reset_calls()
        results = fetch_logs(source, [(s, s.first_log) for s in steps], max_workers=workers)
        assert all(isinstance(p, Path) for p in results.values())
        blobs = [c for c in replay.calls if c.route == "blob"]
        assert len(blobs) == 24
        peak = _max_in_flight(blobs)
        assert peak == 1 if workers == 1 else 2 <= peak <= workers

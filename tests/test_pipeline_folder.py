"""Pipeline runs from folders of downloaded logs: layouts, statuses read from logs, export and reopen, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from amlnbtools.core.pipeline import PipelineSummary, StepSummary
from amlnbtools.sources.errors import SourceError
from amlnbtools.sources.files.export import export_pipeline_logs
from amlnbtools.sources.files.pipeline import METADATA_FILE, FolderPipelineSource
from amlnbtools.sources.pipeline import PipelineSource, fetch_logs
from amlnbtools.sources.pipeline.cause import find_root_cause

LOGS = Path(__file__).resolve().parents[1] / "amlnbtools" / "samples" / "logs"


@pytest.fixture
def run_folder(tmp_path: Path) -> Path:
    """Four steps in four layouts: common runtime, legacy driver log, ParallelRunStep, az ml job download."""
    root = tmp_path / "run"
    shutil.copytree(LOGS / "healthy" / "prep_ok", root / "prep")
    shutil.copytree(LOGS / "pipeline" / "train_model_dir_missing", root / "train")
    shutil.copytree(LOGS / "pipeline" / "prs_2021", root / "score")
    shutil.copytree(LOGS / "healthy" / "train_ok", root / "evaluate" / "artifacts")
    (root / "notes").mkdir()
    (root / "notes" / "readme.md").write_text("not a step", encoding="utf-8")
    return root


def test_each_layout_is_a_step_with_its_most_relevant_log_first(run_folder: Path) -> None:
    source = FolderPipelineSource(run_folder)
    assert isinstance(source, PipelineSource)
    summary = source.summary()
    steps = {s.name: s for s in summary.steps}
    assert set(steps) == {"prep", "train", "score", "evaluate"}
    assert steps["prep"].first_log == "user_logs/std_log.txt"
    assert steps["train"].first_log == "azureml-logs/70_driver_log.txt"
    assert steps["evaluate"].first_log == "azureml-logs/70_driver_log.txt"
    assert steps["score"].first_log == "logs/job_result.txt" and steps["score"].kind == "parallel-run"
    assert "logs/user/error.txt" in steps["score"].log_files


def test_statuses_and_times_are_read_from_the_logs(run_folder: Path) -> None:
    summary = FolderPipelineSource(run_folder).summary()
    steps = {s.name: s for s in summary.steps}
    assert steps["train"].status == "failed" and steps["score"].status == "failed"
    assert steps["evaluate"].status == "completed"  # its driver log ends with the success line
    assert steps["prep"].status == "unknown"  # a std_log without a success line or a known error
    assert steps["train"].started is not None and steps["train"].run_seconds == pytest.approx(111.433288)
    assert summary.status == "failed"
    assert [s.name for s in summary.steps][:3] == ["train", "evaluate", "score"]  # by start time, untimed last


def test_root_cause_is_the_first_failed_steps_finding_and_exception(run_folder: Path) -> None:
    source = FolderPipelineSource(run_folder)
    cause = find_root_cause(source.summary(), source.fetch_log)
    assert cause is not None and cause.step == "train"
    assert cause.finding is not None and cause.finding.rule == "output-dir-missing"
    assert cause.exception is not None and cause.exception.startswith("FileNotFoundError")
    assert (cause.file, cause.line) == ("azureml-logs/70_driver_log.txt", cause.finding.line)


def test_no_failed_step_no_root_cause(tmp_path: Path) -> None:
    shutil.copytree(LOGS / "healthy" / "train_ok", tmp_path / "run" / "train")
    source = FolderPipelineSource(tmp_path / "run")
    assert source.summary().status == "completed"
    assert find_root_cause(source.summary(), source.fetch_log) is None


def test_a_folder_holding_one_steps_logs_is_that_step(tmp_path: Path) -> None:
    shutil.copytree(LOGS / "pipeline" / "train_model_dir_missing", tmp_path / "one")
    summary = FolderPipelineSource(tmp_path / "one").summary()
    assert [(s.name, s.status) for s in summary.steps] == [("one", "failed")]


def test_steps_one_level_deeper_are_found(run_folder: Path, tmp_path: Path) -> None:
    outer = tmp_path / "downloads"
    outer.mkdir()
    shutil.move(str(run_folder), outer / "run-1")
    summary = FolderPipelineSource(outer).summary()
    assert {s.run_id for s in summary.steps} == {"run-1/prep", "run-1/train", "run-1/score", "run-1/evaluate"}


def test_fetch_log_gives_the_file_and_refuses_other_names(run_folder: Path) -> None:
    source = FolderPipelineSource(run_folder)
    train = source.summary().step("train")
    path = source.fetch_log(train, train.first_log or "")
    assert path.read_bytes() == (LOGS / "pipeline" / "train_model_dir_missing" / "azureml-logs" /
                                 "70_driver_log.txt").read_bytes()
    for name in ("../prep/user_logs/std_log.txt", "/etc/passwd", "azureml-logs/nope.txt"):
        with pytest.raises(SourceError, match="choose one of its files"):
            source.fetch_log(train, name)
    path.unlink()
    with pytest.raises(SourceError, match="download the step's logs again"):
        source.fetch_log(train, train.first_log or "")


@pytest.mark.parametrize("make", ["missing", "file", "empty"])
def test_bad_folders_name_the_fix(tmp_path: Path, make: str) -> None:
    target = tmp_path / "x"
    if make == "file":
        target.write_text("hello", encoding="utf-8")
    elif make == "empty":
        (target / "sub").mkdir(parents=True)
    with pytest.raises(SourceError) as info:
        FolderPipelineSource(target)
    assert info.value.kind == "not-found"
    assert ("download" in str(info.value)) or ("give the folder" in str(info.value))


def test_export_then_reopen_keeps_statuses_times_and_files(run_folder: Path, tmp_path: Path) -> None:
    source = FolderPipelineSource(run_folder)
    target, failures = export_pipeline_logs(source, tmp_path / "export", max_workers=3)
    assert failures == {}
    assert json.loads((target / METADATA_FILE).read_text(encoding="utf-8"))["format"] == "amlnbtools-pipeline/1"
    again = FolderPipelineSource(target).summary()
    before = source.summary()
    assert [(s.name, s.status, s.started, s.ended, s.log_files, s.kind) for s in again.steps] == \
           [(s.name, s.status, s.started, s.ended, s.log_files, s.kind) for s in before.steps]
    assert again.status == before.status
    with pytest.raises(SourceError, match="choose a new folder"):
        export_pipeline_logs(source, target)


def test_metadata_keeps_steps_that_never_ran_and_azure_statuses(tmp_path: Path) -> None:
    shutil.copytree(LOGS / "pipeline" / "train_model_dir_missing", tmp_path / "run" / "train")
    meta = {"format": "amlnbtools-pipeline/1", "run_id": "r1", "name": "defects", "raw_status": "Failed",
            "steps": [{"folder": "train", "name": "train-model", "raw_status": "Failed", "reused": False,
                       "started": "2026-05-01T08:00:00+00:00", "ended": "2026-05-01T08:05:00Z"},
                      {"folder": "score", "name": "score-batch", "raw_status": "NotStarted"}]}
    (tmp_path / "run" / METADATA_FILE).write_text(json.dumps(meta), encoding="utf-8")
    summary = FolderPipelineSource(tmp_path / "run").summary()
    assert [(s.name, s.status, s.log_files[:1]) for s in summary.steps] == [
        ("train-model", "failed", ("azureml-logs/70_driver_log.txt",)), ("score-batch", "not-started", ())]
    assert summary.steps[0].run_seconds == 300.0
    (tmp_path / "run" / METADATA_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(SourceError, match="delete it to read the logs without it"):
        FolderPipelineSource(tmp_path / "run").summary()


class _Flaky:
    """A source whose one file fails: the others must still arrive."""

    label = "flaky"

    def __init__(self, inner: FolderPipelineSource, bad: str) -> None:
        self.inner, self.bad = inner, bad

    def summary(self) -> PipelineSummary:
        return self.inner.summary()

    def fetch_log(self, step: StepSummary, name: str) -> Path:
        if name == self.bad:
            raise TimeoutError("read timed out")
        return self.inner.fetch_log(step, name)


def test_fetch_logs_reports_each_failure_and_keeps_the_rest(run_folder: Path) -> None:
    source = _Flaky(FolderPipelineSource(run_folder), bad="logs/user/error.txt")
    summary = source.summary()
    wanted = [(s, n) for s in summary.steps for n in s.log_files]
    results = fetch_logs(source, wanted, max_workers=2)
    assert len(results) == len(wanted)
    bad = [k for k, v in results.items() if isinstance(v, SourceError)]
    assert bad == [(summary.step("score").run_id, "logs/user/error.txt")]
    assert all(isinstance(v, Path) for k, v in results.items() if k not in bad)
    for workers in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="max_workers"):
            fetch_logs(source, wanted, max_workers=workers)  # type: ignore[arg-type]

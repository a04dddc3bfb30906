"""The pure pipeline model: status words, log reading order, times, root-cause helpers, the timeline."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from amlnbtools.core.pipeline import (
    STATUSES,
    PipelineSummary,
    StepSummary,
    normalize_status,
    rank_log_files,
    status_label,
)
from amlnbtools.core.pipeline.cause import last_exception

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(("raw", "expected"), [
    ("Finished", "completed"), ("Completed", "completed"), ("completed", "completed"), ("Succeeded", "completed"),
    ("NotStarted", "not-started"), ("Not Started", "not-started"), ("Queued", "queued"), ("Preparing", "preparing"),
    ("Running", "running"), ("Finalizing", "finalizing"), ("Failed", "failed"), ("Canceled", "canceled"),
    ("Cancelled", "canceled"), ("CancelRequested", "canceled"), ("NotResponding", "not-responding"),
    ("PartiallyExecuted", "partially-executed"), ("Bypassed", "bypassed"), ("Starting", "preparing"),
    ("Provisioning", "preparing"), ("", "unknown"), ("Exploded", "unknown"), (None, "unknown"), (3, "unknown"),
])
def test_status_words_are_normalized(raw: object, expected: str) -> None:
    assert normalize_status(raw) == expected
    assert expected in STATUSES


def test_every_status_has_a_label() -> None:
    for status in STATUSES:
        assert status_label(status) and "-" not in status_label(status)


def test_reading_order_puts_the_driver_log_first_and_job_post_last() -> None:
    names = ["azureml-logs/75_job_post-tvmps_1.txt", "azureml-logs/55_azureml-execution-tvmps_1.txt",
             "azureml-logs/70_driver_log_10.txt", "azureml-logs/70_driver_log_2.txt", "logs/azureml/executionlogs.txt",
             "azureml-logs/65_job_prep-tvmps_1.txt", "azureml-logs/70_driver_log_0.txt", "logs/azureml/8_azureml.log"]
    order = rank_log_files(names)
    assert order[0] == "azureml-logs/70_driver_log_0.txt"
    assert order[1:3] == ["azureml-logs/70_driver_log_2.txt", "azureml-logs/70_driver_log_10.txt"]
    assert order[-1] == "azureml-logs/75_job_post-tvmps_1.txt"
    assert sorted(order) == sorted(names)


def test_reading_order_of_parallel_run_and_common_runtime_layouts() -> None:
    prs = ["logs/sys/node/10.0.0.4/_main.txt", "logs/user/error/10.0.0.4/process000.txt",
           "logs/job_progress_overview.txt", "logs/user/error.txt", "logs/job_result.txt",
           "logs/perf/10.0.0.4/node_resource_usage.txt"]
    assert rank_log_files(prs)[:3] == ["logs/job_result.txt", "logs/user/error.txt",
                                      "logs/user/error/10.0.0.4/process000.txt"]
    common = ["system_logs/lifecycler/execution-wrapper.log", "user_logs/std_log_process_1.txt",
              "user_logs/std_log_process_0.txt"]
    assert rank_log_files(common)[0] == "user_logs/std_log_process_0.txt"
    assert rank_log_files(common)[-1].startswith("system_logs/")
    assert rank_log_files(["azureml-logs\\70_driver_log.txt", "x.txt"])[0] == "azureml-logs\\70_driver_log.txt"


def test_step_times_and_first_failure() -> None:
    a = StepSummary("a", "prep", "completed", queued=T0, started=T0 + timedelta(seconds=30),
                    ended=T0 + timedelta(seconds=90), log_files=("azureml-logs/70_driver_log.txt",))
    b = StepSummary("b", "train", "failed", started=T0 + timedelta(seconds=100), ended=T0 + timedelta(seconds=500))
    c = StepSummary("c", "score", "failed", started=T0 + timedelta(seconds=100), ended=T0 + timedelta(seconds=200))
    d = StepSummary("d", "eval", "not-responding")
    run = PipelineSummary("r", "demo", "failed", steps=(a, b, c, d))
    assert (a.wait_seconds, a.run_seconds, b.wait_seconds) == (30.0, 60.0, None)
    assert [s.name for s in run.failed_steps] == ["score", "train", "eval"]
    assert run.step("train") is b and run.step("c") is c
    with pytest.raises(KeyError, match="prep, train, score, eval"):
        run.step("nope")
    assert a.first_log == "azureml-logs/70_driver_log.txt" and d.first_log is None
    assert a.final and not StepSummary("x", "x", "running").final


def test_last_exception_of_the_last_traceback() -> None:
    lines = ["start", "Traceback (most recent call last):", '  File "a.py", line 1, in <module>', "ValueError: first",
             "more output", "Traceback (most recent call last):", '  File "train.py", line 40, in main',
             "    os.listdir(args.output_dir)", "FileNotFoundError: [Errno 2] No such file or directory: '/out'",
             "Cleaning up"]
    assert last_exception(lines) == (9, "FileNotFoundError: [Errno 2] No such file or directory: '/out'")
    assert last_exception(lines, first_line=101) == (109, lines[8])
    assert last_exception(["[stderr]Traceback (most recent call last):", '[stderr]  File "s.py", line 3',
                           "[stderr]KeyError: 'label'"]) == (3, "[stderr]KeyError: 'label'")
    assert last_exception(["no traceback", "ValueError: x"]) is None
    assert last_exception(["Traceback (most recent call last):", '  File "x.py", line 1']) is None


def test_timeline_marks_failed_steps_and_escapes_names() -> None:
    from amlnbtools.figures.pipeline import pipeline_timeline

    ok = StepSummary("a", "prep<img src=x onerror=alert(1)>", "completed", queued=T0, started=T0 + timedelta(seconds=5),
                     ended=T0 + timedelta(seconds=60), reused=True)
    bad = StepSummary("b", "train", "failed", raw_status="Failed", queued=T0, started=T0 + timedelta(seconds=60),
                      ended=T0 + timedelta(seconds=300))
    never = StepSummary("c", "score", "not-started")
    fig = pipeline_timeline(PipelineSummary("r", "demo", "failed", raw_status="Failed", steps=(ok, bad, never)))
    runs = {t.uid: t for t in fig.data}
    assert runs["run-failed"].x == (240000.0,)
    assert list(runs["run-failed"].marker.line.width) == [3]
    assert runs["wait"].x == (5000.0, 60000.0)
    assert all("<img" not in text for t in fig.data for text in (t.hovertext or ()))
    assert "1 step not started" in fig.layout.title.text
    assert fig.layout.xaxis.type == "date"

"""A whole workspace triaged at once, through the real SDKs on the sample workspace: every failing service, deployment
and job with its cause, grouped; the window; items that vanish, are forbidden, throttled or stall; the bound on
requests in flight; cancel; the panel, the report and the command line."""

from __future__ import annotations

import io
import json
import threading
import time
from datetime import timedelta

import pytest

import amlnbtools
from amlnbtools.cli import main
from amlnbtools.core.triage import parse_duration, report_html, report_markdown
from amlnbtools.sources._limits import Limits
from amlnbtools.sources.triage import ScanSettings, scan_workspace

pytest.importorskip("azure.ai.ml", reason="the v2 extra is installed by make test")

FAILING = {  # the sample workspace's failing items and the cause of each, as a user would name it
    "churn-aks-crashloop": "model-not-found", "vision-aks-gpu": "insufficient-gpu",
    "churn-v2/blue": "image-build-failed", "vision-v2/blue": "quota-exceeded", "credit-v2/blue": "dependency-error",
    "edge-k8s/blue": "cannot-schedule", "sleepy_lemon_7k2m9xq4": "dependency-error",
    "churn-train_1733329201_5d2c8e0f": "conda-solve-failed"}
QUICK = Limits(request_timeout_s=5.0, retries=1, backoff_s=0.05, budget_s=15.0)


@pytest.fixture(autouse=True)
def _sample(replay, monkeypatch):
    """The sample workspace is this test's replay (one replay per process at a time)."""
    import amlnbtools.sources.sample as sample

    monkeypatch.setattr(sample, "_replay", replay)


@pytest.fixture()
def sources():
    from amlnbtools.sources.sample import sample_source

    return sample_source(QUICK)


def _by_name(result):
    return {i.name: i for i in result.items}


def test_every_failing_item_of_the_sample_with_its_cause_grouped(replay, sources) -> None:
    result = scan_workspace(sources)
    items = _by_name(result)
    assert {i.name: i.rule for i in result.failing} == FAILING
    waiting = items["queued-gpu-train"]
    assert waiting.outcome == "waiting" and waiting.rule == "wait:quota" and "24 min" in waiting.evidence
    assert result.as_of == replay.recorded_at  # the sample's ages are measured from when it was recorded
    counts = result.counts()
    assert counts["healthy"] == 5 and counts["in-progress"] == 3 and counts["unreadable"] == 0
    groups = {g.key: g for g in result.groups}
    both = groups["dependency-error"]  # a deployment and a job lacking a package: one cause, each its package
    assert both.count == 2 and both.fix is None and {i.kind for i in both.items} == {"online deployment", "job"}
    assert "xgboost" in items["credit-v2/blue"].fix and "lightgbm" in items["sleepy_lemon_7k2m9xq4"].fix
    assert result.groups[0].key == "dependency-error"  # the largest group first
    assert items["sleepy_lemon_7k2m9xq4"].where.startswith("train_model: user_logs/std_log.txt, line")
    assert not any(i.listed for i in result.items if i.outcome in ("healthy", "in-progress"))


def test_the_window_keeps_recent_jobs_and_every_service(sources) -> None:
    recent = scan_workspace(sources, ScanSettings(since=timedelta(days=2)))
    names = {i.name for i in recent.items}
    assert "sleepy_lemon_7k2m9xq4" not in names and "churn-train_1733329201_5d2c8e0f" in names
    assert {"churn-aks-crashloop", "churn-v2/blue", "iris-aci"} <= names
    quiet = scan_workspace(sources, ScanSettings(since=timedelta(days=2), waiting_after=timedelta(hours=1)))
    assert "queued-gpu-train" not in {i.name for i in quiet.listed}  # waiting 24 min: not yet worth listing


def test_forbidden_and_vanished_items_are_reported_alone_and_the_scan_completes(replay, sources) -> None:
    replay.inject("service", "403", service="churn-aks-crashloop")
    replay.inject("service", "404", service="vision-aks-gpu")
    result = scan_workspace(sources)
    items = _by_name(result)
    assert (items["churn-aks-crashloop"].outcome, items["churn-aks-crashloop"].error_kind) == ("unreadable",
                                                                                               "forbidden")
    assert items["vision-aks-gpu"].error_kind == "not-found"
    assert {i.name for i in result.failing} == set(FAILING) - {"churn-aks-crashloop", "vision-aks-gpu"}
    unread = [g for g in result.groups if g.key.startswith("unreadable:")]
    assert unread and result.groups[-1] in unread  # listed after the causes


def test_a_throttled_item_waits_its_retry_after_then_is_read(replay, sources) -> None:
    replay.inject("service", "429-short", times=2, service="churn-aks-crashloop")  # both tries of the SDK call
    replay.reset_calls()
    result = scan_workspace(sources)
    assert _by_name(result)["churn-aks-crashloop"].rule == "model-not-found"
    mine = [c for c in replay.calls if c.route == "service" and "churn-aks-crashloop" in c.url]
    throttled = [c for c in mine if c.ended and mine.index(c) < 2]
    assert len(mine) >= 3 and mine[2].started - throttled[-1].ended >= 0.9  # Retry-After: 1 honoured


def test_a_stalled_item_is_left_out_in_time(replay, sources) -> None:
    replay.set_latency(4.0, "v2-logs")  # every deployment log answers after 4 s
    started = time.monotonic()
    result = scan_workspace(sources, ScanSettings(item_deadline_s=1.0))
    assert time.monotonic() - started < 12
    stalled = [i for i in result.items if i.error_kind == "timeout"]
    assert {i.name for i in stalled} == {"churn-v2/blue", "vision-v2/blue", "credit-v2/blue", "edge-k8s/blue"}
    assert "No answer within 1 s" in stalled[0].evidence
    assert _by_name(result)["churn-aks-crashloop"].rule == "model-not-found"  # the others are read


def _most_in_flight(calls) -> int:
    edges = sorted([(c.started, 1) for c in calls] + [(c.ended, -1) for c in calls])
    most = now = 0
    for _t, step in edges:
        now += step
        most = max(most, now)
    return most


@pytest.mark.parametrize("workers", [1, 3])
def test_never_more_requests_in_flight_than_workers(replay, sources, workers: int) -> None:
    replay.scale(services=12, endpoints=6, jobs=40, failing=0.25)
    replay.set_latency(0.02)
    replay.reset_calls()
    result = scan_workspace(sources, ScanSettings(max_workers=workers))
    calls = [c for c in replay.calls if c.ended]
    assert _most_in_flight(calls) <= workers
    assert len(result.failing) == len(FAILING) + 3 + 2 + 10  # the copies of failing items fail alike
    assert sum(1 for i in result.items if i.kind == "job") >= 40


def test_cancel_stops_the_scan_and_counts_what_was_not_read(replay, sources) -> None:
    replay.set_latency(0.3)
    cancel = threading.Event()
    threading.Timer(1.0, cancel.set).start()
    result = scan_workspace(sources, ScanSettings(max_workers=2), cancel=cancel)
    assert result.cancelled
    assert any(i.error_kind == "cancelled" for i in result.items) or result.problems


def test_a_workspace_with_nothing_failing_says_so(replay, sources) -> None:
    for name in ("churn-aks-crashloop", "vision-aks-gpu"):
        replay.set_state(name, "Healthy", error=None)
    for name in ("churn-v2/blue", "vision-v2/blue", "credit-v2/blue", "edge-k8s/blue"):
        replay.set_state(name, "Succeeded", error=None)
    result = scan_workspace(sources, ScanSettings(since=timedelta(minutes=1)))
    assert not result.groups and "Nothing is failing." in report_markdown(result)
    out = io.StringIO()
    assert main(["triage", "--sample", "--since", "1m"], out=out, err=io.StringIO()) == 0
    assert "Nothing is failing." in out.getvalue()


def test_the_command_line_for_cron_json_and_a_report(tmp_path) -> None:
    out, err = io.StringIO(), io.StringIO()
    report = tmp_path / "triage.html"
    assert main(["triage", "--sample", "--json", "--report", str(report)], out=out, err=err) == 1
    data = json.loads(out.getvalue())
    assert {i["name"]: i["rule"] for i in data["items"] if i["outcome"] == "failing"} == FAILING
    assert {"kind", "name", "state", "rule", "title"} <= set(data["items"][0])
    assert sum(g["count"] for g in data["groups"]) == len(data["items"]) == 9
    assert data["counts"]["healthy"] == 5
    page = report.read_text()
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page and "ModuleNotFoundError" in page
    text = io.StringIO()
    assert main(["triage", "--sample"], out=text, err=err) == 1
    assert "[dependency-error]" in text.getvalue() and "9 failing" not in text.getvalue()
    assert main(["triage", "--sample", "--since", "7 days"], out=io.StringIO(), err=err) == 2
    assert "7d" in err.getvalue()


def test_reports_redact_secrets_and_escape_markup(replay, sources) -> None:
    replay.set_logs("credit-v2/blue", "Loading score.py <script>alert(1)</script> AccountKey=abcdEFGH1234secret\n"
                    "ModuleNotFoundError: No module named 'xgboost' <img src=x onerror=alert(2)> "
                    "sig=SuperSecretSignature123\n")
    result = scan_workspace(sources)
    md, page = report_markdown(result), report_html(result)
    for text in (md, page):
        assert "SuperSecretSignature123" not in text and "[REDACTED]" in text
    assert "<img" not in page and "&lt;img" in page


def test_the_panel_grows_as_items_arrive_and_opens_each_kind(tmp_path) -> None:
    panel = amlnbtools.triage(since="7d", max_workers=4)
    assert panel.wait(120).status == "finished"
    frame = panel.frame
    assert set(frame[frame.outcome == "failing"].name) == set(FAILING)
    assert "dependency-error" in {g.key for g in panel.groups}
    assert panel.chart.figure is not None and len(panel.chart.figure.data[0].x) == len(panel.groups)
    assert "A Python package is missing" in panel._table.value
    jobs = panel.open("sleepy_lemon_7k2m9xq4")
    assert type(jobs).__name__ == "PipelineLogsPanel"
    deployment = panel.open("churn-v2/blue")
    assert type(deployment).__name__ == "DeploymentLogsPanel" and deployment.wait().status == "finished"
    written = panel.export(tmp_path / "report.md")
    assert "# Triage of workspace mlw-contoso-prod" in written.read_text()


@pytest.mark.parametrize("value", ["7 days", "0d", "-1h", "soon", 7])
def test_a_wrong_window_names_the_form_it_takes(value) -> None:
    with pytest.raises(ValueError, match="30m, 12h, 7d or 2w"):
        parse_duration(value)


def test_wrong_bounds_are_refused() -> None:
    with pytest.raises(ValueError, match="max_workers"):
        ScanSettings(max_workers=0)
    with pytest.raises(ValueError, match="item_deadline_s"):
        ScanSettings(item_deadline_s=0)

"""Long work shows how far it is and can be stopped: step log downloads (bytes), many step logs (files), the
level scan of a big log (lines) — through the real pipeline sources on the replay and the real log view."""

from __future__ import annotations

import threading

import pytest

from amlnbtools.sources._progress import Cancelled, reporting
from amlnbtools.sources.azureml_v1.pipeline import AzureMLPipelineSource, Limits
from amlnbtools.sources.errors import SourceError
from amlnbtools.sources.pipeline import fetch_logs
from amlnbtools.sources.replay import PIPELINE_RUNS
from amlnbtools.widgets._progress import ProgressRow, size_text

FAST = Limits(request_timeout_s=2.0, retries=1, backoff_s=0.01, budget_s=20.0)


@pytest.fixture
def wide(replay):
    with AzureMLPipelineSource.open(replay.workspace, PIPELINE_RUNS["wide-pipeline"], limits=FAST) as source:
        yield source


def test_many_step_logs_count_as_they_arrive(wide) -> None:
    wanted = [(step, step.log_files[0]) for step in wide.summary().steps if step.log_files]
    seen: list[tuple[int, int]] = []
    results = fetch_logs(wide, wanted, on_done=lambda done, total: seen.append((done, total)))
    assert len(results) == len(wanted) > 10
    assert [done for done, _ in seen] == list(range(1, len(wanted) + 1)) and {t for _, t in seen} == {len(wanted)}


def test_stopped_fetches_fetch_nothing_more(wide, replay) -> None:
    wanted = [(step, step.log_files[0]) for step in wide.summary().steps if step.log_files]
    stop = threading.Event()
    stop.set()
    replay.reset_calls()
    results = fetch_logs(wide, wanted, cancel=stop)
    assert all(isinstance(r, SourceError) and r.kind == "cancelled" for r in results.values())
    assert [c for c in replay.calls if "blob" in c.route] == []


def test_a_download_reports_its_bytes_and_stops_when_cancelled(replay) -> None:
    with AzureMLPipelineSource.open(replay.workspace, PIPELINE_RUNS["defects-pipeline"], limits=FAST) as source:
        step = next(s for s in source.summary().steps if s.log_files)
        name = step.log_files[0]
        reports: list[tuple[int, int | None]] = []
        with reporting(lambda done, total: reports.append((done, total))):
            path = source.fetch_log(step, name)
        assert reports and reports[-1][0] == path.stat().st_size and reports[-1][1] in (None, path.stat().st_size)
        source.close()
    with AzureMLPipelineSource.open(replay.workspace, PIPELINE_RUNS["defects-pipeline"], limits=FAST) as fresh:
        step = next(s for s in fresh.summary().steps if s.log_files)
        stop = threading.Event()
        stop.set()
        with reporting(None, stop), pytest.raises(Cancelled):
            fresh.fetch_log(step, step.log_files[0])
        assert not any(p.name.startswith(".part-") for p in fresh._cache.folder.rglob("*"))  # nothing half-written


def test_the_level_scan_of_a_big_log_can_be_stopped() -> None:
    from test_logview import SlowStore, driver_lines

    from amlnbtools.widgets.logview import LogView

    gate = threading.Event()
    view = LogView()
    view.set_file(SlowStore("\n".join(driver_lines(150_000)), gate))
    assert "Finding the level of each line" in view._status.value
    view._scan_row.cancel()  # what the Cancel button does
    gate.set()
    view.wait()
    assert not view.levels_ready and "Level scan stopped" in view._status.value
    assert view._scan_row.widget.layout.display == "none"


def test_the_progress_row_shows_counts_and_bytes() -> None:
    row = ProgressRow()
    row.start("Downloading std_log.txt:")
    assert row.widget.layout.display == "none"  # nothing shown until something is reported
    row.bytes(3 * 1024 * 1024, 12 * 1024 * 1024)
    row._redraw.flush()
    assert row.widget.layout.display == "flex" and row._bar.value == pytest.approx(0.25)
    assert "3.0 MB / 12.0 MB" in row._label.value
    row.finish()
    assert row.widget.layout.display == "none"
    assert size_text(512) == "512 B" and size_text(1536) == "1.5 KB"


def test_the_pipeline_panel_stops_a_download_when_asked(replay) -> None:
    import amlnbtools

    panel = amlnbtools.pipeline_logs(PIPELINE_RUNS["defects-pipeline"], replay.workspace)
    assert panel.wait().status == "finished"
    shown = panel.log_view.html
    other = next(name for name in panel.step.log_files if name != panel.file)
    replay.set_latency(1.0, "blob")  # the file takes a second to start arriving
    panel.select_file(other)
    panel._log_progress.cancel()  # what the Cancel button does
    panel.wait()
    assert f"Download of {other} stopped" in panel._log_status.value
    assert panel.log_view.html == shown  # the log shown before stays
    replay.set_latency(0, "blob")
    panel.select_file(other)  # choosing it again downloads it
    panel.wait()
    assert panel.file == other and f"Download of {other} stopped" not in panel._log_status.value


def test_stopping_the_root_cause_reads_keeps_what_was_read(replay) -> None:
    from amlnbtools.widgets.pipeline._parts import load_run

    with AzureMLPipelineSource.open(replay.workspace, PIPELINE_RUNS["defects-pipeline"], limits=FAST) as source:
        counted: list[int] = []
        summary, cause = load_run(source, lambda done, total: counted.append(total))
        assert cause is not None and counted and set(counted) == {len(counted)}
    with AzureMLPipelineSource.open(replay.workspace, PIPELINE_RUNS["defects-pipeline"], limits=FAST) as source:
        stop = threading.Event()
        stop.set()
        summary, cause = load_run(source, cancel=stop)  # nothing fetched concurrently; the cause still found
        assert summary.status == "failed" and cause is not None and cause.step == "train-model"

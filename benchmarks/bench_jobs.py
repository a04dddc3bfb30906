"""SDK v2 jobs: a 50-step pipeline job read and fetched one request at a time against concurrently, and the live
tail of a log growing at 1,000 lines a second.

1. The replay's SDK v2 pipeline job of 50 command steps (``clone_pipeline_job``; the real azure-ai-ml client,
   HTTP answered in-process) with 50 ms injected on **every** request (ARM, run history, blobs): open the job
   (the job, its children, every step's details) and fetch every step's first log. The reference is the same
   with ``max_workers=1`` (one request at a time), measured in the same run. Goal: concurrent ≤ 1/4.
2. The running job ``live-train`` writing 1,000 lines a second on each process while the pipeline panel
   follows it (a poll every 0.25 s) for 8 s: how often the log view was redrawn, and the largest widget
   message (captured as the kernel would send it). Goals: ≤ 20 redraws a second, no message over 1 MB. The
   reference is the number of lines written meanwhile: one redraw per line would be 1,000 a second.
"""

from __future__ import annotations

import time

from bench_viewer import Recorder

from amlnbtools.sources._limits import Limits
from amlnbtools.sources.azureml_v2 import AzureMLV2Source
from amlnbtools.sources.azureml_v2.jobs import AzureMLJobSource
from amlnbtools.sources.base import DEFAULT_FETCH_WORKERS, fetch_logs
from amlnbtools.sources.replay import ReplayWorkspace

GOALS = {"ratio": 0.25, "redraws_per_s": 20.0, "message_mb": 1.0}
STEPS = 50


def _source(replay: ReplayWorkspace) -> AzureMLV2Source:
    ident = replay.identity
    return AzureMLV2Source(replay.credential, ident.subscription_id, ident.resource_group, ident.name,
                           info=AzureMLV2Source.from_ml_client(replay.ml_client).info,
                           limits=Limits(request_timeout_s=10, retries=1, budget_s=120))


def _open_and_fetch(replay: ReplayWorkspace, name: str, workers: int, latency_s: float) -> tuple[float, int, int]:
    """Seconds to read the job and fetch every step's first log; steps; requests sent."""
    v2 = _source(replay)
    v2.ml_client.jobs.get(name)  # warm the client (discovery, workspace) outside the measurement
    replay.set_latency(latency_s)
    replay.reset_calls()
    try:
        with AzureMLJobSource(v2, name, max_workers=workers) as source:
            start = time.perf_counter()
            steps = source.summary().steps
            results = fetch_logs(source, [(s, s.first_log) for s in steps if s.first_log], max_workers=workers)
            elapsed = time.perf_counter() - start
    finally:
        replay.set_latency(0)
    failed = [value for value in results.values() if isinstance(value, Exception)]
    if failed or len(results) != STEPS:
        raise RuntimeError(f"{len(failed)} downloads failed of {len(results)}: {failed[:1]}")
    return elapsed, len(steps), len(replay.calls)


def _live_tail(replay: ReplayWorkspace, seconds: float = 8.0, rate: int = 1000) -> dict[str, float]:
    import amlnbtools
    from amlnbtools.sources.workspace import open_workspace
    from amlnbtools.widgets.workspace import WorkspacePanel

    ident = replay.identity
    workspace = WorkspacePanel(lambda: open_workspace(
        subscription_id=ident.subscription_id, resource_group=ident.resource_group, workspace_name=ident.name,
        auth=replay.credential), label="replay")
    workspace.wait()
    replay.start_live_job(lines_per_s=rate, run_s=3600)
    panel = amlnbtools.pipeline_logs("live-train", workspace, refresh=False)
    panel._follow_wanted = False  # the benchmark starts following itself, at its own pace
    panel.refresh()
    panel.wait()
    with Recorder() as rec:
        since, draws = rec.mark(), panel.log_view._render_soon.calls
        first_lines = panel.log_view.line_count
        start = time.perf_counter()
        panel.follow(interval_s=0.25, refresh_every=8)
        time.sleep(seconds)
        panel.stop_following()
        elapsed = time.perf_counter() - start
        redraws = panel.log_view._render_soon.calls - draws
        largest = rec.largest(since)
        lines = panel.log_view.line_count
    return {"seconds": elapsed, "redraws_per_s": redraws / elapsed, "message_mb": largest / 1e6,
            "lines_shown": lines, "lines_added": lines - first_lines, "written_per_s": rate}


def main(latency_s: float = 0.05, workers: int = DEFAULT_FETCH_WORKERS) -> dict[str, float]:
    with ReplayWorkspace() as replay:
        name = replay.clone_pipeline_job("wide-v2", STEPS)
        _open_and_fetch(replay, name, workers, 0.0)  # warm-up: imports, first SDK calls
        sequential_s, steps, requests = _open_and_fetch(replay, name, 1, latency_s)
        concurrent_s, _, _ = _open_and_fetch(replay, name, workers, latency_s)
        tail = _live_tail(replay)
    ratio = concurrent_s / sequential_s
    print(f"v2 pipeline job: {steps} steps, {requests} requests to open it and fetch each step's first log, "
          f"{1000 * latency_s:.0f} ms latency per request")
    print(f"  one request at a time (max_workers=1)  {sequential_s:.3f} s")
    print(f"  concurrent (max_workers={workers})  {concurrent_s:.3f} s")
    print(f"  ratio concurrent/sequential {ratio:.3f} (goal ≤ {GOALS['ratio']}: "
          f"{'met' if ratio <= GOALS['ratio'] else 'NOT met'})")
    print(f"live tail: {tail['written_per_s']:.0f} lines/s written for {tail['seconds']:.1f} s, "
          f"{tail['lines_added']:.0f} lines shown meanwhile")
    print(f"  {tail['redraws_per_s']:.1f} redraws/s of the log view (goal ≤ {GOALS['redraws_per_s']:.0f}; "
          f"one per line would be {tail['written_per_s']:.0f}/s), largest widget message "
          f"{tail['message_mb']:.3f} MB (goal ≤ {GOALS['message_mb']:.0f} MB)")
    return {"sequential_s": sequential_s, "concurrent_s": concurrent_s, "ratio": ratio, "requests": requests,
            **{f"tail_{k}": v for k, v in tail.items()}}


if __name__ == "__main__":
    main()

"""Fetching the first log of every step of a 50-step pipeline: sequential against concurrent.

The pipeline is the replay workspace's ``wide-pipeline`` (real azureml-core / azureml-pipeline-core,
HTTP answered in-process). Every log download waits an injected latency (50 ms by default, like a
blob GET over the internet) without holding a lock, so concurrent downloads overlap as they would over
a network. The reference is ``fetch_logs(..., max_workers=1)``, measured in the same run; each mode gets
a fresh source (an empty cache). Goal: concurrent wall time ≤ 1/4 of sequential.
"""

from __future__ import annotations

import time

from amlnbtools.sources.azureml_v1.pipeline import AzureMLPipelineSource
from amlnbtools.sources.pipeline import DEFAULT_FETCH_WORKERS, fetch_logs
from amlnbtools.sources.replay import PIPELINE_RUNS, ReplayWorkspace

GOAL_RATIO = 0.25  # concurrent / sequential wall time


def _fetch_all(replay: ReplayWorkspace, workers: int, latency_s: float) -> tuple[float, int, int]:
    """Seconds to fetch every step's first log with ``workers`` threads; files fetched; most requests in flight."""
    with AzureMLPipelineSource.open(replay.workspace, PIPELINE_RUNS["wide-pipeline"]) as source:
        steps = source.summary().steps
        replay.set_latency(latency_s, "blob")
        replay.reset_calls()
        try:
            start = time.perf_counter()
            results = fetch_logs(source, [(s, s.first_log) for s in steps if s.first_log], max_workers=workers)
            elapsed = time.perf_counter() - start
        finally:
            replay.set_latency(0, "blob")
        failed = [key for key, value in results.items() if isinstance(value, Exception)]
        if failed:
            raise RuntimeError(f"{len(failed)} downloads failed, e.g. {results[failed[0]]}")
        blobs = [c for c in replay.calls if c.route == "blob"]
        events = sorted([(c.started, 1) for c in blobs] + [(c.ended, -1) for c in blobs])
        level = peak = 0
        for _when, step in events:
            level += step
            peak = max(peak, level)
        return elapsed, len(results), peak


def main(latency_s: float = 0.05, workers: int = DEFAULT_FETCH_WORKERS) -> dict[str, float]:
    with ReplayWorkspace() as replay:
        _fetch_all(replay, workers, 0.0)  # warm-up: imports, first SDK calls
        sequential_s, files, _ = _fetch_all(replay, 1, latency_s)
        concurrent_s, _, peak = _fetch_all(replay, workers, latency_s)
    ratio = concurrent_s / sequential_s
    print(f"pipeline fetch: first log of {files} steps, {1000 * latency_s:.0f} ms latency per download")
    print(f"  sequential (max_workers=1)  {sequential_s:.3f} s")
    print(f"  concurrent (max_workers={workers})  {concurrent_s:.3f} s, at most {peak} downloads in flight")
    print(f"  ratio concurrent/sequential {ratio:.3f} ({ratio / GOAL_RATIO:.2f}x the 1/4 goal: "
          f"{'met' if ratio <= GOAL_RATIO else 'NOT met'})")
    return {"files": files, "latency_s": latency_s, "sequential_s": sequential_s, "concurrent_s": concurrent_s,
            "ratio": ratio, "max_in_flight": peak}


if __name__ == "__main__":
    main()

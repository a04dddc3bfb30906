"""A whole workspace triaged: 300 services and online endpoints and 2,000 jobs, every request 50 ms late.

The replay workspace is scaled (``ReplayWorkspace.scale``: 150 web services and 150 online endpoints with two
deployments each, 2,000 jobs, 10 % of each kind failing like the sample's failing items) and every request waits
50 ms. The same scan runs twice in one process: with one worker (a sequential scan: one request at a time) and with
``WORKERS`` workers. Reported: wall times and their ratio (goal ≤ 1/6), the most requests in flight at once (from the
replay's record of each request: goal ≤ workers), the requests sent, and the peak memory the concurrent scan
allocated (tracemalloc, on a third run that is not timed: tracing slows Python down).
"""

from __future__ import annotations

import time
import tracemalloc

from amlnbtools.sources.replay import ReplayWorkspace

SERVICES, ENDPOINTS, JOBS, LATENCY_S, WORKERS = 150, 150, 2000, 0.05, 16
GOALS = {"ratio": 1 / 6}


def _most_in_flight(calls) -> int:
    edges = sorted([(c.started, 1) for c in calls if c.ended] + [(c.ended, -1) for c in calls if c.ended])
    most = now = 0
    for _t, step in edges:
        now += step
        most = max(most, now)
    return most


def _scan(replay, sources, workers: int, trace: bool = False) -> dict[str, float]:
    from amlnbtools.sources.triage import ScanSettings, scan_workspace

    replay.reset_calls()
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    result = scan_workspace(sources, ScanSettings(since=None, max_workers=workers, item_deadline_s=600))
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    if trace:
        tracemalloc.stop()
    calls = list(replay.calls)
    counts = result.counts()
    return {"seconds": seconds, "requests": len(calls), "in_flight": _most_in_flight(calls),
            "items": len(result.items), "failing": counts["failing"], "unread": counts["unreadable"],
            "peak_mb": peak / 1e6}


def main() -> dict[str, float]:
    import amlnbtools.sources.sample as sample
    from amlnbtools.sources._limits import Limits
    from amlnbtools.sources.sample import sample_source

    with ReplayWorkspace() as replay:
        sample._replay = replay
        try:
            replay.scale(services=SERVICES, endpoints=ENDPOINTS, jobs=JOBS, failing=0.1)
            sources = sample_source(Limits(request_timeout_s=30.0, retries=1, backoff_s=0.05, budget_s=120.0))
            _scan(replay, sources, WORKERS)  # warm-up: imports, clients, caches of the SDKs
            replay.set_latency(LATENCY_S)
            sequential = _scan(replay, sources, 1)
            concurrent = _scan(replay, sources, WORKERS)
            # memory on a run of its own: tracemalloc slows Python down several times, so it is not timed
            concurrent["peak_mb"] = _scan(replay, sources, WORKERS, trace=True)["peak_mb"]
        finally:
            sample._replay = None
    ratio = concurrent["seconds"] / sequential["seconds"]
    print(f"triage: {SERVICES} web services, {ENDPOINTS} online endpoints, {JOBS:,} jobs, {LATENCY_S * 1000:.0f} ms "
          "a request")
    print(f"  sequential (1 worker)   {sequential['seconds']:.1f} s, {sequential['requests']} requests, "
          f"{sequential['items']} items, {sequential['failing']} failing, at most {sequential['in_flight']} in flight")
    print(f"  concurrent ({WORKERS} workers) {concurrent['seconds']:.1f} s, {concurrent['requests']} requests, "
          f"{concurrent['items']} items, {concurrent['failing']} failing, at most {concurrent['in_flight']} in flight,"
          f" peak memory {concurrent['peak_mb']:.1f} MB")
    print(f"  ratio concurrent/sequential {ratio:.3f} (goal ≤ {GOALS['ratio']:.3f}: "
          f"{'met' if ratio <= GOALS['ratio'] else 'NOT met'}); in flight ≤ {WORKERS}: "
          f"{'met' if concurrent['in_flight'] <= WORKERS else 'NOT met'}")
    return {"ratio": ratio, "sequential_s": sequential["seconds"], "concurrent_s": concurrent["seconds"],
            "in_flight": concurrent["in_flight"], "peak_mb": concurrent["peak_mb"], "requests": concurrent["requests"]}


if __name__ == "__main__":
    main()

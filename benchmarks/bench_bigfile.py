"""Paging a large driver log through the line index, against reading the whole file into a list of lines.

The log is ~120 MB, 1,000,000 lines: azmlinfsrv, pipe-format and ``[stderr]`` lines of mixed length,
tracebacks, ~1,000 "CUDA out of memory" lines, and ~500 very long lines (JSON dumps, 4–80 KB), some
of them in one block. The reference is what one would write without the index:
``Path.read_text(errors="replace").splitlines()``, measured in the same run on the same file.
"""

from __future__ import annotations

import gc
import json
import random
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

from amlnbtools.sources.files.bigfile import IndexedLog

PAGE_LINES = 200
GOALS = {"open_first_page_s": 2.0, "page_fetch_ms": 1.0, "page_json_mb": 1.0}

TRACEBACK = ("Traceback (most recent call last):\n"
             '  File "/var/azureml-app/score.py", line 41, in run\n'
             "    result = model.predict(data)\n"
             '  File "/azureml-envs/lib/python3.10/site-packages/sklearn/base.py", line 706, in predict\n'
             "    X = self._validate_data(X, reset=False)\n"
             "ValueError: X has 12 features, but StandardScaler is expecting 14 features as input.\n")


def _line(rng: random.Random, i: int) -> str:
    kind = rng.random()
    stamp = f"2026-11-22 10:{(i // 60000) % 60:02d}:{(i // 1000) % 60:02d},{i % 1000:03d}"
    if kind < 0.55:
        return (f"{stamp} I [11298] azmlinfsrv - POST /score 200 {rng.uniform(1, 900):.3f}ms "
                f"{rng.randint(1, 40)} request_id={rng.getrandbits(64):016x}\n")
    if kind < 0.85:
        return f"{stamp} | root | INFO | batch {i} scored: " + "x" * rng.randint(0, 120) + "\n"
    if kind < 0.97:
        return f"[stderr]Warning: {rng.choice(['deprecated', 'slow call', 'retrying'])} step={i}\n"
    return f"{stamp} | root | DEBUG | " + " ".join(f"k{j}={rng.random():.6f}" for j in range(rng.randint(5, 25))) + "\n"


def make_log(path: Path, lines: int = 1_000_000, seed: int = 7) -> int:
    """Write the test log; returns its size in bytes."""
    rng = random.Random(seed)
    out, written, count, heavy_written = [], 0, 0, False
    with path.open("w", encoding="utf-8", newline="") as fh:
        while count < lines:
            roll = rng.random()
            if roll < 0.001:  # ~1,000 hits for the search
                text = f"[stderr]RuntimeError: CUDA out of memory. Tried to allocate {rng.randint(1, 9)}.00 GiB\n"
            elif roll < 0.0015:
                text = "[stderr]config=" + json.dumps({f"key{j}": "v" * rng.randint(10, 90)
                                                       for j in range(rng.randint(50, 1000))}) + "\n"
            elif roll < 0.004:
                text = TRACEBACK
            elif count >= lines // 2 and not heavy_written:  # one block of 200 long lines: the heaviest page
                text, heavy_written = "".join(f"{'é' * 3000} dump {j}\r\n" for j in range(PAGE_LINES)), True
            else:
                text = _line(rng, count)
            count += text.count("\n")
            out.append(text)
            if len(out) >= 10_000:
                written += fh.write("".join(out))
                out.clear()
        written += fh.write("".join(out))
    return path.stat().st_size


def _timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _peak_memory(fn) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        result = fn()
        return tracemalloc.get_traced_memory()[1], result
    finally:
        tracemalloc.stop()


def _open_first_page(path: Path) -> tuple[IndexedLog, list[str]]:
    log = IndexedLog(path)
    return log, log.lines(0, PAGE_LINES)


def _page_json_bytes(log: IndexedLog, start: int) -> int:
    stop = start + PAGE_LINES
    page = {"start": start, "lines": log.lines(start, stop), "levels": log.levels(start, stop)}
    return len(json.dumps(page, ensure_ascii=False).encode("utf-8"))


def main(lines: int = 1_000_000) -> dict[str, float]:
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "70_driver_log.txt"
        size = make_log(path, lines)
        path.read_bytes()  # warm the page cache
        open_s, (log, _first) = _timed(lambda: _open_first_page(path))
        n = log.line_count
        fetch_s = []
        for _ in range(200):
            k = rng.randrange(max(1, n - PAGE_LINES))
            fetch_s.append(_timed(lambda k=k: log.lines(k, k + PAGE_LINES))[0])
        search_s, hits = _timed(lambda: log.search("cuda out of memory", limit=100_000))
        json_sizes = [_page_json_bytes(log, rng.randrange(max(1, n - PAGE_LINES))) for _ in range(50)]
        heavy = log.search("dump 0", case_sensitive=True, limit=1)
        worst_json = _page_json_bytes(log, heavy[0] - 1) if heavy else max(json_sizes)
        log.close()
        index_peak, index_log = _peak_memory(lambda: _open_first_page(path)[0])
        index_held = index_log.index_bytes
        index_log.close()
        ref_s, ref_lines = _timed(lambda: path.read_text(encoding="utf-8", errors="replace").splitlines())
        ref_count = len(ref_lines)
        del ref_lines
        ref_peak, _ = _peak_memory(lambda: len(path.read_text(encoding="utf-8", errors="replace").splitlines()))
    mb = size / 1e6
    r = {
        "size_mb": mb, "lines": n, "open_first_page_s": open_s, "page_fetch_ms": 1000 * statistics.median(fetch_s),
        "page_fetch_max_ms": 1000 * max(fetch_s), "search_s": search_s, "search_hits": len(hits),
        "page_json_mb_median": statistics.median(json_sizes) / 1e6, "page_json_mb": worst_json / 1e6,
        "index_peak_mb": index_peak / 1e6, "index_held_mb": index_held / 1e6,
        "reference_s": ref_s, "reference_peak_mb": ref_peak / 1e6,
    }
    print(f"bigfile: {mb:.0f} MB, {n:,} lines (reference splitlines() counts {ref_count:,})")
    print(f"  open -> first page  {open_s:.3f} s   ({open_s / GOALS['open_first_page_s']:.2f}x the 2 s goal; "
          f"reference read_text().splitlines() {ref_s:.3f} s = {ref_s / open_s:.1f}x slower than the index)")
    print(f"  page fetch ({PAGE_LINES} lines)  median {r['page_fetch_ms']:.3f} ms, max {r['page_fetch_max_ms']:.3f} ms "
          f"({r['page_fetch_ms'] / GOALS['page_fetch_ms']:.2f}x the 1 ms goal)")
    print(f"  search 'cuda out of memory'  {len(hits)} hits in {search_s:.3f} s ({mb / search_s:.0f} MB/s)")
    print(f"  page as JSON  median {1000 * r['page_json_mb_median']:.1f} kB, "
          f"heaviest page {1000 * r['page_json_mb']:.1f} kB "
          f"({r['page_json_mb'] / GOALS['page_json_mb']:.2f}x the 1 MB goal)")
    print(f"  memory  index build peak {r['index_peak_mb']:.1f} MB, index held {r['index_held_mb']:.1f} MB; "
          f"reference peak {r['reference_peak_mb']:.0f} MB = {ref_peak / max(index_peak, 1):.0f}x the index build peak")
    return r


if __name__ == "__main__":
    main()

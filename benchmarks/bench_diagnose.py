"""Diagnosis throughput and memory on a large log, against a plain Python ``re`` scan of the same file.

The reference is what one would write without the engine: the catalogue's patterns joined into
one Python regular expression, searched line by line. Both run in this process on the same file.
"""

from __future__ import annotations

import re
import tempfile
import time
import tracemalloc
from pathlib import Path

from amlnbtools.core import default_catalogue
from amlnbtools.sources.files.logfiles import diagnose_file

HEALTHY = (
    "2021-03-08 12:58:41,120 | root | INFO | scored batch 503 with 0 errors, timeout=60, latency 12.3 ms\n",
    "[2020-10-22T14:05:11.118042] epoch 7/20 loss=0.503 accuracy=0.91 errors=0\n",
    "2026-11-22 10:08:19,351 I [11298] azmlinfsrv - POST /score 200 4.120ms 17\n",
)
FAILURE = "[stderr]ModuleNotFoundError: No module named 'lightgbm'\n"


def make_log(path: Path, megabytes: int) -> int:
    block = "".join(HEALTHY * 3000) + FAILURE
    data = block.encode()
    with path.open("wb") as fh:
        written = 0
        while written < megabytes * 1_000_000:
            fh.write(data)
            written += len(data)
    return written


def naive_scan(path: Path) -> set[int]:
    sources = default_catalogue().prefilter_sources()
    regex = re.compile("|".join(f"(?:{s})" for s in sources), re.ASCII)
    hits = set()
    with path.open(encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, 1):
            if regex.search(line):
                hits.add(number)
    return hits


def measure(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def main(megabytes: int = 200, reference_megabytes: int = 10) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "70_driver_log.txt"
        size = make_log(path, megabytes)
        small = Path(tmp) / "small_70_driver_log.txt"  # the reference is slow: it reads a smaller file
        small_size = make_log(small, reference_megabytes)
        path.read_bytes(), small.read_bytes()  # warm the page cache
        engine_s, findings = measure(diagnose_file, path)
        naive_s, hits = measure(naive_scan, small)
        assert findings.rules == ("dependency-error",) and diagnose_file(small)[0].count == len(hits)
        tracemalloc.start()
        diagnose_file(path)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    mb = size / 1e6
    result = {
        "size_mb": mb,
        "engine_mb_per_s": mb / engine_s,
        "naive_re_mb_per_s": small_size / 1e6 / naive_s,
        "speedup_vs_naive_re": (mb / engine_s) / (small_size / 1e6 / naive_s),
        "peak_memory_mb": peak / 1e6,
        "peak_memory_fraction_of_file": peak / size,
    }
    print(f"diagnose {mb:.0f} MB log: engine {result['engine_mb_per_s']:.0f} MB/s, "
          f"plain re line scan {result['naive_re_mb_per_s']:.0f} MB/s "
          f"-> {result['speedup_vs_naive_re']:.1f}x; peak memory {result['peak_memory_mb']:.1f} MB "
          f"({100 * result['peak_memory_fraction_of_file']:.2f}% of the file)")
    return result


if __name__ == "__main__":
    main()

"""Run every benchmark; each prints its numbers as ratios against a reference measured in the same run."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_bigfile  # noqa: E402
import bench_diagnose  # noqa: E402
import bench_local_server  # noqa: E402
import bench_pipeline_fetch  # noqa: E402
import bench_simulator  # noqa: E402
import bench_viewer  # noqa: E402

if __name__ == "__main__":
    bench_diagnose.main()
    bench_local_server.main()
    bench_simulator.main()
    bench_bigfile.main()
    bench_pipeline_fetch.main()
    bench_viewer.main()

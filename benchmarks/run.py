"""Run every benchmark; each prints its numbers as ratios against a reference measured in the same run."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_before_run
import bench_bigfile
import bench_catalogue
import bench_diagnose
import bench_jobs
import bench_local_server
import bench_notebooks
import bench_pipeline_fetch
import bench_simulator
import bench_triage
import bench_v2
import bench_viewer

if __name__ == "__main__":
    bench_diagnose.main()
    bench_catalogue.main([])
    bench_local_server.main()
    bench_simulator.main()
    bench_bigfile.main()
    bench_pipeline_fetch.main()
    bench_viewer.main()
    bench_v2.main()
    bench_jobs.main()
    bench_before_run.main()
    bench_triage.main()
    bench_notebooks.main([])

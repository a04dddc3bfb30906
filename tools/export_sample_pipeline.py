"""Write amlnbtools/samples/pipelines/defects-pipeline from the replay workspace (a developer tool).

    python tools/export_sample_pipeline.py

The bundled folder is what ``amlnbtools.export_pipeline_logs`` writes for the replay's failed
pipeline run, so the tutorials can show the same run offline, from files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from amlnbtools.sources.azureml_v1.pipeline import AzureMLPipelineSource
from amlnbtools.sources.files.export import export_pipeline_logs
from amlnbtools.sources.replay import PIPELINE_RUNS, ReplayWorkspace

TARGET = Path(__file__).resolve().parents[1] / "amlnbtools" / "samples" / "pipelines" / "defects-pipeline"

if __name__ == "__main__":
    with ReplayWorkspace() as replay, AzureMLPipelineSource.open(replay.workspace,
                                                                  PIPELINE_RUNS["defects-pipeline"]) as source:
        shutil.rmtree(TARGET, ignore_errors=True)
        target, failures = export_pipeline_logs(source, TARGET)
        if failures:
            raise SystemExit(f"could not fetch: {failures}")
        print(f"wrote {target}")

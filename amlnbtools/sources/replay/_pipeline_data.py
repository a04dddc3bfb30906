"""The pipeline runs of the replay workspace: read from ``data/pipelines/``, plus one generated in code.

Three experiments hold pipeline runs (see ``data/README.md``):

- ``defects-pipeline``: a Failed run whose steps are reused, Failed (a PythonScriptStep and a
  ParallelRunStep) and Canceled; the earlier run its reused step comes from is there too;
- ``iris-pipeline``: a Completed run on the common runtime (``user_logs/``, ``system_logs/``);
- ``wide-pipeline``: a Completed run with :data:`WIDE_STEPS` steps, built by :func:`wide_pipeline`.

Log files live under ``data/pipelines/logs/<run id>/<path>``; each is served as the blob its SAS link
names. Files under ``user_logs/`` and ``system_logs/`` are listed by the artifact service (azureml-core
adds them to ``get_details()["logFiles"]``), the others by run history's run details.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

__all__ = ["PIPELINE_DATA", "PIPELINE_RUNS", "WIDE_STEPS", "load_pipelines", "wide_pipeline"]

PIPELINE_DATA = Path(__file__).with_name("data") / "pipelines"

#: The pipeline run of each pipeline experiment of the replay workspace (run ids are stable).
PIPELINE_RUNS: dict[str, str] = {
    "defects-pipeline": "5b9e0c3a-2f41-4d7e-9a86-1c3f5e7d9b20",
    "iris-pipeline": "2c7e9a41-8d3b-4f65-b1a2-7c9e0d3f5b86",
    "wide-pipeline": "6a1d8e3f-0b7c-4e92-a5d4-3f8b1c6e9a07",
}
#: How many steps the generated ``wide-pipeline`` run has.
WIDE_STEPS = 50

_USER = {"userObjectId": "0a7e3c55-4f1b-4d2a-9c8e-6b5d4a3f2e1d", "userTenantId": "5e0c7a21-9b3d-4f18-8c6e-2a4b6d8f0e13",
         "userName": "Dana Kim"}
_NS = uuid.UUID("8f0e2d4c-6b1a-4c3e-9d5f-7a2b4c6d8e0f")


def _read_logs(run_ids: set[str]) -> dict[str, dict[str, bytes]]:
    logs: dict[str, dict[str, bytes]] = {}
    for run_id in sorted(run_ids):
        folder = PIPELINE_DATA / "logs" / run_id
        if folder.is_dir():
            logs[run_id] = {p.relative_to(folder).as_posix(): p.read_bytes()
                            for p in sorted(folder.rglob("*")) if p.is_file()}
    return logs


def load_pipelines() -> dict[str, Any]:
    """Every pipeline document, new objects each call.

    Returns
    -------
    dict
        ``experiments`` (name → ExperimentDto), ``runs`` (run id → RunDto), ``pipeline_runs``
        (id → PipelineRunEntity, PascalCase as the pipelines service writes it), ``datatypes``
        (list of DataTypeEntity) and ``logs`` (run id → {path → bytes}).
    """
    docs = [json.loads((PIPELINE_DATA / f"{name}.json").read_text(encoding="utf-8"))
            for name in ("defects-pipeline", "iris-pipeline")]
    wide, wide_logs = wide_pipeline()
    docs.append(wide)
    runs = {run["runId"]: run for doc in docs for run in doc["runs"]}
    logs = _read_logs(set(runs))
    logs.update(wide_logs)
    return {
        "experiments": {doc["experiment"]["name"]: doc["experiment"] for doc in docs},
        "runs": runs,
        "pipeline_runs": {entity["Id"]: entity for doc in docs for entity in doc["pipelineRuns"]},
        "datatypes": json.loads((PIPELINE_DATA / "datatypes.json").read_text(encoding="utf-8")),
        "logs": logs,
    }


# ---- the generated wide pipeline ------------------------------------------------------------------------------
def _stamp(minute: float) -> str:
    """2026-05-07 09:00 UTC plus ``minute`` minutes, in run history's format."""
    seconds = int(round(minute * 60))
    clock = f"{9 + seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return f"2026-05-07T{clock}.{seconds * 7919 % 1000000:06d}+00:00"


def _driver_log(name: str, run_id: str, index: int) -> bytes:
    job = run_id.replace("-", "")
    lines = [
        f"[{_stamp(2 + index * 0.2)[:-6]}] Entering context manager injector.",
        f"[{_stamp(2 + index * 0.2)[:-6]}] Preparing to call script [shard.py] with arguments:"
        f"['--shard', '{index}', '--output_dir', 'DatasetOutputConfig:{name}_out']",
        f"[{_stamp(2 + index * 0.2)[:-6]}] After variable expansion, calling script [shard.py] with arguments:"
        f"['--shard', '{index}', '--output_dir', '/mnt/azureml/cr/j/{job}/cap/data-capability/wd/{name}_out']",
        "",
        "Starting the daemon thread to refresh tokens in background for process with pid = 93",
    ]
    lines += [f"shard {index:02d}: processed batch {b:03d}/040 ({250 * (b + 1)} rows)" for b in range(40)]
    lines += [f"shard {index:02d}: wrote {name}_out/part-{index:05d}.parquet", "",
              f"[{_stamp(9 + index * 0.2)[:-6]}] The experiment completed successfully. Finalizing run...",
              f"[{_stamp(9 + index * 0.2)[:-6]}] Finished context manager injector.", ""]
    return "\n".join(lines).encode()


def wide_pipeline() -> tuple[dict[str, Any], dict[str, dict[str, bytes]]]:
    """The ``wide-pipeline`` document (same shape as the JSON files) and its logs, built in code.

    A Completed pipeline run whose :data:`WIDE_STEPS` steps ``shard-00`` … ran side by side on the
    legacy runtime (``azureml-logs/55_…``, ``65_…``, ``70_driver_log.txt``, ``75_…`` each).
    """
    pipeline_id = PIPELINE_RUNS["wide-pipeline"]
    exp_id = str(uuid.uuid5(_NS, "experiment/wide-pipeline"))
    end = _stamp(12 + WIDE_STEPS * 0.2)
    entity = {
        "Description": None, "Status": {"StatusCode": "Finished", "StatusDetail": None,
                                        "CreationTime": _stamp(0)[:-6] + "Z", "EndTime": end[:-6] + "Z"},
        "GraphId": str(uuid.uuid5(_NS, "graph/wide-pipeline")), "IsSubmitted": True, "HasErrors": False,
        "HasWarnings": False, "UploadState": "Completed", "ParameterAssignments": {},
        "DataSetDefinitionValueAssignments": {}, "RunHistoryExperimentName": "wide-pipeline", "PipelineId": None,
        "RunSource": "SDK", "RunType": "SDK", "TotalRunSteps": WIDE_STEPS, "ScheduleId": None, "tags": {},
        "Properties": {}, "EntityStatus": "Active", "Id": pipeline_id, "Etag": None,
        "CreatedDate": _stamp(0)[:-6] + "Z", "LastModifiedDate": end[:-6] + "Z",
    }
    common = {"parentRunId": None, "experimentId": exp_id, "description": None, "hidden": False,
              "createdBy": dict(_USER), "error": None, "warnings": None}
    runs = [{**common, "runId": pipeline_id, "runUuid": str(uuid.uuid5(_NS, pipeline_id)), "rootRunId": pipeline_id,
             "runNumber": 1, "status": "Completed", "runType": "azureml.PipelineRun", "target": None,
             "createdUtc": _stamp(0), "startTimeUtc": _stamp(0.05), "endTimeUtc": end, "name": None,
             "displayName": pipeline_id, "dataContainerId": "dcid." + pipeline_id,
             "properties": {"azureml.runsource": "azureml.PipelineRun", "runSource": "SDK", "runType": "SDK",
                            "azureml.parameters": "{}", "azureml.continue_on_step_failure": "False",
                            "azureml.pipelineComponent": "pipelinerun"},
             "tags": {"azureml.pipelineComponent": "pipelinerun"}}]
    logs: dict[str, dict[str, bytes]] = {}
    for index in range(WIDE_STEPS):
        name = f"shard-{index:02d}"
        run_id = str(uuid.uuid5(_NS, f"step/{name}"))
        node = uuid.uuid5(_NS, f"node/{name}").hex[:8]
        runs.append({
            **common, "runId": run_id, "runUuid": str(uuid.uuid5(_NS, run_id)), "rootRunId": pipeline_id,
            "parentRunId": pipeline_id, "runNumber": 2 + index, "status": "Completed", "runType": "azureml.StepRun",
            "target": "cpu-cluster", "createdUtc": _stamp(0.1 + index * 0.01), "startTimeUtc": _stamp(2 + index * 0.2),
            "endTimeUtc": _stamp(10 + index * 0.2), "name": name, "displayName": name,
            "dataContainerId": "dcid." + run_id,
            "properties": {"StepType": "PythonScriptStep", "ComputeTargetType": "AmlCompute",
                           "azureml.moduleName": name, "azureml.runsource": "azureml.StepRun", "azureml.nodeid": node,
                           "azureml.pipelinerunid": pipeline_id, "azureml.pipeline": pipeline_id},
            "tags": {"azureml.nodeid": node, "azureml.pipeline": pipeline_id},
        })
        vm = "tvmps_" + uuid.uuid5(_NS, f"vm/{index % 8}").hex * 2 + "_d"
        logs[run_id] = {
            f"azureml-logs/55_azureml-execution-{vm}.txt": f"{_stamp(1.5 + index * 0.2)[:19]}Z Starting docker "
                                                          "container succeeded.\n".encode(),
            f"azureml-logs/65_job_prep-{vm}.txt": f"[{_stamp(1.8 + index * 0.2)[:-6]}] Job preparation is "
                                                 "complete.\n".encode(),
            "azureml-logs/70_driver_log.txt": _driver_log(name, run_id, index),
            f"azureml-logs/75_job_post-{vm}.txt": f"[{_stamp(10 + index * 0.2)[:-6]}] Job release is "
                                                 "complete.\n".encode(),
        }
    document = {"experiment": {"experimentId": exp_id, "name": "wide-pipeline", "description": None,
                               "createdUtc": "2026-04-20T09:00:00.000Z", "archivedTime": None, "tags": {}},
                "pipelineRuns": [entity], "runs": runs}
    return document, logs

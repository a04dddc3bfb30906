"""Write the replay's SDK v2 jobs: ``data/v2/jobs.json`` and ``data/v2/job_logs/<run id>/<path>``.

Run from the repository root: ``python tools/make_v2_jobs.py``. Every value is synthetic. The running
job's log (``live-train``) is not written here: the replay makes it grow with time (``_jobs_data.py``).
"""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "amlnbtools" / "sources" / "replay" / "data" / "v2"
NS = uuid.UUID("3c1e8a52-7d94-4b06-a1f3-5e7c9b2d4f68")
SUB = "6b1f0a5e-3c2d-4e8f-9a71-2f4c5d6e7a8b"
RG = "rg-ml-prod"
WS = "mlw-contoso-prod"
ARM = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.MachineLearningServices/workspaces/{WS}"
USER = {"userObjectId": "0a7e3c55-4f1b-4d2a-9c8e-6b5d4a3f2e1d",
        "userTenantId": "5e0c7a21-9b3d-4f18-8c6e-2a4b6d8f0e13", "userName": "Dana Kim"}
ENV_PATH = "/azureml-envs/azureml_7c2e4a/lib/python3.10/site-packages"


def rid(label: str) -> str:
    return str(uuid.uuid5(NS, label))


def exp_id(name: str) -> str:
    return str(uuid.uuid5(NS, "experiment:" + name))


def arm_job(name, job_type, display, status, experiment, created, extra=None, tags=None):
    props = {"jobType": job_type, "displayName": display, "status": status, "experimentName": experiment,
             "computeId": f"{ARM}/computes/cpu-cluster", "isArchived": False, "description": None,
             "tags": tags or {}, "properties": {"azureml.git.dirty": "False"},
             "services": {"Studio": {"jobServiceType": "Studio", "endpoint":
                                     f"https://ml.azure.com/runs/{name}?wsid={ARM}&tid={USER['userTenantId']}"}},
             "inputs": {}, "outputs": {}}
    props.update(extra or {})
    return {"id": f"{ARM}/jobs/{name}", "name": name, "type": "Microsoft.MachineLearningServices/workspaces/jobs",
            "systemData": {"createdAt": created, "createdBy": USER["userName"], "createdByType": "User",
                           "lastModifiedAt": created, "lastModifiedBy": USER["userName"],
                           "lastModifiedByType": "User"},
            "properties": props}


def run_dto(run_id, display, status, experiment, created, start=None, end=None, parent=None, root=None,
            run_type="azureml.CommandRun", properties=None, tags=None, error=None, warnings=None, target="cpu-cluster"):
    return {"runId": run_id, "runUuid": rid("uuid:" + run_id), "parentRunId": parent, "rootRunId": root or run_id,
            "experimentId": exp_id(experiment), "status": status, "runType": run_type, "target": target,
            "createdUtc": created, "startTimeUtc": start, "endTimeUtc": end, "name": None, "displayName": display,
            "description": None, "hidden": False, "dataContainerId": f"dcid.{run_id}",
            "properties": properties or {}, "tags": tags or {}, "createdBy": USER, "error": error,
            "warnings": warnings, "lastModifiedUtc": end or start or created,
            "computeRequest": {"nodeCount": 1, "gpuCount": 0}, "compute": {"target": target}}


LOGS: dict[str, dict[str, str]] = {}


def add_logs(run_id: str, files: dict[str, str]) -> None:
    LOGS.setdefault(run_id, {}).update(files)


def system_logs(job_id: str, start: str) -> dict[str, str]:
    clock = start[11:19]
    return {
        "system_logs/lifecycler/execution-wrapper.log":
            f"2026-11-30T{clock}.104921Z INFO execution-wrapper Starting the user process: python\n"
            f"2026-11-30T{clock}.108332Z INFO execution-wrapper Working directory: "
            f"/mnt/azureml/cr/j/{job_id.replace('-', '')}/exe/wd\n",
        "system_logs/cs_capability/cs-capability.log":
            f"2026-11-30T{clock}.002817Z INFO cs-capability Mounting inputs and outputs\n"
            f"2026-11-30T{clock}.093614Z INFO cs-capability All mounts ready\n",
    }


jobs: list[dict] = []
runs: list[dict] = []

# ---- a failed pipeline job: reused, missing package, parallel over threshold, a subgraph canceled ----
P = "sleepy_lemon_7k2m9xq4"
EXP = "defects-v2"
P_CREATED = "2026-11-30T09:00:04.118209+00:00"
steps = {
    "prep_data": rid("prep_data"), "train_model": rid("train_model"), "score_batch": rid("score_batch"),
    "reporting": rid("reporting"), "reporting/evaluate": rid("evaluate"), "reporting/publish": rid("publish"),
}
ORIGIN = rid("prep_data-origin")  # the earlier run prep_data reused
ORIGIN_PARENT = "brave_tiger_3q8w1zv6"
jobs.append(arm_job(P, "Pipeline", "defects-v2", "Failed", EXP, P_CREATED, extra={
    "settings": {"default_compute": f"{ARM}/computes/cpu-cluster", "continue_on_step_failure": True,
                 "_source": "DSL"},
    "jobs": {"prep_data": {"type": "command", "name": "prep_data", "_source": "REMOTE.WORKSPACE.COMPONENT",
                           "componentId": f"{ARM}/components/prep_defects/versions/3"},
             "train_model": {"type": "command", "name": "train_model", "_source": "REMOTE.WORKSPACE.COMPONENT",
                             "componentId": f"{ARM}/components/train_defects/versions/5"},
             "score_batch": {"type": "parallel", "name": "score_batch", "_source": "REMOTE.WORKSPACE.COMPONENT",
                             "componentId": f"{ARM}/components/score_defects/versions/2"},
             "reporting": {"type": "pipeline", "name": "reporting", "_source": "REMOTE.WORKSPACE.COMPONENT",
                           "componentId": f"{ARM}/components/reporting/versions/1"}}},
    tags={"azureml.jobtype": "azureml.pipelinejob"}))
runs.append(run_dto(P, "defects-v2", "Failed", EXP, P_CREATED, "2026-11-30T09:00:21.551032+00:00",
                    "2026-11-30T09:14:52.904127+00:00", run_type="azureml.PipelineRun",
                    tags={"azureml.jobtype": "azureml.pipelinejob"},
                    properties={"azureml.runsource": "azureml.PipelineRun", "azureml.continue_on_step_failure": "True"},
                    error={"error": {"code": "UserError", "message": "Pipeline has failed child jobs. Failed nodes: "
                                     "/train_model, /score_batch. For more details and logs, please go to the job "
                                     "detail page and check the child jobs.", "messageFormat": "", "details": []}}))
add_logs(P, {"logs/azureml/executionlogs.txt":
             "[2026-11-30 09:00:21Z] Submitting 1 runs, first five are: 4f8e2a1c:" + steps["prep_data"] + "\n"
             "[2026-11-30 09:00:22Z] Completing processing run id " + steps["prep_data"] + ".\n"
             "[2026-11-30 09:00:22Z] Submitting 2 runs, first five are: 7b3d9c0e:" + steps["train_model"]
             + ",2c6a8e4f:" + steps["score_batch"] + "\n"
             "[2026-11-30 09:09:47Z] Execution of experiment failed, update experiment status and cancel running "
             "nodes.\n"
             "[2026-11-30 09:14:52Z] Finished processing run id " + steps["score_batch"] + ".\n",
             "logs/azureml/stderrlogs.txt": "", "logs/azureml/stdoutlogs.txt": ""})


def child(key, display, status, created, start, end, run_type="azureml.CommandRun", parent=P, properties=None,
          error=None, warnings=None, step_type=None):
    props = {"azureml.nodeid": rid("node:" + key)[:8], "azureml.pipelinerunid": P,
             "azureml.runsource": "azureml.StepRun", "azureml.moduleName": display}
    if step_type:
        props["StepType"] = step_type
    props.update(properties or {})
    return run_dto(steps[key], display, status, EXP, created, start, end, parent=parent, root=P, run_type=run_type,
                   properties=props, tags={"azureml.nodeid": props["azureml.nodeid"], "azureml.pipeline": P},
                   error=error, warnings=warnings)


# prep_data: reused from the earlier run ORIGIN (whose logs are shown)
runs.append(child("prep_data", "prep_data", "Completed", "2026-11-30T09:00:21.902114+00:00",
                  "2026-11-30T09:00:22.004817+00:00", "2026-11-30T09:00:22.118302+00:00",
                  properties={"azureml.isreused": "true", "azureml.reusedrunid": ORIGIN,
                              "azureml.reusednodeid": rid("node:prep_data")[:8],
                              "azureml.reusedpipelinerunid": ORIGIN_PARENT}))
runs.append(run_dto(ORIGIN, "prep_data", "Completed", EXP, "2026-11-28T15:20:03.440917+00:00",
                    "2026-11-28T15:22:41.110273+00:00", "2026-11-28T15:29:58.771630+00:00", parent=ORIGIN_PARENT,
                    root=ORIGIN_PARENT, properties={"azureml.runsource": "azureml.StepRun"}))
add_logs(ORIGIN, {"user_logs/std_log.txt":
                  "Reading 24000 images from azureml://datastores/workspaceblobstore/paths/defect_images/\n"
                  "Resized 24000 images to 512x512 in 412.3 s\n"
                  "Wrote the manifest to /mnt/azureml/cr/j/prep/cap/data-capability/wd/prepared/manifest.csv\n",
                  **system_logs(ORIGIN, "2026-11-28T15:22:41")})

# train_model: fails on a missing package
T = steps["train_model"]
tid = T.replace("-", "")
train_log = (
    f"/mnt/azureml/cr/j/{tid}/exe/wd/train.py:3: DeprecationWarning: pkg_resources is deprecated as an API.\n"
    + f"Loading the manifest from /mnt/azureml/cr/j/{tid}/cap/data-capability/wd/prepared/manifest.csv\n"
    + "Traceback (most recent call last):\n"
    f"  File \"/mnt/azureml/cr/j/{tid}/exe/wd/train.py\", line 12, in <module>\n"
    "    import lightgbm as lgb\n"
    "ModuleNotFoundError: No module named 'lightgbm'\n")
runs.append(child("train_model", "train_model", "Failed", "2026-11-30T09:00:22.201554+00:00",
                  "2026-11-30T09:04:10.331905+00:00", "2026-11-30T09:04:17.882140+00:00",
                  error={"error": {"code": "UserError", "message":
                         "Execution failed. User process 'python' exited with status code 1. Please check log file "
                         "'user_logs/std_log.txt' for error details. Error: Traceback (most recent call last):\n"
                         f"  File \"/mnt/azureml/cr/j/{tid}/exe/wd/train.py\", line 12, in <module>\n"
                         "    import lightgbm as lgb\nModuleNotFoundError: No module named 'lightgbm'\n\n",
                         "messageFormat": "", "details": [], "innerError": {"code": "UserExecutionFailed"}}},
                  warnings=[{"source": "cs-capability", "message": "The input 'prepared' was mounted read-only."}]))
add_logs(T, {"user_logs/std_log.txt": train_log, **system_logs(T, "2026-11-30T09:04:10")})

# score_batch: a parallel job over its error threshold
S = steps["score_batch"]
sid = S.replace("-", "")
runs.append(child("score_batch", "score_batch", "Failed", "2026-11-30T09:00:22.230117+00:00",
                  "2026-11-30T09:03:55.719264+00:00", "2026-11-30T09:14:50.002915+00:00", step_type="ParallelRunStep",
                  error={"error": {"code": "UserError", "message":
                         "The number of failed items (14) exceeded error_threshold (10). Please check "
                         "logs/job_result.txt and logs/user/error.txt for details.", "messageFormat": "",
                         "details": []}}))
add_logs(S, {
    "user_logs/std_log.txt": "2026-11-30 09:04:02,118|INFO|Parallel job driver started, 2 nodes, 2 processes each.\n"
                             "2026-11-30 09:14:49,770|ERROR|The job stopped: failed items exceeded error_threshold.\n",
    "logs/job_result.txt": "2026-11-30 09:14:49,552 The job failed: the number of failed items (14) exceeded "
                           "error_threshold (10). 57 of 120 mini batches succeeded, 14 failed, 49 were not processed. "
                           "See logs/user/error.txt and logs/user/error/ for the errors.\n",
    "logs/job_progress_overview.txt":
        "2026-11-30 09:04:26,904 The job has 120 mini batches (2400 files) on 2 nodes with 2 processes each.\n"
        "2026-11-30 09:09:27,340 Processed 29 mini batches: 27 succeeded, 2 failed. Elapsed time: 0:05:00.\n"
        "2026-11-30 09:14:49,550 Processed 71 mini batches: 57 succeeded, 14 failed. Elapsed time: 0:10:23. The job "
        "stopped: the number of failed items exceeded error_threshold (10).\n",
    "logs/user/error.txt":
        "2026-11-30 09:05:58,431|mini batch 17|score.py run() raised on 10.0.0.6 process003:\n"
        "Traceback (most recent call last):\n"
        f"  File \"/mnt/azureml/cr/j/{sid}/exe/wd/score.py\", line 41, in run\n"
        "    image = Image.open(path).convert(\"RGB\")\n"
        f"  File \"{ENV_PATH}/PIL/Image.py\", line 3280, in open\n"
        "    raise UnidentifiedImageError(msg)\n"
        f"PIL.UnidentifiedImageError: cannot identify image file '/mnt/azureml/cr/j/{sid}/cap/data-capability/wd/"
        "defect_images/batch_0417/img_008821.png'\n"
        "2026-11-30 09:14:49,541|The number of failed items (14) exceeded error_threshold (10): the job stops.\n",
    "logs/user/error/10.0.0.6/process003.txt":
        "2026-11-30 09:05:58,431|mini batch 17|score.py run() raised:\n"
        f"PIL.UnidentifiedImageError: cannot identify image file '/mnt/azureml/cr/j/{sid}/cap/data-capability/wd/"
        "defect_images/batch_0417/img_008821.png'\n",
    "logs/sys/master_role.txt": "2026-11-30 09:04:22,604|master|INFO|Master role started on 10.0.0.5.\n"
                                "2026-11-30 09:14:49,548|master|ERROR|Failed items 14 > error_threshold 10. "
                                "Stopping the job.\n",
    **system_logs(S, "2026-11-30T09:03:55"),
})

# reporting: a subgraph whose two steps were canceled before they started
R = steps["reporting"]
runs.append(child("reporting", "reporting", "Canceled", "2026-11-30T09:00:22.260331+00:00", None,
                  "2026-11-30T09:14:52.101449+00:00", run_type="azureml.PipelineRun",
                  properties={"azureml.runsource": "azureml.PipelineRun"}))
runs[-1]["tags"]["azureml.jobtype"] = "azureml.pipelinejob"
for k, (key, name) in enumerate((("reporting/evaluate", "evaluate"), ("reporting/publish", "publish"))):
    runs.append(child(key, name, "Canceled", f"2026-11-30T09:00:22.30{1000 + k:04d}+00:00", None,
                      "2026-11-30T09:14:52.100337+00:00", parent=R))

# ---- a completed command job ----
C = "iris-train-v2"
jobs.append(arm_job(C, "Command", "iris-train", "Completed", "iris-v2", "2026-12-01T11:12:40.551902+00:00", extra={
    "command": "python train.py --epochs 20 --learning-rate 0.05",
    "environmentId": "azureml://registries/azureml/environments/sklearn-1.5/versions/12",
    "codeId": f"{ARM}/codes/{rid('code:iris')}/versions/1", "environmentVariables": {},
    "resources": {"instanceCount": 1, "shmSize": "2g", "properties": {}}, "distribution": None,
    "limits": {"jobLimitsType": "Command", "timeout": "PT2H"},
    "outputs": {"default": {"jobOutputType": "uri_folder", "mode": "ReadWriteMount",
                            "uri": f"azureml://datastores/workspaceartifactstore/ExperimentRun/dcid.{C}"}}}))
runs.append(run_dto(C, "iris-train", "Completed", "iris-v2", "2026-12-01T11:12:40.551902+00:00",
                    "2026-12-01T11:15:02.301876+00:00", "2026-12-01T11:16:44.902713+00:00"))
epochs = "".join(f"epoch {e:2d}/20  loss={1.2 / (e + 1):.4f}  accuracy={min(0.99, 0.6 + e * 0.02):.3f}\n"
                 for e in range(1, 21))
add_logs(C, {"user_logs/std_log.txt": "Loaded 150 rows, 4 features, 3 classes from iris.csv\n" + epochs
             + "Saved the model to outputs/model.pkl\n", **system_logs(C, "2026-12-01T11:15:02")})

# ---- before it runs: a job queued on a cluster that cannot grow, a job whose image is being built, a v1 run whose
# image build failed, the clusters as ARM answers them, quota usages and VM sizes of the region ----
Q = "queued-gpu-train"
jobs.append(arm_job(Q, "Command", "vision-finetune", "Queued", "vision-v2", "2026-12-04T16:40:11.204518+00:00", extra={
    "command": "python finetune.py --epochs 8", "computeId": f"{ARM}/computes/gpu-cluster",
    "environmentId": "azureml://registries/azureml/environments/acpt-pytorch-2.2-cuda12.1/versions/18",
    "resources": {"instanceCount": 1, "properties": {}}, "environmentVariables": {}}))
runs.append(run_dto(Q, "vision-finetune", "Queued", "vision-v2", "2026-12-04T16:40:11.204518+00:00",
                    target="gpu-cluster",
                    tags={"_aml_system_ComputeTargetStatus": json.dumps(
                        {"AllocationState": "resizing", "PreparingNodeCount": 0, "RunningNodeCount": 0,
                         "CurrentNodeCount": 0})}))
runs[-1]["queueingInfo"] = {"code": "ClusterScaling", "message": "Job is waiting for compute nodes: gpu-cluster is "
                            "resizing (0 of 1 nodes ready).",
                            "lastRefreshTimestamp": "2026-12-04T16:52:40.118302+00:00"}
runs[-1]["computeRequest"] = {"nodeCount": 1, "gpuCount": 1}
B = "env-build-train"
jobs.append(arm_job(B, "Command", "churn-train", "Preparing", "churn-v2-train", "2026-12-04T16:55:02.551902+00:00",
                    extra={"command": "python train.py", "environmentId": f"{ARM}/environments/churn-env/versions/7",
                           "resources": {"instanceCount": 1, "properties": {}}, "environmentVariables": {}}))
runs.append(run_dto(B, "churn-train", "Preparing", "churn-v2-train", "2026-12-04T16:55:02.551902+00:00"))

V1 = "churn-train_1733329201_5d2c8e0f"
V1_EXP = "churn-train"
runs.append(run_dto(V1, "churn-train", "Failed", V1_EXP, "2026-12-03T09:20:01.410273+00:00",
                    "2026-12-03T09:20:14.902117+00:00", "2026-12-03T09:31:48.330192+00:00",
                    run_type="azureml.scriptrun", properties={"azureml.runsource": "experiment"},
                    error={"error": {"code": "UserError", "message": "Image build failed. For more details, check "
                           "log file azureml-logs/20_image_build_log.txt."}}))
runs[-1]["name"] = None
runs[-1]["runNumber"] = 7
# an SDK v1 run queued on the same cluster
V1Q = "vision-train_1733412000_9a1b2c3d"
runs.append(run_dto(V1Q, "vision-train", "Queued", "iris-train", "2026-12-04T17:02:44.118302+00:00",
                    run_type="azureml.scriptrun", target="gpu-cluster", properties={"azureml.runsource": "experiment"}))
runs[-1].update(name=None, runNumber=3, queueingInfo={"code": "ClusterScaling", "message": "Run requested 1 node(s). "
                                                     "Run is in pending status.",
                                                     "lastRefreshTimestamp": "2026-12-04T17:03:10.551902+00:00"})
runs[-1]["experimentId"] = json.loads((DATA.parent / "history" / "experiments.json").read_text())["iris-train"][
    "experimentId"]
# the experiment is the sample workspace's own churn-train (data/history/experiments.json)
_known = json.loads((DATA.parent / "history" / "experiments.json").read_text())
next(r for r in runs if r["runId"] == V1)["experimentId"] = _known[V1_EXP]["experimentId"]
experiments: dict = {}
conda_log = "\n".join([
    "2026/12/03 09:20:15 Downloading source code...",
    "2026/12/03 09:20:16 Finished downloading source code",
    "2026/12/03 09:20:17 Logging in to registry: 9d4c2e7a1b3f4e6a8c0d2f4b6e8a0c1d.azurecr.io",
    "2026/12/03 09:20:18 Successfully logged into 9d4c2e7a1b3f4e6a8c0d2f4b6e8a0c1d.azurecr.io",
    "2026/12/03 09:20:18 Executing step ID: acb_step_0. Timeout(sec): 5400, Working directory: '', Network: "
    "'acb_default_network'",
    "Step 8/15 : RUN ldconfig /usr/local/cuda/lib64/stubs && conda env create -p "
    "/azureml-envs/azureml_7e1c3a5b9d0f2e4a "
    "-f azureml-environment-setup/mutated_conda_dependencies.yml && rm -rf \"$HOME/.cache/pip\" && conda clean -aqy",
    " ---> Running in 2f8b4d0a6c1e",
    "Collecting package metadata (repodata.json): ...working... done",
    "Solving environment: ...working... failed",
    "",
    "UnsatisfiableError: The following specifications were found to be incompatible with each other:",
    "",
    "Output in format: Requested package -> Available versions",
    "",
    "Package python conflicts for:",
    "scikit-learn=0.22.1 -> python[version='>=3.6,<3.7.0a0|>=3.7,<3.8.0a0|>=3.8,<3.9.0a0']",
    "python=3.11",
    "",
    "The command '/bin/sh -c ldconfig /usr/local/cuda/lib64/stubs && conda env create -p "
    "/azureml-envs/azureml_7e1c3a5b9d0f2e4a -f azureml-environment-setup/mutated_conda_dependencies.yml && rm -rf "
    "\"$HOME/.cache/pip\" && conda clean -aqy' returned a non-zero code: 1",
    "2026/12/03 09:31:47 Container failed during run: acb_step_0. No retries remaining.",
    "failed to run step ID: acb_step_0: exit status 1", ""])
add_logs(V1, {"azureml-logs/20_image_build_log.txt": conda_log})


def aml_compute(name, size, low, high, state, current, target, errors=None, priority="Dedicated"):
    return {"id": f"{ARM}/computes/{name}", "name": name, "location": "westeurope",
            "type": "Microsoft.MachineLearningServices/workspaces/computes",
            "properties": {"computeType": "AmlCompute", "computeLocation": "westeurope",
                           "provisioningState": "Succeeded", "description": None,
                           "createdOn": "2026-03-02T10:00:00Z", "modifiedOn": "2026-12-04T16:40:20Z",
                           "isAttachedCompute": False, "disableLocalAuth": True,
                           "properties": {"vmSize": size, "vmPriority": priority, "osType": "Linux",
                                          "scaleSettings": {"minNodeCount": low, "maxNodeCount": high,
                                                            "nodeIdleTimeBeforeScaleDown": "PT120S"},
                                          "allocationState": state,
                                          "allocationStateTransitionTime": "2026-12-04T16:40:21.3Z",
                                          "currentNodeCount": current, "targetNodeCount": target,
                                          "nodeStateCounts": {"idleNodeCount": current, "runningNodeCount": 0,
                                                              "preparingNodeCount": 0, "unusableNodeCount": 0,
                                                              "leavingNodeCount": 0, "preemptedNodeCount": 0},
                                          "errors": errors, "remoteLoginPortPublicAccess": "Disabled"}}}


computes = [
    aml_compute("cpu-cluster", "STANDARD_DS3_V2", 0, 4, "Steady", 0, 0),
    aml_compute("gpu-cluster", "STANDARD_NC6S_V3", 0, 2, "Resizing", 0, 1, errors=[{"error": {
        "code": "QuotaExceeded", "message": "Operation could not be completed as it results in exceeding approved "
        "standardNCSv3Family Cores quota. Additional details - Deployment Model: Resource Manager, "
        "Location: westeurope, "
        "Current Limit: 0, Current Usage: 0, Additional Required: 6, (Minimum) New Limit Required: 6. Submit a request "
        "for Quota increase at https://aka.ms/ProdportalCRP/#blade/Microsoft_Azure_Capacity/UsageAndQuota.ReactView "
        "by specifying parameters listed in the 'Details' section for deployment to succeed."}}]),
]


def size(name, family, vcpus, gpus, memory):
    return {"name": name, "family": family, "vCPUs": vcpus, "gpus": gpus, "osVhdSizeMB": 1047552,
            "maxResourceVolumeMB": 28672, "memoryGB": memory, "lowPriorityCapable": True, "premiumIO": True,
            "supportedComputeTypes": ["AmlCompute", "ComputeInstance", "MIR"]}


vm_sizes = [size("Standard_DS2_v2", "standardDSv2Family", 2, 0, 7.0),
            size("Standard_DS3_v2", "standardDSv2Family", 4, 0, 14.0),
            size("Standard_DS4_v2", "standardDSv2Family", 8, 0, 28.0),
            size("Standard_F4s_v2", "standardFSv2Family", 4, 0, 8.0),
            size("Standard_F8s_v2", "standardFSv2Family", 8, 0, 16.0),
            size("Standard_NC6s_v3", "standardNCSv3Family", 6, 1, 112.0),
            size("Standard_NC24ads_A100_v4", "standardNCADSA100v4Family", 24, 1, 220.0)]


def usage(kind, value, localized, used, limit):
    return {"id": f"/subscriptions/{SUB}/providers/Microsoft.MachineLearningServices/locations/westeurope/{kind}/"
                  f"usages/{value}",
            "type": f"Microsoft.MachineLearningServices/{kind}/usages", "unit": "Count", "currentValue": used,
            "limit": limit, "name": {"value": value, "localizedValue": localized}, "amlWorkspaceLocation": "westeurope"}


usages = [usage("totalCores", "Cores", "Clusters", 2, 500),
          usage("dedicatedCores", "TotalDedicatedCores", "Total Cluster Dedicated Regional vCPUs", 22, 100),
          usage("lowPriorityCores", "TotalLowPriorityCores", "Total Cluster LowPriority Regional vCPUs", 0, 100),
          usage("vmFamily", "standardDSv2Family", "Standard DSv2 Family Cluster Dedicated vCPUs", 16, 24),
          usage("vmFamily", "standardFSv2Family", "Standard FSv2 Family Cluster Dedicated vCPUs", 0, 6),
          usage("vmFamily", "standardNCSv3Family", "Standard NCSv3 Family Cluster Dedicated vCPUs", 0, 0),
          usage("vmFamily", "standardNCADSA100v4Family", "Standard NCADS_A100_v4 Family Cluster Dedicated vCPUs",
                0, 0)]

(DATA / "jobs.json").write_text(json.dumps({"jobs": jobs, "runs": runs, "steps": steps, "experiments": experiments,
                                            "computes": computes, "vm_sizes": vm_sizes, "usages": usages},
                                           indent=1) + "\n", encoding="utf-8")
out = DATA / "job_logs"
shutil.rmtree(out, ignore_errors=True)
for run_id, files in LOGS.items():
    for path, text in files.items():
        target = out / run_id / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
print(f"{len(jobs)} jobs, {len(runs)} runs, {sum(len(f) for f in LOGS.values())} log files")

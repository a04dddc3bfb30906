"""The SDK v2 jobs of the replay workspace: read from ``data/v2/jobs.json`` and ``data/v2/job_logs/``, plus a
running job whose log grows with the clock.

- ``sleepy_lemon_7k2m9xq4`` (``defects-v2``): a Failed pipeline job. ``prep_data`` reused from an earlier run
  (properties ``azureml.isreused`` / ``azureml.reusedrunid``), ``train_model`` failing on
  ``No module named 'lightgbm'``, ``score_batch`` a parallel job over its error threshold, and a subgraph
  ``reporting`` whose steps ``evaluate`` and ``publish`` were canceled before they started;
- ``iris-train-v2``: a Completed command job (common runtime logs);
- ``live-train`` (:class:`LiveJob`): a command job on two processes, Running from when the replay starts;
  ``user_logs/std_log_process_{0,1}.txt`` gain lines every second and the job fails on a CUDA
  out-of-memory error when its run time is over. ``ReplayWorkspace.start_live_job`` starts it again.

``tools/make_v2_jobs.py`` wrote the two recorded jobs.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from amlnbtools.sources.replay._build_data import BUILD_JOB, LiveBuild

__all__ = ["LIVE_JOB", "RECORDED_AT", "LiveJob", "LiveLogs", "clone_pipeline", "load_jobs", "v1_job_listing"]

JOBS_DATA = Path(__file__).with_name("data") / "v2"
#: The name of the running job.
LIVE_JOB = "live-train"
#: When the recorded jobs were recorded: a whole-workspace scan of the sample measures ages from then.
RECORDED_AT = datetime(2026, 12, 4, 17, 5, tzinfo=timezone.utc)


def _utc(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{int(seconds % 1 * 1e6):06d}+00:00"


def _stamp(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds)) + f",{int(seconds % 1 * 1000):03d}"


class LiveJob:
    """A running command job: its status and logs are functions of the clock (thread-safe)."""

    def __init__(self, *, lines_per_s: float = 2.0, run_s: float = 600.0, processes: int = 2) -> None:
        self._lock = threading.Lock()
        self.restart(lines_per_s=lines_per_s, run_s=run_s, processes=processes)

    def restart(self, *, lines_per_s: float = 2.0, run_s: float = 600.0, processes: int = 2) -> None:
        """Start again now: ``lines_per_s`` training lines a second on each process, failing after ``run_s``."""
        if not 0 < lines_per_s <= 10_000 or not 0 < run_s <= 86_400 or not 1 <= processes <= 8:
            raise ValueError("lines_per_s must be in (0, 10000], run_s in (0, 86400] and processes in [1, 8]")
        with self._lock:
            self.created = time.time() - 40.0
            self.started = time.time()
            self.lines_per_s, self.run_s, self.processes = float(lines_per_s), float(run_s), int(processes)

    def _elapsed(self) -> float:
        return time.time() - self.started

    @property
    def ended(self) -> bool:
        return self._elapsed() >= self.run_s

    @property
    def status(self) -> str:
        return "Failed" if self.ended else "Running"

    @property
    def paths(self) -> list[str]:
        return [f"user_logs/std_log_process_{p}.txt" for p in range(self.processes)]

    def log(self, path: str) -> bytes | None:
        """The bytes of ``path`` now (None for a file the job does not have)."""
        if path not in self.paths:
            return None
        process = int(path.rsplit("_", 1)[1].split(".")[0])
        with self._lock:
            started, rate, run_s = self.started, self.lines_per_s, self.run_s
        elapsed = min(self._elapsed(), run_s)
        total = int(elapsed * rate)
        out = [f"{_stamp(started)} INFO Process {process} of {self.processes} on node 0: rank {process}, "
               f"world size {self.processes}, device cuda:{process}\n",
               f"{_stamp(started + 0.2)} INFO Training resnet50 on 48000 images, batch size 256, 30 epochs\n"]
        for step in range(1, total + 1):
            at = started + step / rate
            loss = 2.3 / (1 + step / 400)
            out.append(f"{_stamp(at)} INFO epoch {1 + step // 1600:2d} step {step:6d} loss={loss:.4f} "
                       f"lr=0.0010 images/s={780 + (step * 37) % 90}.{step % 10}\n")
        if self._elapsed() >= run_s:
            end = _stamp(started + run_s)
            if process == 0:
                out += [f"{end} ERROR Rank 0 failed\n", "Traceback (most recent call last):\n",
                        '  File "/mnt/azureml/cr/j/7f2c4e/exe/wd/train.py", line 88, in <module>\n',
                        "    loss.backward()\n",
                        "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.53 GiB. GPU 0 has a total "
                        "capacity of 15.77 GiB of which 1.02 GiB is free. Of the allocated memory 13.61 GiB is "
                        "allocated by PyTorch.\n"]
            else:
                out.append(f"{end} WARNING Process {process}: rank 0 exited, stopping\n")
        return "".join(out).encode()

    def apply(self, run: dict[str, Any], job: dict[str, Any]) -> None:
        """Bring the run history record and the ARM job of the live job up to the clock."""
        status = self.status
        run.update(status=status, createdUtc=_utc(self.created), startTimeUtc=_utc(self.started),
                   endTimeUtc=_utc(self.started + self.run_s) if self.ended else None,
                   error={"error": {"code": "UserError", "message": "Execution failed. User process 'python' "
                                    "exited with status code 1. Please check log file "
                                    "'user_logs/std_log_process_0.txt' for error details."}} if self.ended else None)
        job["properties"]["status"] = status
        job["systemData"]["createdAt"] = _utc(self.created)


class LiveLogs(Mapping[str, bytes]):
    """A live job's files as the replay's ``run_logs`` entry: read on each request."""

    def __init__(self, job: Any) -> None:
        self._job = job

    def __getitem__(self, path: str) -> bytes:
        data = self._job.log(path)
        if data is None:
            raise KeyError(path)
        return data

    def __iter__(self) -> Iterator[str]:
        return iter(self._job.paths)

    def __len__(self) -> int:
        return len(self._job.paths)


def _live_records(arm_prefix: str, experiment_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    job = {"id": f"{arm_prefix}/jobs/{LIVE_JOB}", "name": LIVE_JOB,
           "type": "Microsoft.MachineLearningServices/workspaces/jobs",
           "systemData": {"createdAt": None, "createdBy": "Dana Kim", "createdByType": "User"},
           "properties": {"jobType": "Command", "displayName": "live-train", "status": "Running",
                          "experimentName": "vision-v2", "computeId": f"{arm_prefix}/computes/gpu-cluster",
                          "command": "python train.py --epochs 30 --batch-size 256",
                          "environmentId": "azureml://registries/azureml/environments/acpt-pytorch-2.2-cuda12.1/"
                                           "versions/18",
                          "distribution": {"distributionType": "PyTorch", "processCountPerInstance": 2},
                          "resources": {"instanceCount": 1, "properties": {}}, "isArchived": False,
                          "tags": {}, "properties": {}, "inputs": {}, "outputs": {}, "environmentVariables": {}}}
    run = {"runId": LIVE_JOB, "runUuid": "5d2c7b19-0e84-4f3a-9b61-7c2e4a8d0f35", "parentRunId": None,
           "rootRunId": LIVE_JOB, "experimentId": experiment_id, "status": "Running",
           "runType": "azureml.CommandRun", "target": "gpu-cluster", "displayName": "live-train", "hidden": False,
           "dataContainerId": f"dcid.{LIVE_JOB}", "properties": {}, "tags": {}, "warnings": None, "error": None,
           "compute": {"target": "gpu-cluster"}}
    return job, run


def load_jobs(arm_prefix: str) -> dict[str, Any]:
    """New objects each call: ``jobs`` (name → ARM job), ``runs`` (run id → run history record), ``logs``
    (run id → {path → bytes}, the live jobs' a :class:`LiveLogs`), ``live`` (name → :class:`LiveJob` or
    :class:`~._build_data.LiveBuild`), ``experiments``, ``computes`` (ARM AmlCompute), ``vm_sizes`` and ``usages``."""
    doc = json.loads((JOBS_DATA / "jobs.json").read_text(encoding="utf-8"))
    jobs = {job["name"]: job for job in doc["jobs"]}
    runs = {run["runId"]: run for run in doc["runs"]}
    logs: dict[str, Any] = {}
    root = JOBS_DATA / "job_logs"
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        logs[folder.name] = {p.relative_to(folder).as_posix(): p.read_bytes()
                             for p in sorted(folder.rglob("*")) if p.is_file()}
    for run in list(runs.values()):  # the SDK v1 script runs are in the workspace's job list too
        if run.get("runType") == "azureml.scriptrun" and not run.get("parentRunId") and run["runId"] not in jobs:
            jobs[run["runId"]] = v1_job_listing(run, arm_prefix)
    live = LiveJob()
    job, run = _live_records(arm_prefix, runs["iris-train-v2"]["experimentId"])
    jobs[LIVE_JOB], runs[LIVE_JOB] = job, run
    logs[LIVE_JOB] = LiveLogs(live)
    build = LiveBuild()
    logs[BUILD_JOB] = LiveLogs(build)
    live_jobs: dict[str, Any] = {LIVE_JOB: live, BUILD_JOB: build}
    for name, clock in live_jobs.items():
        clock.apply(runs[name], jobs[name])
    return {"jobs": jobs, "runs": runs, "logs": logs, "live": live_jobs, "experiments": doc["experiments"],
            "computes": doc["computes"], "vm_sizes": doc["vm_sizes"], "usages": doc["usages"]}


def clone_pipeline(jobs: dict[str, Any], runs: dict[str, Any], logs: dict[str, Any], name: str,
                   steps: int) -> str:
    """A completed pipeline job ``name`` with ``steps`` command steps, each with the logs of ``iris-train-v2``."""
    base_job, base_run = jobs["sleepy_lemon_7k2m9xq4"], runs["sleepy_lemon_7k2m9xq4"]
    job = copy.deepcopy(base_job)
    job["id"] = base_job["id"].rsplit("/", 1)[0] + "/" + name
    job["name"] = name
    job["properties"].update(status="Completed", displayName=name, jobs={})
    run = copy.deepcopy(base_run)
    run.update(runId=name, rootRunId=name, status="Completed", displayName=name, error=None)
    jobs[name], runs[name] = job, run
    logs[name] = {}
    template = runs["iris-train-v2"]
    for k in range(steps):
        child = copy.deepcopy(template)
        child_id = f"{name}-step-{k:03d}"
        child.update(runId=child_id, parentRunId=name, rootRunId=name, displayName=f"shard_{k:03d}",
                     properties={"azureml.nodeid": f"{k:08x}"}, tags={})
        runs[child_id] = child
        logs[child_id] = logs["iris-train-v2"]
    return name


def v1_job_listing(run: dict[str, Any], arm_id: str) -> dict[str, Any]:
    """How the workspace's job list shows a run submitted with SDK v1 (a script run): a command job."""
    return {"id": f"{arm_id}/jobs/{run['runId']}", "name": run["runId"],
            "type": "Microsoft.MachineLearningServices/workspaces/jobs",
            "systemData": {"createdAt": run["createdUtc"], "createdBy": (run.get("createdBy") or {}).get("userName"),
                           "createdByType": "User", "lastModifiedAt": run.get("lastModifiedUtc") or run["createdUtc"]},
            "properties": {"jobType": "Command", "displayName": run.get("displayName"), "status": run["status"],
                           "experimentName": run.get("displayName"),
                           "computeId": f"{arm_id}/computes/{(run.get('compute') or {}).get('target', 'cpu-cluster')}",
                           "isArchived": False, "description": None, "tags": dict(run.get("tags") or {}),
                           "properties": dict(run.get("properties") or {}), "services": {}, "inputs": {},
                           "outputs": {}, "command": "python train.py", "environmentVariables": {},
                           "resources": {"instanceCount": 1, "properties": {}}}}

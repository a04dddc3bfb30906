"""The replay's SDK v2 job routes: ARM jobs, run history at workspace level (details, children).

What azure-ai-ml (1.35) requests for jobs, found by running it against the replay:

- ``jobs.list()``: GET ``{arm id}/jobs`` → ``{"value": [JobBase…]}``; ``jobs.get(name)``: GET ``{arm id}/jobs/{name}``.
  A pipeline's child answers with ``"properties": null`` and the SDK then reads it from run history
  (GET ``{history}/runs/{id}``, served by :mod:`._pipelines`);
- run details: GET ``{history}/runs/{id}/details`` → ``RunDetails`` with ``logFiles`` (name → SAS link; the
  links are the blob route's of :mod:`._pipelines`), ``error``, ``warnings``, times;
- children: GET ``{history}/runs/{id}/children`` → ``PaginatedRunList`` (one level).

The running job's record is brought up to the clock before every answer (:class:`._jobs_data.LiveJob`).
"""

from __future__ import annotations

import copy
import json
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from amlnbtools.sources.replay import _faults
from amlnbtools.sources.replay._build_data import BUILD_JOB
from amlnbtools.sources.replay._data import Payloads
from amlnbtools.sources.replay._jobs_data import LIVE_JOB, clone_pipeline
from amlnbtools.sources.replay._routes import JSON, Answer, Route

__all__ = ["JOB_ROUTES", "JobRoutes"]

#: Jobs in one page of the job list.
JOB_PAGE = 100
JOB_ROUTES: tuple[str, ...] = ("v2-jobs", "v2-job", "v2-job-create", "v2-run-details", "v2-run-children")
_DETAIL_KEYS = ("runId", "runUuid", "parentRunUuid", "rootRunUuid", "target", "status", "parentRunId",
                "createdTimeUtc", "startTimeUtc", "endTimeUtc", "error", "warnings", "tags", "properties")


class JobRoutes:
    """Route handlers for SDK v2 jobs (same handler signature as the server's)."""

    def __init__(self, data: Payloads, sas_url: Callable[[str, str], str], lock: Any) -> None:
        self.data = data
        self._sas_url = sas_url
        self._lock = lock  # the server's: guards the payloads

    # ---- what ReplayWorkspace changes -----------------------------------------------------------------------
    def start_live_job(self, lines_per_s: float, run_s: float, processes: int) -> str:
        with self._lock:
            self.data.live_jobs[LIVE_JOB].restart(lines_per_s=lines_per_s, run_s=run_s, processes=processes)
            self.tick()
        return LIVE_JOB

    def start_image_build(self, lines_per_s: float, run_s: float) -> str:
        with self._lock:
            self.data.live_jobs[BUILD_JOB].restart(lines_per_s=lines_per_s, run_s=run_s)
            self.tick()
        return BUILD_JOB

    def clone_pipeline_job(self, name: str, steps: int) -> str:
        if not 1 <= steps <= 1000 or not re.fullmatch(r"[A-Za-z0-9_-]{1,100}", name):
            raise ValueError("name must be 1-100 letters, digits, - or _, and steps between 1 and 1000")
        with self._lock:
            return clone_pipeline(self.data.jobs, self.data.runs, self.data.run_logs, name, steps)

    def table(self) -> list[Route]:
        """``(name, method, host regex, path regex, handler)`` rows for the server's route table."""
        ident = self.data.identity
        arm = r"^management\.azure\.com$"
        api = "^" + re.escape(ident.api_host) + "$"
        hist = re.escape(ident.history_path) + "/runs/(?P<run>[^/]+)"
        jobs = re.escape(ident.arm_id + "/jobs")
        return [
            ("v2-jobs", "GET", arm, jobs, self._jobs),
            ("v2-job", "GET", arm, jobs + "/(?P<job>[^/]+)", self._job),
            ("v2-job-create", "PUT", arm, jobs + "/(?P<job>[^/]+)", self._create),
            ("v2-run-details", "GET", api, hist + "/details", self._details),
            ("v2-run-children", "GET", api, hist + "/children", self._children),
        ]

    def tick(self) -> None:
        """Bring the records of the jobs that change with the clock up to it."""
        for name, clock in self.data.live_jobs.items():
            if name in self.data.runs and name in self.data.jobs:
                clock.apply(self.data.runs[name], self.data.jobs[name])

    def _not_found(self, name: str) -> Answer:
        return 404, dict(JSON), _faults.arm_error(
            "UserError", f"Not found: the job {name} could not be found in workspace {self.data.identity.name}.",
            self.data.identity.location)

    def _jobs(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
              request: Any = None) -> Answer:
        self.tick()  # newest first, JOB_PAGE a page, as the service pages them
        jobs = sorted(self.data.jobs.values(), key=lambda j: (j.get("systemData") or {}).get("createdAt") or "",
                      reverse=True)
        start = int(params.get("$skipToken", "0") or 0)
        more = start + JOB_PAGE < len(jobs)
        link = (f"https://management.azure.com{self.data.identity.arm_id}/jobs?api-version=2024-01-01-preview"
                f"&$skipToken={start + JOB_PAGE}") if more else None
        return 200, dict(JSON), {"value": jobs[start:start + JOB_PAGE], "nextLink": link}

    def _job(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
             request: Any = None) -> Answer:
        self.tick()
        name = match["job"]
        job = self.data.jobs.get(name)
        if job is not None:
            return 200, dict(JSON), job
        run = self.data.runs.get(name)
        if run is not None and run.get("parentRunId"):  # a pipeline's child: not an ARM job of its own
            return 200, dict(JSON), {"id": f"{self.data.identity.arm_id}/jobs/{name}", "name": name,
                                     "type": "Microsoft.MachineLearningServices/workspaces/jobs",
                                     "properties": None}
        return self._not_found(name)

    def _create(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                request: Any = None) -> Answer:
        """A job submitted again: a new pipeline job whose completed steps are reused and the others queued."""
        name = match["job"]
        if name in self.data.jobs:
            return 409, dict(JSON), _faults.arm_error("UserError", f"A job named {name} already exists.")
        try:
            body = json.loads(getattr(request, "body", None) or b"{}")
        except ValueError:
            return 400, dict(JSON), _faults.arm_error("BadRequest", "The body is not a job.")
        props = dict(body.get("properties") or {})
        display = props.get("displayName")
        original = max((r for r in self.data.runs.values() if r.get("displayName") == display
                        and not r.get("parentRunId") and r["runId"] in self.data.jobs),
                       key=lambda r: r.get("createdUtc") or "", default=None)
        now = time.strftime("%Y-%m-%dT%H:%M:%S.000000+00:00", time.gmtime())
        job: dict[str, Any] = {"id": f"{self.data.identity.arm_id}/jobs/{name}", "name": name,
               "type": "Microsoft.MachineLearningServices/workspaces/jobs",
               "systemData": {"createdAt": now, "createdBy": "Dana Kim", "createdByType": "User"},
               "properties": {**props, "status": "Running"}}
        self.data.jobs[name] = job
        run = copy.deepcopy(original) if original else {"runId": name, "properties": {}, "tags": {}}
        run.update(runId=name, rootRunId=name, status="Running", createdUtc=now, startTimeUtc=now, endTimeUtc=None,
                   error=None, warnings=None)
        self.data.runs[name] = run
        if original is not None:
            self._copy_children(original["runId"], name, name, now)
        return 201, dict(JSON), {**job, "properties": {**props, "status": "NotStarted"}}

    def _copy_children(self, old_parent: str, new_parent: str, root: str, now: str) -> None:
        for child in [r for r in list(self.data.runs.values()) if r.get("parentRunId") == old_parent]:
            new = copy.deepcopy(child)
            new_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{new_parent}/{child['runId']}"))
            done = child.get("status") == "Completed"
            props = dict(new.get("properties") or {})
            if done:  # reused: the run it reused keeps its logs
                props.update({"azureml.isreused": "true", "azureml.reusedrunid":
                              props.get("azureml.reusedrunid") or child["runId"]})
            new.update(runId=new_id, parentRunId=new_parent, rootRunId=root, properties=props, createdUtc=now,
                       status="Completed" if done else "Queued", startTimeUtc=now if done else None,
                       endTimeUtc=now if done else None, error=None, warnings=None)
            self.data.runs[new_id] = new
            self._copy_children(child["runId"], new_id, root, now)

    def _details(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                 request: Any = None) -> Answer:
        self.tick()
        run = self.data.runs.get(match["run"])
        if run is None:
            return self._not_found(match["run"])
        details = {key: run.get(key) for key in _DETAIL_KEYS}
        details["createdTimeUtc"] = run.get("createdUtc")
        details["logFiles"] = {path: self._sas_url(run["runId"], path)
                               for path in self.data.run_logs.get(run["runId"], {})}
        return 200, dict(JSON), details

    def _children(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                  request: Any = None) -> Answer:
        self.tick()
        parent = self.data.runs.get(match["run"])
        if parent is None:
            return self._not_found(match["run"])
        children = [r for r in self.data.runs.values() if r.get("parentRunId") == parent["runId"]]
        children.sort(key=lambda r: (r.get("createdUtc") or "", r["runId"]))
        return 200, dict(JSON), {"value": children, "nextLink": None, "continuationToken": None}

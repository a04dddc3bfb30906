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

import re
from collections.abc import Callable
from typing import Any

from amlnbtools.sources.replay import _faults
from amlnbtools.sources.replay._data import Payloads
from amlnbtools.sources.replay._jobs_data import LIVE_JOB
from amlnbtools.sources.replay._routes import JSON, Answer, Route

__all__ = ["JOB_ROUTES", "JobRoutes"]

JOB_ROUTES: tuple[str, ...] = ("v2-jobs", "v2-job", "v2-run-details", "v2-run-children")
_DETAIL_KEYS = ("runId", "runUuid", "parentRunUuid", "rootRunUuid", "target", "status", "parentRunId",
                "createdTimeUtc", "startTimeUtc", "endTimeUtc", "error", "warnings", "tags", "properties")


class JobRoutes:
    """Route handlers for SDK v2 jobs (same handler signature as the server's)."""

    def __init__(self, data: Payloads, sas_url: Callable[[str, str], str]) -> None:
        self.data = data
        self._sas_url = sas_url

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
            ("v2-run-details", "GET", api, hist + "/details", self._details),
            ("v2-run-children", "GET", api, hist + "/children", self._children),
        ]

    def tick(self) -> None:
        """Bring the running job's records up to the clock."""
        live = self.data.live_job
        if live is not None and LIVE_JOB in self.data.runs and LIVE_JOB in self.data.jobs:
            live.apply(self.data.runs[LIVE_JOB], self.data.jobs[LIVE_JOB])

    def _not_found(self, name: str) -> Answer:
        return 404, dict(JSON), _faults.arm_error(
            "UserError", f"Not found: the job {name} could not be found in workspace {self.data.identity.name}.",
            self.data.identity.location)

    def _jobs(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
              request: Any = None) -> Answer:
        self.tick()
        return 200, dict(JSON), {"value": list(self.data.jobs.values()), "nextLink": None}

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

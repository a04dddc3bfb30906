"""The replay's routes for submitting an SDK v1 pipeline run again: publish it, then submit the published pipeline.

What azureml-pipeline-core (1.62) requests for ``pipeline_run.publish_pipeline(name, description, version)`` then
``published.submit(workspace, experiment_name)``, found by running it against the replay: GET
``{pipelines}/PipelineRuns/{id}`` (served by :mod:`._pipelines`), GET ``{pipelines}/Graphs/{graph id}`` and
``…/Graphs/{graph id}/Interface``, POST ``{pipelines}/Pipelines/Create`` (→ a ``PipelineEntity``), POST
``{pipelines}/PipelineRuns/PipelineSubmit/{pipeline id}`` (→ a ``PipelineRunEntity``). The new run is made in run
history as the original's copy: its completed steps reused (``azureml.ReusedStepRun``), the others queued.
"""

from __future__ import annotations

import copy
import json
import re
import time
import uuid
from typing import Any

from amlnbtools.sources.replay import _faults
from amlnbtools.sources.replay._data import Payloads
from amlnbtools.sources.replay._routes import JSON, Answer, Route

__all__ = ["PUBLISH_ROUTES", "PublishRoutes"]

PUBLISH_ROUTES: tuple[str, ...] = ("pipeline-graph", "pipeline-graph-interface", "pipeline-create",
                                   "pipeline-submit", "history-experiment-run")


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())


class PublishRoutes:
    """Route handlers for publishing and submitting v1 pipelines again (same handler signature as the server's)."""

    def __init__(self, data: Payloads) -> None:
        self.data = data
        self.published: dict[str, dict[str, Any]] = {}

    def table(self) -> list[Route]:
        ident = self.data.identity
        api = "^" + re.escape(ident.api_host) + "$"
        pipe = re.escape(ident.pipelines_path)
        return [
            ("pipeline-graph-interface", "GET", api, pipe + "/Graphs/(?P<graph>[^/]+)/Interface", self._interface),
            ("pipeline-graph", "GET", api, pipe + "/Graphs/(?P<graph>[^/]+)", self._graph),
            ("pipeline-create", "POST", api, pipe + "/Pipelines/Create", self._create),
            ("pipeline-submit", "POST", api, pipe + "/PipelineRuns/PipelineSubmit/(?P<pid>[^/]+)", self._submit),
            ("history-experiment-run", "GET", api, re.escape(ident.history_path)
             + "/experiments/(?P<exp>[^/]+)/runs/(?P<run>[^/]+)", self._run),
        ]

    def _run(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
             request: Any = None) -> Answer:
        run = self.data.runs.get(match["run"])
        experiment = self.data.experiments.get(match["exp"])
        if run is None or experiment is None or run.get("experimentId") != experiment["experimentId"]:
            return 404, dict(JSON), _faults.arm_error("NotFound", f"Run {match['run']} not found.")
        return 200, dict(JSON), run

    def _graph(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
               request: Any = None) -> Answer:
        return 200, dict(JSON), {"Id": match["graph"], "ModuleNodes": [], "DatasetNodes": [], "SubGraphNodes": [],
                                 "Edges": [], "EntityInterface": {"Parameters": [], "Ports": {}}}

    def _interface(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                   request: Any = None) -> Answer:
        return 200, dict(JSON), {"Parameters": [], "DataPathParameters": [], "DataPathParameterList": [],
                                 "Ports": {"Inputs": [], "Outputs": [], "ControlOutputs": []}}

    def _create(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                request: Any = None) -> Answer:
        try:
            info = json.loads(getattr(request, "body", None) or b"{}")
        except ValueError:
            return 400, dict(JSON), _faults.arm_error("BadRequest", "The body is not a pipeline creation info.")
        graph = (info.get("Graph") or {}).get("Id")
        original = next((pid for pid, run in self.data.pipeline_runs.items() if run.get("GraphId") == graph), None)
        pid = str(uuid.uuid4())
        entity = {"Id": pid, "Name": info.get("Name"), "Description": info.get("Description"),
                  "Version": info.get("Version"), "GraphId": graph, "EntityStatus": "Active", "Url": None,
                  "ContinueRunOnStepFailure": info.get("ContinueRunOnStepFailure"), "CreatedDate": _now(),
                  "LastModifiedDate": _now(), "ParameterAssignments": {}, "DataSetDefinitionValueAssignments": {},
                  "Properties": {}, "EnableEmailNotification": info.get("EnableEmailNotification")}
        self.published[pid] = {"entity": entity, "original": original}
        return 200, dict(JSON), entity

    def _submit(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                request: Any = None) -> Answer:
        published = self.published.get(match["pid"])
        if published is None or published["original"] is None:
            return 404, dict(JSON), _faults.arm_error("NotFound", f"Pipeline with id {match['pid']} not found.")
        try:
            info = json.loads(getattr(request, "body", None) or b"{}")
        except ValueError:
            info = {}
        old_id = published["original"]
        old = self.data.pipeline_runs[old_id]
        new_id = str(uuid.uuid4())
        experiment = info.get("ExperimentName") or old["RunHistoryExperimentName"]
        entity = copy.deepcopy(old)
        entity.update(Id=new_id, PipelineId=match["pid"], IsSubmitted=True, HasErrors=False, CreatedDate=_now(),
                      LastModifiedDate=_now(), RunHistoryExperimentName=experiment,
                      Status={"StatusCode": "Running", "StatusDetail": None, "CreationTime": _now(), "EndTime": None})
        self.data.pipeline_runs[new_id] = entity
        self._copy_runs(old_id, new_id)
        return 200, dict(JSON), entity

    def _copy_runs(self, old_id: str, new_id: str) -> None:
        now = _now()
        root = copy.deepcopy(self.data.runs[old_id])
        root.update(runId=new_id, rootRunId=new_id, status="Running", startTimeUtc=now, endTimeUtc=None, error=None,
                    createdUtc=now, runUuid=str(uuid.uuid4()))
        self.data.runs[new_id] = root
        for child in [r for r in list(self.data.runs.values()) if r.get("parentRunId") == old_id]:
            new = copy.deepcopy(child)
            done = child.get("status") == "Completed"
            tags = dict(new.get("tags") or {}, **{"azureml.pipeline": new_id})
            if done:  # reused: the run it reused keeps its logs
                tags["azureml.reusedrunid"] = tags.get("azureml.reusedrunid") or child["runId"]
            new.update(runId=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{new_id}/{child['runId']}")), parentRunId=new_id,
                       rootRunId=new_id, runUuid=str(uuid.uuid4()), tags=tags, createdUtc=now, error=None,
                       status="Completed" if done else "Queued", runType="azureml.ReusedStepRun" if done else
                       child.get("runType"), startTimeUtc=now if done else None, endTimeUtc=now if done else None)
            self.data.runs[new["runId"]] = new

"""The replay's pipeline routes: the pipelines (aeva) service, run history's run details and children,
the artifact service's log listing, and the blob storage that SAS log links point to.

What azureml-core and azureml-pipeline-core request for a pipeline run (found by running them):

- ``PipelineRun(experiment, id)`` / ``StepRun(...)``: GET ``{pipelines}/DataTypes`` (every new graph
  context: the default data types must exist, else it POSTs them), GET ``{pipelines}/PipelineRuns/{id}``
  (experiment name), GET ``{history}/experimentids/{exp id}/runs/{id}``;
- ``Run.get(ws, id)``: GET ``{history}/runs/{id}``, GET ``{history}/experimentids/{exp id}``, then as above
  for the class its ``runType`` names (``azureml.PipelineRun``, ``azureml.StepRun``, ``azureml.ReusedStepRun``);
- ``PipelineRun.get_status()``: GET ``{pipelines}/PipelineRuns/{id}``; ``StepRun.get_status()``: POST
  ``{pipelines}/PipelineRuns/{id}/Graph/Node/StatusCode`` with ``[node id]``;
- ``get_steps()`` / ``get_children()``: GET ``{history}/experiments/{name}/runs/{id}/children``;
- ``get_details()``: GET ``{history}/experiment(s|ids)/…/runs/{id}/details`` and, for common-runtime logs, GET
  ``{artifact}/artifacts/prefix/contentinfo/ExperimentRun/dcid.{id}/user_logs`` (and ``system_logs``);
- each log: GET of its SAS link on ``{account}.blob.core.windows.net``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from typing import Any
from urllib.parse import quote

from amlnbtools.sources.replay import _faults
from amlnbtools.sources.replay._data import Payloads
from amlnbtools.sources.replay._routes import JSON, Answer, Route

__all__ = ["PIPELINE_ROUTES", "PipelineRoutes", "storage_error"]

PIPELINE_ROUTES: tuple[str, ...] = (
    "pipeline-datatypes",
    "pipeline-run",
    "pipeline-node-status",
    "history-workspace-run",
    "history-experiment-id",
    "history-run-details",
    "history-children",
    "artifact-prefix",
    "blob",
)

_CONTAINER = "azureml"  # the workspace blob container that holds run artifacts
_ORIGIN = "ExperimentRun"
_ARTIFACT_PREFIXES = ("user_logs/", "system_logs/")  # served by the artifact service, not by run details
#: How long SAS links stay valid (run history gives links of a few hours).
SAS_LIFETIME_S = 3 * 3600
# run history status → pipelines service node status word
_NODE_STATUS = {"Completed": "Finished", "NotStarted": "NotStarted", "Queued": "Queued", "Preparing": "Queued",
                "Starting": "Queued", "Provisioning": "Queued", "Running": "Running", "Finalizing": "Running",
                "Failed": "Failed", "Canceled": "Canceled", "CancelRequested": "Canceled",
                "NotResponding": "Failed"}


def _utc(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


class PipelineRoutes:
    """Route handlers for pipeline runs, over the payloads of one replay (same handler signature as the server's)."""

    def __init__(self, data: Payloads) -> None:
        self.data = data
        self._key = secrets.token_bytes(32)  # signs this replay's SAS links
        self.blob_host = f"{data.identity.storage_account}.blob.core.windows.net"

    def table(self) -> list[Route]:
        """``(name, method, host regex, path regex, handler)`` rows for the server's route table."""
        ident = self.data.identity
        api = "^" + re.escape(ident.api_host) + "$"
        pipe = re.escape(ident.pipelines_path)
        hist = re.escape(ident.history_path)
        run = "/runs/(?P<run>[^/]+)"
        exp = "/(?:experiments/(?P<exp>[^/]+)|experimentids/(?P<expid>[^/]+))"
        return [
            ("pipeline-datatypes", "GET", api, pipe + "/DataTypes", self._datatypes),
            ("pipeline-run", "GET", api, pipe + "/PipelineRuns/(?P<pid>[^/]+)", self._pipeline_run),
            ("pipeline-node-status", "POST", api, pipe + "/PipelineRuns/(?P<pid>[^/]+)/Graph/Node/StatusCode",
             self._node_status),
            ("history-workspace-run", "GET", api, hist + run, self._workspace_run),
            ("history-experiment-id", "GET", api, hist + "/experimentids/(?P<expid>[^/]+)", self._experiment_by_id),
            ("history-run-details", "GET", api, hist + exp + run + "/details", self._details),
            ("history-children", "GET", api, hist + exp + run + "/children", self._children),
            ("artifact-prefix", "GET", api,
             re.escape(ident.artifact_path) + "/artifacts/prefix/contentinfo/(?P<origin>[^/]+)/(?P<container>[^/]+)"
             "/(?P<prefix>.+)", self._artifact_prefix),
            ("blob", "GET", "^" + re.escape(self.blob_host) + "$", f"/{_CONTAINER}/{_ORIGIN}/dcid\\.(?P<run>[^/]+)/"
             "(?P<path>.+)", self._blob),
        ]

    # ---- lookups --------------------------------------------------------------------------------------------
    def _not_found(self, message: str) -> Answer:
        return 404, dict(JSON), _faults.arm_error("NotFound", message, self.data.identity.location)

    def _run_dto(self, match: re.Match[str]) -> dict[str, Any] | None:
        """The run of a ``…/experiments/{name}/runs/{id}`` or ``…/experimentids/{id}/runs/{id}`` path."""
        run = self.data.runs.get(match["run"])
        if run is None:
            return None
        groups = match.groupdict()
        if groups.get("expid") is not None:
            return run if run["experimentId"] == groups["expid"] else None
        if groups.get("exp") is not None:
            experiment = self.data.experiments.get(groups["exp"])
            return run if experiment is not None and experiment["experimentId"] == run["experimentId"] else None
        return run

    def sas_url(self, run_id: str, path: str, now: float | None = None) -> str:
        """The SAS link of one log file, valid :data:`SAS_LIFETIME_S` from ``now``; signed with this replay's key."""
        start = time.time() if now is None else now
        st, se = _utc(start - 300), _utc(start + SAS_LIFETIME_S)
        blob = f"{_ORIGIN}/dcid.{run_id}/{path}"
        query = f"sv=2019-07-07&sr=b&sig={quote(self._sign(blob, st, se), safe='')}&st={st}&se={se}&sp=r"
        return f"https://{self.blob_host}/{_CONTAINER}/{quote(blob)}?{query}"

    def _sign(self, blob: str, st: str, se: str) -> str:
        signed = f"r\n{st}\n{se}\n/blob/{self.blob_host}/{_CONTAINER}/{blob}"
        digest = hmac.new(self._key, signed.encode(), hashlib.sha256)
        return base64.b64encode(digest.digest()).decode()

    def _log_files(self, run_id: str, artifacts: bool) -> dict[str, str]:
        files = self.data.run_logs.get(run_id, {})
        return {path: self.sas_url(run_id, path) for path in files
                if path.startswith(_ARTIFACT_PREFIXES) == artifacts}

    # ---- pipelines service ----------------------------------------------------------------------------------
    def _datatypes(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                   request: Any = None) -> Answer:
        return 200, dict(JSON), self.data.datatypes

    def _pipeline_run(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                      request: Any = None) -> Answer:
        entity = self.data.pipeline_runs.get(match["pid"])
        if entity is None:
            return self._not_found(f"PipelineRun with id {match['pid']} not found.")
        return 200, dict(JSON), entity

    def _node_status(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                     request: Any = None) -> Answer:
        try:
            node_path = json.loads(getattr(request, "body", None) or b"[]")
        except ValueError:
            return 400, dict(JSON), _faults.arm_error("BadRequest", "The body is not a node id path.")
        pid = match["pid"]
        if pid not in self.data.pipeline_runs or not node_path:
            return self._not_found(f"PipelineRun with id {pid} not found.")
        node = node_path[-1]
        for run in self.data.runs.values():
            tags = run.get("tags") or {}
            if (tags.get("azureml.pipeline") == pid and tags.get("azureml.nodeid") == node
                    and run.get("runType") == "azureml.StepRun"):
                return 200, dict(JSON), json.dumps(_NODE_STATUS.get(run["status"], run["status"]))
        return 200, dict(JSON), json.dumps("NotStarted")  # a node the run never reached

    # ---- run history ----------------------------------------------------------------------------------------
    def _workspace_run(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                       request: Any = None) -> Answer:
        run = self.data.runs.get(match["run"])
        if run is None:
            return self._not_found(f"Run {match['run']} not found.")
        return 200, dict(JSON), run

    def _experiment_by_id(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                          request: Any = None) -> Answer:
        for experiment in self.data.experiments.values():
            if experiment["experimentId"] == match["expid"]:
                return 200, dict(JSON), experiment
        return self._not_found(f"Experiment {match['expid']} not found.")

    def _details(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                 request: Any = None) -> Answer:
        run = self._run_dto(match)
        if run is None:
            return self._not_found(f"Run {match['run']} not found.")
        keys = ("runId", "runUuid", "parentRunUuid", "rootRunUuid", "target", "status", "parentRunId",
                "startTimeUtc", "endTimeUtc", "error", "warnings", "tags", "properties", "createdBy")
        details = {key: run.get(key) for key in keys}
        details.update(inputDatasets=[], outputDatasets=[], runDefinition=None,
                       logFiles=self._log_files(run["runId"], artifacts=False))
        return 200, dict(JSON), details

    def _children(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                  request: Any = None) -> Answer:
        parent = self._run_dto(match)
        if parent is None:
            return self._not_found(f"Run {match['run']} not found.")
        children = [r for r in self.data.runs.values() if r.get("parentRunId") == parent["runId"]]
        # $orderby=StartTimeUtc desc (the SDK's default); runs that never started come last
        descending = params.get("$orderby", "StartTimeUtc desc").lower().endswith("desc")
        started = sorted((r for r in children if r.get("startTimeUtc")), key=lambda r: r["startTimeUtc"],
                         reverse=descending)
        children = started + [r for r in children if not r.get("startTimeUtc")]
        start = int(params.get("$continuationToken") or 0)
        top = int(params.get("$top") or 0) or len(children) or 1
        body: dict[str, Any] = {"value": children[start:start + top], "continuationToken": None, "nextLink": None}
        if start + top < len(children):
            body["continuationToken"] = str(start + top)
        return 200, dict(JSON), body

    # ---- artifacts and blobs --------------------------------------------------------------------------------
    def _artifact_prefix(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                         request: Any = None) -> Answer:
        container, prefix = match["container"], match["prefix"].rstrip("/") + "/"
        run_id = container[len("dcid."):] if container.startswith("dcid.") else ""
        files = self._log_files(run_id, artifacts=True) if match["origin"] == _ORIGIN else {}
        value: list[dict[str, Any]] = [
            {"contentUri": url, "origin": _ORIGIN, "container": container, "path": path, "tags": {}}
            for path, url in sorted(files.items()) if path.startswith(prefix)]
        return 200, dict(JSON), {"value": value, "continuationToken": None, "nextLink": None}

    def _blob(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
              request: Any = None) -> Answer:
        from urllib.parse import unquote

        run_id, path = match["run"], unquote(match["path"])
        st, se, sig = params.get("st", ""), params.get("se", ""), params.get("sig", "")
        blob = f"{_ORIGIN}/dcid.{run_id}/{path}"
        if not hmac.compare_digest(sig, self._sign(blob, st, se)) or se < _utc(time.time()):
            return storage_error(403, "AuthenticationFailed", "Server failed to authenticate the request. Make sure "
                                  "the value of Authorization header is formed correctly including the signature.")
        data = self.data.run_logs.get(run_id, {}).get(path)
        if data is None:
            return storage_error(404, "BlobNotFound", "The specified blob does not exist.")
        headers = {"Content-Type": "application/octet-stream", "x-ms-blob-type": "BlockBlob",
                   "x-ms-version": "2019-07-07", "Accept-Ranges": "bytes", "Content-Length": str(len(data)),
                   "ETag": '"0x8DC' + hashlib.sha1(data).hexdigest()[:12].upper() + '"'}
        wanted = re.fullmatch(r"bytes=(\d+)-(\d*)", (getattr(request, "headers", None) or {}).get("Range", "") or "")
        if wanted is None:
            return 200, headers, data
        first = int(wanted[1])
        last = min(int(wanted[2]) if wanted[2] else len(data) - 1, len(data) - 1)
        if first >= len(data) and len(data) > 0:
            status, head, body = storage_error(416, "InvalidRange", "The range specified is invalid for the current "
                                                "size of the resource.")
            return status, {**head, "Content-Range": f"bytes */{len(data)}"}, body
        part = data[first:last + 1]
        headers.update({"Content-Length": str(len(part)), "Content-Range": f"bytes {first}-{last}/{len(data)}"})
        return 206, headers, part


def storage_error(status: int, code: str, message: str) -> Answer:
    """An Azure Storage error: XML body, the code repeated in ``x-ms-error-code``."""
    body = (f'<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code><Message>{message}\n'
            f"RequestId:{secrets.token_hex(4)}-701e-0042-5c1a-{secrets.token_hex(6)}\n"
            f"Time:{time.strftime('%Y-%m-%dT%H:%M:%S.0000000Z', time.gmtime())}</Message></Error>")
    return status, {"Content-Type": "application/xml", "x-ms-error-code": code}, body

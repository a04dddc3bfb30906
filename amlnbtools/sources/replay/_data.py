"""The recorded payloads of the replay workspace, read from ``data/``.

Every call of :func:`load` returns fresh objects, so one replay can change its copy (for example the
state of a service) without touching the next one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from amlnbtools.sources.replay._jobs_data import load_jobs
from amlnbtools.sources.replay._pipeline_data import PIPELINE_RUNS, WIDE_STEPS, load_pipelines

__all__ = ["DATA", "PIPELINE_RUNS", "SERVICES", "WIDE_STEPS", "Identity", "Payloads", "load"]

DATA = Path(__file__).with_name("data")

#: The services of the replay workspace, in the order the list endpoint returns them.
SERVICES: tuple[str, ...] = ("iris-aci", "churn-aks-crashloop", "vision-aks-gpu", "fraud-aks-503")

_ARM_ID = re.compile(
    r"^/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)/providers/"
    r"Microsoft\.MachineLearningServices/workspaces/(?P<name>[^/]+)$"
)


@dataclass(frozen=True)
class Identity:
    """Who and where the replay workspace is: taken from the recorded ARM workspace payload."""

    subscription_id: str
    resource_group: str
    name: str
    location: str
    workspace_id: str
    tenant_id: str
    arm_id: str
    discovery_url: str
    api_host: str  # host of the azureml services (modelmanagement, history), from the discovery document
    storage_account: str = "replaystorage"  # the workspace's storage account (blob host of SAS log links)

    @property
    def mms_path(self) -> str:
        """Path prefix of the model management (webservice) API for this workspace."""
        return "/modelmanagement/v1.0" + self.arm_id

    @property
    def history_path(self) -> str:
        """Path prefix of the run history API for this workspace."""
        return "/history/v1.0" + self.arm_id

    @property
    def pipelines_path(self) -> str:
        """Path prefix of the pipelines (aeva) API for this workspace."""
        return "/pipelines/v1.0" + self.arm_id

    @property
    def artifact_path(self) -> str:
        """Path prefix of the artifact API for this workspace."""
        return "/artifact/v2.0" + self.arm_id


@dataclass
class Payloads:
    """Everything the replay answers with (mutable: :meth:`ReplayWorkspace.set_state` edits ``services``)."""

    identity: Identity
    workspace: dict[str, Any]
    discovery: dict[str, Any]
    services: dict[str, dict[str, Any]]
    logs: dict[tuple[str, bool], str]  # (service, init) -> text
    experiments: dict[str, dict[str, Any]]  # experiment name -> ExperimentDto (pipeline experiments included)
    runs: dict[str, dict[str, Any]]  # run id -> RunDto (pipeline and step runs included)
    scoring: dict[str, dict[str, Any]]  # service -> {"status", "content_type", "body"}
    keys: dict[str, str]
    pipeline_runs: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> PipelineRunEntity (PascalCase)
    datatypes: list[dict[str, Any]] = field(default_factory=list)  # DataTypeEntity list of the pipelines service
    run_logs: dict[str, dict[str, bytes]] = field(default_factory=dict)  # run id -> {log path -> bytes}
    computes: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> compute resource (ARM shape)
    datastores: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> DataStore DTO; the first is default
    # SDK v2 online endpoints (ARM shapes): name -> endpoint; endpoint -> {deployment -> deployment}
    endpoints: dict[str, dict[str, Any]] = field(default_factory=dict)
    deployments: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    operations: dict[str, dict[str, Any]] = field(default_factory=dict)  # async operation id -> status
    endpoint_logs: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (endpoint, deployment, container)
    v2_computes: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> compute as ARM answers v2
    endpoint_keys: dict[str, dict[str, str]] = field(default_factory=dict)  # key-auth endpoint -> its two keys
    endpoint_scoring: dict[str, dict[str, Any]] = field(default_factory=dict)  # "ep/dep" -> status, body, headers
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)  # SDK v2 job name -> ARM JobBase
    live_jobs: dict[str, Any] = field(default_factory=dict)  # job name -> its clock (LiveJob, LiveBuild)
    vm_sizes: list[dict[str, Any]] = field(default_factory=list)  # the region's VM sizes (ARM shape)
    usages: list[dict[str, Any]] = field(default_factory=list)  # the region's quota usages (ARM shape)


def _json(relative: str) -> Any:
    return json.loads((DATA / relative).read_text(encoding="utf-8"))


def _text(relative: str) -> str:
    return (DATA / relative).read_text(encoding="utf-8")


def load() -> Payloads:
    """Read every payload from ``data/`` into new objects.

    Raises
    ------
    ValueError
        If the recorded ARM payload does not carry a workspace resource id.
    """
    workspace = _json("workspace.json")
    discovery = _json("discovery.json")
    match = _ARM_ID.match(workspace["id"])
    if match is None:
        raise ValueError(f"replay data: {workspace['id']!r} is not an Azure ML workspace resource id")
    props = workspace["properties"]
    identity = Identity(
        subscription_id=match["sub"],
        resource_group=match["rg"],
        name=match["name"],
        location=workspace["location"],
        workspace_id=props["workspaceId"],
        tenant_id=props["tenantId"],
        arm_id=workspace["id"],
        discovery_url=props["discoveryUrl"],
        api_host=urlsplit(discovery["modelmanagement"]).netloc,
        storage_account=props["storageAccount"].rsplit("/", 1)[-1],
    )
    pipelines = load_pipelines()
    payloads = Payloads(
        identity=identity,
        workspace=workspace,
        discovery=discovery,
        services={name: _json(f"services/{name}.json") for name in SERVICES},
        logs={
            (name, init): _text(f"logs/{name}{'.init' if init else ''}.log")
            for name in SERVICES
            for init in (False, True)
        },
        experiments=_json("history/experiments.json"),
        runs=_json("history/runs.json"),
        scoring=_json("scoring.json"),
        keys=_json("keys.json"),
        pipeline_runs=pipelines["pipeline_runs"],
        datatypes=pipelines["datatypes"],
        run_logs=pipelines["logs"],
        computes={compute["name"]: compute for compute in _json("computes.json")},
        datastores={store["name"]: store for store in _json("datastores.json")},
    )
    online = _json("v2/online.json")
    payloads.endpoints = {e["name"]: e for e in online["endpoints"]}
    payloads.deployments = {ep: {d["name"]: d for d in deps} for ep, deps in online["deployments"].items()}
    payloads.operations = online["operations"]
    payloads.v2_computes = {compute["name"]: compute for compute in online.get("computes", [])}
    payloads.endpoint_keys = online.get("keys", {})
    payloads.endpoint_scoring = online.get("scoring", {})
    for path in sorted((DATA / "v2" / "logs").glob("*.log")):
        endpoint, deployment, container = path.name[: -len(".log")].split(".")
        payloads.endpoint_logs[(endpoint, deployment, container)] = path.read_text(encoding="utf-8")
    payloads.experiments.update(pipelines["experiments"])
    payloads.runs.update(pipelines["runs"])
    v2_jobs = load_jobs(identity.arm_id)
    payloads.jobs, payloads.live_jobs = v2_jobs["jobs"], v2_jobs["live"]
    payloads.runs.update(v2_jobs["runs"])
    payloads.run_logs.update(v2_jobs["logs"])
    payloads.experiments.update(v2_jobs["experiments"])
    payloads.v2_computes.update({c["name"]: c for c in v2_jobs["computes"]})
    payloads.vm_sizes, payloads.usages = v2_jobs["vm_sizes"], v2_jobs["usages"]
    return payloads

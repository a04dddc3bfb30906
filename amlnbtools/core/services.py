"""Values that describe a workspace and its web services, as panels need them (no SDK objects)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

__all__ = ["TERMINAL_STATES", "AutoscaleSettings", "ServiceDetails", "ServiceSummary", "WorkspaceInfo",
           "kubectl_commands", "mask_id"]

#: States in which a deployment stops changing by itself (auto-refresh stops there).
TERMINAL_STATES = frozenset({"Healthy", "Failed", "Unhealthy", "Unschedulable", "Succeeded", "Canceled"})


def mask_id(value: str) -> str:
    """Show only the ends of an identifier: ``6b1f0a5e-…-2f4c5d6e7a8b`` → ``6b1f…7a8b``."""
    return value if len(value) <= 8 else f"{value[:4]}…{value[-4:]}"


@dataclass(frozen=True, slots=True)
class WorkspaceInfo:
    """Where a panel is connected (the subscription id is only ever shown masked)."""

    name: str
    subscription_id: str
    resource_group: str
    location: str | None
    config_source: str
    auth_method: str

    @property
    def subscription_masked(self) -> str:
        return mask_id(self.subscription_id)


@dataclass(frozen=True, slots=True)
class AutoscaleSettings:
    """AKS autoscaler settings; ``target_utilization_percent`` is the SDK's integer percent (70)."""

    enabled: bool
    min_replicas: int
    max_replicas: int
    target_utilization_percent: int
    refresh_period_s: int


@dataclass(frozen=True, slots=True)
class ServiceSummary:
    """One row of the service table: a v1 web service, or a v2 online deployment named ``endpoint/deployment``.

    ``compute_type`` is ACI or AKS (v1), Managed or Kubernetes (v2); ``state`` is the v1 state or the v2
    provisioning state. The v2 fields (``traffic_percent``, ``instance_type``, ``instance_count``,
    ``endpoint_state``) are None for v1 services.
    """

    name: str
    compute_type: str
    state: str | None
    scoring_uri: str | None = None
    created: str | None = None
    updated: str | None = None
    sdk: str = "v1"
    traffic_percent: int | None = None
    instance_type: str | None = None
    instance_count: int | None = None
    endpoint_state: str | None = None

    @property
    def endpoint(self) -> str | None:
        """The online endpoint of a v2 deployment (None for a v1 service)."""
        return self.name.partition("/")[0] if self.sdk == "v2" else None

    @property
    def deployment(self) -> str | None:
        """The deployment name of a v2 deployment (None for a v1 service)."""
        return self.name.partition("/")[2] if self.sdk == "v2" else None


@dataclass(frozen=True, slots=True)
class ServiceDetails:
    """What the deployment log panel shows about one service, besides its logs."""

    summary: ServiceSummary
    error_json: str | None = None  # the service's error, as pretty JSON text (kept as text: frozen)
    autoscale: AutoscaleSettings | None = None
    namespace: str | None = None
    compute_name: str | None = None
    num_replicas: int | None = None
    scoring_timeout_ms: int | None = None
    max_request_wait_time_ms: int | None = None
    max_concurrent_requests: int | None = None
    resources: dict[str, float | None] = field(default_factory=dict, hash=False, compare=False)

    @property
    def name(self) -> str:
        return self.summary.name

    @property
    def state(self) -> str | None:
        return self.summary.state

    @property
    def is_aks(self) -> bool:
        return self.summary.compute_type.upper() in ("AKS", "AKSENDPOINT")

    @property
    def is_v2(self) -> bool:
        """An SDK v2 online deployment (managed or Kubernetes)."""
        return self.summary.sdk == "v2"

    @property
    def is_kubernetes(self) -> bool:
        """Runs on a Kubernetes cluster: a v1 AKS service or a v2 Kubernetes online deployment."""
        return self.is_aks or self.summary.compute_type == "Kubernetes"

    @property
    def is_terminal(self) -> bool:
        return self.summary.state in TERMINAL_STATES

    @property
    def error(self) -> object:
        """The error as parsed JSON (``None`` when there is none)."""
        return json.loads(self.error_json) if self.error_json else None


def kubectl_commands(details: ServiceDetails, cluster_resource_group: str = "<resource group of the AKS cluster>",
                     cluster_name: str | None = None) -> list[str]:
    """Commands that show what the logs cannot: scheduling events, OOM kills, image pulls.

    Pods of a v1 AKS web service are named after the service, and those of a v2 Kubernetes online
    deployment after the endpoint and the deployment, so the commands filter on those names.
    """
    if not details.is_kubernetes:
        return []
    ns = details.namespace or "<namespace>"
    grep = (f"grep {details.summary.endpoint} | grep {details.summary.deployment}" if details.is_v2
            else f"grep {details.name}")
    cluster = cluster_name or details.compute_name or "<AKS cluster name>"
    return [
        f"az aks get-credentials --resource-group {cluster_resource_group} --name {cluster}",
        f"kubectl get pods -n {ns} -o wide | {grep}",
        f"kubectl get events -n {ns} --sort-by=.lastTimestamp | {grep}",
        f"kubectl get events -n {ns} --field-selector reason=FailedScheduling",
        f"kubectl describe pods -n {ns} $(kubectl get pods -n {ns} -o name | {grep})",
        (f"kubectl get pods -n {ns} -o jsonpath='{{range .items[*]}}{{.metadata.name}}"
         f"{{\"\\t\"}}{{.status.containerStatuses[*].lastState.terminated.reason}}{{\"\\n\"}}{{end}}' | {grep}"),
    ]

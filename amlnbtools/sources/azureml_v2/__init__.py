"""SDK v2 online endpoints through the real azure-ai-ml code path, every call bounded.

A deployment is known to panels as ``"endpoint/deployment"`` (a v1 service name cannot hold ``/``), so
this source is a :class:`~amlnbtools.sources.base.DeploymentSource` like the v1 one. Calls made:

- table: ``online_endpoints.list()``, then ``online_deployments.list(endpoint)`` for every endpoint, at
  most ``LIST_WORKERS`` at a time;
- details: ``online_endpoints.get`` and ``online_deployments.get``; the reason a deployment failed is
  not on the resource: it is read from the async operation its ``AzureAsyncOperationUri`` names (GET,
  with the same credential);
- logs: ``online_deployments.get_logs(…, container_type=None | "storage-initializer")``.

Bounds: the source makes its own ``MLClient`` from the credential and ids (``retry_total``, connection
and read timeouts from :class:`Limits`, telemetry off) and runs each call under
:func:`~amlnbtools.sources._limits.run_with_deadline`; a 401 gets one new client, then a clear message.
Importing this module does not import azure-ai-ml.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from amlnbtools.core.capacity.scoring import ScoringResult
from amlnbtools.core.services import AutoscaleSettings, ServiceDetails, ServiceSummary, WorkspaceInfo
from amlnbtools.i18n import _
from amlnbtools.sources._limits import Limits, run_with_deadline
from amlnbtools.sources.errors import SourceError, classify

__all__ = ["LIST_WORKERS", "AzureMLV2Source", "import_ml", "split_name"]

T = TypeVar("T")
#: Endpoints whose deployments are listed at once.
LIST_WORKERS = 8
_ARM_SCOPE = "https://management.azure.com/.default"


def import_ml() -> Any:
    """The ``azure.ai.ml`` module, or a :class:`SourceError` with the install command."""
    try:
        import azure.ai.ml as ml
    except ImportError:
        raise SourceError("sdk-missing", _("azure-ai-ml (Azure ML SDK v2) is not installed in this environment: run "
                                           'pip install "amlnbtools[v2]"')) from None
    return ml


def split_name(name: str) -> tuple[str, str]:
    """``"endpoint/deployment"`` → ``("endpoint", "deployment")``; ValueError for another shape."""
    endpoint, sep, deployment = name.partition("/")
    if not sep or not endpoint or not deployment or "/" in deployment:
        raise ValueError(_("A v2 deployment is named endpoint/deployment, not {name!r}").format(name=name))
    return endpoint, deployment


def _text(value: object) -> str | None:
    if value is None:
        return None
    return str(getattr(value, "value", value))


def _when(entity: Any, attribute: str) -> str | None:
    context = getattr(entity, "creation_context", None)
    value: Any = getattr(context, attribute, None)
    if value is None:
        return None
    return str(value.isoformat()) if hasattr(value, "isoformat") else str(value)


def _compute_type(deployment: Any) -> str:
    return "Kubernetes" if type(deployment).__name__.startswith("Kubernetes") else "Managed"


def _summary(endpoint: Any, deployment: Any) -> ServiceSummary:
    traffic = getattr(endpoint, "traffic", None) or {}
    count = getattr(deployment, "instance_count", None)
    return ServiceSummary(name=f"{endpoint.name}/{deployment.name}", compute_type=_compute_type(deployment),
                          state=_text(deployment.provisioning_state),
                          scoring_uri=getattr(endpoint, "scoring_uri", None),
                          created=_when(deployment, "created_at"), updated=_when(deployment, "last_modified_at"),
                          sdk="v2", traffic_percent=int(traffic.get(deployment.name, 0) or 0),
                          instance_type=getattr(deployment, "instance_type", None),
                          instance_count=int(count) if count is not None else None,
                          endpoint_state=_text(getattr(endpoint, "provisioning_state", None)))


def _autoscale(deployment: Any) -> AutoscaleSettings | None:
    scale = getattr(deployment, "scale_settings", None)
    if scale is None or type(scale).__name__ != "TargetUtilizationScaleSettings":
        return None
    return AutoscaleSettings(enabled=True, min_replicas=int(scale.min_instances or 1),
                             max_replicas=int(scale.max_instances or 1),
                             target_utilization_percent=int(scale.target_utilization_percentage or 70),
                             refresh_period_s=int(scale.polling_interval or 1))


def _quantity(value: object) -> float | None:
    """A Kubernetes quantity as a number of cores or GB: ``"500m"`` → 0.5, ``"8Gi"`` → 8.0 (None if unreadable)."""
    if value is None:
        return None
    text = str(value).strip()
    scale = 1.0
    for suffix, factor in (("m", 0.001), ("Gi", 1.0), ("G", 1.0), ("Mi", 1 / 1024), ("M", 1 / 1000)):
        if text.endswith(suffix):
            text, scale = text[: -len(suffix)], factor
            break
    try:
        return round(float(text) * scale, 3)
    except ValueError:
        return None


def _resources(deployment: Any) -> dict[str, float | None]:
    """Container requests of a Kubernetes deployment, keyed as v1's (``cpu_cores``, ``memory_gb``, ``gpu_cores``)."""
    requests = getattr(getattr(deployment, "resources", None), "requests", None)
    if requests is None:
        return {}
    return {"cpu_cores": _quantity(getattr(requests, "cpu", None)),
            "memory_gb": _quantity(getattr(requests, "memory", None)),
            "gpu_cores": _quantity(getattr(requests, "gpu", None))}


class AzureMLV2Source:
    """Online deployments of one workspace through azure-ai-ml; see the module docstring.

    Parameters
    ----------
    credential : azure-core token credential
        Used for the client and for the operation status of a failed deployment.
    subscription_id, resource_group, workspace_name : str
        The workspace.
    info : WorkspaceInfo
        Where the panel says it is connected.
    limits : Limits
        Per-request timeout, retries, and the deadline of each call.
    make_credential : callable, optional
        A new credential after a 401 (one attempt).
    """

    def __init__(self, credential: Any, subscription_id: str, resource_group: str, workspace_name: str, *,
                 info: WorkspaceInfo, limits: Limits = Limits(),
                 make_credential: Callable[[], Any] | None = None) -> None:
        self._credential = credential
        self._ids = (subscription_id, resource_group, workspace_name)
        self._info = info
        self._limits = limits
        self._make_credential = make_credential
        self._client: Any = None

    @classmethod
    def from_ml_client(cls, ml_client: Any, *, limits: Limits = Limits(), config_source: str = "MLClient",
                       auth_method: str | None = None) -> AzureMLV2Source:
        """The source of the workspace an ``MLClient`` points at (its credential; our own bounded client)."""
        credential = getattr(ml_client, "_credential", None)
        ids = [getattr(ml_client, a, None) for a in ("subscription_id", "resource_group_name", "workspace_name")]
        if credential is None or not all(isinstance(i, str) and i for i in ids):
            raise TypeError(_("Expected an azure.ai.ml MLClient of a workspace (subscription, resource group and "
                              "workspace name set), not {kind}").format(kind=type(ml_client).__name__))
        subscription, group, name = (str(i) for i in ids)
        info = WorkspaceInfo(name=name, subscription_id=subscription, resource_group=group, location=None,
                             config_source=config_source, auth_method=auth_method or type(credential).__name__)
        return cls(credential, subscription, group, name, info=info, limits=limits)

    @property
    def info(self) -> WorkspaceInfo:
        return self._info

    @property
    def ml_client(self) -> Any:
        """The bounded ``azure.ai.ml.MLClient`` this source calls (made on first use)."""
        if self._client is None:
            import_ml()
            from amlnbtools.sources.azureml_v2._client import make_client

            self._client = make_client(self._credential, *self._ids, self._limits)
        return self._client

    # --- DeploymentSource ------------------------------------------------------------------

    def list_services(self) -> list[ServiceSummary]:
        """Every deployment of every online endpoint, as ``endpoint/deployment`` rows."""
        endpoints = self.list_endpoints()
        if not endpoints:
            return []
        with ThreadPoolExecutor(max_workers=min(LIST_WORKERS, len(endpoints)),
                                thread_name_prefix="amlnbtools-v2-list") as pool:
            rows = [row for chunk in pool.map(self.list_deployments, endpoints) for row in chunk]
        return sorted(rows, key=lambda s: s.name)

    def list_endpoints(self) -> list[Any]:
        """The online endpoints (azure-ai-ml entities), one request."""
        return self._call(_("the online endpoint list"), lambda: list(self.ml_client.online_endpoints.list()))

    def list_deployments(self, endpoint: Any) -> list[ServiceSummary]:
        """The deployments of one endpoint (an entity of :meth:`list_endpoints`) as rows, one request."""
        found = self._call(_("the deployments of endpoint {name}").format(name=endpoint.name),
                           lambda: list(self.ml_client.online_deployments.list(endpoint.name)))
        return [_summary(endpoint, d) for d in found]

    def service_details(self, name: str) -> ServiceDetails:
        """State, error (from the deployment's last operation) and settings of ``endpoint/deployment``."""
        endpoint_name, deployment_name = self._split(name)
        what = _("deployment {name}").format(name=name)
        try:
            endpoint = self._call(what, lambda: self.ml_client.online_endpoints.get(endpoint_name))
            deployment = self._call(what, lambda: self.ml_client.online_deployments.get(deployment_name,
                                                                                         endpoint_name))
        except SourceError as failure:
            raise self._naming_what_exists(failure, endpoint_name) from None
        summary = _summary(endpoint, deployment)
        error = None
        if summary.state not in ("Succeeded", None):
            error = self._operation_error(deployment, what)
        request = getattr(deployment, "request_settings", None)
        compute = getattr(endpoint, "compute", None)
        compute_name = str(compute).rsplit("/", 1)[-1] if compute else None
        return ServiceDetails(
            summary=summary, error_json=json.dumps(error, indent=2) if error else None,
            autoscale=_autoscale(deployment), namespace=self._namespace(compute_name),
            compute_name=compute_name,
            num_replicas=getattr(deployment, "instance_count", None),
            scoring_timeout_ms=getattr(request, "request_timeout_ms", None),
            max_concurrent_requests=getattr(request, "max_concurrent_requests_per_instance", None),
            resources=_resources(deployment))

    def service_logs(self, name: str, *, num_lines: int = 5000, init: bool = False) -> str:
        """The last ``num_lines`` lines of the inference server's log (``init=True``: the storage initializer's)."""
        endpoint_name, deployment_name = self._split(name)
        container = "storage-initializer" if init else None
        try:
            return self._call(_("the logs of deployment {name}").format(name=name), lambda: self.ml_client
                              .online_deployments.get_logs(deployment_name, endpoint_name, num_lines,
                                                           container_type=container)) or ""
        except SourceError as failure:
            raise self._naming_what_exists(failure, endpoint_name) from None

    # --- beyond the protocol ----------------------------------------------------------------

    @property
    def credential(self) -> Any:
        """The credential the source signs in with (also for storage reads, never shown)."""
        return self._credential

    @property
    def limits(self) -> Limits:
        return self._limits

    def score(self, name: str, payload: str | bytes, *, timeout_s: float | None = None) -> ScoringResult:
        """Send one scoring request to ``endpoint/deployment`` (see :mod:`.scoring`; the key is never kept)."""
        from amlnbtools.sources.azureml_v2.scoring import score

        try:
            return score(self, name, payload, timeout_s=timeout_s)
        except SourceError as failure:
            raise self._naming_what_exists(failure, name.partition("/")[0]) from None

    def update_capacity(self, name: str, *, instance_count: int | None = None,
                        max_concurrent_requests: int | None = None, request_timeout_ms: int | None = None,
                        scale: tuple[int, int, int] | None = None) -> ServiceDetails:
        """Change the capacity of ``endpoint/deployment`` with ``online_deployments.begin_create_or_update``.

        ``scale`` = (min, max, target %) sets TargetUtilization scale settings (Kubernetes). The operation is
        started, not waited for (scaling takes minutes): the details returned show its provisioning state.
        """
        endpoint_name, deployment_name = self._split(name)
        what = _("deployment {name}").format(name=name)

        def update() -> None:
            client = self.ml_client
            deployment = client.online_deployments.get(deployment_name, endpoint_name)
            if instance_count is not None:
                deployment.instance_count = int(instance_count)
            if max_concurrent_requests is not None:
                deployment.request_settings.max_concurrent_requests_per_instance = int(max_concurrent_requests)
            if request_timeout_ms is not None:
                deployment.request_settings.request_timeout_ms = int(request_timeout_ms)
            if scale is not None:
                from azure.ai.ml.entities import TargetUtilizationScaleSettings

                low, high, percent = scale
                deployment.scale_settings = TargetUtilizationScaleSettings(
                    min_instances=int(low), max_instances=int(high), target_utilization_percentage=int(percent))
            client.online_deployments.begin_create_or_update(deployment, skip_script_validation=True)

        try:
            self._call(_("the capacity of {what}").format(what=what), update)
        except SourceError as failure:
            raise self._naming_what_exists(failure, endpoint_name) from None
        return self.service_details(name)

    def split(self, name: str) -> tuple[str, str]:
        """``endpoint/deployment`` → its two names; a SourceError ("bad-input") for another shape."""
        try:
            return split_name(name)
        except ValueError as exc:
            raise SourceError("bad-input", str(exc)) from None

    def call(self, what: str, fn: Callable[[], T]) -> T:
        """``fn()`` under the deadline, classified, with one new credential after an expired token."""
        return self._call(what, fn)

    # --- internals ---------------------------------------------------------------------------

    def _split(self, name: str) -> tuple[str, str]:
        return self.split(name)

    def _namespace(self, compute_name: str | None) -> str | None:
        """The Kubernetes namespace of an attached Kubernetes compute (None when it cannot be read)."""
        if not compute_name:
            return None
        try:
            compute = self._call(_("compute {name}").format(name=compute_name),
                                 lambda: self.ml_client.compute.get(compute_name))
        except SourceError:
            return None  # the commands then show a placeholder: not worth failing the panel for
        return getattr(compute, "namespace", None) or None

    def _naming_what_exists(self, error: SourceError, endpoint_name: str) -> SourceError:
        """A not-found error completed with the names that exist (the endpoints, or the endpoint's deployments)."""
        if error.kind != "not-found":
            return error
        try:
            endpoints = sorted(e.name for e in self._call(_("the online endpoint list"),
                                                          lambda: list(self.ml_client.online_endpoints.list())))
            if endpoint_name in endpoints:
                found = self._call(_("the deployments of endpoint {name}").format(name=endpoint_name),
                                   lambda: list(self.ml_client.online_deployments.list(endpoint_name)))
                hint = _("Deployments of endpoint {endpoint}: {names}.").format(
                    endpoint=endpoint_name, names=", ".join(sorted(d.name for d in found)) or _("none"))
            else:
                hint = _("Online endpoints in this workspace: {names}.").format(names=", ".join(endpoints) or _("none"))
        except SourceError:
            return error
        return SourceError("not-found", f"{error} {hint}", status=error.status, detail=error.detail)

    def _operation_error(self, deployment: Any, what: str) -> Any:
        """The ``error`` of the deployment's last async operation, or None when it has none."""
        uri = (getattr(deployment, "properties", None) or {}).get("AzureAsyncOperationUri")
        if not uri:
            return None

        def fetch() -> Any:
            import requests

            token = self._credential.get_token(_ARM_SCOPE).token
            response = requests.get(uri, headers={"Authorization": f"Bearer {token}"},
                                    timeout=self._limits.request_timeout_s)
            response.raise_for_status()
            return response.json()

        status = self._call(_("the last operation of {what}").format(what=what), fetch)
        return status.get("error") if isinstance(status, dict) else None

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        for attempt in (1, 2):
            try:
                return run_with_deadline(fn, self._limits.budget_s)
            except Exception as exc:
                error = classify(exc, what, timeout_s=self._limits.budget_s, sdk="azure-ai-ml")
                if error.kind in ("token-expired", "auth-failed") and attempt == 1 and self._make_credential:
                    try:
                        self._credential = self._make_credential()
                        self._client = None
                        continue
                    except Exception:
                        pass
                raise error from None
        raise AssertionError("unreachable")

"""Web services of a workspace through the real azureml-core (SDK v1) code path, every call bounded.

Calls made (all through azureml-core, never raw REST):

- connect: ``Workspace(subscription_id, resource_group, workspace_name, auth=...)``
- service table: ``Webservice.list(workspace)``
- details: ``Webservice(workspace, name)`` → ``state``, ``error``, and for AKS ``autoscaler``,
  ``namespace``, ``compute_name``, ``num_replicas``, ``scoring_timeout_ms``, ``max_request_wait_time``,
  ``max_concurrent_requests_per_container``, ``container_resource_requirements``
- logs: ``service.get_logs(num_lines=N, init=...)``
- apply autoscaler settings (replica calculator, after confirmation): ``service.update(autoscale_enabled=True,
  autoscale_min_replicas=…, autoscale_max_replicas=…, autoscale_target_utilization=…)``

Each runs in :func:`call_with_deadline` (per-request timeout, short retries, ≤ 30 s in all). An
expired token gets one re-authentication attempt before the error is reported.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from amlnbtools.core.services import AutoscaleSettings, ServiceDetails, ServiceSummary, WorkspaceInfo
from amlnbtools.i18n import _
from amlnbtools.sources.azureml_v1._bounded import Limits, call_with_deadline
from amlnbtools.sources.azureml_v1._connect import AUTH_METHODS, find_config, is_azureml_auth, make_auth, v1_auth
from amlnbtools.sources.config import resolve_ids
from amlnbtools.sources.errors import SourceError, classify

__all__ = ["AUTH_METHODS", "AzureMLSource", "Limits", "find_config", "make_auth"]

T = TypeVar("T")


def _iso(value: Any) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else (str(value) if value else None)


def _summary(svc: Any) -> ServiceSummary:
    return ServiceSummary(name=svc.name, compute_type=str(getattr(svc, "compute_type", None) or "?"),
                          state=getattr(svc, "state", None), scoring_uri=getattr(svc, "scoring_uri", None),
                          created=_iso(getattr(svc, "created_time", None)),
                          updated=_iso(getattr(svc, "updated_time", None)))


def _details(svc: Any) -> ServiceDetails:
    scaler = getattr(svc, "autoscaler", None)
    autoscale = None
    if scaler is not None:
        autoscale = AutoscaleSettings(enabled=bool(scaler.autoscale_enabled), min_replicas=int(scaler.min_replicas),
                                      max_replicas=int(scaler.max_replicas),
                                      target_utilization_percent=int(scaler.target_utilization),
                                      refresh_period_s=int(scaler.refresh_period_seconds))
    res = getattr(svc, "container_resource_requirements", None)
    resources = {k: getattr(res, a, None) for k, a in (("cpu_cores", "cpu"), ("memory_gb", "memory_in_gb"),
                                                        ("gpu_cores", "gpu"))} if res is not None else {}
    error = getattr(svc, "error", None)
    return ServiceDetails(
        summary=_summary(svc),
        error_json=json.dumps(error, indent=2, ensure_ascii=False, sort_keys=False) if error else None,
        autoscale=autoscale,
        namespace=getattr(svc, "namespace", None),
        compute_name=getattr(svc, "compute_name", None),
        num_replicas=getattr(svc, "num_replicas", None),
        scoring_timeout_ms=getattr(svc, "scoring_timeout_ms", None),
        max_request_wait_time_ms=getattr(svc, "max_request_wait_time", None),
        max_concurrent_requests=getattr(svc, "max_concurrent_requests_per_container", None),
        resources=resources,
    )


class AzureMLSource:
    """A workspace's web services through azureml-core (see the module docstring for the calls).

    Parameters
    ----------
    workspace : azureml.core.Workspace
    info : WorkspaceInfo
        What the workspace panel shows about the connection.
    reauthenticate : callable, optional
        Returns a fresh Workspace after an expired token; tried once per call.
    limits : Limits
        Time limits of every call.
    """

    def __init__(self, workspace: Any, *, info: WorkspaceInfo, reauthenticate: Callable[[], Any] | None = None,
                 limits: Limits = Limits()) -> None:
        self._workspace = workspace
        self._info = info
        self._reauthenticate = reauthenticate
        self._limits = limits
        self._services: dict[str, Any] = {}

    @classmethod
    def connect(cls, config: str | Path | None = None, *, subscription_id: str | None = None,
                resource_group: str | None = None, workspace_name: str | None = None, auth: Any = "default",
                tenant_id: str | None = None, limits: Limits = Limits()) -> AzureMLSource:
        """Connect with explicit ids, a config.json path, or the config.json found from the working folder.

        ``auth`` is a sign-in method (see :data:`AUTH_METHODS`), an azure-identity credential, or an azureml
        authentication object.
        """
        ids, source = resolve_ids(config, subscription_id=subscription_id, resource_group=resource_group,
                                  workspace_name=workspace_name)
        if isinstance(auth, str):
            credential, method = make_auth(auth, tenant_id=tenant_id), auth
        elif is_azureml_auth(auth):
            credential, method = auth, type(auth).__name__
        else:  # an azure-core token credential (azure-identity)
            credential, method = v1_auth(auth), type(auth).__name__

        def open_workspace() -> Any:
            from azureml.core import Workspace

            return Workspace(ids["subscription_id"], ids["resource_group"], ids["workspace_name"], auth=credential)

        try:
            workspace = call_with_deadline(open_workspace, limits)
        except Exception as exc:
            error = classify(exc, _("workspace {name}").format(name=ids["workspace_name"]), timeout_s=limits.budget_s)
            if error.kind in ("not-found", "unknown") and ("not found" in str(exc).lower() or "404" in str(exc)):
                raise SourceError("workspace-not-found", _(
                    "Workspace {name} was not found in resource group {group}: check the subscription id, resource "
                    "group and workspace name.").format(name=ids["workspace_name"], group=ids["resource_group"]),
                    detail=error.detail) from None
            raise error from None
        info = WorkspaceInfo(name=ids["workspace_name"], subscription_id=ids["subscription_id"],
                             resource_group=ids["resource_group"], location=getattr(workspace, "location", None),
                             config_source=source, auth_method=method)
        return cls(workspace, info=info, reauthenticate=open_workspace, limits=limits)

    @property
    def workspace(self) -> Any:
        """The azureml ``Workspace`` (for pipeline runs and anything else on it)."""
        return self._workspace

    @property
    def info(self) -> WorkspaceInfo:
        return self._info

    def list_services(self) -> list[ServiceSummary]:
        """Every web service of the workspace (name, compute type, state, scoring URI, times)."""
        from azureml.core import Webservice

        services = self._call(_("the service list"), lambda: Webservice.list(self._workspace))
        self._services.update({s.name: s for s in services})
        return sorted((_summary(s) for s in services), key=lambda s: s.name)

    def service_details(self, name: str) -> ServiceDetails:
        """State, error and settings of one service, read fresh."""
        from azureml.core import Webservice

        svc = self._call(_("service {name}").format(name=name), lambda: Webservice(self._workspace, name))
        self._services[name] = svc
        return _details(svc)

    def service_logs(self, name: str, *, num_lines: int = 5000, init: bool = False) -> str:
        """The last ``num_lines`` lines of the service's log (``init=True``: its init container)."""
        from azureml.core import Webservice

        def read() -> str:
            svc = self._services.get(name) or Webservice(self._workspace, name)
            self._services[name] = svc
            return svc.get_logs(num_lines=num_lines, init=init) or ""

        return self._call(_("the logs of service {name}").format(name=name), read)

    def update_autoscale(self, name: str, *, min_replicas: int, max_replicas: int,
                         target_utilization_percent: int) -> ServiceDetails:
        """``service.update(autoscale_enabled=True, autoscale_min_replicas=…, …)`` on an AKS service."""
        from azureml.core import Webservice

        def update() -> Any:
            svc = Webservice(self._workspace, name)
            if str(svc.compute_type).upper() != "AKS":
                raise SourceError("bad-input", _("Only AKS services have an autoscaler; {name} is {kind}.")
                                  .format(name=name, kind=svc.compute_type))
            svc.update(autoscale_enabled=True, autoscale_min_replicas=min_replicas,
                       autoscale_max_replicas=max_replicas, autoscale_target_utilization=target_utilization_percent)
            return svc

        svc = self._call(_("the autoscaler of service {name}").format(name=name), update)
        self._services[name] = svc
        return _details(svc)

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        for attempt in (1, 2):
            try:
                return call_with_deadline(fn, self._limits)
            except Exception as exc:
                error = classify(exc, what, timeout_s=self._limits.budget_s)
                if error.kind == "token-expired" and attempt == 1 and self._reauthenticate is not None:
                    try:
                        self._workspace = call_with_deadline(self._reauthenticate, self._limits)
                        self._services.clear()
                        continue
                    except Exception:
                        pass
                raise error from None
        raise AssertionError("unreachable")

"""The replay's SDK v2 routes: online endpoints, their deployments, logs and operation status.

What azure-ai-ml (1.35) requests, found by running it against the replay (ARM, https, bearer token):

- ``online_endpoints.list()``: GET ``{arm id}/onlineEndpoints``; ``.get(name)``: GET ``…/onlineEndpoints/{name}``
  then GET ``…/{name}/deployments`` (traffic of every deployment);
- ``online_deployments.list(endpoint)`` / ``.get(name, endpoint)``: GET ``…/{endpoint}/deployments[/{name}]``;
- ``online_deployments.get_logs(name, endpoint, lines, container_type=…)``: POST ``…/deployments/{name}/getLogs``
  with ``{"tail": N}`` or ``{"containerType": "StorageInitializer", "tail": N}`` → ``{"content": "…"}``;
- ``compute.get(name)`` (the namespace of a Kubernetes compute): GET ``{arm id}/computes/{name}``;
- the reason a deployment failed: GET of its ``properties.AzureAsyncOperationUri`` (``…/mfeOperationsStatus/{id}``)
  → ``{"status", "error": {"code", "message", "details"}}``.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from amlnbtools.sources.replay import _faults
from amlnbtools.sources.replay._data import Payloads
from amlnbtools.sources.replay._routes import JSON, Answer, Route

__all__ = ["ENDPOINT_ROUTES", "EndpointRoutes"]

ENDPOINT_ROUTES: tuple[str, ...] = (
    "v2-endpoints",
    "v2-endpoint",
    "v2-deployments",
    "v2-deployment",
    "v2-logs",
    "v2-operation",
    "v2-compute",
)
_CONTAINERS = {"InferenceServer": "inference-server", "StorageInitializer": "storage-initializer"}


class EndpointRoutes:
    """Route handlers for SDK v2 online endpoints (same handler signature as the server's)."""

    def __init__(self, data: Payloads) -> None:
        self.data = data

    def table(self) -> list[Route]:
        """``(name, method, host regex, path regex, handler)`` rows for the server's route table."""
        ident = self.data.identity
        arm = r"^management\.azure\.com$"
        eps = re.escape(ident.arm_id + "/onlineEndpoints")
        ops = re.escape(f"/subscriptions/{ident.subscription_id}/providers/Microsoft.MachineLearningServices"
                        f"/locations/{ident.location}/mfeOperationsStatus/")
        return [
            ("v2-endpoints", "GET", arm, eps, self._endpoints),
            ("v2-logs", "POST", arm, eps + "/(?P<ep>[^/]+)/deployments/(?P<dep>[^/]+)/getLogs", self._logs),
            ("v2-deployment", "GET", arm, eps + "/(?P<ep>[^/]+)/deployments/(?P<dep>[^/]+)", self._deployment),
            ("v2-deployments", "GET", arm, eps + "/(?P<ep>[^/]+)/deployments", self._deployments),
            ("v2-endpoint", "GET", arm, eps + "/(?P<ep>[^/]+)", self._endpoint),
            ("v2-operation", "GET", arm, ops + "(?P<op>[^/]+)", self._operation),
            ("v2-compute", "GET", arm, re.escape(ident.arm_id + "/computes/") + "(?P<compute>[^/]+)", self._compute),
        ]

    def _missing(self, kind: str, name: str) -> Answer:
        return 404, dict(JSON), _faults.arm_error(
            "UserError", f"{kind} {name} not found.", self.data.identity.location)

    def _endpoints(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                   request: Any = None) -> Answer:
        return 200, dict(JSON), {"value": list(self.data.endpoints.values())}

    def _endpoint(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                  request: Any = None) -> Answer:
        endpoint = self.data.endpoints.get(match["ep"])
        if endpoint is None:
            return self._missing("Endpoint", match["ep"])
        return 200, dict(JSON), endpoint

    def _deployments(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                     request: Any = None) -> Answer:
        if match["ep"] not in self.data.endpoints:
            return self._missing("Endpoint", match["ep"])
        return 200, dict(JSON), {"value": list(self.data.deployments.get(match["ep"], {}).values())}

    def _deployment(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                    request: Any = None) -> Answer:
        deployment = self.data.deployments.get(match["ep"], {}).get(match["dep"])
        if deployment is None:
            return self._missing("Deployment", match["dep"])
        return 200, dict(JSON), deployment

    def _logs(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
              request: Any = None) -> Answer:
        if match["dep"] not in self.data.deployments.get(match["ep"], {}):
            return self._missing("Deployment", match["dep"])
        try:
            body = json.loads(getattr(request, "body", None) or b"{}")
        except ValueError:
            body = {}
        container = _CONTAINERS.get(str(body.get("containerType") or "InferenceServer"), "inference-server")
        tail = int(body.get("tail") or 5000)
        text = self.data.endpoint_logs.get((match["ep"], match["dep"], container), "")
        lines = text.splitlines(keepends=True)
        return 200, dict(JSON), {"content": "".join(lines[-tail:] if tail > 0 else [])}

    def _operation(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                   request: Any = None) -> Answer:
        operation = self.data.operations.get(match["op"])
        if operation is None:
            return self._missing("Operation", match["op"])
        return 200, dict(JSON), operation

    def _compute(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                 request: Any = None) -> Answer:
        compute = self.data.v2_computes.get(match["compute"])
        if compute is None:
            return self._missing("Compute", match["compute"])
        return 200, dict(JSON), compute

    # --- changes made by tests and demos (the server holds its lock) -----------------------------

    def _deployment_named(self, name: str) -> dict[str, Any]:
        endpoint, _sep, deployment = name.partition("/")
        found = self.data.deployments.get(endpoint, {}).get(deployment)
        if found is None:
            names = [f"{e}/{d}" for e, deps in self.data.deployments.items() for d in deps]
            raise ValueError(f"no deployment {name!r} in the replay workspace: {', '.join(names)}")
        return found

    def set_state(self, name: str, state: str, error: object) -> None:
        """``provisioningState`` of ``endpoint/deployment``, and the error of its last operation unless "keep"."""
        deployment = self._deployment_named(name)
        deployment["properties"]["provisioningState"] = state
        deployment["systemData"]["lastModifiedAt"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        if isinstance(error, str) and error == "keep":
            return
        uri = (deployment["properties"].get("properties") or {}).get("AzureAsyncOperationUri", "")
        operation = self.data.operations.get(uri.rsplit("/", 1)[-1].partition("?")[0])
        if operation is not None:
            operation["status"] = state if state in ("Succeeded", "Failed", "Canceled") else "InProgress"
            if error is None:
                operation.pop("error", None)
            else:
                operation["error"] = error

    def set_logs(self, name: str, text: str, init: bool) -> None:
        """The inference server's log (``init``: the storage initializer's) of ``endpoint/deployment``."""
        self._deployment_named(name)
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, not {type(text).__name__}")
        endpoint, _sep, deployment = name.partition("/")
        container = "storage-initializer" if init else "inference-server"
        self.data.endpoint_logs[(endpoint, deployment, container)] = text

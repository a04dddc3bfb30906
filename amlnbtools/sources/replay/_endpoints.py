"""The replay's SDK v2 routes: online endpoints, their deployments, logs and operation status.

What azure-ai-ml (1.35) requests, found by running it against the replay (ARM, https, bearer token):

- ``online_endpoints.list()``: GET ``{arm id}/onlineEndpoints``; ``.get(name)``: GET ``…/onlineEndpoints/{name}``
  then GET ``…/{name}/deployments`` (traffic of every deployment);
- ``online_deployments.list(endpoint)`` / ``.get(name, endpoint)``: GET ``…/{endpoint}/deployments[/{name}]``;
- ``online_deployments.get_logs(name, endpoint, lines, container_type=…)``: POST ``…/deployments/{name}/getLogs``
  with ``{"tail": N}`` or ``{"containerType": "StorageInitializer", "tail": N}`` → ``{"content": "…"}``;
- ``compute.get(name)`` (the namespace of a Kubernetes compute): GET ``{arm id}/computes/{name}``;
- ``online_deployments.begin_create_or_update(deployment)`` of a deployment that exists: PUT
  ``…/deployments/{name}`` with the whole deployment; the replay keeps the scale it sets (``sku.capacity``,
  ``requestSettings``, ``scaleSettings``) and answers it finished (200, ``Succeeded``);
- ``online_endpoints.get_keys(name)``: POST ``…/{name}/listKeys`` (key auth) or ``…/{name}/token`` (AML token auth);
- scoring: POST the endpoint's scoring URI (``https://{name}.{region}.inference.ml.azure.com/score``, or
  ``http://{ip}/api/v1/endpoint/{name}/score`` for Kubernetes) with ``Authorization: Bearer <key or token>``
  and optionally ``azureml-model-deployment``; without it the endpoint picks a deployment by traffic;
- the reason a deployment failed: GET of its ``properties.AzureAsyncOperationUri`` (``…/mfeOperationsStatus/{id}``)
  → ``{"status", "error": {"code", "message", "details"}}``.
"""

from __future__ import annotations

import itertools
import json
import re
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

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
    "v2-keys",
    "v2-token",
    "v2-score",
    "v2-deployment-update",
)
_CONTAINERS = {"InferenceServer": "inference-server", "StorageInitializer": "storage-initializer"}
_K8S_HOST = "20.61.112.34"  # the ingress of the attached AKS cluster (Kubernetes online endpoints)
NO_ROUTE = ("No valid deployments to route to. Please check that the endpoint has at least one deployment with "
            "positive weight values or use a deployment specific header to route. "
            "[https://docs.microsoft.com/en-us/azure/machine-learning/how-to-safely-rollout-managed-endpoints]")


class EndpointRoutes:
    """Route handlers for SDK v2 online endpoints (same handler signature as the server's)."""

    def __init__(self, data: Payloads) -> None:
        self.data = data
        self._tokens: dict[str, str] = {}  # endpoint -> the AML token last issued
        self._requests = itertools.count()  # picks deployments by traffic, deterministically

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
            ("v2-deployment-update", "PUT", arm, eps + "/(?P<ep>[^/]+)/deployments/(?P<dep>[^/]+)", self._update),
            ("v2-keys", "POST", arm, eps + "/(?P<ep>[^/]+)/listKeys", self._keys),
            ("v2-token", "POST", arm, eps + "/(?P<ep>[^/]+)/token", self._token),
            ("v2-score", "POST", rf"^(?:[a-z0-9-]+\.{re.escape(ident.location)}\.inference\.ml\.azure\.com|"
                                 rf"{re.escape(_K8S_HOST)})$", "(?:/api/v1/endpoint/(?P<k8s>[^/]+))?/score",
             self._score),
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

    def _update(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                request: Any = None) -> Answer:
        deployment = self.data.deployments.get(match["ep"], {}).get(match["dep"])
        if deployment is None:  # creating new deployments is not part of the sample
            return self._missing("Deployment", match["dep"])
        try:
            body = json.loads(getattr(request, "body", None) or b"{}")
            wanted, props = body.get("sku") or {}, body.get("properties") or {}
        except (ValueError, AttributeError):
            return 400, dict(JSON), _faults.arm_error("BadRequest", "The body is not a deployment.",
                                                       self.data.identity.location)
        if "capacity" in wanted:
            deployment["sku"]["capacity"] = int(wanted["capacity"])
        for key in ("requestSettings", "scaleSettings"):
            if props.get(key):
                deployment["properties"][key] = props[key]
        deployment["properties"]["provisioningState"] = "Succeeded"
        deployment["systemData"]["lastModifiedAt"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        return 200, dict(JSON), deployment

    def _keys(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
              request: Any = None) -> Answer:
        endpoint = self.data.endpoints.get(match["ep"])
        if endpoint is None:
            return self._missing("Endpoint", match["ep"])
        keys = self.data.endpoint_keys.get(match["ep"])
        if keys is None:
            return 400, dict(JSON), _faults.arm_error(
                "BadRequest", f"Endpoint {match['ep']} does not use key authentication.", self.data.identity.location)
        return 200, dict(JSON), dict(keys)

    def _token(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
               request: Any = None) -> Answer:
        if match["ep"] not in self.data.endpoints:
            return self._missing("Endpoint", match["ep"])
        from amlnbtools.sources.replay._auth import make_token

        token = make_token(self.data.identity.tenant_id, lifetime_s=3600)
        self._tokens[match["ep"]] = token
        now = time.time()
        return 200, dict(JSON), {"accessToken": token, "tokenType": "Bearer",
                                 "expiryTimeUtc": int(now + 3600), "refreshAfterTimeUtc": int(now + 1800)}

    def _score(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
               request: Any = None) -> Answer:
        name = match["k8s"] or urlsplit(getattr(request, "url", "")).hostname.split(".")[0]  # type: ignore[union-attr]
        text = {"Content-Type": "text/plain; charset=utf-8", "x-request-id": str(uuid.uuid4())}
        endpoint = self.data.endpoints.get(name)
        if endpoint is None:
            return 404, text, f"Endpoint {name} not found."
        headers = getattr(request, "headers", {}) or {}
        keys = self.data.endpoint_keys.get(name)
        token = self._tokens.get(name)
        allowed = set(keys.values()) if keys else ({token} if token else set())
        if headers.get("Authorization", "").removeprefix("Bearer ") not in allowed:
            return 401, text, "key_auth_access_denied" if keys else "token_auth_access_denied"
        deployments = self.data.deployments.get(name, {})
        wanted = headers.get("azureml-model-deployment")
        routable = {d: w for d, w in endpoint["properties"]["traffic"].items()
                    if w > 0 and deployments.get(d, {}).get("properties", {}).get("provisioningState") == "Succeeded"}
        if wanted:
            state = deployments.get(wanted, {}).get("properties", {}).get("provisioningState")
            chosen = wanted if state == "Succeeded" else None
        else:
            chosen = self._by_traffic(routable)
        if chosen is None:
            return 404, text, NO_ROUTE
        answer = self.data.endpoint_scoring.get(f"{name}/{chosen}", {"status": 200, "body": [],
                                                                        "content_type": "application/json"})
        out = {"Content-Type": answer.get("content_type", "application/json"), "x-request-id": text["x-request-id"],
               "azureml-model-deployment": chosen, **answer.get("headers", {})}
        body = answer["body"]
        return answer["status"], out, body if isinstance(body, str) else json.dumps(body)

    def _by_traffic(self, weights: dict[str, int]) -> str | None:
        """The deployment the n-th request goes to: blue 90 / green 10 → nine of every ten to blue."""
        total = sum(weights.values())
        if not total:
            return None
        slot = next(self._requests) % total
        for deployment, weight in sorted(weights.items()):
            if slot < weight:
                return deployment
            slot -= weight
        return None

    # --- changes made by tests and demos (the server holds its lock) -----------------------------

    def clone_endpoint(self, name: str, copies: int) -> list[str]:
        """``copies`` more endpoints like ``name`` (``{name}-000`` …), with its deployments, logs and keys."""
        import copy

        source = self.data.endpoints.get(name)
        if source is None:
            raise ValueError(f"no endpoint {name!r} in the replay workspace: {', '.join(self.data.endpoints)}")
        made = []
        for i in range(copies):
            clone = f"{name}-{i:03d}"
            endpoint = copy.deepcopy(source)
            endpoint["name"] = clone
            endpoint["id"] = endpoint["id"].rsplit("/", 1)[0] + "/" + clone
            self.data.endpoints[clone] = endpoint
            self.data.deployments[clone] = copy.deepcopy(self.data.deployments.get(name, {}))
            for deployment in self.data.deployments[clone].values():
                deployment["id"] = deployment["id"].replace(f"/onlineEndpoints/{name}/", f"/onlineEndpoints/{clone}/")
            for (ep, dep, container), text in list(self.data.endpoint_logs.items()):
                if ep == name:
                    self.data.endpoint_logs[(clone, dep, container)] = text
            if name in self.data.endpoint_keys:
                self.data.endpoint_keys[clone] = dict(self.data.endpoint_keys[name])
            made.append(clone)
        return made

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

    def set_scoring(self, name: str, status: int, body: object, headers: dict[str, str] | None) -> None:
        """What ``endpoint/deployment`` answers a scoring request with from now on."""
        self._deployment_named(name)
        self.data.endpoint_scoring[name] = {
            "status": int(status), "body": body, "headers": dict(headers or {}),
            "content_type": "application/json" if not isinstance(body, str) else "text/plain; charset=utf-8"}

    def set_logs(self, name: str, text: str, init: bool) -> None:
        """The inference server's log (``init``: the storage initializer's) of ``endpoint/deployment``."""
        self._deployment_named(name)
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, not {type(text).__name__}")
        endpoint, _sep, deployment = name.partition("/")
        container = "storage-initializer" if init else "inference-server"
        self.data.endpoint_logs[(endpoint, deployment, container)] = text

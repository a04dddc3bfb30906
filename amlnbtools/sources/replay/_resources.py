"""The replay's workspace resource routes: compute targets and datastores.

What azureml-core and azureml-pipeline-core request for them (found by running them):

- ``ComputeTarget(ws, name)``: GET ``{api}/rp/workspaces{arm id}/computes/{name}?api-version=2020-02-02``
  (404 → ``ComputeTargetException`` "ComputeTargetNotFound");
- ``ws.compute_targets`` / ``ComputeTarget.list(ws)``, and ``Pipeline(ws, steps)`` when a step names its
  ``compute_target`` by a string: GET ``{api}/rp/workspaces{arm id}/computes?api-version=2020-02-02``
  (``{"value": [...]}``, no ``nextLink``);
- ``ws.get_default_datastore()``, and ``Pipeline(ws, steps)`` when an output names no datastore:
  GET ``{api}/datastore/v1.0{arm id}/default``;
- ``Datastore.get(ws, name)`` / ``Datastore(ws, name)``: GET ``{api}/datastore/v1.0{arm id}/datastores/{name}``;
- ``Workspace(...)`` signed in with ``TokenAuthentication`` (an azure-identity credential shared with SDK v2)
  lists the subscriptions the token can see: GET ``https://management.azure.com/subscriptions``.
"""

from __future__ import annotations

import re
from typing import Any

from amlnbtools.sources.replay import _faults
from amlnbtools.sources.replay._data import Payloads
from amlnbtools.sources.replay._routes import JSON, Answer, Route

__all__ = ["RESOURCE_ROUTES", "ResourceRoutes"]

RESOURCE_ROUTES: tuple[str, ...] = (
    "compute-list",
    "compute",
    "datastore-default",
    "datastore",
    "arm-subscriptions",
)



class ResourceRoutes:
    """Route handlers for compute targets and datastores (same handler signature as the server's)."""

    def __init__(self, data: Payloads) -> None:
        self.data = data

    def table(self) -> list[Route]:
        """``(name, method, host regex, path regex, handler)`` rows for the server's route table."""
        ident = self.data.identity
        api = "^" + re.escape(ident.api_host) + "$"
        rp = re.escape("/rp/workspaces" + ident.arm_id)
        store = re.escape("/datastore/v1.0" + ident.arm_id)
        return [
            ("compute-list", "GET", api, rp + "/computes", self._computes),
            ("compute", "GET", api, rp + "/computes/(?P<name>[^/]+)", self._compute),
            ("datastore-default", "GET", api, store + "/default", self._default_datastore),
            ("datastore", "GET", api, store + "/datastores/(?P<name>[^/]+)", self._datastore),
            ("arm-subscriptions", "GET", r"^management\.azure\.com$", "/subscriptions", self._subscriptions),
        ]

    def _subscriptions(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                       request: Any = None) -> Answer:
        from amlnbtools.sources.replay._auth import SUBSCRIPTION_NAME

        ident = self.data.identity
        return 200, dict(JSON), {"value": [{
            "id": f"/subscriptions/{ident.subscription_id}", "subscriptionId": ident.subscription_id,
            "tenantId": ident.tenant_id, "displayName": SUBSCRIPTION_NAME, "state": "Enabled",
            "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01",
                                     "quotaId": "EnterpriseAgreement_2014-09-01", "spendingLimit": "Off"},
            "authorizationSource": "RoleBased"}]}

    def _error(self, code: str, message: str) -> Answer:
        return 404, dict(JSON), _faults.arm_error(code, message, self.data.identity.location)

    def _computes(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                  request: Any = None) -> Answer:
        return 200, dict(JSON), {"value": list(self.data.computes.values())}

    def _compute(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                 request: Any = None) -> Answer:
        compute = self.data.computes.get(match["name"])
        if compute is None:
            return self._error("ResourceNotFound", f"Compute {match['name']} not found in workspace "
                               f"{self.data.identity.name}.")
        return 200, dict(JSON), compute

    def _default_datastore(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                           request: Any = None) -> Answer:
        default = next(iter(self.data.datastores.values()), None)
        if default is None:
            return self._error("NotFound", "No default datastore is set for this workspace.")
        return 200, dict(JSON), default

    def _datastore(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                   request: Any = None) -> Answer:
        store = self.data.datastores.get(match["name"])
        if store is None:
            return self._error("NotFound", f"DataStore {match['name']} was not found.")
        return 200, dict(JSON), store

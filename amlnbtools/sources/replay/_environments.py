"""The replay's SDK v1 environment routes: an environment's definition, its image, and building it.

What azureml-core (1.61) requests, read in ``azureml/_restclient/environment_client.py`` and found by running it
against the replay:

- ``Environment.get(ws, name, version)``: GET ``{api}/environment/v1.0{arm id}/environments/{name}/versions/{v}``;
- ``env.get_image_details(ws)``: GET ``…/versions/{v}/image`` (``imageExistsInRegistry``, ``dockerImage``);
- ``env.build(ws)``: PUT ``…/versions/{v}`` (registering: the same definition answers the same version), then
  POST ``{api}/environment/v2.0{arm id}/environments/{name}/versions/{v}/image`` → 202 ``{"location": …}``;
- ``ImageBuildDetails.status`` / ``.get_log()``: GET ``location`` → ``status`` and ``logUrl``; the log is a blob of
  the workspace storage (``ImageLogs/{image}/build.log``), which answers 409 to an anonymous GET (see
  :mod:`._storage`).

The build of ``train-env:3`` runs ``run_s`` seconds, then fails on a conda package that does not exist
(``numpy=1.16.0`` for Python 3.10); ``score-env:1`` is built already. The operation URL is the replay's own (the
service's is not documented).
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from typing import Any
from urllib.parse import unquote

from amlnbtools.sources.replay import _faults
from amlnbtools.sources.replay._data import DATA, Payloads
from amlnbtools.sources.replay._routes import JSON, Answer, Route

__all__ = ["ENVIRONMENT_ROUTES", "EnvironmentRoutes"]

ENVIRONMENT_ROUTES: tuple[str, ...] = ("environment", "environment-register", "environment-image",
                                       "environment-build", "environment-build-status")


def _not_found(name: str, version: str) -> dict[str, Any]:
    return {"error": {"code": "UserError", "severity": None, "message": f"Environment {name} with version {version} "
                      "not found", "messageFormat": None, "messageParameters": {}, "referenceCode": None,
                      "detailsUri": None, "target": None, "details": [], "innerError": {"code": "NotFound"}}}


class EnvironmentRoutes:
    """Route handlers for v1 environments (same handler signature as the server's)."""

    def __init__(self, data: Payloads) -> None:
        self.data = data
        raw = json.loads((DATA / "environments.json").read_text(encoding="utf-8"))
        self.environments: dict[str, dict[str, Any]] = raw["environments"]
        self.images: dict[str, dict[str, Any]] = raw["images"]
        self.builds: dict[str, dict[str, Any]] = raw["builds"]
        self.operations: dict[str, tuple[str, float]] = {}  # operation id -> (environment key, start time)
        self._lock = threading.Lock()

    def table(self) -> list[Route]:
        ident = self.data.identity
        api = "^" + re.escape(ident.api_host) + "$"
        env = "/environments/(?P<name>[^/]+)/versions/(?P<version>[^/]+)"
        v1, v2 = re.escape("/environment/v1.0" + ident.arm_id), re.escape("/environment/v2.0" + ident.arm_id)
        return [
            ("environment-image", "GET", api, v1 + env + "/image", self._image),
            ("environment", "GET", api, v1 + env, self._environment),
            ("environment-register", "PUT", api, v1 + env, self._environment),
            ("environment-build", "POST", api, v2 + env + "/image", self._build),
            ("environment-build-status", "GET", api, v2 + "/imageBuilds/(?P<op>[0-9a-f-]+)", self._status),
        ]

    @staticmethod
    def _key(match: re.Match[str]) -> str:
        return f"{unquote(match['name'])}/{match['version']}"

    def _environment(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                     request: Any = None) -> Answer:
        found = self.environments.get(self._key(match))
        if found is None:
            return 404, dict(JSON), _not_found(unquote(match["name"]), match["version"])
        return 200, dict(JSON), found

    def _image(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
               request: Any = None) -> Answer:
        key = self._key(match)
        if key not in self.environments:
            return 404, dict(JSON), _not_found(unquote(match["name"]), match["version"])
        return 200, dict(JSON), {**self.images[key], "ingredients": {"dockerfile": "FROM " + self.environments[key][
            "docker"]["baseImage"]}}

    def _build(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
               request: Any = None) -> Answer:
        key = self._key(match)
        if key not in self.environments:
            return 404, dict(JSON), _not_found(unquote(match["name"]), match["version"])
        op = str(uuid.uuid4())
        with self._lock:
            self.operations[op] = (key, time.time())
        ident = self.data.identity
        return 202, dict(JSON), {"location": f"https://{ident.api_host}/environment/v2.0{ident.arm_id}"
                                             f"/imageBuilds/{op}"}

    def _status(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                request: Any = None) -> Answer:
        with self._lock:
            found = self.operations.get(match["op"])
        if found is None:
            return 404, dict(JSON), _faults.arm_error("NotFound", f"Image build {match['op']} not found.")
        key, started = found
        build = self.builds[key]
        running = time.time() - started < float(build["run_s"])
        image = build.get("image")
        log = (f"https://{self.data.identity.storage_account}.blob.core.windows.net/azureml/ImageLogs/{image}"
               "/build.log") if image else None
        if not running and build["status"] == "Succeeded":
            self.images[key] = {**self.images[key], "imageExistsInRegistry": True}
        return (202 if running else 200), dict(JSON), {"status": "Running" if running else build["status"],
                                                       "logUrl": log, "error": None}

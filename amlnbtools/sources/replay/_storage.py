"""The replay's workspace storage for SDK v2: datastores, their secrets, and image build logs in blob storage.

What azure-ai-ml (1.35) and azure-storage-blob request, found by running them against the replay:

- ``ml_client.datastores.get_default()``: GET ``{arm id}/datastores?isDefault=true`` (a list);
  ``.get(name)``: GET ``{arm id}/datastores/{name}``; ``.list()``: GET ``{arm id}/datastores``;
- ``ml_client.datastores._list_secrets(name)``: POST ``{arm id}/datastores/{name}/listSecrets`` →
  ``{"secretsType": "AccountKey", "key": …}`` (the key is made per replay: synthetic, never a real one);
- a build log: GET ``https://{account}.blob.core.windows.net/{container}/ImageLogs/{id}/build.log``. Without
  credentials (anonymous) the account answers **409 PublicAccessNotPermitted**, as a storage account with anonymous
  access turned off does; with ``Authorization: SharedKey {account}:{signature}`` the signature is checked with
  azure-storage-blob's own signing of the request, then the log is answered (``Range`` honoured).
"""

from __future__ import annotations

import base64
import re
import secrets
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from amlnbtools.sources.replay import _faults
from amlnbtools.sources.replay._data import DATA, Payloads
from amlnbtools.sources.replay._pipelines import storage_error as _storage_error
from amlnbtools.sources.replay._routes import JSON, Answer, Route

__all__ = ["STORAGE_ROUTES", "StorageRoutes"]

STORAGE_ROUTES: tuple[str, ...] = ("v2-datastores", "v2-datastore", "v2-datastore-secrets", "image-log-blob")
_SIGNED_HEADERS = ["content-encoding", "content-language", "content-length", "content-md5", "content-type", "date",
                   "if-modified-since", "if-match", "if-none-match", "if-unmodified-since", "byte_range"]


def _datastore(arm_id: str, name: str, account: str, container: str, default: bool) -> dict[str, Any]:
    return {"id": f"{arm_id}/datastores/{name}", "name": name,
            "type": "Microsoft.MachineLearningServices/workspaces/datastores",
            "properties": {"datastoreType": "AzureBlob", "accountName": account, "containerName": container,
                           "endpoint": "core.windows.net", "protocol": "https", "isDefault": default,
                           "serviceDataAccessAuthIdentity": "WorkspaceSystemAssignedIdentity",
                           "credentials": {"credentialsType": "AccountKey"}, "description": None, "tags": {},
                           "properties": {}}}


def image_logs() -> dict[str, bytes]:
    """The build logs of the replay, by image id (``data/v2/image_logs/<id>.log``)."""
    return {p.stem: p.read_bytes() for p in sorted((DATA / "v2" / "image_logs").glob("*.log"))}


class StorageRoutes:
    """Route handlers for datastores and image build logs (same handler signature as the server's)."""

    def __init__(self, data: Payloads) -> None:
        self.data = data
        ident = data.identity
        self.account = ident.storage_account
        self.key = base64.b64encode(secrets.token_bytes(64)).decode()  # signs nothing real
        self.datastores = {
            "workspaceblobstore": _datastore(ident.arm_id, "workspaceblobstore", self.account,
                                             f"azureml-blobstore-{ident.workspace_id}", True),
            "workspaceartifactstore": _datastore(ident.arm_id, "workspaceartifactstore", self.account, "azureml",
                                                 False)}
        self.logs = image_logs()

    def table(self) -> list[Route]:
        ident = self.data.identity
        arm = r"^management\.azure\.com$"
        stores = re.escape(ident.arm_id + "/datastores")
        return [
            ("v2-datastores", "GET", arm, stores, self._list),
            ("v2-datastore-secrets", "POST", arm, stores + "/(?P<name>[^/]+)/listSecrets", self._secrets),
            ("v2-datastore", "GET", arm, stores + "/(?P<name>[^/]+)", self._get),
            ("image-log-blob", "GET", "^" + re.escape(self.account) + r"\.blob\.core\.windows\.net$",
             "/(?P<container>[^/]+)/ImageLogs/(?P<image>[^/]+)/build\\.log", self._blob),
        ]

    def _list(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
              request: Any = None) -> Answer:
        values = list(self.datastores.values())
        if params.get("isDefault", "").lower() == "true":
            values = [d for d in values if d["properties"]["isDefault"]]
        return 200, dict(JSON), {"value": values, "nextLink": None}

    def _get(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
             request: Any = None) -> Answer:
        store = self.datastores.get(match["name"])
        if store is None:
            return 404, dict(JSON), _faults.arm_error("UserError", f"Datastore {match['name']} not found.")
        return 200, dict(JSON), store

    def _secrets(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                 request: Any = None) -> Answer:
        if match["name"] not in self.datastores:
            return 404, dict(JSON), _faults.arm_error("UserError", f"Datastore {match['name']} not found.")
        return 200, dict(JSON), {"secretsType": "AccountKey", "key": self.key}

    def _signed(self, request: Any) -> bool:
        """Whether the request carries this account's SharedKey signature (azure-storage-blob's own signing)."""
        from azure.storage.blob._shared.authentication import SharedKeyCredentialPolicy

        headers = dict(getattr(request, "headers", None) or {})
        given = headers.pop("Authorization", "") or ""
        if not given.startswith(f"SharedKey {self.account}:"):
            return False
        url = str(getattr(request, "url", ""))
        raw = urlsplit(url).query
        query = {p.partition("=")[0]: p.partition("=")[2] for p in raw.split("&")} if raw else {}
        fake = SimpleNamespace(http_request=SimpleNamespace(method=request.method, url=url, headers=headers,
                                                            query=query), context=SimpleNamespace(transport=None))
        SharedKeyCredentialPolicy(self.account, self.key).on_request(fake)
        return bool(secrets.compare_digest(fake.http_request.headers["Authorization"], given))

    def _blob(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
              request: Any = None) -> Answer:
        if not (getattr(request, "headers", None) or {}).get("Authorization"):
            return _storage_error(409, "PublicAccessNotPermitted", "Public access is not permitted on this "
                                  "storage account.")
        if not self._signed(request):
            return _storage_error(403, "AuthenticationFailed", "Server failed to authenticate the request. Make sure "
                                  "the value of Authorization header is formed correctly including the signature.")
        data = self.logs.get(match["image"]) if match["container"] == "azureml" else None
        if data is None:
            return _storage_error(404, "BlobNotFound", "The specified blob does not exist.")
        headers = {"Content-Type": "application/octet-stream", "x-ms-blob-type": "BlockBlob",
                   "x-ms-version": "2025-01-05", "Accept-Ranges": "bytes", "ETag": '"0x8DD1C0FFEE"',
                   "Last-Modified": "Tue, 24 Nov 2026 13:09:42 GMT", "Content-Length": str(len(data))}
        wanted = (getattr(request, "headers", None) or {})
        ranged = re.fullmatch(r"bytes=(\d+)-(\d*)", wanted.get("x-ms-range") or wanted.get("Range") or "")
        if ranged is None:
            return 200, headers, data
        first = int(ranged[1])
        last = min(int(ranged[2]) if ranged[2] else len(data) - 1, len(data) - 1)
        part = data[first:last + 1]
        headers.update({"Content-Length": str(len(part)), "Content-Range": f"bytes {first}-{last}/{len(data)}"})
        return 206, headers, part

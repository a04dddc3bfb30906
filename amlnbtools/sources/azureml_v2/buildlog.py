"""Reading an image build log where Azure ML keeps it, with the user's own sign-in (never by making storage public).

Given a :class:`~amlnbtools.core.checks.BuildLogLink`:

1. a link with a URL is tried as it is (a SAS link works; a storage account without anonymous access answers 409
   ``PublicAccessNotPermitted``);
2. a blob in the workspace's storage is read through the workspace's datastores (REFERENCE-BEFORE-RUN §1): the
   datastore on that account (``ml_client.datastores.list()``), its credentials (``_list_secrets``: an account key
   or a SAS; an identity-based datastore uses the signed-in credential), then azure-storage-blob's ``BlobClient``
   streams the blob to a local file (an account key signs every container of its account);
3. a build run (``imgbldrun_…``) is read as a job: its first build log file.

Every step is bounded like the rest of the v2 source and every failure is a ``SourceError`` that names the role or
setting missing. Importing this module imports neither azure-ai-ml nor azure-storage-blob.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from amlnbtools.core.checks.build import BuildLogLink, build_log_files
from amlnbtools.i18n import _
from amlnbtools.sources.errors import SourceError

__all__ = ["read_build_log"]


def _anonymous(link: BuildLogLink, target: Path, timeout_s: float) -> int:
    """GET the link as it is; the HTTP status (200: written to ``target``)."""
    import requests

    assert link.url is not None
    with requests.get(link.url, stream=True, timeout=timeout_s) as response:
        if response.status_code == 200:
            with target.open("wb") as out:
                for chunk in response.iter_content(64 * 1024):
                    out.write(chunk)
        return int(response.status_code)


def _datastore_for(v2: Any, link: BuildLogLink) -> Any:
    stores = v2.call(_("the datastores of the workspace"), lambda: list(v2.ml_client.datastores.list()))
    if link.datastore:
        named = [s for s in stores if s.name == link.datastore]
        if named:
            return named[0]
    same = [s for s in stores if getattr(s, "account_name", None) == link.account]
    exact = [s for s in same if getattr(s, "container_name", None) == link.container]
    if exact or same:
        return (exact or same)[0]
    raise SourceError("forbidden", _(
        "The build log is in storage account {account}, which is not one of this workspace's datastores: the "
        "environments of a registry are built in storage that Azure ML manages, which no role of yours can read. "
        "Open the log in Azure ML studio (the environment version, Build log), or build the environment in your "
        "workspace to get a log you can read.").format(account=link.account or "?"))


def _credential(v2: Any, store: Any) -> Any:
    """The datastore's account key or SAS token, or the signed-in credential for an identity-based datastore."""
    kind = type(getattr(store, "credentials", None)).__name__
    if "Key" not in kind and "Sas" not in kind:
        return v2.credential
    try:
        secrets = v2.call(_("the credentials of datastore {name}").format(name=store.name),
                          lambda: v2.ml_client.datastores._list_secrets(store.name, expirable_secret=False))
    except SourceError as error:
        if error.kind in ("forbidden", "auth-failed"):
            raise SourceError("forbidden", _(
                "You may not read the credentials of datastore {name} (HTTP 403). Ask for the AzureML Data "
                "Scientist role on the workspace, or Storage Blob Data Reader on storage account {account}, then "
                "try again.").format(name=store.name, account=getattr(store, "account_name", "?")),
                status=error.status) from None
        raise
    return getattr(secrets, "key", None) or getattr(secrets, "sas_token", None) or v2.credential


def _download(v2: Any, link: BuildLogLink, container: str, credential: Any, target: Path) -> None:
    from azure.core.exceptions import HttpResponseError
    from azure.storage.blob import BlobClient

    limits = v2.limits
    client = BlobClient(f"https://{link.account}.blob.core.windows.net", container, link.path or "",
                        credential=credential, retry_total=limits.retries,
                        connection_timeout=limits.request_timeout_s, read_timeout=limits.request_timeout_s)

    def fetch() -> None:
        try:
            with target.open("wb") as out:
                client.download_blob().readinto(out)
        except HttpResponseError as exc:
            status = getattr(exc, "status_code", None)
            if status == 404:
                raise SourceError("not-found", _(
                    "The build log {where} is no longer in the workspace storage (HTTP 404): it was removed, for "
                    "example by a retention policy. Build the environment again to get a new log.").format(
                    where=link.where), status=404) from None
            if status in (401, 403):
                raise SourceError("forbidden", _(
                    "Storage account {account} refused to give the build log (HTTP {status}): ask for Storage Blob "
                    "Data Reader on it, or the AzureML Data Scientist role on the workspace.").format(
                    account=link.account, status=status), status=status) from None
            raise
        finally:
            client.close()

    v2.call(_("the build log {where}").format(where=link.where), fetch)


def read_build_log(v2: Any, link: BuildLogLink, folder: Path | None = None) -> tuple[Path, str]:
    """The build log as a local file, and how it was read (shown to the user).

    ``v2`` is an :class:`~amlnbtools.sources.azureml_v2.AzureMLV2Source`. Raises ``SourceError`` naming the fix.
    """
    folder = folder or Path(tempfile.mkdtemp(prefix="amlnbtools-build-log-"))
    target = folder / "build.log"
    if link.run_id:
        from amlnbtools.sources.azureml_v2.jobs import AzureMLJobSource

        with AzureMLJobSource(v2, link.run_id) as run:
            steps = [s for s in run.summary().steps if s.log_files]
            if not steps:
                raise SourceError("not-found", _(
                    "Image build run {run} has no log yet: it has not started. Look again in a minute.").format(
                    run=link.run_id))
            step = steps[0]
            name = (build_log_files(step.log_files) or list(step.log_files))[0]
            target.write_bytes(run.fetch_log(step, name).read_bytes())
        return target, _("from image build run {run} ({file})").format(run=link.run_id, file=name)
    if link.url:
        status = v2.call(_("the build log {where}").format(where=link.where),
                         lambda: _anonymous(link, target, v2.limits.request_timeout_s))
        if status == 200:
            return target, _("from its link")
        if link.account is None:
            raise SourceError("forbidden", _("The build log link was refused (HTTP {status}).").format(status=status))
    store = _datastore_for(v2, link)
    container = link.container or getattr(store, "container_name", None) or "azureml"
    if link.account is None:
        link = BuildLogLink(account=store.account_name, container=container, path=link.path)
    _download(v2, link, container, _credential(v2, store), target)
    return target, _("through datastore {name}, with your sign-in").format(name=store.name)

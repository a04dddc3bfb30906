"""Connecting to a workspace: find config.json, build the chosen credential, create the Workspace."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from amlnbtools.i18n import _
from amlnbtools.sources.errors import SourceError

__all__ = ["AUTH_METHODS", "find_config", "make_auth", "read_config"]

#: Sign-in methods; the SDK's own default (an interactive prompt that may open inside a callback) is never used.
AUTH_METHODS = ("cli", "interactive", "service-principal", "managed-identity")
_SP_VARS = ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET")


def find_config(start: str | os.PathLike[str] | None = None) -> Path | None:
    """The first config.json in ``start`` (default: the working folder) or a parent, also in .azureml/."""
    folder = Path(start or Path.cwd()).resolve()
    for candidate_dir in (folder, *folder.parents):
        for candidate in (candidate_dir / "config.json", candidate_dir / ".azureml" / "config.json",
                          candidate_dir / "aml_config" / "config.json"):
            if candidate.is_file():
                return candidate
    return None


def read_config(path: Path) -> dict[str, str]:
    """subscription_id, resource_group and workspace_name from a config.json."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        message = _("{path} cannot be read as JSON ({detail}). Download config.json again from "
                    "the workspace page in Azure ML studio.").format(path=path, detail=exc)
        raise SourceError("bad-config", message) from exc
    if not isinstance(data, dict):
        data = {}
    values = {"subscription_id": data.get("subscription_id"), "resource_group": data.get("resource_group"),
              "workspace_name": data.get("workspace_name")}
    missing = [k for k, v in values.items() if not isinstance(v, str) or not v.strip()]
    if missing:
        raise SourceError("bad-config", _("{path} lacks {keys}. Download config.json again from the workspace page in "
                                          "Azure ML studio.").format(path=path, keys=", ".join(missing)))
    return {k: v.strip() for k, v in values.items()}  # type: ignore[union-attr]


def make_auth(method: str, *, tenant_id: str | None = None) -> Any:
    """The azureml-core credential object of a sign-in method (see :data:`AUTH_METHODS`)."""
    if method not in AUTH_METHODS:
        raise ValueError(f"auth must be one of {', '.join(AUTH_METHODS)}, not {method!r}")
    try:
        from azureml.core import authentication as auth
    except ImportError:
        raise SourceError("sdk-missing", _("azureml-core is not installed in this environment: run "
                                           "pip install azureml-core")) from None
    if method == "cli":
        return auth.AzureCliAuthentication()
    if method == "interactive":
        return auth.InteractiveLoginAuthentication(tenant_id=tenant_id)
    if method == "managed-identity":
        return auth.MsiAuthentication()
    missing = [v for v in _SP_VARS if not os.environ.get(v)]
    if missing:
        raise SourceError("auth-failed", _("Service principal sign-in needs the environment variables {names}: set "
                                           "them, or choose another sign-in method.").format(names=", ".join(missing)))
    return auth.ServicePrincipalAuthentication(tenant_id=os.environ["AZURE_TENANT_ID"],
                                               service_principal_id=os.environ["AZURE_CLIENT_ID"],
                                               service_principal_password=os.environ["AZURE_CLIENT_SECRET"])

"""Opening a workspace through both SDKs with one config.json and one sign-in.

:func:`open_workspace` finds the ids (config.json or arguments), makes one azure-identity credential, and
opens the azureml-core side (web services, pipelines) and the azure-ai-ml side (online endpoints). A
side whose SDK is not installed, or that cannot connect while the other can, is left out with its reason
in :attr:`WorkspaceSources.problems`; when neither can, the clearest error is raised.
"""

from __future__ import annotations

import os
from typing import Any

from amlnbtools.core.services import WorkspaceInfo
from amlnbtools.i18n import _
from amlnbtools.sources._limits import Limits
from amlnbtools.sources.combined import WorkspaceSources
from amlnbtools.sources.config import resolve_ids
from amlnbtools.sources.errors import SourceError
from amlnbtools.sources.signin import Prompt, make_credential

__all__ = ["open_workspace"]

# which error of the two sides explains best why nothing connected
_PRIORITY = ("workspace-not-found", "auth-failed", "token-expired", "forbidden", "network", "timeout")


def _credential(auth: Any, tenant_id: str | None, prompt: Prompt | None) -> tuple[Any, str, bool]:
    """(credential or azureml auth, how it is named, whether SDK v2 can use it)."""
    from amlnbtools.sources.azureml_v1._connect import is_azureml_auth

    if isinstance(auth, str):
        return make_credential(auth, tenant_id=tenant_id, prompt=prompt), auth, True
    return auth, type(auth).__name__, not is_azureml_auth(auth)


def open_workspace(config: str | os.PathLike[str] | None = None, *, subscription_id: str | None = None,
                   resource_group: str | None = None, workspace_name: str | None = None, auth: Any = "default",
                   tenant_id: str | None = None, prompt: Prompt | None = None,
                   limits: Limits = Limits()) -> WorkspaceSources:
    """Both SDKs on one workspace (blocks: call it off the kernel thread).

    ``auth`` is a sign-in method (:data:`amlnbtools.sources.signin.AUTH_METHODS`), an azure-identity
    credential (both SDKs), or an azureml-core authentication object (SDK v1 only). ``prompt`` shows a
    device code to the user.
    """
    ids, where = resolve_ids(config, subscription_id=subscription_id, resource_group=resource_group,
                             workspace_name=workspace_name)
    credential, method, v2_ok = _credential(auth, tenant_id, prompt)
    problems: dict[str, SourceError] = {}
    v1 = v2 = None
    try:
        from amlnbtools.sources.azureml_v1 import AzureMLSource

        v1 = AzureMLSource.connect(**ids, auth=credential, limits=limits)
    except ImportError:
        problems["v1"] = SourceError("sdk-missing", _("azureml-core is not installed in this environment: run "
                                                      "pip install azureml-core"))
    except SourceError as error:
        problems["v1"] = error
    info = WorkspaceInfo(name=ids["workspace_name"], subscription_id=ids["subscription_id"],
                         resource_group=ids["resource_group"], location=v1.info.location if v1 else None,
                         config_source=where, auth_method=method)
    if v2_ok:
        try:
            from amlnbtools.sources.azureml_v2 import AzureMLV2Source, import_ml

            import_ml()
            v2 = AzureMLV2Source(credential, ids["subscription_id"], ids["resource_group"], ids["workspace_name"],
                                 info=info, limits=limits)
        except SourceError as error:
            problems["v2"] = error
    else:
        problems["v2"] = SourceError("auth-failed", _(
            "SDK v2 needs an azure-identity credential; an azureml-core authentication object serves SDK v1 only. "
            "Connect with auth=\"default\" (or another sign-in method) to see online endpoints too."))
    if v1 is None and v2 is None:
        raise min(problems.values(), key=lambda e: _PRIORITY.index(e.kind) if e.kind in _PRIORITY else 99)
    if v1 is None and problems["v1"].kind not in ("sdk-missing",):
        raise problems["v1"]  # the workspace itself is wrong or unreachable: v2 would say the same, later
    return WorkspaceSources(v1, v2, info=info, problems=problems)

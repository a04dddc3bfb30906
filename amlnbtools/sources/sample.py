"""The embedded sample workspace as a deployment source: real azureml-core and azure-ai-ml on recorded answers."""

from __future__ import annotations

import atexit
import threading
from typing import Any

from amlnbtools.core.services import WorkspaceInfo
from amlnbtools.i18n import _
from amlnbtools.sources._limits import Limits
from amlnbtools.sources.combined import WorkspaceSources
from amlnbtools.sources.errors import SourceError

__all__ = ["sample_replay", "sample_source", "sample_v2_source"]

_lock = threading.Lock()
_replay = None


def sample_replay():  # -> ReplayWorkspace
    """The process's one sample replay workspace (started on first use, closed at exit)."""
    global _replay
    with _lock:
        if _replay is None:
            from amlnbtools.sources.replay import ReplayWorkspace

            _replay = ReplayWorkspace()
            atexit.register(_replay.close)
        return _replay


def _info(replay: Any) -> WorkspaceInfo:
    ident = replay.identity
    return WorkspaceInfo(name=ident.name, subscription_id=ident.subscription_id, resource_group=ident.resource_group,
                         location=ident.location,
                         config_source=_("embedded sample workspace (recorded answers, offline)"),
                         auth_method=_("none needed (offline)"))


def sample_v2_source(limits: Limits = Limits()):  # -> AzureMLV2Source
    """The sample workspace's online endpoints through azure-ai-ml (SourceError ``sdk-missing`` without it)."""
    from amlnbtools.sources.azureml_v2 import AzureMLV2Source, import_ml

    replay = sample_replay()
    import_ml()
    ident = replay.identity
    return AzureMLV2Source(replay.credential, ident.subscription_id, ident.resource_group, ident.name,
                           info=_info(replay), limits=limits, make_credential=lambda: replay.credential)


def sample_source(limits: Limits = Limits()) -> WorkspaceSources:
    """The sample workspace through both SDKs, with the same calls as a real one: v1 web services
    (azureml-core) and v2 online deployments (azure-ai-ml, when installed)."""
    from amlnbtools.sources.azureml_v1 import AzureMLSource

    replay = sample_replay()
    v1 = AzureMLSource(replay.workspace, info=_info(replay), reauthenticate=lambda: replay.workspace, limits=limits)
    problems: dict[str, SourceError] = {}
    try:
        v2 = sample_v2_source(limits)
    except SourceError as error:
        v2, problems["v2"] = None, error
    return WorkspaceSources(v1, v2, info=_info(replay), problems=problems, now=lambda: replay.recorded_at)

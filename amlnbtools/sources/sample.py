"""The embedded sample workspace as a deployment source: real azureml-core on recorded answers."""

from __future__ import annotations

import atexit
import threading

from amlnbtools.core.services import WorkspaceInfo
from amlnbtools.i18n import _
from amlnbtools.sources.azureml_v1 import AzureMLSource, Limits

__all__ = ["sample_replay", "sample_source"]

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


def sample_source(limits: Limits = Limits()) -> AzureMLSource:
    """A source over the sample workspace, through the same azureml-core calls as a real one."""
    replay = sample_replay()
    ws = replay.workspace
    info = WorkspaceInfo(name=ws.name, subscription_id=ws.subscription_id, resource_group=ws.resource_group,
                         location=getattr(ws, "_location", None) or None,
                         config_source=_("embedded sample workspace (recorded answers, offline)"),
                         auth_method=_("none needed (offline)"))
    return AzureMLSource(ws, info=info, reauthenticate=lambda: replay.workspace, limits=limits)

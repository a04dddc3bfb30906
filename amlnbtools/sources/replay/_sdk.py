"""What the replay changes in azureml-core itself: the discovery cache file, and building the Workspace.

azureml-core caches the discovery document in ``~/.azureml/.discovery``. That path is bound as a
*default argument* of ``CachedServiceDiscovery.__init__`` when azureml is imported, so setting
``HOME`` later does nothing. :class:`DiscoveryCache` points the default at a private temporary
folder for as long as a replay is open. Each replay thus starts with a cold cache (the same calls
in the same order every time) and the user's real ``~/.azureml`` is neither read nor written.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

from amlnbtools.sources.replay._data import Identity

__all__ = ["DiscoveryCache", "build_workspace", "import_azureml"]


def import_azureml() -> None:
    """Import azureml-core now, from a frame that holds no replay object.

    While azureml is imported, paramiko keeps the ImportError of its optional ``invoke`` dependency,
    and with it every frame on the stack at that moment: an object referenced from one of those frames
    would never be garbage-collected.
    """
    import azureml._base_sdk_common.service_discovery
    import azureml.core  # noqa: F401


class DiscoveryCache:
    """Point azureml-core's discovery cache at a temporary folder, until :meth:`stop`."""

    def __init__(self) -> None:
        self.home = tempfile.mkdtemp(prefix="amlnbtools-replay-")
        self.path = os.path.join(self.home, ".azureml", ".discovery")
        self._saved: tuple[Any, ...] | None = None
        self._ours: tuple[Any, ...] | None = None

    def start(self) -> None:
        """Patch ``CachedServiceDiscovery.__init__.__defaults__`` (imports azureml)."""
        from azureml._base_sdk_common.service_discovery import CachedServiceDiscovery

        init = CachedServiceDiscovery.__init__
        self._saved = init.__defaults__
        self._ours = (self.path,)
        init.__defaults__ = self._ours

    def stop(self) -> None:
        """Restore the default (unless someone replaced ours meanwhile) and delete the folder; idempotent."""
        if self._ours is not None:
            from azureml._base_sdk_common.service_discovery import CachedServiceDiscovery

            init = CachedServiceDiscovery.__init__
            if init.__defaults__ is self._ours:
                init.__defaults__ = self._saved
            self._ours = self._saved = None
        shutil.rmtree(self.home, ignore_errors=True)


def build_workspace(identity: Identity, auth: Any) -> Any:
    """A real ``azureml.core.Workspace`` for ``identity``; makes no HTTP call.

    ``_disable_service_check`` skips the ARM GET at construction, and ``_workspace_id`` spares the
    ARM GET that reading ``ws._workspace_id`` would otherwise make.
    """
    from azureml.core import Workspace

    return Workspace(
        identity.subscription_id,
        identity.resource_group,
        identity.name,
        auth=auth,
        _location=identity.location,
        _disable_service_check=True,
        _workspace_id=identity.workspace_id,
    )

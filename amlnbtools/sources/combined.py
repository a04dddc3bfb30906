"""One workspace through both SDKs: v1 web services and v2 online deployments in one deployment source.

A v1 service name cannot hold ``/`` and a v2 deployment is named ``endpoint/deployment``, so each call is
routed by the name. Either side may be absent (azureml-core or azure-ai-ml not installed, or the side
could not connect): the other still works, and :attr:`WorkspaceSources.problems` says why one is missing
(its message names the fix, such as the install command).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from amlnbtools.core.capacity.scoring import ScoringResult
from amlnbtools.core.services import ServiceDetails, ServiceSummary, WorkspaceInfo
from amlnbtools.i18n import _
from amlnbtools.sources.base import DeploymentSource
from amlnbtools.sources.errors import SourceError, classify

__all__ = ["SIDES", "WorkspaceSources"]

#: The SDKs a workspace is read through, in the order their rows are listed.
SIDES = ("v1", "v2")


class WorkspaceSources:
    """A :class:`~amlnbtools.sources.base.DeploymentSource` over a v1 source, a v2 source, or both.

    Parameters
    ----------
    v1, v2 : DeploymentSource or None
        The azureml-core source (web services) and the azure-ai-ml source (online deployments).
    info : WorkspaceInfo
        The workspace (both sides read the same one).
    problems : dict, optional
        ``{"v1" | "v2": SourceError}``: why a side is None (shown by the workspace panel).
    now : callable, optional
        The workspace's clock, when it is not this machine's (the sample workspace's is when it was recorded).
    """

    def __init__(self, v1: DeploymentSource | None, v2: DeploymentSource | None, *, info: WorkspaceInfo,
                 problems: dict[str, SourceError] | None = None, now: Callable[[], datetime] | None = None) -> None:
        if v1 is None and v2 is None:
            raise ValueError("at least one of v1 and v2 is needed")
        self._sides: dict[str, DeploymentSource | None] = {"v1": v1, "v2": v2}
        self._info = info
        self.problems: dict[str, SourceError] = dict(problems or {})
        self.now = now

    @property
    def info(self) -> WorkspaceInfo:
        return self._info

    @property
    def v1(self) -> DeploymentSource | None:
        return self._sides["v1"]

    @property
    def v2(self) -> DeploymentSource | None:
        return self._sides["v2"]

    @property
    def workspace(self) -> Any:
        """The azureml-core ``Workspace`` (pipeline runs); a clear error when SDK v1 is not available."""
        return self._side("v1").workspace  # type: ignore[attr-defined]

    @property
    def ml_client(self) -> Any:
        """The ``azure.ai.ml.MLClient`` of the workspace; a clear error when SDK v2 is not available."""
        return self._side("v2").ml_client  # type: ignore[attr-defined]

    # --- DeploymentSource ------------------------------------------------------------------

    def list_services(self) -> list[ServiceSummary]:
        """v1 services then v2 deployments, each side read at the same time; a side that fails is left out
        (its error goes to :attr:`problems`) unless both fail."""
        present = [(name, side) for name, side in self._sides.items() if side is not None]

        def read(item: tuple[str, DeploymentSource]) -> list[ServiceSummary] | SourceError:
            name, side = item
            try:
                return side.list_services()
            except Exception as exc:  # reported per side; the message names the fix
                return classify(exc, _("the services of the workspace"))

        with ThreadPoolExecutor(max_workers=len(present), thread_name_prefix="amlnbtools-sides") as pool:
            results = list(pool.map(read, present))
        rows: list[ServiceSummary] = []
        errors = []
        for (name, _side), result in zip(present, results, strict=True):
            if isinstance(result, SourceError):
                self.problems[name] = result
                errors.append(result)
            else:
                self.problems.pop(name, None)
                rows.extend(result)
        if len(errors) == len(present):
            raise errors[0]
        return rows

    def service_details(self, name: str) -> ServiceDetails:
        return self._side(self._side_of(name)).service_details(name)

    def service_logs(self, name: str, *, num_lines: int = 5000, init: bool = False) -> str:
        return self._side(self._side_of(name)).service_logs(name, num_lines=num_lines, init=init)

    def update_autoscale(self, name: str, **settings: Any) -> ServiceDetails:
        """The v1 source's ``update_autoscale`` (AKS web services)."""
        source = self._side(self._side_of(name))
        update = getattr(source, "update_autoscale", None)
        if update is None:
            raise SourceError("bad-input", _("Only AKS services have an autoscaler; {name} is {kind}.").format(
                name=name, kind=_("an online deployment")))
        result: ServiceDetails = update(name, **settings)
        return result

    def update_capacity(self, name: str, **settings: Any) -> ServiceDetails:
        """The v2 source's ``update_capacity`` (online deployments)."""
        result: ServiceDetails = self._side("v2").update_capacity(name, **settings)  # type: ignore[attr-defined]
        return result

    def score(self, name: str, payload: str | bytes, *, timeout_s: float | None = None) -> ScoringResult:
        """The v2 source's scoring request to ``endpoint/deployment``."""
        result: ScoringResult = self._side("v2").score(name, payload, timeout_s=timeout_s)  # type: ignore[attr-defined]
        return result

    # --- internals ---------------------------------------------------------------------------

    @staticmethod
    def _side_of(name: str) -> str:
        return "v2" if "/" in name else "v1"

    def _side(self, name: str) -> DeploymentSource:
        side = self._sides[name]
        if side is None:
            raise self.problems.get(name) or SourceError("sdk-missing", _(
                "This workspace was opened without SDK {sdk}: connect again with it installed.").format(sdk=name))
        return side

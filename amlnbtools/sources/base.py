"""What panels need from a workspace, as a small protocol: sources implement it, panels depend on it."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from amlnbtools.core.services import ServiceDetails, ServiceSummary, WorkspaceInfo

__all__ = ["DeploymentSource"]


@runtime_checkable
class DeploymentSource(Protocol):
    """Web services of one workspace: the table, one service's state and error, its logs.

    Every method may raise :class:`amlnbtools.sources.errors.SourceError` (never another exception);
    its message names the fix. Methods block: panels call them off the kernel thread.
    """

    @property
    def info(self) -> WorkspaceInfo: ...

    def list_services(self) -> list[ServiceSummary]: ...

    def service_details(self, name: str) -> ServiceDetails: ...

    def service_logs(self, name: str, *, num_lines: int = 5000, init: bool = False) -> str: ...

"""Why an SDK v1 run waits, through azureml-core: its status and queueing message, and its cluster.

Calls, each bounded like the rest of the v1 sources: ``run.get_detailed_status()`` (the status, and the queueing
message of a queued run, from run history), ``run.get_details()["target"]``, then for a run that has not started
``ComputeTarget(workspace, target)`` and, for a cluster, ``AmlCompute.get_status()`` (allocation state, node counts,
errors). The causes are made by :func:`amlnbtools.core.checks.wait.explain`, as for v2 jobs.
"""

from __future__ import annotations

from typing import Any

from amlnbtools.core.checks.wait import ClusterState, WaitExplanation, explain
from amlnbtools.i18n import _
from amlnbtools.sources._limits import Limits
from amlnbtools.sources.azureml_v1._pipeline_bounds import bounded_call
from amlnbtools.sources.errors import SourceError, classify

__all__ = ["RunWait", "cluster_of"]


def _errors(raw: Any) -> tuple[tuple[str, str], ...]:
    found = []
    for item in raw or []:
        error = item.get("error", item) if isinstance(item, dict) else getattr(item, "error", item)
        code = error.get("code") if isinstance(error, dict) else getattr(error, "code", None)
        message = error.get("message") if isinstance(error, dict) else getattr(error, "message", None)
        found.append((str(code or "?"), str(message or "")))
    return tuple(found)


def cluster_of(workspace: Any, name: str) -> ClusterState:
    """The cluster ``name`` of ``workspace`` as azureml-core reports it (``exists`` False when it is gone)."""
    from azureml.core.compute import ComputeTarget
    from azureml.exceptions import ComputeTargetException

    try:
        target = ComputeTarget(workspace, name)
    except ComputeTargetException:
        return ClusterState(name=name, exists=False)
    status = target.get_status() if hasattr(target, "get_status") else None
    if status is None or not hasattr(status, "allocation_state"):
        return ClusterState(name=name)
    scale, counts = getattr(status, "scale_settings", None), getattr(status, "node_state_counts", None)
    return ClusterState(
        name=name, size=getattr(status, "vm_size", None), priority=getattr(status, "vm_priority", None),
        min_nodes=getattr(scale, "minimum_node_count", None), max_nodes=getattr(scale, "maximum_node_count", None),
        allocation_state=status.allocation_state, current_nodes=status.current_node_count,
        target_nodes=status.target_node_count, running_nodes=getattr(counts, "running_node_count", None),
        preempted_nodes=getattr(counts, "preempted_node_count", None), errors=_errors(status.errors))


class RunWait:
    """Explains why one v1 run waits; ``run`` is an azureml ``Run`` (or ``PipelineRun``)."""

    def __init__(self, run: Any, *, limits: Limits = Limits()) -> None:
        self._run, self._limits = run, limits

    def explain(self) -> WaitExplanation:
        run = self._run

        def read() -> tuple[str, str | None, ClusterState | None]:
            detailed = run.get_detailed_status()
            status = str(detailed.get("status") or "")
            cluster = None
            if status.lower() in ("queued", "notstarted", "starting"):
                target = (run.get_details() or {}).get("target")
                if target and target != "local":
                    cluster = cluster_of(run.experiment.workspace, target)
            return status, detailed.get("details"), cluster

        try:
            status, message, cluster = bounded_call(read, self._limits)
        except Exception as exc:
            raise classify(exc, _("run {run_id}").format(run_id=run.id), timeout_s=self._limits.budget_s) from None
        if cluster is not None and not isinstance(cluster, ClusterState):  # pragma: no cover - defensive
            raise SourceError("bad-response", _("Unexpected cluster state for run {run_id}.").format(run_id=run.id))
        return explain(run.id, status, queue_message=message, cluster=cluster, requests=3 if cluster else 1)

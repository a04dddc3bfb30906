"""Why an SDK v2 job waits, read from the service: the job, its run record, its cluster, quota, the image build log.

Requests for one explanation: ``jobs.get`` (status, compute), run history's run record (``queueingInfo``,
``computeRequest``, the ``_aml_system_ComputeTargetStatus`` tag; ``_runs_operations.get_run``); for a queued job
the cluster as the resource provider reports it (``compute._operation.get``: allocation state, node counts, errors —
the ``AmlCompute`` entity keeps only the first error's code) and, when the cluster reports a quota error, the quota
pre-flight of its family; for a job in Preparing, its image build log (``azureml-logs/20_image_build_log*``) through
the job source, fetched from where the last read ended and diagnosed.
"""

from __future__ import annotations

from typing import Any

from amlnbtools.core.checks.build import build_log_files
from amlnbtools.core.checks.wait import ClusterState, WaitExplanation, explain
from amlnbtools.i18n import _
from amlnbtools.sources.azureml_v2._sdk import field_of
from amlnbtools.sources.errors import SourceError

__all__ = ["JobWait"]


def _cluster(raw: Any, name: str) -> ClusterState:
    props = getattr(getattr(raw, "properties", None), "properties", None)
    errors = []
    for item in (field_of(props, "errors", "errors") or []):
        error = field_of(item, "error", "error")
        errors.append((str(field_of(error, "code", "code") or "?"), str(field_of(error, "message", "message") or "")))
    counts = field_of(props, "node_state_counts", "nodeStateCounts")
    scale = field_of(props, "scale_settings", "scaleSettings")
    state = field_of(props, "allocation_state", "allocationState")
    priority = field_of(props, "vm_priority", "vmPriority")
    return ClusterState(
        name=name, size=field_of(props, "vm_size", "vmSize"), priority=str(priority) if priority else None,
        min_nodes=field_of(scale, "min_node_count", "minNodeCount"),
        max_nodes=field_of(scale, "max_node_count", "maxNodeCount"),
        allocation_state=str(getattr(state, "value", state)) if state is not None else None,
        current_nodes=field_of(props, "current_node_count", "currentNodeCount"),
        target_nodes=field_of(props, "target_node_count", "targetNodeCount"),
        running_nodes=field_of(counts, "running_node_count", "runningNodeCount"),
        preempted_nodes=field_of(counts, "preempted_node_count", "preemptedNodeCount"), errors=tuple(errors))


class JobWait:
    """Explains, again and again, why one v2 job waits (keeps the build log it read, and reads only what is new).

    ``job_source`` is the job's :class:`~amlnbtools.sources.azureml_v2.jobs.AzureMLJobSource` (closed by :meth:`close`).
    """

    def __init__(self, v2: Any, name: str, job_source: Any, *, location: str | None = None) -> None:
        self._v2, self.name, self._location = v2, name, location
        self._job_source = job_source  # the job's AzureMLJobSource: its build log is read through it

    def close(self) -> None:
        self._job_source.close()

    def explain(self) -> WaitExplanation:
        v2, client = self._v2, self._v2.ml_client
        requests = 0
        try:
            job = v2.call(_("job {name}").format(name=self.name), lambda: client.jobs.get(self.name))
        except SourceError as error:
            if error.kind != "not-found":
                raise
            raise SourceError("not-found", _("No job {name} in workspace {workspace}: ml_client.jobs.list() lists the "
                                             "jobs.").format(name=self.name, workspace=v2.info.name)) from None
        raw_status = str(getattr(getattr(job, "status", None), "value", None) or job.status or "")
        run = v2.call(_("job {name}").format(name=self.name), lambda: client.jobs._runs_operations.get_run(self.name))
        requests += 2
        queueing = field_of(run, "queueing_info", "queueingInfo")
        message = field_of(queueing, "message", "message") if queueing else None
        nodes = int(field_of(field_of(run, "compute_request", "computeRequest") or {}, "node_count", "nodeCount") or 1)
        cluster = quota = None
        status = raw_status.lower()
        if status in ("queued", "notstarted", "not_started"):
            cluster, quota, used = self._cluster_and_quota(job, nodes)
            requests += used
        build_lines = findings = log = None
        if status in ("preparing", "failed", "starting"):
            log, build_lines, findings, used = self._build_log()
            requests += used
        return explain(self.name, raw_status, queue_message=message, cluster=cluster, quota=quota, nodes=nodes,
                       build_lines=build_lines, build_findings=findings, build_log=log, requests=requests)

    def _cluster_and_quota(self, job: Any, nodes: int) -> tuple[ClusterState | None, Any, int]:
        compute = str(getattr(job, "compute", "") or "").rsplit("/", 1)[-1]
        if not compute:
            return None, None, 0
        v2, ident = self._v2, self._v2.info
        try:
            raw = v2.call(_("compute {name}").format(name=compute), lambda: v2.ml_client.compute._operation.get(
                ident.resource_group, ident.name, compute))
        except SourceError as error:
            if error.kind == "not-found":
                return ClusterState(name=compute, exists=False), None, 1
            raise
        cluster = _cluster(raw, compute)
        quota = None
        if cluster.size and any("quota" in (c + m).lower() for c, m in cluster.errors):
            from amlnbtools.sources.azureml_v2.quota import check_quota

            quota = check_quota(v2, instance_type=cluster.size, count=max(nodes, cluster.target_nodes or 1),
                                kind="cluster", location=self._location)
            return cluster, quota, 1 + quota.requests
        return cluster, None, 1

    def _build_log(self) -> tuple[Any, int | None, Any, int]:
        from amlnbtools.sources.files.bigfile import IndexedLog
        from amlnbtools.sources.files.logfiles import diagnose_file

        source = self._job_source
        summary = source.summary()
        for step in summary.steps:
            names = build_log_files(step.log_files)
            if names:
                path = source.fetch_log(step, names[0])
                with IndexedLog(path) as log:
                    lines = log.line_count
                return path, lines, diagnose_file(path), 3
        return None, None, None, 2


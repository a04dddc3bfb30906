"""Why a job is not running yet: each cause from the service's own fields, with its fix.

*Preparing* means the run's environment (its Docker image) is being made ready, *Queued* that the job waits for
the nodes it asked for (REFERENCE-BEFORE-RUN §2). The causes come from what the service reports: the job's
queueing message, the cluster's allocation state, node counts and errors, the region's quota, the image build log.
Pure values and functions; ``sources.azureml_v2.wait`` reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from amlnbtools.core.pipeline import normalize_status
from amlnbtools.i18n import _

__all__ = ["ClusterState", "WaitCause", "WaitExplanation", "explain"]


@dataclass(frozen=True)
class ClusterState:
    """A compute cluster as the service reports it (``exists`` False: the job names a compute that is gone)."""

    name: str
    exists: bool = True
    size: str | None = None
    priority: str | None = None
    min_nodes: int | None = None
    max_nodes: int | None = None
    allocation_state: str | None = None
    current_nodes: int | None = None
    target_nodes: int | None = None
    running_nodes: int | None = None
    preempted_nodes: int | None = None
    errors: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class WaitCause:
    """One reason the job waits (``code`` is stable: ``image-build``, ``quota``, ``cluster-busy`` …)."""

    code: str
    title: str
    detail: str
    fix: str


@dataclass(frozen=True)
class WaitExplanation:
    """The job's state and why it is not running (no cause when it runs or has ended)."""

    job: str
    raw_status: str
    status: str
    causes: tuple[WaitCause, ...] = ()
    queue_message: str | None = None
    cluster: ClusterState | None = None
    quota: Any = None  # a QuotaReport when the cluster's family was checked
    build_log: Any = None  # the local file of the image build log, when there is one
    build_findings: Any = None
    requests: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def waiting(self) -> bool:
        return self.status in ("not-started", "queued", "preparing")

    def _repr_html_(self) -> str:
        import html

        head = html.escape(_("Job {job}: {status}").format(job=self.job, status=self.raw_status))
        rows = "".join(f"<li><b>{html.escape(c.title)}</b> — {html.escape(c.detail)}<br><i>"
                       f"{html.escape(c.fix)}</i></li>" for c in self.causes)
        return f"<div><b>{head}</b><ul>{rows}</ul></div>"


def _image_causes(build_lines: int | None, findings: Any) -> list[WaitCause]:
    errors = [f for f in (findings or ()) if f.severity == "error"]
    if errors:
        first = findings.primary() if hasattr(findings, "primary") else errors[0]
        return [WaitCause("image-build-failed", _("The environment image build failed"),
                          _("line {line}: {evidence}").format(line=first.line, evidence=first.evidence),
                          first.remedy)]
    if build_lines is not None:
        return [WaitCause("image-build", _("The environment image is being built"),
                          _("The build log has {lines} lines so far; the panel shows it as it grows.").format(
                              lines=build_lines),
                          _("Wait: an environment is built once and then reused by every job that uses it. A build "
                            "that fails ends the job, and its log shows the step that failed."))]
    return [WaitCause("preparing", _("The job's environment is being prepared"),
                      _("Azure ML pulls or builds the environment image and mounts the data before the job runs."),
                      _("Wait a few minutes. If it stays in Preparing for more than 30 minutes, open the job's "
                        "system logs, or build the environment on its own first."))]


def _cluster_causes(cluster: ClusterState, quota: Any, nodes: int) -> list[WaitCause]:
    if not cluster.exists:
        return [WaitCause("compute-missing", _("The job's compute {name} no longer exists").format(name=cluster.name),
                          _("The job waits for a compute that was deleted."),
                          _("Cancel the job and submit it to an existing compute (ml_client.compute.list() lists "
                            "them), or create a cluster named {name} again.").format(name=cluster.name))]
    causes: list[WaitCause] = []
    quota_error = next(((c, m) for c, m in cluster.errors if "quota" in c.lower() or "quota" in m.lower()), None)
    if quota_error is not None or (quota is not None and quota.enough is False):
        detail = quota.summary() if quota is not None else quota_error[1] if quota_error else ""
        fix = (quota.advice[0] if quota is not None and quota.advice else
               _("Ask for more quota for the cluster's VM family (Azure portal, Quotas, Machine Learning), or use a "
                 "size whose family has quota left."))
        causes.append(WaitCause("quota", _("The cluster cannot add nodes: not enough vCPU quota"), detail, fix))
    other = [(c, m) for c, m in cluster.errors if (c, m) != quota_error]
    for code, message in other[:2]:
        causes.append(WaitCause("cluster-error", _("The cluster reports an error: {code}").format(code=code),
                                message[:400], _("Open the cluster in studio (Compute, Compute clusters) for its "
                                                 "errors; delete and create it again when it stays unusable.")))
    if cluster.preempted_nodes:
        causes.append(WaitCause("preempted", _("Low-priority nodes were taken back by Azure"),
                                _("{count} node(s) preempted.").format(count=cluster.preempted_nodes),
                                _("Low-priority capacity can be reclaimed at any time: use a dedicated cluster "
                                  "(tier='dedicated') for work that must not wait.")))
    if causes:
        return causes
    state = (cluster.allocation_state or "").lower()
    if cluster.max_nodes is not None and nodes > cluster.max_nodes:
        return [WaitCause("too-many-nodes", _("The job asks for more nodes than the cluster can have"),
                          _("{nodes} nodes asked, at most {most}.").format(nodes=nodes, most=cluster.max_nodes),
                          _("Raise the cluster's max_instances, or ask for fewer nodes (instance_count)."))]
    if state == "resizing":
        return [WaitCause("scaling", _("The cluster is adding nodes"),
                          _("{current} of {target} nodes ready; a new node takes a few minutes to start.").format(
                              current=cluster.current_nodes or 0, target=cluster.target_nodes or 0),
                          _("Wait. To start faster next time, keep a node warm (min_instances=1) — it is billed."))]
    busy = (cluster.running_nodes or 0) >= (cluster.max_nodes or 0) > 0
    if busy:
        return [WaitCause("cluster-busy", _("Every node of the cluster runs other jobs"),
                          _("{count} of {count} nodes busy.").format(count=cluster.max_nodes),
                          _("Wait for them, raise the cluster's max_instances, or submit to another cluster."))]
    return []


def explain(job: str, raw_status: str, *, queue_message: str | None = None, cluster: ClusterState | None = None,
            quota: Any = None, nodes: int = 1, build_lines: int | None = None, build_findings: Any = None,
            build_log: Any = None, requests: int = 0) -> WaitExplanation:
    """The explanation of a job's wait from what the service reported."""
    status = normalize_status(raw_status)
    causes: list[WaitCause] = []
    if status == "preparing" or build_findings:
        causes += _image_causes(build_lines, build_findings)
    if status in ("queued", "not-started") and cluster is not None:
        causes += _cluster_causes(cluster, quota, nodes)
    if status in ("queued", "not-started", "preparing") and not causes and queue_message:
        causes.append(WaitCause("queued", _("Azure ML says"), queue_message, _(
            "Wait; the panel reads the job again until it runs.")))
    return WaitExplanation(job=job, raw_status=raw_status, status=status, causes=tuple(causes),
                           queue_message=queue_message, cluster=cluster, quota=quota, build_log=build_log,
                           build_findings=build_findings, requests=requests)

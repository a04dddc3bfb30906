"""Openers for what happens before a job or deployment runs: build logs, why a job waits, quota."""

from __future__ import annotations

from typing import Any

from amlnbtools.i18n import _
from amlnbtools.widgets._resolve import is_v2_job, job_source, source_of

__all__ = ["build_logs", "check_quota", "explain_wait"]


def _sources(workspace: Any, opener: str) -> Any:
    sources = source_of(workspace) if workspace is not None else None
    if sources is None:
        raise TypeError(_("Give the workspace too: {opener}(target, panel) with a panel from amlnbtools.connect(), or "
                          "an azure.ai.ml MLClient.").format(opener=opener))
    return sources


def _v2(sources: Any) -> Any:
    from amlnbtools.sources.buildlogs import v2_side

    return v2_side(sources)


def _deployment_name(target: Any) -> str | None:
    endpoint, name = getattr(target, "endpoint_name", None), getattr(target, "name", None)
    if type(target).__name__.endswith("OnlineDeployment") and isinstance(endpoint, str) and isinstance(name, str):
        return f"{endpoint}/{name}"
    if isinstance(target, str) and "/" in target:
        return target
    return None


def build_logs(target: Any, workspace: Any = None, *, build: bool = False) -> Any:
    """Open the image build log of ``target``, read where Azure ML keeps it with your own sign-in, with findings.

    ``target``: an online deployment (``"endpoint/deployment"`` or the object), a v1 web service (its name or
    the ``Webservice``), a v2 job (its name or the object), a v1 run (a ``Run``, or its id), or an environment
    (``"azureml:name:version"``, ``("name", "version")`` or the object). The last build of an environment is not
    kept where an SDK can find it: ``build=True`` builds its image again (minutes, on the workspace's image build
    compute) and shows that build's log.
    """
    from amlnbtools.sources.azureml_v1.envbuild import environment_ref
    from amlnbtools.sources.buildlogs import find_and_read, from_environment
    from amlnbtools.sources.targets import build_log_by_name
    from amlnbtools.widgets.build_log import BuildLogPanel

    ref = environment_ref(target)
    if ref is not None:
        holder = _sources(workspace, "build_logs")
        pending = _("Building the image of {env}: the log opens when the build ends (minutes)…").format(
            env=ref.label) if build else None
        return BuildLogPanel(ref.label, lambda: from_environment(holder, ref, build=build), pending=pending)

    if hasattr(target, "get_details") and hasattr(target, "experiment"):  # an azureml Run
        from amlnbtools.sources.azureml_v1.pipeline import AzureMLPipelineSource

        run = AzureMLPipelineSource(target)
        return BuildLogPanel(str(target.id), lambda: find_and_read(None, target.id, run))
    if type(target).__name__.endswith("Webservice") or (hasattr(target, "get_logs") and hasattr(target, "scoring_uri")
                                                         and not isinstance(target, str)):
        from amlnbtools.widgets._resolve import sdk_deployment

        service_source, name = sdk_deployment(target)
        return BuildLogPanel(name, lambda: find_and_read(service_source, name))
    sources = _sources(workspace, "build_logs")
    deployment = _deployment_name(target)
    if deployment is not None:
        return BuildLogPanel(deployment, lambda: find_and_read(sources, deployment))
    if is_v2_job(target):
        job = job_source(target, workspace)
        return BuildLogPanel(str(target.name), lambda: find_and_read(sources, target.name, job))
    if not isinstance(target, str):
        raise TypeError(_("Expected an online deployment, a web service, a job or a run (or their name), not {kind}")
                        .format(kind=type(target).__name__))
    return BuildLogPanel(target, lambda: build_log_by_name(sources, target))


def explain_wait(job: Any, workspace: Any = None, *, interval_s: float = 5.0) -> Any:
    """Open the "why is it waiting?" panel of a job: each cause with its fix, read again every ``interval_s`` seconds
    until the job runs or ends (the image build log grows in it while it builds).

    ``job``: a v2 job (its name or object), or a v1 run (an azureml ``Run``, or its id: a name the v2 job API does
    not know is looked up as a v1 run).
    """
    from amlnbtools.sources.azureml_v1.wait import RunWait
    from amlnbtools.sources.targets import wait_by_name
    from amlnbtools.widgets.wait import WaitPanel

    if hasattr(job, "get_details") and hasattr(job, "experiment"):  # an azureml Run
        return WaitPanel(str(job.id), RunWait(job), interval_s=interval_s)
    name = getattr(job, "name", job)
    if not isinstance(name, str) or not name:
        raise TypeError(_("Expected a v2 job or a v1 run, or its name, not {kind}").format(kind=type(job).__name__))
    return WaitPanel(name, wait_by_name(_sources(workspace, "explain_wait"), name), interval_s=interval_s)


def check_quota(target: Any = None, workspace: Any = None, *, instance_type: str | None = None,
                count: int | None = None, kind: str = "cluster", location: str | None = None) -> Any:
    """The vCPU quota ``target`` needs against what its region has left, with what to do (a ``QuotaReport``).

    ``target``: a v2 online deployment (object, YAML file or ``"endpoint/deployment"``) or a compute cluster
    (``AmlCompute`` or YAML); or ``instance_type=`` and ``count=`` with ``kind="online"`` or ``"cluster"``.
    """
    from amlnbtools.sources.azureml_v2.quota import check_quota as check

    sources = _sources(workspace, "check_quota")
    info = getattr(sources, "info", None)
    return check(_v2(sources), target, instance_type=instance_type, count=count, kind=kind,
                 location=location or getattr(info, "location", None))

"""What users hold → the source a panel reads: one resolver for every panel opener.

Users pass a workspace panel from ``connect()``, a source, or an SDK object (an azureml ``Webservice``,
a ``Workspace``). Each opener asks here, so a new kind of object (an SDK v2 deployment, an
``MLClient``) is taught once, in :func:`sdk_deployment` or :func:`source_of`.
"""

from __future__ import annotations

from typing import Any

from amlnbtools.i18n import N_, _
from amlnbtools.sources.base import DeploymentSource

__all__ = ["deployment_target", "is_v2_job", "job_source", "sdk_deployment", "source_of", "workspace_of"]

# What to pass when a name comes without its workspace, per opener.
_NEED_WORKSPACE = {
    "deployment_logs": N_("Give the workspace too: deployment_logs(name, panel) with a panel from "
                          "amlnbtools.connect() or an azure.ai.ml MLClient, or pass the azureml Webservice "
                          "object itself."),
    "replica_calculator": N_("Give the workspace too: replica_calculator(name, panel) with a panel from "
                             "amlnbtools.connect(), or pass the azureml Webservice object itself."),
    "pipeline_logs": N_("Give the workspace too: pipeline_logs(job_name, panel) with a panel from "
                        "amlnbtools.connect() or an azure.ai.ml MLClient, or pass the azureml PipelineRun "
                        "object itself."),
}


def _is_ml_client(holder: Any) -> bool:
    return type(holder).__name__ == "MLClient" and hasattr(holder, "online_deployments")


def _v2_name(deployment: Any) -> str | None:
    """``"endpoint/deployment"`` of an azure-ai-ml online deployment object (None for anything else)."""
    endpoint, name = getattr(deployment, "endpoint_name", None), getattr(deployment, "name", None)
    if type(deployment).__name__.endswith("OnlineDeployment") and isinstance(endpoint, str) and isinstance(name, str):
        return f"{endpoint}/{name}"
    return None


def source_of(holder: Any) -> Any:
    """The source behind ``holder``: a workspace panel's (waiting for its connection), an ``MLClient``'s
    (azure-ai-ml), else ``holder`` itself.

    Raises the panel's own :class:`SourceError` (its message names the fix) when it could not connect.
    """
    from amlnbtools.widgets.workspace import WorkspacePanel

    if _is_ml_client(holder):
        from amlnbtools.sources.azureml_v2 import AzureMLV2Source

        return AzureMLV2Source.from_ml_client(holder)
    if not isinstance(holder, WorkspacePanel):
        return holder
    return holder._connected()  # waits for the connection; the panel's own error when it could not connect


def workspace_of(holder: Any, opener: str) -> Any:
    """The azureml ``Workspace`` of a workspace panel, a deployment source on azureml-core, or a ``Workspace``."""
    source = source_of(holder)
    if source is None:
        raise TypeError(_(_NEED_WORKSPACE[opener]))
    return getattr(source, "workspace", source)


def deployment_target(service: Any, holder: Any, opener: str) -> tuple[DeploymentSource, str]:
    """The source and the service name for ``opener(service, holder)``.

    ``service`` is a name — a v1 service, or ``"endpoint/deployment"`` — (then ``holder`` gives the
    workspace: a panel from ``connect()``, an azure-ai-ml ``MLClient``, or a :class:`DeploymentSource`), an
    azure-ai-ml ``ManagedOnlineDeployment`` / ``KubernetesOnlineDeployment`` with such a holder, or an
    azureml-core ``Webservice`` (see :func:`sdk_deployment`).
    """
    v2_name = _v2_name(service)
    if v2_name is not None:
        if holder is None:
            raise TypeError(_("An online deployment object does not say which workspace it is in: give the "
                              "workspace too, {opener}(deployment, panel) with a panel from amlnbtools.connect(), "
                              "or {opener}(deployment, ml_client).").format(opener=opener))
        service = v2_name
    if not isinstance(service, str):
        return sdk_deployment(service)
    source = source_of(holder)
    if source is None:
        raise TypeError(_(_NEED_WORKSPACE[opener]))
    if not isinstance(source, DeploymentSource):
        raise TypeError(_("Expected a workspace panel from amlnbtools.connect() or a deployment source, not {kind}")
                        .format(kind=type(source).__name__))
    return source, service


def sdk_deployment(service: Any) -> tuple[DeploymentSource, str]:
    """The source of an SDK deployment object, and its name: an azureml-core ``Webservice``."""
    workspace = getattr(service, "workspace", None)
    name = getattr(service, "name", None)
    if workspace is None or not isinstance(name, str):
        raise TypeError(_("Expected an azureml Webservice object or a service name, not {kind}")
                        .format(kind=type(service).__name__))
    from amlnbtools.core.services import WorkspaceInfo
    from amlnbtools.sources.azureml_v1 import AzureMLSource

    info = WorkspaceInfo(name=workspace.name, subscription_id=workspace.subscription_id,
                         resource_group=workspace.resource_group, location=None,
                         config_source=_("the Webservice's workspace"), auth_method=type(workspace._auth).__name__)
    return AzureMLSource(workspace, info=info), name


def is_v2_job(run: Any) -> bool:
    """An azure-ai-ml job object (``PipelineJob``, ``Command``, a pipeline's child job …)."""
    return type(run).__module__.startswith("azure.ai.ml") and isinstance(getattr(run, "name", None), str) and \
        hasattr(run, "status")


def job_source(run: Any, holder: Any) -> Any:
    """The SDK v2 job source for a job object or a job name, or None when ``holder`` has no v2 side.

    A name is looked up as a v2 job first, then (when azureml-core is there too) as a v1 pipeline run.
    """
    from amlnbtools.sources.azureml_v2.jobs import AzureMLJobSource
    from amlnbtools.sources.targets import job_by_name, v2_of

    source = source_of(holder)
    if not isinstance(run, str):
        v2 = v2_of(source)
        if v2 is None:
            raise TypeError(_("A job object does not say which workspace it is in: give the workspace too, "
                              "pipeline_logs(job, panel) with a panel from amlnbtools.connect(), or "
                              "pipeline_logs(job, ml_client)."))
        return AzureMLJobSource.from_job(run, v2)
    return job_by_name(source, run)

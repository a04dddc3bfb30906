"""Panels: thin compositions of ipywidgets over sources; no SDK import, no blocking I/O on the kernel thread."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from amlnbtools.i18n import _
from amlnbtools.sources.base import DeploymentSource
from amlnbtools.widgets._resolve import deployment_target, is_v2_job, job_source, workspace_of
from amlnbtools.widgets.before_run import build_logs, check_quota, explain_wait
from amlnbtools.widgets.deployment_logs import DeploymentLogsPanel
from amlnbtools.widgets.logview import LogView
from amlnbtools.widgets.workspace import WorkspacePanel

if TYPE_CHECKING:
    from amlnbtools.widgets.local_debug import LocalDebugPanel
    from amlnbtools.widgets.online_capacity import OnlineCapacityPanel
    from amlnbtools.widgets.parallel_run import ParallelRunConfigPanel
    from amlnbtools.widgets.pipeline import PipelineLogsPanel
    from amlnbtools.widgets.replicas import ReplicaCalculatorPanel

__all__ = ["DeploymentLogsPanel", "LogView", "WorkspacePanel", "build_logs", "check_quota", "connect", "debug_locally",
           "deployment_logs", "explain_wait", "parallel_run_config_panel", "pipeline_logs", "replica_calculator"]


def connect(config: str | Path | None = None, *, sample: bool = False, subscription_id: str | None = None,
            resource_group: str | None = None, workspace_name: str | None = None, auth: Any = "default",
            tenant_id: str | None = None) -> WorkspacePanel:
    """Open the workspace panel: web services (SDK v1) and online endpoints (SDK v2) of one workspace.

    Parameters
    ----------
    config : path, optional
        A config.json; by default the first one found in the working folder, its parents, or their
        ``.azureml`` folders.
    sample : bool
        Use the embedded sample workspace (recorded answers, no network, no account needed).
    subscription_id, resource_group, workspace_name : str, optional
        Explicit ids (they override config.json).
    auth : str or credential
        How to sign in, once for both SDKs. ``"default"`` tries a service principal (AZURE_TENANT_ID,
        AZURE_CLIENT_ID, AZURE_CLIENT_SECRET), the managed identity on Azure (compute instances), the Azure
        CLI (``az login``), then shows a device code in the panel. Or one of ``"cli"``, ``"device-code"``,
        ``"interactive"`` (a browser on this machine), ``"service-principal"``, ``"managed-identity"``; or an
        azure-identity credential; or an azureml-core authentication object (SDK v1 only).
    tenant_id : str, optional
        The Microsoft Entra tenant to sign in to.
    """
    if sample:
        from amlnbtools.sources.sample import sample_source

        return WorkspacePanel(sample_source, label="sample")
    from amlnbtools.sources.signin import AUTH_METHODS

    if isinstance(auth, str) and auth not in AUTH_METHODS:
        raise ValueError(f"auth must be one of {', '.join(AUTH_METHODS)}, not {auth!r}")
    label = workspace_name or (str(config) if config is not None else "config.json")

    def open_source() -> DeploymentSource:
        from amlnbtools.sources.workspace import open_workspace

        # nothing prompts in the user's cell: a device code is shown by the panel
        return open_workspace(config, subscription_id=subscription_id, resource_group=resource_group,
                              workspace_name=workspace_name, auth=auth, tenant_id=tenant_id, prompt=panel.show_sign_in)

    panel = WorkspacePanel(open_source, label=label, start=False)
    panel.reconnect()
    return panel


def deployment_logs(service: Any, source: DeploymentSource | WorkspacePanel | None = None, *,
                    tail_lines: int = 1000) -> DeploymentLogsPanel:
    """Open the deployment log panel of a web service.

    ``service`` is an azureml-core ``Webservice`` object, or a service name together with ``source``
    (a workspace panel from :func:`connect`, or any deployment source).
    """
    resolved, name = deployment_target(service, source, "deployment_logs")
    return DeploymentLogsPanel(resolved, name, tail_lines=tail_lines)


def debug_locally(score_py: Any, model_dir: str | Path | None = None, *, scoring_timeout_ms: int | None = None,
                  port: int = 0, start: bool = True, payload: str | None = None,
                  code_dir: str | Path | None = None) -> LocalDebugPanel:
    """Open the local debugging panel: the real inference server (azmlinfsrv) on ``score_py``.

    Parameters
    ----------
    score_py : path, or an azure-ai-ml online deployment
        The entry script (``init()`` and ``run()``); or a ``ManagedOnlineDeployment`` /
        ``KubernetesOnlineDeployment``, whose ``code_configuration`` (code folder and scoring script),
        environment variables, request timeout and local model folder are used, as ``local=True`` would
        with Docker, without Docker.
    model_dir : path, optional
        The model folder (``AZUREML_MODEL_DIR`` for the script).
    scoring_timeout_ms : int, optional
        As the deployed service's timeout, so timeouts behave as in the cloud: by default 60,000 ms (a v1
        service's) for a script, and the deployment's ``request_timeout_ms`` (5,000 ms unless set) for a v2
        deployment.
    port : int
        0 picks a free port. The server answers on 127.0.0.1 only.
    start : bool
        Start the server right away (in the background).
    payload : str, optional
        The JSON request shown in the editor.
    code_dir : path, optional
        For a v2 deployment whose code is stored in the workspace: your local copy of that code folder.
    """
    from amlnbtools.sources.local_server import LocalInferenceServer
    from amlnbtools.widgets.local_debug import DEFAULT_PAYLOAD, LocalDebugPanel

    env: dict[str, str] = {}
    if not isinstance(score_py, (str, Path)):
        from amlnbtools.sources.azureml_v2.local import is_online_deployment, local_run

        if not is_online_deployment(score_py):
            raise TypeError(_("Expected the path of a score.py or an azure-ai-ml online deployment, not {kind}")
                            .format(kind=type(score_py).__name__))
        run = local_run(score_py, code_dir=code_dir, model_dir=model_dir)
        score_py, model_dir, env = run.entry_script, run.model_dir, run.env
        scoring_timeout_ms = scoring_timeout_ms or run.scoring_timeout_ms
    server = LocalInferenceServer(score_py, model_dir, port=port, scoring_timeout_ms=scoring_timeout_ms or 60_000,
                                  env=env)
    panel = LocalDebugPanel(server, payload=payload or DEFAULT_PAYLOAD)
    if start:
        panel.start()
    return panel


def replica_calculator(service: Any = None, source: DeploymentSource | WorkspacePanel | None = None,
                       **inputs: Any) -> ReplicaCalculatorPanel | OnlineCapacityPanel:
    """Open the replica calculator.

    ``service`` pre-fills it: a local debugging panel or its ``latency`` (the measured request time), a
    deployment log panel, an azureml ``Webservice`` object, or a service name with ``source`` (its current
    autoscaler settings are read, and "Apply to service" becomes available). ``inputs`` set any field,
    e.g. ``target_rps=50, request_seconds=0.2``.

    For an SDK v2 online deployment (``"endpoint/deployment"``, or an azure-ai-ml deployment object, with a
    workspace panel or an ``MLClient``), a managed deployment gets the online capacity panel (instances, the
    429 threshold, 429 and 408 rates); a Kubernetes one this calculator, with SDK v2 code.
    """
    from amlnbtools.core.capacity.latency import LatencyStats
    from amlnbtools.widgets.local_debug import LocalDebugPanel
    from amlnbtools.widgets.replicas import ReplicaCalculatorPanel

    latency = service.latency if isinstance(service, LocalDebugPanel) else service
    if isinstance(latency, LatencyStats):
        if not latency.latencies_ms:
            raise ValueError(_("The latency measurement has no successful request: send requests first."))
        return ReplicaCalculatorPanel(**{"request_seconds": round(latency.request_seconds, 4), **inputs})
    if isinstance(service, LocalDebugPanel):
        raise ValueError(_("Measure the latency first: press Send N requests in the local debugging panel."))
    if isinstance(service, DeploymentLogsPanel):
        kubernetes = service.details is not None and service.details.is_kubernetes
        return _calculator(service.source, service.name, kubernetes, inputs)
    if service is not None:
        resolved, name = deployment_target(service, source, "replica_calculator")
        return _calculator(resolved, name, _known_kubernetes(service, source, name), inputs)
    return ReplicaCalculatorPanel(**inputs)


def _known_kubernetes(service: Any, holder: Any, name: str) -> bool:
    """Whether ``name`` is known, without asking Azure, to run on Kubernetes (its object, or the panel's table)."""
    if type(service).__name__.startswith("Kubernetes"):
        return True
    rows = getattr(holder, "services", None) or []
    return any(row.name == name and row.compute_type == "Kubernetes" for row in rows)


def _calculator(source: DeploymentSource, name: str, kubernetes: bool,
                inputs: dict[str, Any]) -> ReplicaCalculatorPanel | OnlineCapacityPanel:
    """The calculator for ``name``: a v1 service or a Kubernetes online deployment (azureml-fe's autoscaler),
    or a managed online deployment (fixed instances, 429 and 408)."""
    from amlnbtools.widgets.replicas import ReplicaCalculatorPanel

    if "/" in name and not kubernetes:
        from amlnbtools.widgets.online_capacity import OnlineCapacityPanel

        return OnlineCapacityPanel(source=source, deployment=name, **inputs)
    return ReplicaCalculatorPanel(source=source, service=name, **inputs)


def pipeline_logs(run: Any, source: Any = None, *, refresh: bool = True) -> PipelineLogsPanel:
    """Open the pipeline log panel.

    ``run`` is one of:

    - an azure-ai-ml job (``PipelineJob``, ``Command``, a pipeline's child job) together with ``source``
      (a workspace panel from :func:`connect`, or an ``MLClient``): SDK v2;
    - an azureml-pipeline-core ``PipelineRun`` or ``StepRun``, or any azureml ``Run`` (its child runs
      are the steps);
    - a job name or run id together with ``source`` (a workspace panel from :func:`connect`, an
      ``MLClient``, or an azureml ``Workspace``): looked up as a v2 job, then as a v1 run;
    - a folder of downloaded logs, one folder per step (``Run.get_all_logs()``, ``download_files()``,
      ``az ml job download``, or :func:`amlnbtools.export_pipeline_logs`);
    - any :class:`amlnbtools.sources.base.PipelineSource`.
    """
    from amlnbtools.sources.base import PipelineSource
    from amlnbtools.widgets.pipeline.panel import PipelineLogsPanel

    if is_v2_job(run):  # before the protocol check: some azure-ai-ml jobs answer any attribute
        return PipelineLogsPanel(job_source(run, source), refresh=refresh)
    if isinstance(run, PipelineSource):
        return PipelineLogsPanel(run, refresh=refresh)
    if isinstance(run, (str, Path)) and source is None:
        from amlnbtools.sources.errors import SourceError
        from amlnbtools.sources.files.pipeline import FolderPipelineSource

        if not Path(run).expanduser().exists():
            raise SourceError("not-found", _("No folder at {path}. For a run id, give the workspace too: "
                                             "pipeline_logs(run_id, panel) with a panel from amlnbtools.connect().")
                              .format(path=run))

        return PipelineLogsPanel(FolderPipelineSource(run), refresh=refresh)
    from amlnbtools.sources.azureml_v1.pipeline import AzureMLPipelineSource

    if isinstance(run, str) and source is not None:
        job = job_source(run, source)
        if job is not None:
            return PipelineLogsPanel(job, refresh=refresh)
    if isinstance(run, str):
        workspace = workspace_of(source, "pipeline_logs")
        return PipelineLogsPanel(AzureMLPipelineSource.open(workspace, run, lazy=True), refresh=refresh)
    if not hasattr(run, "get_details") or not hasattr(run, "experiment"):
        raise TypeError(_("Expected an azureml PipelineRun or Run, a run id with a workspace, or a folder of "
                          "downloaded logs, not {kind}").format(kind=type(run).__name__))
    return PipelineLogsPanel(AzureMLPipelineSource(run), refresh=refresh)


def parallel_run_config_panel(*, script_path: str | Path | None = None, **params: Any) -> ParallelRunConfigPanel:
    """Open the ParallelRunStep form: every ParallelRunConfig / ParallelRunStep parameter checked as you type,
    with the fix for each problem and the SDK v1 code for the values (``params`` pre-fill it).

    ``script_path`` is the entry script to check (``init()`` and ``run(mini_batch)`` returning a value).
    """
    from amlnbtools.widgets.parallel_run import ParallelRunConfigPanel

    return ParallelRunConfigPanel(script_path=script_path, **params)

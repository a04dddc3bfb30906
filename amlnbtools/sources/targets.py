"""A name a user typed → what reads it, on a workspace's sources (v1 and v2): shared by the panels and the command line.

- a job name: an SDK v2 job first, then an SDK v1 pipeline run (:func:`job_by_name`);
- why a job waits (:func:`wait_by_name`);
- a build log (:func:`build_log_by_name`): ``"endpoint/deployment"``, a v1 web service, a job or run name, or an
  environment (``"azureml:name:version"``).
"""

from __future__ import annotations

from typing import Any

from amlnbtools.i18n import _

__all__ = ["SimpleWait", "build_log_by_name", "job_by_name", "v1_workspace", "v2_of", "wait_by_name"]


def v2_of(sources: Any) -> Any:
    """The azure-ai-ml source of ``sources`` (or ``sources`` itself when it is one), or None."""
    return sources if type(sources).__name__ == "AzureMLV2Source" else getattr(sources, "v2", None)


def v1_workspace(sources: Any) -> Any:
    """The azureml-core ``Workspace`` of ``sources``, or None."""
    return getattr(getattr(sources, "v1", None), "workspace", None)


def _v1_run(workspace: Any, name: str) -> Any:
    from amlnbtools.sources.azureml_v1.pipeline import AzureMLPipelineSource

    return AzureMLPipelineSource.open(workspace, name, lazy=True)


def job_by_name(sources: Any, name: str) -> Any:
    """The pipeline source of job ``name`` (v2 first, then v1), or None when ``sources`` has no v2 side."""
    from amlnbtools.sources.azureml_v2.jobs import AzureMLJobSource
    from amlnbtools.sources.pipeline.either import FirstFound

    v2 = v2_of(sources)
    if v2 is None:
        return None
    workspace = v1_workspace(sources)
    return FirstFound(AzureMLJobSource(v2, name), (lambda: _v1_run(workspace, name)) if workspace is not None else None)


class SimpleWait:
    """A pipeline source's own ``explain_wait()`` as a wait source (``explain()``)."""

    def __init__(self, source: Any) -> None:
        self._source = source

    def explain(self) -> Any:
        return self._source.explain_wait()


def wait_by_name(sources: Any, name: str) -> Any:
    """A wait source (``explain()``) for job ``name``: v2 first, then v1."""
    from amlnbtools.sources.buildlogs import v2_side

    workspace = v1_workspace(sources)
    v2 = v2_of(sources)
    if v2 is None:
        if workspace is None:
            v2_side(sources)  # raises with the install command
        return SimpleWait(_v1_run(workspace, name))
    from amlnbtools.sources.azureml_v2.jobs import AzureMLJobSource
    from amlnbtools.sources.azureml_v2.wait import JobWait
    from amlnbtools.sources.pipeline.either import FirstFoundWait

    location = getattr(getattr(sources, "info", None), "location", None)
    first = JobWait(v2, name, AzureMLJobSource(v2, name), location=location)
    return FirstFoundWait(first, (lambda: SimpleWait(_v1_run(workspace, name))) if workspace is not None else None)


def build_log_by_name(sources: Any, target: str, *, build: bool = False) -> Any:
    """The build log (a :class:`~amlnbtools.sources.buildlogs.FoundBuildLog`) of the thing named ``target``."""
    from amlnbtools.sources.azureml_v1.envbuild import environment_ref
    from amlnbtools.sources.buildlogs import find_and_read, from_environment

    if not isinstance(target, str) or not target.strip():
        raise TypeError(_("Expected an online deployment, a web service, a job or a run (or their name), not {kind}")
                        .format(kind=type(target).__name__))
    ref = environment_ref(target)
    if ref is not None:
        return from_environment(sources, ref, build=build)
    if "/" in target:
        return find_and_read(sources, target)
    v1 = getattr(sources, "v1", None)
    if v1 is not None and target in {s.name for s in v1.list_services()}:
        return find_and_read(sources, target)
    return find_and_read(sources, target, job_by_name(sources, target))

"""Finding the image build log of what a user holds: a deployment (v1 or v2), a job or run, and reading it.

- a deployment (``endpoint/deployment``, an online deployment object, or a v1 web service name): its error names
  the log (v2: storage account, container, path; v1: the ``operationLog`` link) → read with the user's sign-in;
- an environment (name and version, through azureml-core): the log of its last build is not kept where an SDK
  can find it, so its image is looked at, and on request it is built again and the new build's log read;
- a job or run (a v2 job or pipeline step, a v1 run): a log file of the run is the build log
  (``azureml-logs/20_image_build_log*``, ``60_control_log*``), or its error or logs name one (a build run
  ``imgbldrun_…`` or a blob).

Uses the workspace's sources (v1 and v2 through :class:`~amlnbtools.sources.combined.WorkspaceSources`).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amlnbtools.core.checks.build import BuildLogLink, build_log_files, find_build_log
from amlnbtools.i18n import _
from amlnbtools.sources.errors import SourceError

__all__ = ["FoundBuildLog", "find_and_read", "from_environment", "v2_side"]


@dataclass(frozen=True)
class FoundBuildLog:
    """A build log read to a local file: for what, from where, and how it was read (for the panel's title)."""

    target: str
    path: Path
    where: str
    how: str
    sdk: str = "v1"  # the SDK the target belongs to: findings are worded for it


def v2_side(sources: Any) -> Any:
    """The azure-ai-ml source of a workspace's sources (or the source itself); ``sdk-missing`` without it."""
    v2 = sources if type(sources).__name__ == "AzureMLV2Source" else getattr(sources, "v2", None)
    if v2 is None:
        raise SourceError("sdk-missing", _("Reading build logs needs azure-ai-ml (Azure ML SDK v2), which signs in to "
                                           'the workspace storage: pip install "amlnbtools[v2]"'))
    return v2


def _read(sources: Any, target: str, link: BuildLogLink) -> FoundBuildLog:
    from amlnbtools.sources.azureml_v2.buildlog import read_build_log

    path, how = read_build_log(v2_side(sources), link)
    return FoundBuildLog(target, path, link.where, how, "v2" if "/" in target else "v1")


def _from_deployment(sources: Any, name: str) -> FoundBuildLog:
    details = sources.service_details(name)
    link = find_build_log(details.error_json or "")
    if link is None:
        raise SourceError("not-found", _(
            "The error of {name} names no image build log (state {state}): the image built, or the deployment failed "
            "before or after the build. Its logs are in the deployment log panel.").format(
            name=name, state=details.summary.state or "?"))
    return _read(sources, name, link)


def _from_job(source: Any, sources: Any, name: str) -> FoundBuildLog:
    summary = source.summary()
    for step in summary.steps:
        names = build_log_files(step.log_files)
        if names:
            copy = Path(tempfile.mkdtemp(prefix="amlnbtools-build-log-")) / "build.log"
            copy.write_bytes(source.fetch_log(step, names[0]).read_bytes())
            chosen = getattr(source, "chosen", None) or source
            sdk = getattr(chosen, "sdk", "v2") if type(chosen).__name__ == "AzureMLJobSource" else "v1"
            return FoundBuildLog(name, copy, f"{step.name}: {names[0]}", _("a log file of the run"), sdk)
    texts = [summary.error or ""] + [s.error or "" for s in summary.steps] + [w for s in summary.steps
                                                                           for w in s.warnings]
    for text in texts:
        link = find_build_log(text)
        if link is not None:
            return _read(sources, name, link)
    raise SourceError("not-found", _(
        "No image build log found for {name} ({status}): none of its log files is a build log and its errors name "
        "none. A job that reused a built environment has no build log of its own.").format(
        name=name, status=summary.raw_status or summary.status))


def find_and_read(sources: Any, target: Any, job_source: Any = None) -> FoundBuildLog:
    """The build log of ``target`` (see the module docstring) as a local file.

    ``job_source`` is the pipeline source of ``target`` when it is a job or run (the caller resolves it).
    """
    if job_source is not None:
        return _from_job(job_source, sources, str(getattr(job_source, "label", target)))
    return _from_deployment(sources, str(target))


def from_environment(sources: Any, ref: Any, *, build: bool = False, poll_s: float = 5.0,
                     timeout_s: float = 5400.0) -> FoundBuildLog:
    """The build log of environment ``ref`` (an :class:`~amlnbtools.sources.azureml_v1.envbuild.EnvironmentRef`):
    see :func:`~amlnbtools.sources.azureml_v1.envbuild.environment_build`."""
    from amlnbtools.sources.azureml_v1.envbuild import environment_build

    workspace = getattr(getattr(sources, "v1", None), "workspace", None)
    if workspace is None:
        raise SourceError("sdk-missing", _(
            "The build of an environment by name and version is read through azureml-core's environment service: "
            "give a workspace panel from amlnbtools.connect() (an MLClient alone does not reach it)."))
    link, status = environment_build(workspace, ref, build=build, poll_s=poll_s, timeout_s=timeout_s)
    found = _read(sources, ref.label, link)
    how = _("{how}; build {status}").format(how=found.how, status=status)
    return FoundBuildLog(ref.label, found.path, found.where, how, "v1")

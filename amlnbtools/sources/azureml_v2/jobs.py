"""SDK v2 jobs (pipeline jobs, command jobs, a pipeline's child) as a :class:`~amlnbtools.sources.base.PipelineSource`.

Calls, through azure-ai-ml's own clients (bounded like the rest of :class:`AzureMLV2Source`):

- the job: ``jobs.get(name)`` (ARM; a pipeline's child comes back from run history);
- the steps of a pipeline job: run history's children of the job, **one request per level**
  (``…/runs/{id}/children``, the client ``jobs.list(parent_job_name=…)`` uses, without its extra GET of the
  parent); a child that is itself a pipeline (a subgraph: run type ``azureml.PipelineRun`` or tag
  ``azureml.jobtype`` = ``azureml.pipelinejob``) is walked in turn, its steps named ``subgraph/step``;
- each step's details, concurrently: ``RunDetails`` (``…/runs/{id}/details``) gives the times, the error,
  the warnings and ``logFiles`` (name → SAS link). A reused step (``azureml.isreused`` = ``true``) shows the
  logs of the run in ``azureml.reusedrunid``, as ``jobs.download`` does;
- ``fetch_log``: a GET of the SAS link into a private cache (see :mod:`amlnbtools.sources._download`); a file
  of a step still running is fetched again from where the cached copy ends (``Range``), so following a
  live log costs only its new bytes.

A command job (or any job without children) is one step: itself. A child whose details cannot be read
is shown with its status and no logs (the error says why), never dropped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amlnbtools.core.pipeline import PipelineSummary, StepSummary, normalize_status, rank_log_files
from amlnbtools.core.pipeline.fields import error_message, parse_utc, step_kind
from amlnbtools.i18n import _
from amlnbtools.sources._download import DownloadLimits, LogCache
from amlnbtools.sources._steplogs import fetch_step_log
from amlnbtools.sources.azureml_v2._sdk import field_of, quiet_sdk
from amlnbtools.sources.base import DEFAULT_FETCH_WORKERS
from amlnbtools.sources.errors import SourceError

__all__ = ["MAX_DEPTH", "AzureMLJobSource"]

#: Subgraphs nested deeper than this are shown as one step.
MAX_DEPTH = 6
_PIPELINE_RUN_TYPES = ("azureml.PipelineRun",)


def _is_subgraph(run: Any) -> bool:
    tags = field_of(run, "tags", "tags") or {}
    return field_of(run, "run_type", "runType") in _PIPELINE_RUN_TYPES or tags.get("azureml.jobtype") == \
        "azureml.pipelinejob"


def _error(details: Any) -> str | None:
    error = field_of(details, "error", "error")
    if error is None:
        return None
    if not isinstance(error, dict) and hasattr(error, "as_dict"):
        error = error.as_dict()
    return error_message(error)


def _warnings(details: Any) -> tuple[str, ...]:
    found = []
    for item in field_of(details, "warnings", "warnings") or []:
        message = field_of(item, "message", "message")
        if isinstance(message, str) and message.strip():
            found.append(message.strip())
    return tuple(found)


@dataclass
class _Step:
    """What the source keeps about a step between calls: the run holding its logs, and their links."""

    logs_run: str
    links: dict[str, str] = field(default_factory=dict)
    final: bool = False


class AzureMLJobSource:
    """One SDK v2 job and its steps, read through an :class:`~amlnbtools.sources.azureml_v2.AzureMLV2Source`.

    Parameters
    ----------
    v2 : AzureMLV2Source
        The workspace (its bounded ``MLClient``, deadline and credential renewal are used for every call).
    name : str
        The job's name (a pipeline job, a command job, or a pipeline's child).
    download : DownloadLimits
        Time limits of log downloads.
    max_workers : int
        How many steps' details are read at once.
    """

    #: :func:`~amlnbtools.sources.files.export.export_pipeline_logs` writes each step's files under
    #: ``<step>/artifacts/``, the layout of ``az ml job download --all``.
    export_subfolder = "artifacts"

    def __init__(self, v2: Any, name: str, *, download: DownloadLimits = DownloadLimits(),
                 max_workers: int = DEFAULT_FETCH_WORKERS) -> None:
        if not isinstance(name, str) or not name.strip():
            raise ValueError(_("A job name is a non-empty str, not {name!r}").format(name=name))
        if isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers < 1:
            raise ValueError(f"max_workers must be a positive int, not {max_workers!r}")
        self._v2 = v2
        self.name = name.strip()
        self._display: str | None = None
        self.sdk = "v2"  # the SDK that submitted it, known after summary(): "v1" for an SDK v1 run
        self._workers = max_workers
        self._cache = LogCache(download)
        self._lock = threading.Lock()
        self._steps: dict[str, _Step] = {}
        self._complete: set[Path] = set()  # files downloaded after their step ended
        self._wait: Any = None  # the JobWait of explain_wait(), made on first use

    @classmethod
    def from_job(cls, job: Any, v2: Any, **kwargs: Any) -> AzureMLJobSource:
        """The source of an azure-ai-ml job object (``PipelineJob``, ``Command``, a child job)."""
        name = getattr(job, "name", None)
        if not isinstance(name, str) or not name:
            raise TypeError(_("Expected an azure.ai.ml job (PipelineJob, Command …) or a job name, not {kind}")
                            .format(kind=type(job).__name__))
        source = cls(v2, name, **kwargs)
        display = getattr(job, "display_name", None)
        source._display = display if isinstance(display, str) and display else None
        return source

    # ---- PipelineSource ----------------------------------------------------------------------------------------
    @property
    def label(self) -> str:
        return f"{self._display}: {self.name}" if self._display and self._display != self.name else self.name

    def summary(self) -> PipelineSummary:
        """The job and its steps, read now (statuses normalized, log files ranked)."""
        self._check_open()
        try:
            job = self._call(_("job {name}").format(name=self.name), self._get_job)
        except SourceError as error:
            if error.kind != "not-found":
                raise
            raise SourceError("not-found", _(
                "No job {name} in workspace {workspace}. Check the name: ml_client.jobs.list() lists the jobs "
                "(the name, not the display name), and Azure ML studio shows it on the job's page (Overview, "
                "Name).").format(name=self.name, workspace=self._v2.info.name),
                status=error.status, detail=error.detail) from None
        display = getattr(job, "display_name", None)
        self._display = display if isinstance(display, str) and display else self._display
        # a run submitted with SDK v1 (a ScriptRunConfig) is in the job list too: its run source says so
        self.sdk = "v1" if (getattr(job, "properties", None) or {}).get("azureml.runsource") == "experiment" else "v2"
        details = self._details(self.name)
        children = self._walk() if self._has_steps(job) else []
        if children:
            with ThreadPoolExecutor(max_workers=min(self._workers, len(children)),
                                    thread_name_prefix="amlnbtools-v2-steps") as pool:
                steps = list(pool.map(lambda item: self._read_step(*item), children))
        elif self._has_steps(job):
            steps = []  # a pipeline job whose steps have not been created yet
        else:
            steps = [self._read_step("", job, details)]
        steps.sort(key=lambda item: (item[0].queued is None, item[0].queued or 0, item[0].name))
        with self._lock:
            self._steps = {summary.run_id: entry for summary, entry in steps}
        raw_status = str(getattr(getattr(job, "status", None), "value", None) or getattr(job, "status", "") or "")
        return PipelineSummary(
            run_id=self.name, name=self._display or self.name, status=normalize_status(raw_status),
            raw_status=raw_status, started=parse_utc(field_of(details, "start_time_utc", "startTimeUtc")),
            ended=parse_utc(field_of(details, "end_time_utc", "endTimeUtc")),
            steps=tuple(summary for summary, _entry in steps), error=_error(details))

    def fetch_log(self, step: StepSummary, name: str) -> Path:
        """The step's log file ``name`` as a local file: cached once the step is final; while it runs, each
        call appends what was written since the last one."""
        self._check_open()
        return fetch_step_log(self._cache, self._complete, self._steps.get(getattr(step, "run_id", "")), step, name,
                              self._refresh_links)

    def explain_wait(self) -> Any:
        """Why the job is not running yet (a ``WaitExplanation``), read now; see :mod:`.wait`."""
        from amlnbtools.sources.azureml_v2.wait import JobWait

        if self._wait is None:
            self._wait = JobWait(self._v2, self.name, self)
        return self._wait.explain()

    def resubmit(self) -> AzureMLJobSource:
        """Submit the job again as a new job and return the new job's source.

        ``jobs.create_or_update`` of the job read now, without its name: azure-ai-ml reuses the steps whose
        components and inputs did not change.

        Raises ``SourceError`` (``bad-input``) when the job has not ended: nothing is submitted then.
        """
        from amlnbtools.core.pipeline import is_terminal

        job = self._call(_("job {name}").format(name=self.name), self._get_job)
        raw = str(getattr(getattr(job, "status", None), "value", None) or getattr(job, "status", "") or "")
        if not is_terminal(normalize_status(raw)):
            raise SourceError("bad-input", _(
                "Job {name} is still {status}: resubmit it once it has ended, or cancel it first. Nothing was "
                "submitted.").format(name=self.name, status=raw))
        job.name = None  # a new name: the service makes a new job (the same name would only update this one)

        def submit() -> Any:
            with quiet_sdk():
                return self._v2.ml_client.jobs.create_or_update(job, skip_validation=True)

        new = self._call(_("the new submission of job {name}").format(name=self.name), submit)
        source = AzureMLJobSource(self._v2, str(new.name))
        source._display = self._display
        return source

    # ---- lifetime ------------------------------------------------------------------------------------------------
    def close(self) -> None:
        """Delete the downloaded logs and close the download sessions; idempotent."""
        self._cache.close()

    @property
    def closed(self) -> bool:
        return self._cache.closed

    def __enter__(self) -> AzureMLJobSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"{len(self._steps)} steps known"
        return f"<AzureMLJobSource {self.label!r} ({state})>"

    # ---- internals -------------------------------------------------------------------------------------------
    def _check_open(self) -> None:
        if self.closed:
            raise SourceError("unknown", _("This job source is closed: open the job again."))

    def _call(self, what: str, fn: Callable[[], Any]) -> Any:
        return self._v2.call(what, fn)

    @property
    def _runs(self) -> Any:
        return self._v2.ml_client.jobs._runs_operations

    def _get_job(self) -> Any:
        return self._v2.ml_client.jobs.get(self.name)

    def _has_steps(self, job: Any) -> bool:
        tags = getattr(job, "tags", None) or {}
        return type(job).__name__ == "PipelineJob" or tags.get("azureml.jobtype") == "azureml.pipelinejob" or \
            getattr(job, "type", None) == "pipeline"

    def _details(self, run_id: str) -> Any:
        return self._call(_("the details of job {name}").format(name=run_id),
                          lambda: self._runs.get_run_details(run_id))

    def _children(self, run_id: str) -> list[Any]:
        runs = self._runs
        return self._call(_("the steps of job {name}").format(name=run_id), lambda: list(runs._operation.get_child(
            runs._subscription_id, runs._resource_group_name, runs._workspace_name, run_id, cls=lambda items: items)))

    def _walk(self) -> list[tuple[str, Any, Any]]:
        """``(name prefix, child run, None)`` for every step under the job, subgraphs walked level by level."""
        steps: list[tuple[str, Any, Any]] = []
        # (prefix of its steps' names, run id whose children are read, the subgraph run and its own prefix)
        level: list[tuple[str, str, Any, str]] = [("", self.name, None, "")]
        for depth in range(MAX_DEPTH):
            if not level:
                break
            with ThreadPoolExecutor(max_workers=min(self._workers, len(level)),
                                    thread_name_prefix="amlnbtools-v2-walk") as pool:
                found = list(pool.map(lambda item: self._children_or_error(item[1]), level))
            next_level: list[tuple[str, str, Any, str]] = []
            for (prefix, _parent, container, own_prefix), children in zip(level, found, strict=True):
                if isinstance(children, SourceError):
                    if container is None:
                        raise children
                    steps.append((own_prefix, container, children))  # shown as one step, with why
                    continue
                for child in children:
                    child_id = field_of(child, "run_id", "runId")
                    label = field_of(child, "display_name", "displayName") or child_id
                    if _is_subgraph(child) and depth + 1 < MAX_DEPTH:
                        next_level.append((f"{prefix}{label}/", child_id, child, prefix))
                    else:
                        steps.append((prefix, child, None))
            level = next_level
        return steps

    def _children_or_error(self, run_id: str) -> list[Any] | SourceError:
        try:
            return self._children(run_id)
        except SourceError as error:
            return error

    def _read_step(self, prefix: str, run: Any, details: Any = None) -> tuple[StepSummary, _Step]:
        """A step from its run (a run history ``Run``, or the job itself) and its details (read when None)."""
        # an azure-ai-ml job (some are dict subclasses), not a run history record (a ``Run`` model or a dict)
        is_job = type(run) is not dict and type(run).__name__ != "Run"
        run_id = str(getattr(run, "name", "")) if is_job else str(field_of(run, "run_id", "runId"))
        properties = (getattr(run, "properties", None) if is_job else field_of(run, "properties", "properties")) or {}
        reused = str(properties.get("azureml.isreused", "")).lower() == "true"
        logs_run = str(properties.get("azureml.reusedrunid") or run_id) if reused else run_id
        problem: str | None = None
        if isinstance(details, SourceError):
            problem, details = str(details), None
        if details is None:
            try:
                details = self._details(logs_run)
            except SourceError as error:  # the step is still shown, with why its logs are missing
                problem, details = str(error), {}
        links = dict(field_of(details, "log_files", "logFiles") or {})
        if is_job:
            raw_status = str(getattr(getattr(run, "status", None), "value", None) or getattr(run, "status", "") or "")
            name = getattr(run, "display_name", None) or run_id
            created = getattr(getattr(run, "creation_context", None), "created_at", None)
        else:
            raw_status = str(field_of(run, "status", "status") or "")
            name = field_of(run, "display_name", "displayName") or run_id
            created = field_of(run, "created_utc", "createdUtc")
        own = details if logs_run == run_id else {}
        start = field_of(run, "start_time_utc", "startTimeUtc") if not is_job else None
        end = field_of(run, "end_time_utc", "endTimeUtc") if not is_job else None
        summary = StepSummary(
            run_id=run_id, name=f"{prefix}{name}", status=normalize_status(raw_status), raw_status=raw_status,
            queued=parse_utc(created),
            started=parse_utc(start or field_of(own, "start_time_utc", "startTimeUtc")),
            ended=parse_utc(end or field_of(own, "end_time_utc", "endTimeUtc")),
            reused=reused, log_files=tuple(rank_log_files(links)),
            error=problem or (None if reused else _error(details) or _error(run if not is_job else {})),
            kind=step_kind(properties.get("StepType"), links), warnings=_warnings(details))
        return summary, _Step(logs_run=logs_run, links=links, final=summary.final)

    def _refresh_links(self, entry: _Step, what: str = "") -> None:
        details = self._details(entry.logs_run)
        entry.links = dict(field_of(details, "log_files", "logFiles") or {})

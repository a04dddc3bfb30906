"""A pipeline run through the real azureml-core / azureml-pipeline-core code path, every call bounded.

Calls made (through the SDK, never raw REST), each inside :func:`~._bounds.bounded_call`:

- open by id: ``Run.get(workspace, run_id)`` (rehydrated as ``PipelineRun``, ``StepRun`` or ``Run``);
- summary: ``run.get_status()`` (a ``PipelineRun`` asks the pipelines service: ``Finished``; others run
  history: ``Completed``), ``run.get_details()``, ``run.get_children(_rehydrate_runs=False)`` (one request
  for every step: its status, times, error, tags and properties), then per step, concurrently,
  ``step.get_details()["logFiles"]`` (name → SAS link). A reused step (tag ``azureml.reusedrunid``, what
  ``StepRun._is_reused`` is derived from) shows the logs of the run it reused;
- ``fetch_log``: a GET of the SAS link (see :mod:`._download`), not through the SDK.

A run that is not a pipeline run and has no children is one step: itself. ``StepRun`` objects (from
``PipelineRun.get_steps()``) and plain ``Run`` objects are accepted as well as ``PipelineRun``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from amlnbtools.core.pipeline import PipelineSummary, StepSummary, normalize_status, rank_log_files
from amlnbtools.core.pipeline.fields import error_message, parse_utc, step_kind
from amlnbtools.i18n import _
from amlnbtools.sources._download import DownloadLimits, LogCache
from amlnbtools.sources._limits import Limits
from amlnbtools.sources._steplogs import fetch_step_log
from amlnbtools.sources.azureml_v1._pipeline_bounds import bounded_call
from amlnbtools.sources.base import DEFAULT_FETCH_WORKERS
from amlnbtools.sources.errors import SourceError, classify

__all__ = ["AzureMLPipelineSource", "DownloadLimits", "Limits"]

T = TypeVar("T")
_REUSED_KEYS = ("azureml.reusedrunid",)


def _dto(run: Any) -> dict[str, Any]:
    value = getattr(run, "_run_dto", None)
    return value if isinstance(value, dict) else {}


def _is_pipeline(run: Any) -> bool:
    return getattr(run, "type", None) == "azureml.PipelineRun" or type(run).__name__ == "PipelineRun"


def _reused_from(run: Any) -> str | None:
    """The run whose outputs and logs a reused step took, or None for a step that ran."""
    for mapping in (getattr(run, "tags", None) or {}, getattr(run, "properties", None) or {}):
        for key in _REUSED_KEYS:
            value = mapping.get(key)
            if isinstance(value, str) and value:
                return value
    return None


@dataclass(frozen=True)
class _Pending:
    """A run known by id only, until :meth:`AzureMLPipelineSource._resolve` gets it."""

    workspace: Any
    id: str


@dataclass
class _Step:
    """What the source keeps about a step between calls: the run holding its logs, and their links."""

    logs_run: Any
    links: dict[str, str] = field(default_factory=dict)
    final: bool = False


class AzureMLPipelineSource:
    """A :class:`~amlnbtools.sources.base.PipelineSource` over an azureml ``PipelineRun``, ``StepRun`` or ``Run``.

    Parameters
    ----------
    run : azureml.core.Run
        The pipeline run (or a step run, or any run: its children are the steps; without children it
        is one step).
    limits : Limits
        Time limits of the SDK calls (per request, retries, whole call).
    download : DownloadLimits
        Time limits of log downloads.
    max_workers : int
        How many steps' details :meth:`summary` reads at once.

    Notes
    -----
    Downloaded logs are kept in a private temporary folder until :meth:`close` (or until the object is
    garbage-collected); logs of a step in a final state are downloaded once.
    """

    def __init__(self, run: Any, *, limits: Limits = Limits(), download: DownloadLimits = DownloadLimits(),
                 max_workers: int = DEFAULT_FETCH_WORKERS) -> None:
        if run is None or not hasattr(run, "get_details") or not hasattr(run, "id"):
            raise TypeError(f"run must be an azureml.core.Run (PipelineRun, StepRun or Run), not {type(run).__name__}")
        self._setup(run, limits, download, max_workers)

    def _setup(self, run: Any, limits: Limits, download: DownloadLimits, max_workers: int) -> None:
        if isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers < 1:
            raise ValueError(f"max_workers must be a positive int, not {max_workers!r}")
        self._run = run
        self._limits = limits
        self._workers = max_workers
        self._cache = LogCache(download)
        self._lock = threading.Lock()
        self._steps: dict[str, _Step] = {}
        self._complete: set[Path] = set()  # files downloaded after their step ended

    def _resolve(self) -> Any:
        """The azureml run, got by id on first use when the source was opened lazily."""
        with self._lock:
            pending = self._run
            if not isinstance(pending, _Pending):
                return pending

            def get() -> Any:
                from azureml.core import Run

                return Run.get(pending.workspace, pending.id)

            try:
                self._run = bounded_call(get, self._limits)
            except Exception as exc:
                error = classify(exc, _("run {run_id}").format(run_id=pending.id),
                                 timeout_s=self._limits.budget_s)
                if error.kind == "not-found":
                    raise SourceError("not-found", _(
                        "No run {run_id} in workspace {workspace}. Check the run id: Azure ML studio shows it on the "
                        "run's page (Overview, Run ID); pipeline runs are listed under Pipelines, Pipeline jobs.")
                        .format(run_id=pending.id, workspace=getattr(pending.workspace, "name", "?")),
                        status=404, detail=error.detail) from None
                raise error from None
            return self._run

    @classmethod
    def open(cls, workspace: Any, run_id: str, *, lazy: bool = False, limits: Limits = Limits(),
             download: DownloadLimits = DownloadLimits(), max_workers: int = DEFAULT_FETCH_WORKERS
             ) -> AzureMLPipelineSource:
        """Open the run ``run_id`` of ``workspace`` (``Run.get``: a pipeline run comes back as ``PipelineRun``).

        With ``lazy=True`` nothing is requested now: the first :meth:`summary` gets the run (so a panel can
        open the source on the kernel thread and do all network work in the background).

        Raises
        ------
        SourceError
            ``not-found`` when the workspace has no such run (the message says where to find the id), or
            any other kind for what went wrong on the way (from :meth:`summary` when ``lazy``).
        """
        if not isinstance(run_id, str) or not run_id.strip():
            raise ValueError(f"run_id must be a non-empty str, not {run_id!r}")
        source = cls.__new__(cls)
        source._setup(_Pending(workspace, run_id.strip()), limits, download, max_workers)
        if not lazy:
            try:
                source._resolve()
            except BaseException:
                source.close()
                raise
        return source

    # ---- PipelineSource ----------------------------------------------------------------------------------------
    @property
    def label(self) -> str:
        if isinstance(self._run, _Pending):
            return self._run.id
        experiment = getattr(getattr(self._run, "experiment", None), "name", None)
        return f"{experiment}: {self._run.id}" if experiment else str(self._run.id)

    def summary(self) -> PipelineSummary:
        """The run and its steps, read now (statuses normalized, log files ranked)."""
        self._check_open()
        run = self._resolve()
        what = _("pipeline run {run_id}").format(run_id=run.id)
        return self._call(what, self._read_summary)

    def fetch_log(self, step: StepSummary, name: str) -> Path:
        """The step's log file ``name`` as a local file (downloaded now, or cached while the step is final)."""
        self._check_open()
        return fetch_step_log(self._cache, self._complete, self._steps.get(getattr(step, "run_id", "")), step, name,
                              self._refresh_links)

    def explain_wait(self) -> Any:
        """Why the run is not running yet (a ``WaitExplanation``), read now through azureml-core."""
        from amlnbtools.sources.azureml_v1.wait import RunWait

        return RunWait(self._resolve(), limits=self._limits).explain()

    @property
    def resubmit_note(self) -> str:
        """What resubmitting does beyond submitting (shown before the user confirms)."""
        return _("SDK v1 has no rerun: the run is first published as pipeline {name} (it stays under Pipelines, "
                 "Published pipelines), then that pipeline is submitted.").format(name=self._published_name())

    def _published_name(self) -> str:
        experiment = getattr(getattr(self._run, "experiment", None), "name", None) or "pipeline"
        return f"{experiment}-resubmitted"

    def resubmit(self) -> AzureMLPipelineSource:
        """Submit the pipeline run again and return the new run's source.

        azureml-core has no rerun: the run is published (``publish_pipeline``) and the published pipeline submitted
        to the same experiment; steps whose inputs, scripts and settings did not change are reused. Raises
        ``SourceError`` (``bad-input``) for a run that has not ended or is not a pipeline run: nothing is submitted.
        """
        import contextlib
        import io
        import time

        from amlnbtools.core.pipeline import is_terminal

        self._check_open()
        run = self._resolve()
        raw = self._call(_("pipeline run {run_id}").format(run_id=run.id), run.get_status)
        if not _is_pipeline(run):
            raise SourceError("bad-input", _("Run {run_id} is not a pipeline run: submit its script again "
                                             "(Experiment(ws, name).submit(config)). Nothing was submitted.").format(
                run_id=run.id))
        if not is_terminal(normalize_status(raw)):
            raise SourceError("bad-input", _("Run {run_id} is still {status}: resubmit it once it has ended, or cancel "
                                             "it first. Nothing was submitted.").format(run_id=run.id, status=raw))

        def submit() -> Any:
            with contextlib.redirect_stdout(io.StringIO()):  # the SDK prints the new run's link: the panel shows it
                published = run.publish_pipeline(name=self._published_name(), version=time.strftime("%Y%m%d%H%M%S"),
                                                 description=_("Submitted again from the amlnbtools panel"))
                return published.submit(run.experiment.workspace, experiment_name=run.experiment.name)

        new = self._call(_("the new submission of run {run_id}").format(run_id=run.id), submit)
        return AzureMLPipelineSource(new, limits=self._limits, download=self._cache.limits, max_workers=self._workers)

    # ---- lifetime ------------------------------------------------------------------------------------------------
    def close(self) -> None:
        """Delete the downloaded logs and close the download sessions; idempotent."""
        self._cache.close()

    @property
    def closed(self) -> bool:
        return self._cache.closed

    def __enter__(self) -> AzureMLPipelineSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"{len(self._steps)} steps known"
        return f"<AzureMLPipelineSource {self.label!r} ({state})>"

    # ---- internals -------------------------------------------------------------------------------------------
    def _check_open(self) -> None:
        if self.closed:
            raise SourceError("unknown", _("This pipeline source is closed: open the run again."))

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        try:
            return bounded_call(fn, self._limits)
        except Exception as exc:
            raise classify(exc, what, timeout_s=self._limits.budget_s) from None

    def _refresh_links(self, entry: _Step, what: str) -> None:
        details = self._call(what, entry.logs_run.get_details)
        entry.links = dict(details.get("logFiles") or {})

    def _open_original(self, child: Any, run_id: str) -> Any:
        """The run a reused step reused (same experiment first, else anywhere in the workspace)."""
        from azureml.core import Run

        try:
            return Run(child.experiment, run_id)
        except Exception:
            return Run.get(child.experiment.workspace, run_id)

    def _read_summary(self) -> PipelineSummary:
        run = self._run
        raw_status = run.get_status()
        details = run.get_details()
        children = list(run.get_children(_rehydrate_runs=False))
        if children:
            with ThreadPoolExecutor(max_workers=min(self._workers, len(children)),
                                    thread_name_prefix="amlnbtools-steps") as pool:
                steps = list(pool.map(self._read_step, children))
        elif _is_pipeline(run):
            steps = []  # a pipeline run whose steps have not been created yet
        else:
            steps = [self._read_step(run, details)]
        steps.sort(key=lambda item: (item[0].queued is None, item[0].queued or 0, item[0].name))
        with self._lock:
            self._steps = {summary.run_id: entry for summary, entry in steps}
        dto = _dto(run)
        name = run.display_name if getattr(run, "display_name", None) not in (None, "", run.id) else None
        experiment = getattr(getattr(run, "experiment", None), "name", None)
        return PipelineSummary(
            run_id=run.id, name=name or experiment or run.id, status=normalize_status(raw_status),
            raw_status=raw_status or "", started=parse_utc(details.get("startTimeUtc") or dto.get("start_time_utc")),
            ended=parse_utc(details.get("endTimeUtc") or dto.get("end_time_utc")),
            steps=tuple(summary for summary, _entry in steps),
            error=error_message(details.get("error") or dto.get("error")))

    def _read_step(self, child: Any, details: dict[str, Any] | None = None) -> tuple[StepSummary, _Step]:
        dto = _dto(child)
        reused_id = _reused_from(child)
        reused = reused_id is not None or bool(getattr(child, "_is_reused", False))
        logs_run = child
        if reused_id is not None and reused_id != child.id:
            try:
                logs_run = self._open_original(child, reused_id)
                details = None
            except Exception:  # the reused run is gone (deleted experiment): show the step without logs
                logs_run = child
        if details is None:
            details = logs_run.get_details()
        links = dict(details.get("logFiles") or {})
        raw_status = dto.get("status") or getattr(child, "status", None) or details.get("status") or ""
        status = normalize_status(raw_status)
        own = details if logs_run is child else {}
        properties = getattr(child, "properties", None) or {}
        summary = StepSummary(
            run_id=child.id,
            name=getattr(child, "name", None) or dto.get("display_name") or child.id,
            status=status, raw_status=raw_status,
            queued=parse_utc(dto.get("created_utc")),
            started=parse_utc(dto.get("start_time_utc") or own.get("startTimeUtc")),
            ended=parse_utc(dto.get("end_time_utc") or own.get("endTimeUtc")),
            reused=reused, log_files=tuple(rank_log_files(links)),
            error=None if reused else error_message(dto.get("error") or own.get("error")),
            kind=step_kind(properties.get("StepType"), links))
        return summary, _Step(logs_run=logs_run, links=links, final=summary.final)

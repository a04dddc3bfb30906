"""What panels need from a source, as small protocols: sources implement them, panels depend on them.

- :class:`DeploymentSource`: the web services (or online deployments) of one workspace, their state,
  error and logs;
- :class:`PipelineSource`: one pipeline run (or job), its steps and each step's log files;
- :func:`fetch_logs`: many log files of a :class:`PipelineSource` at once.

Every backend (``azureml_v1``, ``files``, ``replay``, ``local_server``, and the next SDK's) implements
these; panels never ask which backend they hold.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Protocol, runtime_checkable

from amlnbtools.core.pipeline import PipelineSummary, StepSummary
from amlnbtools.core.services import ServiceDetails, ServiceSummary, WorkspaceInfo
from amlnbtools.i18n import _
from amlnbtools.sources.errors import SourceError, classify

__all__ = ["DEFAULT_FETCH_WORKERS", "DeploymentSource", "PipelineSource", "fetch_logs"]


@runtime_checkable
class DeploymentSource(Protocol):
    """Web services of one workspace: the table, one service's state and error, its logs.

    Every method may raise :class:`amlnbtools.sources.errors.SourceError` (never another exception);
    its message names the fix. Methods block: panels call them off the kernel thread.
    """

    @property
    def info(self) -> WorkspaceInfo: ...

    def list_services(self) -> list[ServiceSummary]: ...

    def service_details(self, name: str) -> ServiceDetails: ...

    def service_logs(self, name: str, *, num_lines: int = 5000, init: bool = False) -> str: ...


#: How many log files are fetched at once by :func:`fetch_logs`.
DEFAULT_FETCH_WORKERS = 8


@runtime_checkable
class PipelineSource(Protocol):
    """One pipeline run: its steps, and each step's log files as local files.

    Every method may raise :class:`amlnbtools.sources.errors.SourceError` (never another exception);
    its message names the fix. Methods block: panels call them off the kernel thread. ``fetch_log``
    must be safe to call from several threads at once.
    """

    @property
    def label(self) -> str:
        """A short name for the run (shown in the panel's title)."""
        ...

    def summary(self) -> PipelineSummary:
        """The run and its steps, read now (a running pipeline changes between calls)."""
        ...

    def fetch_log(self, step: StepSummary, name: str) -> Path:
        """A local file holding the step's log file ``name`` (one of ``step.log_files``).

        Remote sources stream the file to a local cache (never whole into memory) and may answer
        later calls from that cache while the step is final.
        """
        ...


def fetch_logs(source: PipelineSource, wanted: Iterable[tuple[StepSummary, str]], *,
               max_workers: int = DEFAULT_FETCH_WORKERS, on_done: Callable[[int, int], object] | None = None,
               cancel: threading.Event | None = None) -> dict[tuple[str, str], Path | SourceError]:
    """Fetch many log files concurrently, at most ``max_workers`` at a time.

    Returns ``{(step run id, file name): path or the SourceError that file raised}``: one file that
    fails does not lose the others. ``on_done(done, total)`` is called as files arrive; once ``cancel`` is set
    the files not fetched yet are ``SourceError("cancelled")``.
    """
    if isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers < 1:
        raise ValueError(f"max_workers must be a positive int, not {max_workers!r}")
    items = list(dict.fromkeys((step, name) for step, name in wanted))

    def one(item: tuple[StepSummary, str]) -> Path | SourceError:
        step, name = item
        if cancel is not None and cancel.is_set():
            return SourceError("cancelled", _("Not fetched: stopped before log {name} of step {step}.").format(
                name=name, step=step.name))
        try:
            return source.fetch_log(step, name)
        except Exception as exc:  # reported per file; the message names the fix
            return classify(exc, f"log {name!r} of step {step.name!r}")

    if not items:
        return {}
    with ThreadPoolExecutor(max_workers=min(max_workers, len(items)), thread_name_prefix="amlnbtools-fetch") as pool:
        futures = {pool.submit(one, item): index for index, item in enumerate(items)}
        results: list[Path | SourceError | None] = [None] * len(items)
        for done, future in enumerate(as_completed(futures), 1):
            results[futures[future]] = future.result()
            if on_done is not None:
                on_done(done, len(items))
    return {(step.run_id, name): result for (step, name), result in zip(items, results, strict=True)
            if result is not None}

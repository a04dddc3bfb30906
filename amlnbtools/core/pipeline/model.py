"""Pipeline runs as plain values: steps, normalized status, timing, and which log file to open first.

Nothing here talks to Azure: sources (:mod:`amlnbtools.sources.pipeline`) build these values from
azureml-pipeline-core runs or from folders of downloaded logs, and panels show them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from amlnbtools.i18n import _

__all__ = ["IN_PROGRESS", "STATUSES", "TERMINAL", "PipelineSummary", "StepSummary", "is_failed", "is_terminal",
           "normalize_status", "rank_log_files", "status_label"]

#: Normalized statuses (what the panel shows), in the order a run goes through them.
STATUSES = ("not-started", "queued", "preparing", "running", "finalizing", "completed", "failed",
            "canceled", "not-responding", "partially-executed", "bypassed", "unknown")

# Status words of run history (Completed), pipelines and steps (Finished), the v2 job API and the
# aeva graph (e.g. "NotStarted", "Cancelled"): compared without case, spaces, dashes or underscores.
_STATUS_WORDS = {
    "notstarted": "not-started", "starting": "preparing", "provisioning": "preparing",
    "queued": "queued", "preparing": "preparing", "running": "running", "finalizing": "finalizing",
    "completed": "completed", "finished": "completed", "succeeded": "completed", "success": "completed",
    "failed": "failed", "failure": "failed", "error": "failed",
    "canceled": "canceled", "cancelled": "canceled", "cancelrequested": "canceled",
    "notresponding": "not-responding", "partiallyexecuted": "partially-executed", "bypassed": "bypassed",
}
#: Statuses after which a run or step does not change any more.
TERMINAL = frozenset({"completed", "failed", "canceled", "not-responding", "partially-executed", "bypassed"})
#: Statuses of a run or step on its way (``unknown`` is neither: it may be either).
IN_PROGRESS = frozenset({"not-started", "queued", "preparing", "running", "finalizing"})


def normalize_status(raw: object) -> str:
    """One of :data:`STATUSES` for any status word Azure ML uses (``Finished`` → ``completed``)."""
    if not isinstance(raw, str):
        return "unknown"
    key = re.sub(r"[\s_\-]", "", raw).lower()
    return _STATUS_WORDS.get(key, "unknown")


def is_terminal(status: str) -> bool:
    """True for a normalized status after which nothing changes (see :data:`TERMINAL`)."""
    return status in TERMINAL


def is_failed(status: str) -> bool:
    """True for a normalized status that means the step did not do its work."""
    return status in ("failed", "not-responding")


# Log files in the order a user should read them: the user script's output first, then what
# ParallelRunStep writes about failures, then the rest; job post-processing and system logs last.
_RANKS: tuple[tuple[re.Pattern[str], int], ...] = tuple((re.compile(p, re.IGNORECASE), r) for p, r in (
    (r"(?:^|/)70_driver_log(?:_0+)?\.txt$", 0),
    (r"(?:^|/)user_logs/std_log(?:_process_0+|_0+)?(?:_ps)?\.txt$", 0),
    (r"(?:^|/)70_driver_log[^/]*\.txt$", 1),
    (r"(?:^|/)user_logs/std_log[^/]*\.txt$", 1),
    (r"(?:^|/)logs/job_result\.txt$", 2),
    (r"(?:^|/)logs/user/error\.txt$", 3),
    (r"(?:^|/)logs/user/error/", 4),
    (r"(?:^|/)logs/(?:job_progress_overview|overview)[^/]*\.txt$", 5),
    (r"(?:^|/)logs/sys/master\.txt$", 6),
    (r"(?:^|/)logs/user/", 7),
    (r"(?:^|/)logs/azureml/executionlogs\.txt$", 8),
    (r"(?:^|/)user_logs/", 9),
    (r"(?:^|/)logs/azureml/", 10),
    (r"(?:^|/)(?:20_image_build|55_azureml-execution|65_job_prep)[^/]*$", 12),
    (r"(?:^|/)logs/(?:sys|perf)/", 13),
    (r"(?:^|/)system_logs/", 14),
    (r"(?:^|/)75_job_post[^/]*$", 20),
))
_OTHER_RANK = 11


def _rank(name: str) -> int:
    normalized = name.replace("\\", "/")
    return next((rank for pattern, rank in _RANKS if pattern.search(normalized)), _OTHER_RANK)


def rank_log_files(names: Iterable[str]) -> list[str]:
    """The log file names in reading order: ``70_driver_log*`` / ``user_logs/std_log*`` first, then
    ParallelRunStep's ``logs/job_result.txt`` and ``logs/user/error.txt``, …, ``75_job_post*`` last.
    Ties keep a natural order (``70_driver_log_2`` before ``70_driver_log_10``)."""
    def natural(name: str) -> list[object]:
        return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]
    return sorted(dict.fromkeys(names), key=lambda n: (_rank(n), natural(n)))


def _seconds(first: datetime | None, second: datetime | None) -> float | None:
    if first is None or second is None:
        return None
    return max(0.0, (second - first).total_seconds())


@dataclass(frozen=True, slots=True)
class StepSummary:
    """One step of a pipeline run.

    Attributes
    ----------
    run_id : str
        The step's run id (for a local folder: the folder's name).
    name : str
        The step's display name.
    status : str
        Normalized (one of :data:`STATUSES`); ``raw_status`` keeps the word Azure ML used.
    queued, started, ended : datetime or None
        When the step was created, started running, and ended (timezone-aware UTC when known).
    reused : bool
        The step's output came from an earlier run (``allow_reuse``): it did not run again.
    log_files : tuple of str
        Its log file names, most relevant first (see :func:`rank_log_files`).
    error : str or None
        The error message Azure ML recorded for the step, if any.
    kind : str
        What kind of step, when known: ``"python-script"``, ``"parallel-run"``, … or ``""``.
    warnings : tuple of str
        Warnings Azure ML recorded for the step (run history's ``warnings``).
    """

    run_id: str
    name: str
    status: str
    raw_status: str = ""
    queued: datetime | None = None
    started: datetime | None = None
    ended: datetime | None = None
    reused: bool = False
    log_files: tuple[str, ...] = ()
    error: str | None = None
    kind: str = ""
    warnings: tuple[str, ...] = ()

    @property
    def wait_seconds(self) -> float | None:
        """Time from creation to start (queueing, image build, node start-up)."""
        return _seconds(self.queued, self.started)

    @property
    def run_seconds(self) -> float | None:
        """Time from start to end."""
        return _seconds(self.started, self.ended)

    @property
    def failed(self) -> bool:
        return is_failed(self.status)

    @property
    def final(self) -> bool:
        """The step will not change any more."""
        return is_terminal(self.status)

    @property
    def first_log(self) -> str | None:
        """The log file to open first, or None when the step has none."""
        return self.log_files[0] if self.log_files else None


@dataclass(frozen=True, slots=True)
class PipelineSummary:
    """A pipeline run and its steps (in the order they were created)."""

    run_id: str
    name: str
    status: str
    raw_status: str = ""
    started: datetime | None = None
    ended: datetime | None = None
    steps: tuple[StepSummary, ...] = field(default_factory=tuple)
    error: str | None = None

    @property
    def failed_steps(self) -> tuple[StepSummary, ...]:
        """Failed steps, the one that failed first first (steps without an end time last)."""
        failed = [s for s in self.steps if s.failed]
        far = datetime.max.replace(tzinfo=None)
        return tuple(sorted(failed, key=lambda s: (s.ended is None, s.ended.replace(tzinfo=None) if s.ended else far)))

    def step(self, key: str) -> StepSummary:
        """The step with this run id or name.

        Raises
        ------
        KeyError
            No step has it; the message lists the step names.
        """
        for step in self.steps:
            if key in (step.run_id, step.name):
                return step
        names = ", ".join(s.name for s in self.steps) or "none"
        raise KeyError(f"no step {key!r} in pipeline run {self.run_id}: the steps are {names}")


def status_label(status: str) -> str:
    """A normalized status in the user's language."""
    labels = {
        "not-started": _("not started"), "queued": _("queued"), "preparing": _("preparing"),
        "running": _("running"), "finalizing": _("finalizing"), "completed": _("completed"),
        "failed": _("failed"), "canceled": _("canceled"), "not-responding": _("not responding"),
        "partially-executed": _("partially executed"), "bypassed": _("bypassed"), "unknown": _("unknown"),
    }
    return labels.get(status, status)

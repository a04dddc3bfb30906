"""Find the root cause of a failed pipeline run in its steps' log files (read by pages, any size)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from amlnbtools.core.diagnosis.findings import Findings
from amlnbtools.core.pipeline import PipelineSummary, StepSummary
from amlnbtools.core.pipeline.cause import RootCause, last_exception
from amlnbtools.sources.errors import SourceError
from amlnbtools.sources.files.bigfile import IndexedLog
from amlnbtools.sources.files.logfiles import LogPathError, diagnose_file

__all__ = ["CAUSE_FILES", "TAIL_LINES", "find_root_cause", "step_evidence"]

#: How many of a failed step's log files (in reading order) are searched for its cause.
CAUSE_FILES = 4
#: How many last lines of a file are searched for its last traceback.
TAIL_LINES = 5000


def step_evidence(step: StepSummary, fetch: Callable[[StepSummary, str], Path]) -> RootCause:
    """The cause of one failed step: the first known error in its first log files, and its last exception."""
    finding_at: tuple[str, Findings] | None = None
    exception_at: tuple[str, int, str] | None = None
    for name in step.log_files[:CAUSE_FILES]:
        try:
            path = fetch(step, name)
            findings = diagnose_file(path)
            with IndexedLog(path) as log:
                first = max(0, log.line_count - TAIL_LINES)
                exc = last_exception(log.lines(first, log.line_count), first + 1)
        except (SourceError, LogPathError):
            continue
        if finding_at is None and findings.primary() is not None:
            finding_at = (name, findings)
        if exception_at is None and exc is not None:
            exception_at = (name, *exc)
        if finding_at and exception_at:
            break
    finding = finding_at[1].primary() if finding_at else None
    file: str | None
    line: int | None
    if finding_at and finding is not None:
        file, line = finding_at[0], finding.line
    elif exception_at:
        file, line = exception_at[0], exception_at[1]
    else:
        file, line = (step.first_log, None)
    return RootCause(step=step.name, file=file, line=line, exception=exception_at[2] if exception_at else None,
                     finding=finding, error=step.error)


def find_root_cause(summary: PipelineSummary, fetch: Callable[[StepSummary, str], Path]) -> RootCause | None:
    """The cause of the first failing step of the run (None when no step failed).

    ``fetch(step, name)`` gives a local file (a source's ``fetch_log``, or a cache of fetched files).
    """
    failed = summary.failed_steps
    return step_evidence(failed[0], fetch) if failed else None

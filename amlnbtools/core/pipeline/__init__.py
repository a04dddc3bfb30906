"""Pipelines: the run model (steps, statuses, log reading order), root cause, fields read from runs, lint.

The model's names are exported here; :mod:`~amlnbtools.core.pipeline.cause`,
:mod:`~amlnbtools.core.pipeline.fields` and :mod:`~amlnbtools.core.pipeline.lint` are imported by name.
"""

from amlnbtools.core.pipeline.model import (
    IN_PROGRESS,
    STATUSES,
    TERMINAL,
    PipelineSummary,
    StepSummary,
    is_failed,
    is_terminal,
    normalize_status,
    rank_log_files,
    status_label,
)

__all__ = ["IN_PROGRESS", "STATUSES", "TERMINAL", "PipelineSummary", "StepSummary", "is_failed", "is_terminal",
           "normalize_status", "rank_log_files", "status_label"]

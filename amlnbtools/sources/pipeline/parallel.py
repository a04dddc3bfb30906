"""A ParallelRunStep's log folder, fetched from any pipeline source and summarized (three log layouts)."""

from __future__ import annotations

import re

from amlnbtools.core.parallel_run import ParallelRunSummary, summarize_parallel_run_logs
from amlnbtools.core.pipeline import StepSummary
from amlnbtools.core.pipeline.fields import step_kind
from amlnbtools.sources.base import PipelineSource, fetch_logs
from amlnbtools.sources.errors import SourceError

__all__ = ["MAX_FILES", "MAX_FILE_BYTES", "is_parallel_run", "summarize_step"]

#: At most this many of the step's ``logs/`` files are read (error and result files first).
MAX_FILES = 40
#: At most this many bytes of each file are read.
MAX_FILE_BYTES = 1 << 20

def is_parallel_run(step: StepSummary) -> bool:
    """A ParallelRunStep, by its recorded kind or by the files only it writes."""
    return step.kind == "parallel-run" or step_kind(None, step.log_files) == "parallel-run"


def summarize_step(source: PipelineSource, step: StepSummary) -> ParallelRunSummary | None:
    """Fetch a ParallelRunStep's ``logs/`` files (concurrently, bounded) and summarize them; None for other steps.

    Files that cannot be fetched are left out of the summary (it says what the others show).
    """
    if not is_parallel_run(step):
        return None
    names = [n for n in step.log_files if re.search(r"(?:^|/)logs/", n.replace("\\", "/"))
             and "logs/azureml/" not in n.replace("\\", "/")][:MAX_FILES]
    files: dict[str, bytes] = {}
    for (_run_id, name), result in fetch_logs(source, [(step, n) for n in names]).items():
        if isinstance(result, SourceError):
            continue
        with result.open("rb") as fh:
            files[name] = fh.read(MAX_FILE_BYTES)
    return summarize_parallel_run_logs(files) if files else None

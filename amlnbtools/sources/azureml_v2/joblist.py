"""The workspace's jobs as azure-ai-ml lists them (``jobs.list()``: GET ``{workspace}/jobs``, page by page).

Each page is one bounded call, so a workspace with thousands of jobs is read with a deadline per page and can be
stopped between pages. Only what a triage needs is kept of each job.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from amlnbtools.core.pipeline.fields import parse_utc
from amlnbtools.i18n import _

__all__ = ["JobRow", "list_jobs"]


@dataclass(frozen=True)
class JobRow:
    name: str
    display_name: str | None
    status: str | None
    type: str | None
    created: datetime | None
    experiment: str | None


def _row(job: Any) -> JobRow:
    status = getattr(job, "status", None)
    created = getattr(getattr(job, "creation_context", None), "created_at", None)
    if not isinstance(created, datetime):
        created = parse_utc(created)
    return JobRow(name=str(job.name), display_name=getattr(job, "display_name", None),
                  status=str(getattr(status, "value", status)) if status is not None else None,
                  type=getattr(job, "type", None), created=created,
                  experiment=getattr(job, "experiment_name", None))


def list_jobs(v2: Any, *, max_jobs: int = 10_000, cancel: threading.Event | None = None) -> Iterator[list[JobRow]]:
    """The jobs, one list per page (at most ``max_jobs`` in all); stops between pages once ``cancel`` is set."""
    pages = iter(v2.call(_("the job list"), lambda: v2.ml_client.jobs.list().by_page()))
    seen = 0
    while seen < max_jobs and not (cancel is not None and cancel.is_set()):
        page = v2.call(_("the job list"), lambda: list(next(pages, None) or [None]))
        if page == [None]:
            return
        rows = [_row(job) for job in page if job is not None][: max_jobs - seen]
        seen += len(rows)
        yield rows

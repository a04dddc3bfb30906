"""Pieces of the pipeline log panel: loading a run with its root cause, and the escaped HTML it shows."""

from __future__ import annotations

import html
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from amlnbtools.core.diagnosis.redact import redact
from amlnbtools.core.parallel_run import ParallelRunSummary
from amlnbtools.core.parallel_run.text import summary_lines
from amlnbtools.core.pipeline import PipelineSummary, StepSummary, status_label
from amlnbtools.core.pipeline.cause import RootCause
from amlnbtools.i18n import _
from amlnbtools.sources.base import PipelineSource, fetch_logs
from amlnbtools.sources.errors import SourceError
from amlnbtools.sources.pipeline.cause import CAUSE_FILES, find_root_cause
from amlnbtools.widgets._html import badge, table
from amlnbtools.widgets._theme import hue, tint

__all__ = ["cause_html", "load_run", "parallel_run_html", "status_kind", "steps_frame", "steps_table"]


def load_run(source: PipelineSource, on_done: Callable[[int, int], object] | None = None,
             cancel: threading.Event | None = None) -> tuple[PipelineSummary, RootCause | None]:
    """The run's summary and root cause; the failed steps' first log files are fetched concurrently (counted by
    ``on_done``; once ``cancel`` is set the cause is found in the files fetched so far)."""
    summary = source.summary()
    wanted = [(step, name) for step in summary.failed_steps for name in step.log_files[:CAUSE_FILES]]
    fetched = fetch_logs(source, wanted, on_done=on_done, cancel=cancel)

    def from_cache(step: StepSummary, name: str) -> Path:
        result = fetched.get((step.run_id, name))
        if result is None:
            return source.fetch_log(step, name)
        if isinstance(result, SourceError):
            raise result
        return result

    return summary, find_root_cause(summary, from_cache)


_STATUS_KINDS = {"completed": "ok", "failed": "error", "not-responding": "error", "running": "info",
                 "finalizing": "info", "canceled": "brown", "partially-executed": "warn"}


def status_kind(status: str) -> str:
    """The colour kind of a step status (see :func:`amlnbtools.widgets._theme.fg`)."""
    return _STATUS_KINDS.get(status, "neutral")


def _time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "–"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def steps_table(summary: PipelineSummary) -> str:
    """The step table (escaped; the status badge is the only markup of ours)."""
    header = [_("Step"), _("Status"), _("Queued (UTC)"), _("Started (UTC)"), _("Ended (UTC)"), _("Waited"),
              _("Ran"), _("Reused")]
    rows = [[s.name, badge(status_label(s.status), status_kind(s.status)), _time(s.queued), _time(s.started),
             _time(s.ended), _duration(s.wait_seconds), _duration(s.run_seconds), _("yes") if s.reused else ""]
            for s in summary.steps]
    return table(header, rows, raw_columns=frozenset({1}))


def steps_frame(summary: PipelineSummary) -> Any:
    """The step table as a pandas DataFrame."""
    import pandas as pd

    return pd.DataFrame([{"step": s.name, "run_id": s.run_id, "status": s.status, "raw_status": s.raw_status,
                          "queued": s.queued, "started": s.started, "ended": s.ended, "wait_s": s.wait_seconds,
                          "run_s": s.run_seconds, "reused": s.reused, "kind": s.kind, "first_log": s.first_log}
                         for s in summary.steps],
                        columns=["step", "run_id", "status", "raw_status", "queued", "started", "ended", "wait_s",
                                 "run_s", "reused", "kind", "first_log"])


def cause_html(cause: RootCause | None) -> str:
    """The root-cause line: failing step, last exception, finding and fix (all escaped)."""
    if cause is None:
        return ""
    parts = [html.escape(_("Root cause: step {step} failed").format(step=cause.step))]
    if cause.exception:
        parts.append(f"<code>{html.escape(redact(cause.exception)[:300])}</code>")
    if cause.finding is not None:
        parts.append(f"<b>{html.escape(cause.finding.title)}</b> — {html.escape(cause.finding.remedy)}")
    elif cause.error:
        parts.append(html.escape(redact(cause.error)[:300]))
    elif not cause.exception:
        parts.append(html.escape(_("its logs show no known failure: open them below.")))
    where = ""
    if cause.file:
        where = html.escape(" (" + cause.file + (_(", line {n}").format(n=cause.line) if cause.line else "") + ")")
    return (f"<div style='border-left:4px solid {hue('error')};padding:4px 10px;background:{tint('error', 12)}'>"
            + "<br>".join(parts) + where + "</div>")


def parallel_run_html(summary: ParallelRunSummary | None) -> str:
    """What a ParallelRunStep's logs say: result, counts, first errors (escaped, secrets redacted)."""
    if summary is None:
        return ""
    lines = summary_lines(summary)
    body = "<br>".join(html.escape(redact(line)[:300]) for line in lines)
    return f"<div style='border-left:4px solid {hue('warn')};padding:4px 10px;font-size:13px'>{body}</div>"

"""A ParallelRunStep summary in words, one line each (the pipeline panel, the local run panel, the command line)."""

from __future__ import annotations

from typing import Any

from amlnbtools.core.parallel_run.logs import BatchCounts, ParallelRunSummary
from amlnbtools.i18n import _, n_

__all__ = ["summary_json", "summary_lines"]


def _counts(label: str, counts: BatchCounts) -> str | None:
    if counts.total is None and counts.failed is None:
        return None
    parts = [_("{count} in total").format(count=counts.total) if counts.total is not None else None,
             n_("{count} succeeded", "{count} succeeded", counts.succeeded).format(count=counts.succeeded)
             if counts.succeeded is not None else None,
             n_("{count} failed", "{count} failed", counts.failed).format(count=counts.failed)
             if counts.failed is not None else None,
             n_("{count} not processed", "{count} not processed", counts.remaining).format(count=counts.remaining)
             if counts.remaining is not None else None]
    return label + ": " + ", ".join(p for p in parts if p)


def summary_lines(summary: ParallelRunSummary, *, errors: int = 3) -> list[str]:
    """The result line, the reason, the mini-batch and item counts, and the first ``errors`` error lines."""
    lines = [_("ParallelRunStep ({layout} log layout)").format(layout=summary.layout)]
    lines += [line for line in (summary.result_line, summary.reason) if line]
    lines += [c for c in (_counts(_("Mini-batches"), summary.mini_batches), _counts(_("Items"), summary.items)) if c]
    lines += [f"{e.file}:{e.line}: {e.text}" for e in summary.errors[:errors]]
    return lines


def summary_json(summary: ParallelRunSummary) -> dict[str, Any]:
    """The summary as JSON-ready data (counts as objects, ``null`` where the logs do not say)."""
    def counts(c: BatchCounts) -> dict[str, int | None]:
        return {"total": c.total, "succeeded": c.succeeded, "failed": c.failed, "remaining": c.remaining}

    return {"status": summary.status, "result_line": summary.result_line, "reason": summary.reason,
            "mini_batches": counts(summary.mini_batches), "items": counts(summary.items),
            "open_first": summary.open_first, "error_rules": list(summary.error_rules),
            "errors": [{"file": e.file, "line": e.line, "text": e.text} for e in summary.errors]}

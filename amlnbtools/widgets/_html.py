"""Small escaped HTML fragments shared by panels (badges, key/value grids, tables)."""

from __future__ import annotations

import html
from collections.abc import Sequence

from amlnbtools.core.diagnosis.findings import Finding
from amlnbtools.i18n import _

__all__ = ["badge", "grid", "remedy", "table"]

_STATE_COLORS = {"Healthy": "#2e7d32", "Succeeded": "#2e7d32", "Failed": "#c62828", "Unhealthy": "#c62828",
                 "Unschedulable": "#c62828", "Transitioning": "#1565c0", "Deleting": "#6d4c41"}


def badge(text: str | None, color: str | None = None) -> str:
    """A coloured pill with escaped text (state words pick their colour)."""
    label = text or "?"
    bg = color or _STATE_COLORS.get(label, "#616161")
    return (f"<span style='background:{bg};color:white;border-radius:10px;padding:1px 9px;font-size:12px'>"
            f"{html.escape(label)}</span>")


def grid(rows: Sequence[tuple[str, str]]) -> str:
    """A two-column table of escaped labels and values."""
    cells = "".join(f"<tr><td style='color:#666;padding-right:1em'>{html.escape(k)}</td>"
                    f"<td>{html.escape(v)}</td></tr>" for k, v in rows)
    return f"<table style='font-size:13px'>{cells}</table>"


def table(header: Sequence[str], rows: Sequence[Sequence[str]], raw_columns: frozenset[int] = frozenset()) -> str:
    """A table of escaped cells; cells of ``raw_columns`` are trusted HTML made by amlnbtools (badges)."""
    head = "".join(f"<th style='text-align:left;padding:2px 10px'>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td style='padding:2px 10px'>{c if i in raw_columns else html.escape(c)}</td>"
                         for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table style='font-size:13px;border-collapse:collapse'><tr>{head}</tr>{body}</table>"


def remedy(finding: Finding) -> str:
    """A finding's title, its fix and a link to read more (escaped)."""
    read_more = html.escape(_("Read more"))
    return (f"<div style='padding:4px 0'><b>{html.escape(finding.title)}</b><br>{html.escape(finding.remedy)} "
            f"<a href='{html.escape(finding.docs)}' target='_blank' rel='noopener'>{read_more}</a></div>")

"""Small escaped HTML fragments shared by panels (badges, key/value grids, tables)."""

from __future__ import annotations

import html
from collections.abc import Sequence

from amlnbtools.core.diagnosis.findings import Finding
from amlnbtools.i18n import _
from amlnbtools.widgets._theme import BORDER, MUTED, fg, tint

__all__ = ["badge", "error_line", "findings_tip", "grid", "remedy", "table", "warn_line"]

_STATE_KINDS = {"Healthy": "ok", "Succeeded": "ok", "Failed": "error", "Unhealthy": "error",
                "Unschedulable": "error", "Transitioning": "info", "Deleting": "brown"}


def badge(text: str | None, kind: str | None = None) -> str:
    """A pill with escaped text in the colour of ``kind`` (``ok``, ``error``, ``info``, ``warn``, ``neutral``,
    ``brown``; state words pick theirs), readable in light and dark themes."""
    label = text or "?"
    kind = kind or _STATE_KINDS.get(label, "neutral")
    return (f"<span style='background:{tint(kind, 16)};color:{fg(kind)};border:1px solid {fg(kind)};"
            f"border-radius:10px;padding:0 8px;font-size:12px'>{html.escape(label)}</span>")


def error_line(message: str) -> str:
    """An error message in the theme's error colour, escaped."""
    return f"<span style='color:{fg('error')}'>⚠ {html.escape(message)}</span>"


def warn_line(message: str) -> str:
    """A warning on a line of its own in the theme's warning colour, escaped."""
    return f"<div style='color:{fg('warn')}'>⚠ {html.escape(message)}</div>"


def findings_tip() -> str:
    """The tooltip (and accessible name) of a findings list."""
    return _("Known failures found in the log: pick one to see its line and its fix (Home, End, Page Up, Page Down)")


def grid(rows: Sequence[tuple[str, str]]) -> str:
    """A two-column table of escaped labels and values."""
    cells = "".join(f"<tr><td style='color:{MUTED};padding-right:1em'>{html.escape(k)}</td>"
                    f"<td>{html.escape(v)}</td></tr>" for k, v in rows)
    return f"<table style='font-size:13px'>{cells}</table>"


def table(header: Sequence[str], rows: Sequence[Sequence[str]], raw_columns: frozenset[int] = frozenset()) -> str:
    """A table of escaped cells; cells of ``raw_columns`` are trusted HTML made by amlnbtools (badges)."""
    head = "".join(f"<th style='text-align:left;padding:2px 10px;border-bottom:1px solid {BORDER}'>"
                   f"{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td style='padding:2px 10px'>{c if i in raw_columns else html.escape(c)}</td>"
                         for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table style='font-size:13px;border-collapse:collapse'><tr>{head}</tr>{body}</table>"


def remedy(finding: Finding) -> str:
    """A finding's title, its fix and a link to read more (escaped)."""
    read_more = html.escape(_("Read more"))
    return (f"<div style='padding:4px 0'><b>{html.escape(finding.title)}</b><br>{html.escape(finding.remedy)} "
            f"<a href='{html.escape(finding.docs)}' target='_blank' rel='noopener'>{read_more}</a></div>")

"""The timeline of a pipeline run: one row per step, waiting then running, failed steps in red."""

from __future__ import annotations

import html

import plotly.graph_objects as go

from amlnbtools.core.pipeline import PipelineSummary, StepSummary, status_label
from amlnbtools.figures._style import themed
from amlnbtools.i18n import _, n_

__all__ = ["STATUS_COLORS", "pipeline_timeline"]

#: Bar colour of each normalized status.
STATUS_COLORS = {"completed": "#2e7d32", "failed": "#c62828", "not-responding": "#c62828", "running": "#1565c0",
                 "finalizing": "#1565c0", "preparing": "#90a4ae", "queued": "#90a4ae", "canceled": "#6d4c41",
                 "partially-executed": "#ef6c00", "bypassed": "#9e9e9e", "not-started": "#bdbdbd",
                 "unknown": "#757575"}
_WAIT_COLOR = "#cfd8dc"
_REUSED_COLOR = "#a5d6a7"


def _text(value: str) -> str:
    """Escape what plotly would read as markup (its texts are pseudo-HTML; quotes are shown as they are)."""
    return html.escape(value, quote=False)


def _label(step: StepSummary) -> str:
    if not step.reused:
        return _text(step.name)
    return _text(step.name + " (" + _("reused") + ")")


def _ms(seconds: float | None) -> float:
    return (seconds or 0.0) * 1000.0


def pipeline_timeline(summary: PipelineSummary) -> go.Figure:
    """A horizontal timeline (dates on x): a light bar for each step's wait, a coloured bar for its run.

    Steps without start time are listed in the title, not drawn. Names and statuses in hover texts
    are escaped (plotly renders some HTML in them).
    """
    timed = [s for s in summary.steps if s.started is not None]
    rows = [_label(s) for s in timed]
    waits = [s for s in timed if s.queued is not None and s.wait_seconds]
    fig = go.Figure()
    fig.add_trace(go.Bar(
        y=[_label(s) for s in waits], x=[_ms(s.wait_seconds) for s in waits],
        base=[s.queued.isoformat() for s in waits if s.queued], orientation="h", name=_("waiting"),
        marker_color=_WAIT_COLOR, uid="wait",
        hovertext=[_text(_("{step}: waited {seconds:.0f} s").format(step=s.name, seconds=s.wait_seconds or 0))
                   for s in waits], hoverinfo="text"))
    for status in dict.fromkeys(s.status for s in timed):
        group = [s for s in timed if s.status == status]
        color = STATUS_COLORS.get(status, "#757575")
        fig.add_trace(go.Bar(
            y=[_label(s) for s in group], x=[max(_ms(s.run_seconds), 1000.0) for s in group],
            base=[s.started.isoformat() for s in group if s.started], orientation="h", name=status_label(status),
            marker_color=[_REUSED_COLOR if s.reused and status == "completed" else color for s in group],
            marker_line_width=[3 if s.failed else 0 for s in group], marker_line_color="#7f0000",
            uid=f"run-{status}", hoverinfo="text",
            hovertext=[_text(_("{step}: {status}, ran {seconds:.0f} s").format(
                step=s.name, status=s.raw_status or s.status, seconds=s.run_seconds or 0)) for s in group]))
    missing = len(summary.steps) - len(timed)
    title = _text(summary.name) + " · " + _text(summary.raw_status or summary.status)
    if missing:
        title += " · " + _text(n_("{count} step not started", "{count} steps not started", missing)
                                     .format(count=missing))
    themed(fig,
        title=title, barmode="overlay", height=max(250, 95 + 28 * len(rows)),
        xaxis={"type": "date", "title": _("time (UTC)")},
        yaxis={"categoryorder": "array", "categoryarray": list(reversed(rows)), "automargin": True},
        margin={"l": 10, "r": 20, "t": 50, "b": 80}, legend={"orientation": "h", "y": -0.35})
    return fig

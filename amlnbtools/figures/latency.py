"""Latency histogram with its p50 and p95 marked."""

from __future__ import annotations

import plotly.graph_objects as go

from amlnbtools.core.capacity.latency import LatencyStats
from amlnbtools.figures._style import themed
from amlnbtools.i18n import _, n_

__all__ = ["latency_histogram"]


def latency_histogram(stats: LatencyStats) -> go.Figure:
    """A histogram of request latencies (ms) with vertical lines at p50 and p95."""
    fig = go.Figure(go.Histogram(x=list(stats.latencies_ms), nbinsx=min(40, max(5, len(stats.latencies_ms) // 2)),
                                 name=_("requests"), marker_color="#5c6bc0", uid="latency"))
    for label, value, dash in (("p50", stats.p50_ms, "dash"), ("p95", stats.p95_ms, "dot")):
        fig.add_vline(x=value, line_dash=dash, line_color="#c62828",
                      annotation_text=f"{label} {value:.0f} ms", annotation_position="top")
    title = " · ".join([_("Latency"), n_("{count} request", "{count} requests", stats.count).format(count=stats.count),
                        n_("{count} failed", "{count} failed", stats.failures).format(count=stats.failures)])
    themed(fig, title=title,
                      xaxis_title=_("latency (ms)"), yaxis_title=_("requests"), height=320,
                      margin={"l": 50, "r": 20, "t": 60, "b": 45}, showlegend=False)
    return fig

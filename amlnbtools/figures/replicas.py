"""Replica figures: replicas against request rate, and a simulated day of the autoscaler."""

from __future__ import annotations

from typing import TYPE_CHECKING

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from amlnbtools.figures._style import themed
from amlnbtools.i18n import _

if TYPE_CHECKING:
    import pandas

__all__ = ["online_trace_figure", "replicas_vs_rps", "simulation_figure"]


def replicas_vs_rps(table: pandas.DataFrame, queueing: list[int], current_rps: float,
                    current_replicas: int) -> go.Figure:
    """The formula's replicas (step line), the replicas for ≤ 1 % 503s, and the current point."""
    fig = go.Figure()
    fig.add_scatter(x=table["rps"], y=table["replicas"], mode="lines", line_shape="hv", name=_("formula"),
                    uid="formula")
    fig.add_scatter(x=table["rps"], y=queueing, mode="lines", line_shape="hv", line_dash="dash",
                    name=_("≤ 1 % 503 (queueing)"), uid="queueing")
    fig.add_scatter(x=[current_rps], y=[current_replicas], mode="markers", marker_size=11, name=_("your input"),
                    uid="current")
    themed(fig, title=_("Replicas needed by request rate"), xaxis_title=_("requests per second"),
                      yaxis_title=_("replicas"), height=320,
                      margin={"l": 50, "r": 20, "t": 50, "b": 45}, legend={"orientation": "h", "y": -0.25})
    return fig


def simulation_figure(series: pandas.DataFrame) -> go.Figure:
    """Load (requests per second), ready replicas and 503s over time, from a simulation's time series."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    minutes = series.index / 60
    fig.add_scatter(x=minutes, y=series["rps"], name=_("load (requests/s)"), line_width=1, uid="load")
    fig.add_bar(x=minutes, y=series["rejected_503"], name=_("503 per second"), marker_color="#c62828", uid="r503")
    fig.add_scatter(x=minutes, y=series["replicas"], name=_("ready replicas"), line_shape="hv",
                    line_color="#2e7d32", secondary_y=True, uid="replicas")
    themed(fig, title=_("Simulated autoscaler"), height=340, bargap=0,
                      margin={"l": 50, "r": 50, "t": 50, "b": 45}, legend={"orientation": "h", "y": -0.25})
    fig.update_xaxes(title_text=_("minutes"))
    fig.update_yaxes(title_text=_("requests per second"), secondary_y=False)
    # whole replicas only, on a grid of their own (not the request axis's ticks)
    fig.update_yaxes(title_text=_("replicas"), secondary_y=True, rangemode="tozero", tickformat="d",
                     showgrid=False, tickmode="auto", nticks=6)
    return fig


def online_trace_figure(series: pandas.DataFrame) -> go.Figure:
    """Load and the expected 429s and 408s a second, from :func:`amlnbtools.core.capacity.online.play`."""
    fig = go.Figure()
    minutes = series.index / 60
    fig.add_scatter(x=minutes, y=series["rps"], name=_("load (requests/s)"), line_width=1, uid="load")
    fig.add_bar(x=minutes, y=series["rejected_429"], name=_("429 per second"), marker_color="#c62828", uid="r429")
    fig.add_bar(x=minutes, y=series["late_408"], name=_("408 per second"), marker_color="#ef6c00", uid="r408")
    themed(fig, title=_("The load played on the deployment"), height=320, bargap=0,
                      barmode="stack", xaxis_title=_("minutes"), yaxis_title=_("requests per second"),
                      margin={"l": 50, "r": 20, "t": 50, "b": 45}, legend={"orientation": "h", "y": -0.25})
    return fig

"""The causes of a workspace's failures: one horizontal bar per cause, the largest on top."""

from __future__ import annotations

import html
from collections.abc import Sequence

import plotly.graph_objects as go

from amlnbtools.core.triage.model import TriageGroup
from amlnbtools.figures._style import themed
from amlnbtools.i18n import _

__all__ = ["causes_figure"]

_COLORS = {"failing": "#c62828", "waiting": "#ef6c00", "running-long": "#1565c0", "unreadable": "#757575"}


def causes_figure(groups: Sequence[TriageGroup]) -> go.Figure:
    """Items per cause (bars coloured by what the items are: failing, waiting, running long, not read)."""
    shown = list(groups)[::-1]  # plotly draws the first bar at the bottom
    labels = [html.escape(g.key if len(g.key) <= 40 else g.key[:39] + "…", quote=False) for g in shown]
    fig = go.Figure(go.Bar(
        x=[g.count for g in shown], y=labels, orientation="h",
        marker={"color": [_COLORS.get(g.items[0].outcome, "#757575") for g in shown]},
        hovertext=[html.escape(g.title, quote=False) for g in shown], hoverinfo="text+x"))
    return themed(fig, height=max(160, 60 + 26 * len(shown)), margin={"l": 10, "r": 10, "t": 30, "b": 30},
                  title={"text": html.escape(_("Items per cause"), quote=False), "font": {"size": 13}},
                  xaxis={"dtick": 1 if max((g.count for g in shown), default=0) <= 10 else None},
                  yaxis={"automargin": True})

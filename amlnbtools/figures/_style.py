"""One look for every figure, in light and dark themes: no template, transparent backgrounds, grey grid lines.

A figure does not know the theme it is drawn in. Its backgrounds are transparent (the notebook's shows through),
its grid lines a translucent grey that shows on white and on black, and its texts a mid grey that the panels'
style sheet replaces with the theme's text colour (``amlnbtools.widgets._theme.STYLE``). No template: plotly's
``plotly_white`` would add about 7 KB of template to every figure sent.
"""

from __future__ import annotations

from typing import Any

__all__ = ["themed"]

GRID = "rgba(128, 128, 128, 0.3)"
TEXT = "#808080"


def themed(fig: Any, **layout: Any) -> Any:
    """``fig`` with the shared look and ``layout`` applied; returns it."""
    fig.update_layout(template="none", paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
                      font={"color": TEXT, "size": 12}, legend={"bgcolor": "rgba(0,0,0,0)"})
    fig.update_layout(**layout)
    fig.update_xaxes(gridcolor=GRID, zerolinecolor=GRID, linecolor=GRID)
    fig.update_yaxes(gridcolor=GRID, zerolinecolor=GRID, linecolor=GRID)
    return fig

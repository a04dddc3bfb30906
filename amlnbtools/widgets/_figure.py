"""A plotly figure as a notebook output of its own (not a FigureWidget): drawn by every front end.

A ``FigureWidget`` (plotly 6 and later) carries the whole plotly.js bundle, about 5 MB, in its widget state: every
chart shown sends it over the kernel connection and a notebook saved with widget state keeps a copy per chart.
Plotly's own mime type (``application/vnd.plotly.v1+json``) carries only the figure: JupyterLab and Notebook 7
draw it with the renderer plotly installs, VS Code with its built-in one, and it stays interactive (hover, zoom).
:class:`Chart` shows one in an ``Output`` widget and replaces it when the figure changes: an update sends the
figure's data and layout, nothing else.
"""

from __future__ import annotations

import json
from typing import Any

import ipywidgets as w

from amlnbtools.widgets._theme import style_widget

__all__ = ["Chart", "figure_output"]


def figure_output(fig: Any) -> dict:
    """A display_data output of a plotly figure (its own mime type: renders in JupyterLab, Notebook, VS Code)."""
    spec = json.loads(fig.to_json())
    spec["config"] = {"displaylogo": False}
    return {"output_type": "display_data", "metadata": {},
            "data": {"application/vnd.plotly.v1+json": spec, "text/plain": "Figure"}}


class Chart:
    """A chart in a panel: :meth:`show` draws a figure (only when it changed), :meth:`clear` removes it;
    ``figure`` is the one shown, ``widget`` what the panel lays out, ``output`` the ``Output`` holding it."""

    def __init__(self) -> None:
        self.output = w.Output(layout=w.Layout(min_height="40px"))
        self.output.add_class("amlnb-chart")  # the theme's colours for its texts and grid (see _theme.STYLE)
        self.widget = w.VBox([style_widget(), self.output])
        self.figure: Any = None
        self.updates = 0  # how many times a new figure was sent
        self._shown: dict | None = None  # the output sent last (the front end may add a picture of it to its copy)

    def show(self, fig: Any) -> bool:
        """Show ``fig``; False (nothing sent) when it is the figure already shown."""
        output = figure_output(fig)
        self.figure = fig
        if output == self._shown and self.output.outputs:
            return False
        self._shown = output
        self.output.outputs = (output,)
        self.updates += 1
        return True

    def clear(self) -> None:
        self.figure = self._shown = None
        self.output.outputs = ()

"""A plotly figure as a notebook output of its own (not a FigureWidget): drawn by every front end."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["figure_output"]


def figure_output(fig: Any) -> dict:
    """A display_data output of a plotly figure (its own mime type: renders in JupyterLab, Notebook, VS Code)."""
    spec = json.loads(fig.to_json())
    spec["config"] = {"displaylogo": False, "responsive": True}
    return {"output_type": "display_data", "metadata": {},
            "data": {"application/vnd.plotly.v1+json": spec, "text/plain": "Figure"}}

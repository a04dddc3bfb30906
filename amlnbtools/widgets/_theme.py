"""Colours that read well in every theme: JupyterLab Light and Dark, high contrast, Notebook 7, VS Code.

No fixed text or background colour: a panel does not know the theme it is drawn in (it can change while it is
shown), so every colour is CSS the front end resolves.

- **Text in a colour** (an error, a state): the theme's own hue (``--jp-error-color1`` …, with a fallback) mixed
  60 / 40 with the text colour around it (``currentColor``). Near-black text in a light theme darkens the hue,
  white text in a dark theme lightens it: at least 5:1 against the theme's background either way.
- **Backgrounds** (a highlighted line, the root-cause box, a badge): the hue at 12–18 % opacity over whatever is
  behind, so the theme's own text stays readable on it.
- **Secondary text** (line numbers, labels): the text colour at 75 % opacity.
- **Charts**: plotly draws with fixed colours, so its texts and grid take the theme's through :data:`STYLE`, a
  style sheet shipped in the panels that hold a chart (class ``amlnb-chart``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["BORDER", "MUTED", "STYLE", "fg", "hue", "style_widget", "themed", "tint"]

#: kind → (JupyterLab variable, fallback): the fallback is JupyterLab Light's value.
_HUES = {
    "error": ("--jp-error-color1", "#d32f2f"),
    "ok": ("--jp-success-color1", "#388e3c"),
    "info": ("--jp-brand-color1", "#1976d2"),
    "warn": ("--jp-warn-color1", "#f57c00"),
    "neutral": ("--jp-layout-color4", "#757575"),  # the same mid grey in JupyterLab Light and Dark
    "brown": ("--jp-warn-color0", "#e65100"),  # canceled: a dark orange
}

#: Secondary text: the theme's text colour, lighter (not the colour around it, which may be an error's red).
MUTED = "color-mix(in srgb, var(--jp-content-font-color1, currentColor) 75%, transparent)"
#: A hairline that shows on light and dark backgrounds.
BORDER = "var(--jp-border-color2, rgba(128, 128, 128, 0.35))"


def hue(kind: str) -> str:
    """The theme's colour of ``kind`` (for borders and chart marks, not for text)."""
    var, fallback = _HUES.get(kind, _HUES["neutral"])
    return f"var({var}, {fallback})" if var else fallback


def fg(kind: str) -> str:
    """Text in the colour of ``kind`` (``error``, ``ok``, ``info``, ``warn``, ``neutral``, ``brown``) that keeps
    its contrast in light and dark themes."""
    return f"color-mix(in srgb, {hue(kind)} 60%, currentColor)"


def tint(kind: str, percent: int = 14) -> str:
    """A background of ``kind`` that lets the theme's text read on it."""
    return f"color-mix(in srgb, {hue(kind)} {percent}%, transparent)"


#: Chart texts and grid lines in the theme's colours (plotly sets them inline; these rules win over inline
#: styles). Only inside an output of class ``amlnb-chart``.
STYLE = ("<style>"
         ".amlnb-chart .main-svg text{fill:var(--jp-ui-font-color1,currentColor)!important}"
         ".amlnb-chart .main-svg .gridlayer path,.amlnb-chart .main-svg .zerolinelayer path"
         "{stroke:var(--jp-border-color2,rgba(128,128,128,.35))!important}"
         ".amlnb-chart .main-svg .legend .bg{fill:transparent!important}"
         # ipywidgets draws tab labels and accordion titles in the theme's secondary grey (4.4:1 on their grey)
         ".amlnb-themed .lm-TabBar-tab,.amlnb-themed .jupyter-widget-Collapse-header"
         "{color:var(--jp-ui-font-color1,inherit)!important}"
         "</style>")


def style_widget() -> Any:
    """An invisible widget carrying :data:`STYLE` (a panel with a chart, tabs or an accordion holds one)."""
    import ipywidgets as w

    return w.HTML(STYLE, layout=w.Layout(height="0px", margin="0"))


def themed(widget: Any) -> Any:
    """Mark ``widget`` (tabs, an accordion) for :data:`STYLE`'s readable titles; returns it."""
    widget.add_class("amlnb-themed")
    return widget

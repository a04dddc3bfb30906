"""Buttons several panels share, with the same words and tooltips everywhere."""

from __future__ import annotations

import ipywidgets as w

from amlnbtools.i18n import _

__all__ = ["refresh_buttons"]


def refresh_buttons() -> tuple[w.Button, w.Button, w.Button]:
    """Refresh, Auto-refresh and Stop (the last disabled until auto-refresh runs)."""
    return (w.Button(description=_("Refresh"), tooltip=_("Read it again from Azure ML"), icon="refresh"),
            w.Button(description=_("Auto-refresh"), tooltip=_("Read it again every few seconds until it ends"),
                     icon="play"),
            w.Button(description=_("Stop"), tooltip=_("Stop reading it again"), icon="stop", disabled=True))

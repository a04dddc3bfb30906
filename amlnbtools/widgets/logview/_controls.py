"""The row of controls above a log view: level filter, search box, traceback folding, previous and next page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w

from amlnbtools.i18n import _
from amlnbtools.widgets.logview._hits import button

__all__ = ["ViewControls"]


class ViewControls:
    """The controls of one log view; a change made by the user (not by the view) calls the view back.

    Parameters
    ----------
    syncing : callable
        True while the view itself sets a control (its change is then not forwarded).
    on_level, on_search, on_fold : callable
        Called with the new value of the level filter, the search box, the folding checkbox.
    on_previous, on_next : callable
        Called when a page button is pressed.
    """

    def __init__(self, syncing: Callable[[], bool], *, on_level: Callable[[str], None],
                 on_search: Callable[[str], None], on_fold: Callable[[bool], None],
                 on_previous: Callable[[], None], on_next: Callable[[], None]) -> None:
        self._syncing = syncing
        self.level = w.Dropdown(options=[(_("All levels"), "all"), (_("Warnings and errors"), "warning"),
                                         (_("Errors only"), "error")], value="all",
                                description=_("Show"), layout=w.Layout(width="260px"))
        self.search = w.Text(placeholder=_("Search the log"), continuous_update=False,
                             layout=w.Layout(width="240px"))
        self.fold = w.Checkbox(value=True, description=_("Fold tracebacks"), indent=False,
                               layout=w.Layout(width="150px"))
        self.previous = button("chevron-left", _("Previous page"), on_previous)
        self.next = button("chevron-right", _("Next page"), on_next)
        for control, action in ((self.level, on_level), (self.search, on_search), (self.fold, on_fold)):
            control.observe(self._forward(action), names="value")
        self.widget = w.HBox([self.level, self.search, self.fold, self.previous, self.next])

    def _forward(self, action: Callable[[Any], None]) -> Callable[[dict[str, Any]], None]:
        def handle(change: dict[str, Any]) -> None:
            if not self._syncing():
                action(change["new"])

        return handle

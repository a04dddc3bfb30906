"""The list of search hits under a log view: ``line N · snippet`` in a dropdown, previous and next buttons."""

from __future__ import annotations

import bisect
from collections.abc import Callable

import ipywidgets as w

from amlnbtools.i18n import _
from amlnbtools.widgets.logview._pages import Found, Pages

__all__ = ["HitList", "button"]


def button(icon: str, tooltip: str, action: Callable[[], object]) -> w.Button:
    """A small icon button that calls ``action()``."""
    control = w.Button(icon=icon, tooltip=tooltip, layout=w.Layout(width="36px"))
    control.on_click(lambda _b: action())
    return control


class HitList:
    """The hits of the last search that pass the level filter; choosing one calls ``go(line)``.

    The labels are plain text (a dropdown shows them as text, never as markup), redacted by
    :func:`amlnbtools.widgets.logview._pages.find`.
    """

    def __init__(self, go: Callable[[int], object], previous: Callable[[], object],
                 following: Callable[[], object]) -> None:
        self.found: Found | None = None  # the last search, before the level filter
        self.hits: list[int] = []
        self._labels: list[tuple[str, int]] = []
        self._quiet = False
        self.box = w.Dropdown(options=[], description=_("Matches"), layout=w.Layout(width="480px"))
        self.box.observe(lambda c: self._quiet or c["new"] is None or go(c["new"]), names="value")
        self._previous = button("arrow-up", _("Previous match"), previous)
        self._next = button("arrow-down", _("Next match"), following)
        self.widget = w.HBox([self.box, self._previous, self._next])
        self.show(Pages(1, Pages.empty(1)))

    @property
    def query(self) -> str:
        return self.found.query if self.found is not None else ""

    def show(self, pages: Pages) -> None:
        """List the hits of :attr:`found` in ``pages``' store that pass its level filter."""
        found = self.found if self.found is not None and self.found.store is pages.store else None
        labels = [lb for lb in found.labels if pages.passes(lb[1])] if found is not None else []
        self.hits = [line for _label, line in labels]
        if labels != self._labels:
            self._labels = labels
            self._quiet = True
            try:
                with self.box.hold_sync():
                    self.box.options, self.box.value = labels, None
            finally:
                self._quiet = False
        self._previous.disabled = self._next.disabled = not self.hits
        self.widget.layout.display = "" if self.query else "none"

    def select(self, line: int) -> None:
        """Show ``line`` as chosen in the list, if it is a hit."""
        if line in self.hits and self.box.value != line:
            self._quiet = True
            try:
                self.box.value = line
            finally:
                self._quiet = False

    def after(self, line: int) -> int | None:
        """The first hit after ``line``."""
        i = bisect.bisect_right(self.hits, line)
        return self.hits[i] if i < len(self.hits) else None

    def before(self, line: int) -> int | None:
        """The last hit before ``line``."""
        i = bisect.bisect_left(self.hits, line) - 1
        return self.hits[i] if i >= 0 else None

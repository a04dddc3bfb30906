"""A progress row for long work in a panel: a bar, what is done (count or bytes), and a Cancel button.

Reports come from worker threads; the row redraws at most 4 times a second. ``cancel_event`` is set when the user
presses Cancel (the work checks it and stops), then ``on_cancel`` runs.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable

import ipywidgets as w

from amlnbtools.i18n import _
from amlnbtools.widgets._throttle import Throttle

__all__ = ["ProgressRow", "size_text"]


def size_text(size: int) -> str:
    """Bytes for people: 512 B, 3.4 KB, 12.0 MB."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"


class ProgressRow:
    """``start(what)``, then ``bytes(done, total)`` or ``count(done, total)`` from any thread, then ``finish()``."""

    def __init__(self, on_cancel: Callable[[], object] | None = None) -> None:
        self._bar = w.FloatProgress(value=0.0, min=0.0, max=1.0, layout=w.Layout(width="180px"),
                                    tooltip=_("How much is done"))
        self._label = w.HTML()
        self._cancel = w.Button(description=_("Cancel"), icon="times", tooltip=_("Stop this and keep what is shown"),
                                layout=w.Layout(width="auto"))
        self._cancel.on_click(lambda _b: self.cancel())
        self.widget = w.HBox([self._bar, self._label, self._cancel], layout=w.Layout(display="none"))
        self.cancel_event = threading.Event()
        self._on_cancel = on_cancel
        self._what = ""
        self._latest: tuple[float, str] = (0.0, "")
        self._lock = threading.Lock()
        self._redraw = Throttle(self._draw, rate_hz=4)

    def start(self, what: str) -> threading.Event:
        """Show the row for ``what``; returns the event the work should watch."""
        self.cancel_event = threading.Event()
        with self._lock:
            self._what, self._latest = what, (0.0, "")
        self._bar.value = 0.0
        self._label.value = html.escape(what)
        return self.cancel_event  # the row shows with the first report: quick work never flashes it

    def bytes(self, done: int, total: int | None) -> None:
        shown = size_text(done) + (f" / {size_text(total)}" if total else "")
        self._report(done / total if total else 0.0, shown)

    def count(self, done: int, total: int) -> None:
        self._report(done / total if total else 0.0, f"{done} / {total}")

    def _report(self, fraction: float, shown: str) -> None:
        with self._lock:
            self._latest = (min(1.0, fraction), shown)
        self._redraw()

    def _draw(self) -> None:
        with self._lock:
            fraction, shown = self._latest
            what = self._what
        self._bar.value = fraction
        self._label.value = html.escape(f"{what} {shown}".strip())
        self.widget.layout.display = "flex"

    def finish(self) -> None:
        self._redraw.flush()
        self.widget.layout.display = "none"

    def cancel(self) -> None:
        """What the Cancel button does: the work is asked to stop, the row hides."""
        self.cancel_event.set()
        self.finish()
        if self._on_cancel is not None:
            self._on_cancel()

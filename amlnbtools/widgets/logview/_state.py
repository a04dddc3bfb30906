"""What a :class:`~amlnbtools.widgets.logview.LogView` shows now, as read-only properties (for scripts and tests)."""

from __future__ import annotations

from typing import Any

__all__ = ["ViewState"]


class ViewState:
    """The read-only state of a log view; the view sets the attributes below."""

    _lock: Any
    _pages: Any
    _hit_list: Any
    _message: str

    def _drawn(self) -> str:  # pragma: no cover - the view's own
        raise NotImplementedError

    @property
    def page_count(self) -> int:
        return self._pages.page_count

    @property
    def visible_lines(self) -> list[int]:
        """1-based numbers of the lines on the current page."""
        with self._lock:
            return [i + 1 for i in self._pages.indexes()]

    @property
    def html(self) -> str:
        """The current value of the view (after any pending update)."""
        return self._drawn()

    @property
    def line_count(self) -> int:
        return self._pages.store.line_count

    @property
    def hits(self) -> list[int]:
        """1-based numbers of the listed search hits."""
        return list(self._hit_list.hits)

    @property
    def level(self) -> str:
        return self._pages.level

    @property
    def levels_ready(self) -> bool:
        """Whether the level of every line is known (the filter and the folding use it)."""
        return self._pages.codes is not None

    @property
    def error(self) -> str:
        """The message shown instead of the log (``""`` while a log is shown)."""
        return self._message

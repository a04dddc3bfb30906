"""Where a log viewer reads its lines from: a small store protocol and an in-memory store.

A store hands out pages (``lines(start, stop)``, long lines cut with ``… [N more characters]``),
searches (``search(query, limit=…)``, 1-based line numbers) and says how many lines it holds. Two
implementations exist: :class:`TextLog` here (text already in memory) and
:class:`amlnbtools.sources.files.bigfile.IndexedLog` (a file of any size, read through a line index).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from amlnbtools.core.logs.lines import cut_line, split_lines

__all__ = ["LogStore", "TextLog"]


@runtime_checkable
class LogStore(Protocol):
    """What a log viewer needs from the log it shows."""

    max_line_chars: int

    @property
    def line_count(self) -> int:
        """Number of lines."""

    def lines(self, start: int, stop: int) -> list[str]:
        """Text of lines ``start`` to ``stop - 1`` (0-based, clamped), long lines cut with a marker."""

    def search(self, query: str, *, limit: int = 1000, case_sensitive: bool = False) -> list[int]:
        """1-based numbers of the lines containing ``query``, in order, at most ``limit``."""

    def close(self) -> None:
        """Release what the store holds."""


class TextLog:
    """Log text already in memory, as a :class:`LogStore`.

    Parameters
    ----------
    text : str
        The log; lines are split like the diagnosis engine (:func:`split_lines`).
    max_line_chars : int
        Longer lines are cut by :meth:`lines` to this many characters, with a marker.
    """

    def __init__(self, text: str, *, max_line_chars: int = 2000) -> None:
        if max_line_chars < 1:
            raise ValueError("max_line_chars must be at least 1")
        self.max_line_chars = max_line_chars
        self._lines = split_lines(text)

    @property
    def line_count(self) -> int:
        """Number of lines."""
        return len(self._lines)

    def __repr__(self) -> str:
        return f"TextLog(lines={len(self._lines)})"

    def lines(self, start: int, stop: int) -> list[str]:
        """Text of lines ``start`` to ``stop - 1`` (0-based, clamped), long lines cut with a marker."""
        n = len(self._lines)
        start, stop = max(0, min(start, n)), max(0, min(stop, n))
        return [cut_line(line, self.max_line_chars) for line in self._lines[start:stop]]

    def search(self, query: str, *, limit: int = 1000, case_sensitive: bool = False) -> list[int]:
        """1-based numbers of the lines containing ``query``, in order, at most ``limit``.

        Case-insensitive by default. An empty query, or one with a line end, finds nothing (as
        :meth:`amlnbtools.sources.files.bigfile.IndexedLog.search`).
        """
        if not query or "\n" in query or "\r" in query or limit <= 0:
            return []
        needle = query if case_sensitive else query.lower()
        hits: list[int] = []
        for number, line in enumerate(self._lines, start=1):
            if needle in (line if case_sensitive else line.lower()):
                hits.append(number)
                if len(hits) >= limit:
                    break
        return hits

    def close(self) -> None:
        """Nothing to release: the text is dropped with the object."""

"""Where a log viewer reads its lines from: a small store protocol, an in-memory store, level codes.

A store hands out pages (``lines(start, stop)``, long lines cut with ``… [N more characters]``),
searches (``search(query, limit=…)``, 1-based line numbers) and says how many lines it holds. Two
implementations exist: :class:`TextLog` here (text already in memory) and
:class:`amlnbtools.sources.bigfile.IndexedLog` (a file of any size, read through a line index).

Level codes are one byte a line: the level of :func:`amlnbtools.core.loglines.levels_of` in the low
three bits (see :data:`LEVEL_CODE`) and :data:`FRAME` for the indented lines inside a Python
traceback (what a viewer folds). :class:`LevelScanner` computes them batch by batch, carrying the
traceback state across batches, so a whole file is scanned in bounded memory and equals
``levels_of`` on the same lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, runtime_checkable

from amlnbtools.core.loglines import _CHAINED, _EXCEPTION_LINE, _TRACEBACK_START, _level, split_lines

__all__ = ["FRAME", "LEVEL_CODE", "LEVEL_MASK", "LEVEL_OF_CODE", "LevelScanner", "LogStore", "TextLog", "cut_line",
           "levels_from_codes", "scan_level_codes"]

#: Level → code (low three bits of a level code byte); lines without a level are 0.
LEVEL_CODE: dict[str | None, int] = {None: 0, "DEBUG": 1, "INFO": 2, "WARNING": 3, "ERROR": 4, "CRITICAL": 5}
#: Code → level.
LEVEL_OF_CODE: tuple[str | None, ...] = (None, "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", None, None)
#: Bits of a code byte that hold the level.
LEVEL_MASK = 0x07
#: Set on an indented line inside a traceback (a frame or its source line): a viewer may fold it.
FRAME = 0x08

_INDENTED = re.compile(r"^(?:\[stderr\])?[ \t]")


def cut_line(text: str, max_chars: int, more: int = 0) -> str:
    """Cut ``text`` to ``max_chars`` characters with the marker ``… [N more characters]`` (as IndexedLog)."""
    extra = len(text) - max_chars + more
    return text if extra <= 0 else f"{text[:max_chars]}… [{extra} more characters]"


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
        :meth:`amlnbtools.sources.bigfile.IndexedLog.search`).
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


class LevelScanner:
    """Level codes of consecutive batches of lines, equal to :func:`levels_of` on all of them at once.

    The state :func:`levels_of` carries from line to line (inside a traceback or not, the level of
    the line above) is kept between calls of :meth:`feed`.
    """

    def __init__(self) -> None:
        self._in_traceback = False
        self._previous: str | None = None
        self._started = False

    def feed(self, lines: Sequence[str]) -> bytearray:
        """The code byte of each line (see the module docstring)."""
        codes = bytearray(len(lines))
        in_traceback, previous, started = self._in_traceback, self._previous, self._started
        code_of = LEVEL_CODE
        for i, line in enumerate(lines):
            level = _level(line)
            frame = 0
            if _TRACEBACK_START.search(line) or _CHAINED.match(line):
                in_traceback = True
                level = level or "ERROR"
            elif in_traceback:
                level = level or "ERROR"
                if _EXCEPTION_LINE.match(line):
                    in_traceback = False
                elif _INDENTED.match(line):
                    frame = FRAME
            elif level is None and started and line[:1] in (" ", "\t"):
                level = previous
            codes[i] = code_of[level] | frame
            previous, started = level, True
        self._in_traceback, self._previous, self._started = in_traceback, previous, started
        return codes


def levels_from_codes(codes: Iterable[int]) -> list[str | None]:
    """The level names of code bytes (the inverse of :data:`LEVEL_CODE`)."""
    return [LEVEL_OF_CODE[c & LEVEL_MASK] for c in codes]


def scan_level_codes(store: LogStore, *, batch_lines: int = 20_000,
                     on_progress: Callable[[int, int], None] | None = None,
                     should_stop: Callable[[], bool] | None = None) -> bytearray | None:
    """Level codes of every line of ``store`` (one byte a line), read ``batch_lines`` at a time.

    Parameters
    ----------
    store : LogStore
        Where the lines come from (long lines are cut by the store; a level marker beyond the cut
        is not seen).
    batch_lines : int
        Lines read and scanned at a time.
    on_progress : callable, optional
        Called with ``(lines done, line count)`` after each batch.
    should_stop : callable, optional
        Checked before each batch; when it returns true the scan stops and returns ``None``.

    Returns
    -------
    bytearray or None
        ``line_count`` code bytes, or ``None`` if stopped.
    """
    if batch_lines < 1:
        raise ValueError("batch_lines must be at least 1")
    total = store.line_count
    codes = bytearray(total)
    scanner = LevelScanner()
    for start in range(0, total, batch_lines):
        if should_stop is not None and should_stop():
            return None
        stop = min(total, start + batch_lines)
        batch = scanner.feed(store.lines(start, stop))
        if len(batch) != stop - start:  # the store changed under us: never show codes of other lines
            raise RuntimeError(f"store returned {len(batch)} lines for {start}..{stop}")
        codes[start:stop] = batch
        if on_progress is not None:
            on_progress(stop, total)
    return codes

"""The lines a log view shows: its store, the level code of every line, the level filter, the page.

No widgets here: :class:`Pages` is the model of :class:`amlnbtools.widgets.logview.LogView`, and
:func:`find` the search it runs (in the background when typed in the view).
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple

import numpy as np

from amlnbtools.core.logs import LEVEL_MASK, LevelScanner, LogStore, TextLog, scan_level_codes
from amlnbtools.i18n import _, n_
from amlnbtools.widgets._theme import MUTED
from amlnbtools.widgets.logview._render import Row, page_html, snippet

__all__ = ["LEVEL_FILTERS", "MAX_HITS", "Found", "Pages", "find", "open_error", "open_file", "scan_codes"]

LEVEL_FILTERS = ("all", "warning", "error")
_MIN_CODE = {"all": 0, "warning": 3, "error": 4}  # level codes: WARNING 3, ERROR 4, CRITICAL 5
#: Search hits listed (and returned by ``LogView.search``).
MAX_HITS = 1000
#: Lines read above a page to know its levels while the whole log's are still being computed.
LOOKBACK_LINES = 50
_GAP = 8  # filtered rows closer than this are read in one go


class Found(NamedTuple):
    """One search: the query, the hit lines (1-based), whether :data:`MAX_HITS` was reached, the hit
    list's ``(label, line)`` entries, and the store searched."""

    query: str
    hits: list[int]
    capped: bool
    labels: list[tuple[str, int]]
    store: LogStore


def find(query: str, store: LogStore) -> Found:
    """Search ``store`` (case-insensitive) and label each hit ``line N · snippet`` (redacted)."""
    hits = store.search(query, limit=MAX_HITS + 1) if query else []
    capped, hits = len(hits) > MAX_HITS, hits[:MAX_HITS]
    labels = [(_("line {n}").format(n=n) + " · " + snippet(store.lines(n - 1, n)[0], query), n) for n in hits]
    return Found(query, hits, capped, labels, store)


def open_file(path: Path, max_line_chars: int, wanted: Callable[[], bool]) -> LogStore:
    """Open a log file through its line index (disk work: call it in the background)."""
    from amlnbtools.sources.files.bigfile import IndexedLog

    log = IndexedLog(path, max_line_chars=max_line_chars)
    if not wanted():  # another log was shown meanwhile: its result will be dropped
        log.close()
    return log


def open_error(exc: BaseException) -> str:
    """What to show when a log cannot be opened: the path, what went wrong, the fix."""
    from amlnbtools.sources.files.logfiles import LogPathError

    if isinstance(exc, LogPathError):
        return str(exc)
    return _("Cannot open this log ({detail}); check that the path names a readable log file.").format(detail=exc)


def scan_codes(store: LogStore, stop: threading.Event,
               progress: Callable[[int], object]) -> tuple[np.ndarray | None, LogStore]:
    """Level codes of every line of ``store`` as a uint8 array (``None`` if ``stop`` was set), and the store."""
    codes = scan_level_codes(store, should_stop=stop.is_set,
                             on_progress=lambda done, _total: stop.is_set() or progress(done))
    return (None if codes is None else np.frombuffer(codes, dtype=np.uint8)), store


class Pages:
    """A store seen through the level filter, one page at a time (callers hold the view's lock)."""

    def __init__(self, page_lines: int, store: LogStore) -> None:
        self.page_lines = page_lines
        self.store = store
        self.codes: np.ndarray | None = None  # level code of every line (uint8), once known
        self.visible: np.ndarray | None = None  # 0-based lines that pass the filter; None: every line
        self.level = "all"
        self.page = 0

    def reset(self, store: LogStore, codes: np.ndarray | None = None) -> None:
        """Show another store from its first page."""
        self.store, self.codes, self.page = store, codes, 0
        self.refilter()

    def set_level(self, level: str) -> None:
        if level not in LEVEL_FILTERS:
            raise ValueError(f"level must be one of {', '.join(LEVEL_FILTERS)}, not {level!r}")
        self.level = level

    def refilter(self, keep_line: int | None = None, keep_page: bool = False) -> None:
        """Apply the level filter (once the codes are known); stay on ``keep_line``'s page if it is shown."""
        minimum = _MIN_CODE[self.level]
        if minimum == 0 or self.codes is None:
            self.visible = None
        else:
            self.visible = np.flatnonzero((self.codes & LEVEL_MASK) >= minimum)
        position = self.position(keep_line) if keep_line is not None else None
        if position is not None:
            self.page = position // self.page_lines
        elif not keep_page:
            self.page = 0
        self.page = min(self.page, self.page_count - 1)

    def passes(self, line: int) -> bool:
        """Whether a 1-based line passes the level filter (every line does while the levels are unknown)."""
        if self.codes is None or self.level == "all":
            return True
        return 1 <= line <= len(self.codes) and bool(self.codes[line - 1] & LEVEL_MASK >= _MIN_CODE[self.level])

    @property
    def visible_count(self) -> int:
        return self.store.line_count if self.visible is None else len(self.visible)

    @property
    def page_count(self) -> int:
        return max(1, -(-self.visible_count // self.page_lines))

    def position(self, line: int) -> int | None:
        """Where a 1-based line is among the visible lines, or None if it is hidden or out of range."""
        if self.visible is None:
            return line - 1 if 1 <= line <= self.store.line_count else None
        i = int(np.searchsorted(self.visible, line - 1))
        return i if i < len(self.visible) and self.visible[i] == line - 1 else None

    def indexes(self) -> list[int]:
        """0-based numbers of the lines on the current page."""
        start = self.page * self.page_lines
        if self.visible is None:
            return list(range(start, min(start + self.page_lines, self.store.line_count)))
        return self.visible[start : start + self.page_lines].tolist()

    def rows(self, indexes: list[int]) -> list[Row]:
        """Text and level code of lines (0-based numbers, ascending), read in as few runs as possible."""
        texts: list[str] = []
        i = 0
        while i < len(indexes):
            j = i
            while j + 1 < len(indexes) and indexes[j + 1] - indexes[j] <= _GAP:
                j += 1
            block = self.store.lines(indexes[i], indexes[j] + 1)
            texts += [block[k - indexes[i]] for k in indexes[i : j + 1]]
            i = j + 1
        if not indexes:
            codes: list[int] = []
        elif self.codes is not None:
            codes = self.codes[indexes].tolist()
        else:  # levels not known yet: read a few lines above the page for a traceback begun there
            scanner = LevelScanner()
            scanner.feed(self.store.lines(max(0, indexes[0] - LOOKBACK_LINES), indexes[0]))
            codes = list(scanner.feed(texts))
        return [Row(k + 1, t, c) for k, t, c in zip(indexes, texts, codes, strict=True)]

    def html(self, *, query: str, hits: int, capped: bool, highlighted: int | None, marks: Mapping[int, str],
             fold: bool) -> str:
        """The current page as HTML, under a header that says which lines these are (and the hits)."""
        indexes, total = self.indexes(), self.visible_count
        first = self.page * self.page_lines + 1 if total else 0
        last = first + len(indexes) - 1 if indexes else 0
        header = _("lines {first}–{last} of {total}").format(first=first, last=last, total=total)
        if query:
            header += n_(", {count} match", ", {count} matches", hits).format(count=f"{hits}+" if capped else hits)
        value = page_html(self.rows(indexes), page_lines=self.page_lines, max_line_chars=self.store.max_line_chars,
                          query=query, highlighted=highlighted, marks=marks, fold=fold, header=header)
        if not indexes:
            value += f"<div style='padding:0.5em;color:{MUTED}'>" + html.escape(_("No lines to show.")) + "</div>"
        return value

    @staticmethod
    def empty(max_line_chars: int) -> TextLog:
        """A store without lines."""
        return TextLog("", max_line_chars=max_line_chars)

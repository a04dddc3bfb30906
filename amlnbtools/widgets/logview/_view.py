"""A paged log view for logs of any size: escaped, redacted, level filter, search hits, folded tracebacks.

The view reads its lines from a store (:class:`amlnbtools.core.logs.LogStore`): text in memory
(:meth:`LogView.set_text`) or a file of any size through its line index (:meth:`LogView.set_file`,
:class:`amlnbtools.sources.files.bigfile.IndexedLog`). Only one page is ever read and sent: at most
``page_lines`` rows, each cut to a share of :data:`~amlnbtools.widgets.logview._render.PAGE_BYTES`,
so one widget value stays under 1 MB whatever the log; pages are redrawn at most 20 times a second.

Opening a file and the level codes of a big log (one byte a line, for the level filter and the
folding of tracebacks) are computed in the background; the view says so while it waits, and a
failure is shown in the view, never raised into the kernel.
"""

from __future__ import annotations

import html
import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ipywidgets as w
import numpy as np

from amlnbtools.core.logs import LogStore, TextLog, scan_level_codes
from amlnbtools.i18n import _
from amlnbtools.widgets._html import error_line
from amlnbtools.widgets._progress import ProgressRow
from amlnbtools.widgets._tasks import BackgroundTask, TaskState
from amlnbtools.widgets._theme import BORDER, fg
from amlnbtools.widgets._throttle import Throttle
from amlnbtools.widgets.logview._controls import ViewControls
from amlnbtools.widgets.logview._hits import HitList
from amlnbtools.widgets.logview._pages import (
    LEVEL_FILTERS,
    MAX_HITS,
    Found,
    Pages,
    find,
    open_error,
    open_file,
    scan_codes,
)
from amlnbtools.widgets.logview._render import marks_of
from amlnbtools.widgets.logview._state import ViewState

__all__ = ["LEVEL_FILTERS", "MAX_HITS", "LogView"]

#: Largest page; with it every row still gets a fair share of the page's byte budget.
MAX_PAGE_LINES = 500
#: In-memory text up to this many lines gets its level codes at once; longer text in the background.
SYNC_SCAN_LINES = 100_000
Marks = Iterable[Any] | Mapping[int, str]


class LogView(ViewState):
    """Show a log one page at a time; see the module docstring.

    Parameters
    ----------
    page_lines : int
        Lines on a page (1 to :data:`MAX_PAGE_LINES`).
    max_line_chars : int
        Longer lines of text given to :meth:`set_text` (and of files opened by path) are cut with a marker.
    """

    def __init__(self, page_lines: int = 200, max_line_chars: int = 2000) -> None:
        if not 1 <= page_lines <= MAX_PAGE_LINES:
            raise ValueError(f"page_lines must be between 1 and {MAX_PAGE_LINES}, not {page_lines}")
        self.page_lines, self.max_line_chars = page_lines, max_line_chars
        self._lock = threading.RLock()
        self._pages = Pages(page_lines, Pages.empty(max_line_chars))
        self._owned = False  # whether the view opened the store (and closes it)
        self._tail = False  # following a live log (see follow): the last page stays shown
        self._marks: dict[int, str] = {}
        self._fold = True
        self._message = ""  # shown instead of the log (a file that cannot be opened)
        self._scan_stop = threading.Event()
        self._done = 0  # lines whose level is known, while the scan runs
        self._syncing = False  # set while the view itself moves a control
        self._stale = True  # a redraw was asked for and not done yet
        self.highlighted: int | None = None  # 1-based line number
        self._body = w.HTML(layout=w.Layout(max_height="420px", overflow="auto", border=f"1px solid {BORDER}"))
        self._status = w.HTML()
        self._controls = ViewControls(lambda: self._syncing, on_level=self.set_level, on_search=self._search_typed,
                                      on_fold=self.set_folding, on_previous=self.previous_page, on_next=self.next_page)
        self._hit_list = HitList(self._go_hit, self.previous_hit, self.next_hit)
        self._render_soon = Throttle(self._render, rate_hz=20)
        self._progress_soon = Throttle(self._show_progress, rate_hz=4)
        self._open_task = BackgroundTask(self._on_open)
        self._scan_task = BackgroundTask(self._on_scan)
        self._search_task = BackgroundTask(self._on_search)
        self._scan_row = ProgressRow(on_cancel=self._scan_cancelled)  # the level scan of a big log can be stopped
        self.widget = w.VBox([self._controls.widget, self._hit_list.widget, self._status, self._scan_row.widget,
                              self._body])
        self._render()

    # --- what to show ---------------------------------------------------------------------

    def set_text(self, text: str, marked_lines: Marks = ()) -> None:
        """Show log text; ``marked_lines`` are findings, 1-based line numbers or ``(line, title)`` pairs.

        The highlighted line, the page, the level filter and the search are kept (a refresh).
        """
        store = TextLog(text, max_line_chars=self.max_line_chars)
        with self._lock:
            keep = self.highlighted if self.highlighted and self.highlighted <= store.line_count else None
            page = self._pages.page
            self._install(store, owned=True, marks=marks_of(marked_lines))
            self.highlighted, self._pages.page = keep, page
            self._apply_search(find(self._hit_list.query, store), jump=False)
            self._refilter(keep_line=keep, keep_page=True)

    def set_file(self, source: str | os.PathLike[str] | LogStore, findings: Marks | None = None, *,
                 background: bool | None = None) -> None:
        """Show a log file of any size: a path or a store such as an ``IndexedLog`` (which stays the caller's).

        Opening a path (building its line index) is disk work: with ``background`` (the default on
        the kernel's main thread) it runs in the background and :meth:`wait` waits for it; else (the
        default in a panel's own background task) it runs here, so ``line_count`` is known on return.
        A path that cannot be opened shows its error, with the fix, in the view. A file the view
        opened is closed by :meth:`close` or when another log is shown.
        """
        with self._lock:
            self._install(Pages.empty(self.max_line_chars), owned=True, marks=marks_of(findings))
            self._apply_search(Found("", [], False, [], self._pages.store), jump=False)
            if isinstance(source, LogStore):
                self._install(source, owned=False, marks=self._marks)
                return
            placeholder = self._pages.store
            if background or (background is None and threading.current_thread() is threading.main_thread()):
                self._open_task.run(open_file, Path(source), self.max_line_chars,
                                    lambda: self._pages.store is placeholder)
                return
            try:
                self._install(open_file(Path(source), self.max_line_chars, lambda: True), owned=True,
                              marks=self._marks)
            except Exception as exc:  # shown in the view, like a failure in the background
                self._message = open_error(exc)
                self._redraw()

    def follow(self, path: str | os.PathLike[str], findings: Marks | None = None) -> None:
        """Show ``path`` again with what was appended to it, on its last page (a live log's tail); the level
        filter and the search stay. Opens the file here: call it off the kernel's thread."""
        store = open_file(Path(path), self.max_line_chars, lambda: True)
        with self._lock:
            query = self._hit_list.query
            self._install(store, owned=True, marks=marks_of(findings))
            self._tail = True
            self._refilter()
        if query:
            self._search_task.run(find, query, store)

    def mark(self, findings: Marks | None) -> None:
        """Mark lines as findings (background, title as tooltip), e.g. once a file is diagnosed."""
        with self._lock:
            self._marks = marks_of(findings)
        self._redraw()

    def close(self) -> None:
        """Stop background work and release a file the view opened; the view then shows nothing."""
        with self._lock:
            self._install(Pages.empty(self.max_line_chars), owned=True, marks={})
            self._apply_search(Found("", [], False, [], self._pages.store), jump=False)
        self._drawn()

    def wait(self, timeout_s: float | None = 60.0) -> TaskState:
        """Block until opening, the level scan and a typed search are done (for scripts and tests).

        Returns the state of opening if it failed or no level scan ran, else the level scan's.
        """
        opened = self._open_task.wait(timeout_s)
        scanned = self._scan_task.wait(timeout_s)
        self._search_task.wait(timeout_s)
        self._drawn()
        return opened if opened.status == "error" or scanned.status == "idle" else scanned

    # --- navigation -----------------------------------------------------------------------

    def set_level(self, level: str) -> None:
        """Show all lines, only warnings and errors, or only errors (once the levels are known)."""
        with self._lock:
            self._pages.set_level(level)
            self._sync(self._controls.level, level)
            self._refilter(keep_line=self.highlighted)
        self._show_progress()

    def set_folding(self, fold: bool) -> None:
        """Fold the frame lines of tracebacks (the first and the exception line stay visible)."""
        with self._lock:
            self._fold = bool(fold)
            self._sync(self._controls.fold, self._fold)
        self._redraw()

    def search(self, query: str) -> list[int]:
        """List the lines containing ``query`` (case-insensitive, the first :data:`MAX_HITS`); go to the first.

        With a level filter on (and the levels known), only lines that pass it are listed.
        Returns the 1-based numbers of the listed lines.
        """
        self._search_task.cancel()
        found = find(query.strip(), self._pages.store)  # disk work on a file: not under the view's lock
        self._apply_search(found, jump=True)  # dropped if another log was shown meanwhile
        return list(self._hit_list.hits)

    def next_hit(self) -> int | None:
        """Go to the first hit below the highlighted line (or the page's top); returns it, if any."""
        with self._lock:
            at = self.highlighted if self.highlighted is not None else (self.visible_lines or [1])[0] - 1
            return self._go_hit(self._hit_list.after(at))

    def previous_hit(self) -> int | None:
        """Go to the last hit above the highlighted line (or the page's top); returns it, if any."""
        with self._lock:
            at = self.highlighted if self.highlighted is not None else (self.visible_lines or [1])[0]
            return self._go_hit(self._hit_list.before(at))

    def jump_to(self, line: int) -> None:
        """Highlight a line (1-based) and show its page; a line hidden by the filter shows all levels."""
        with self._lock:
            n = self._pages.store.line_count
            if not 1 <= line <= n:
                raise ValueError(f"line must be between 1 and {n}, not {line}")
            self.highlighted = line
            if self._pages.position(line) is None:
                self.set_level("all")
            self._pages.page = (self._pages.position(line) or 0) // self.page_lines
            self._hit_list.select(line)
        self._redraw()

    def next_page(self) -> None:
        with self._lock:
            self._pages.page = min(self._pages.page + 1, self._pages.page_count - 1)
        self._redraw()

    def previous_page(self) -> None:
        with self._lock:
            self._pages.page = max(self._pages.page - 1, 0)
        self._redraw()

    # --- internals: store, level scan, search ---------------------------------------------

    def _install(self, store: LogStore, *, owned: bool, marks: dict[int, str]) -> None:
        self._scan_stop.set()
        for task in (self._open_task, self._scan_task, self._search_task):
            task.cancel()
        old = self._pages.store if self._owned and self._pages.store is not store else None
        self._owned, self._marks, self._message, self.highlighted, self._tail = owned, marks, "", None, False
        if old is not None:
            old.close()
        codes = None
        if isinstance(store, TextLog) and store.line_count <= SYNC_SCAN_LINES:
            codes = np.frombuffer(scan_level_codes(store) or b"", dtype=np.uint8)
        self._pages.reset(store, codes)
        if codes is None and store.line_count:
            self._done = 0
            self._scan_stop = self._scan_row.start(_("lines:"))

            def progress(done: int) -> None:
                self._progress_soon(done, store)
                self._scan_row.count(done, store.line_count)

            self._scan_task.run(scan_codes, store, self._scan_stop, progress)
        self._refilter()

    def _on_open(self, state: TaskState) -> None:
        if state.status == "pending":
            self._status.value = "<i>" + html.escape(_("Opening the log…")) + "</i>"
        elif state.status == "finished":
            with self._lock:
                self._install(state.value, owned=True, marks=self._marks)
            self._show_progress()
        elif state.status == "error":
            with self._lock:
                self._message = open_error(state.error)  # type: ignore[arg-type]
                self._status.value = ""
            self._redraw()

    def _scan_cancelled(self) -> None:
        self._scan_task.cancel()
        self._progress_soon.flush()
        self._status.value = html.escape(_("Level scan stopped: the level filter shows every line of this log."))

    def _on_scan(self, state: TaskState) -> None:
        self._progress_soon.flush()
        if state.status != "pending":
            self._scan_row.finish()
        if state.status == "cancelled":
            return  # stopped by the user: the status says so
        if state.status == "finished" and state.value[1] is self._pages.store and state.value[0] is not None:
            with self._lock:
                self._pages.codes = state.value[0]
                self._refilter(keep_line=self.highlighted)
        elif state.status == "error":
            self._status.value = f"<span style='color:{fg('error')}'>⚠ " + html.escape(_(
                "Cannot read the levels of this log ({detail}); the level filter shows every line. "
                "Open the log again.").format(detail=state.error)) + "</span>"
            return
        self._show_progress()

    def _show_progress(self, done: int | None = None, store: LogStore | None = None) -> None:
        with self._lock:  # a late report (a timer's) never overwrites the end of the scan
            if store is not None and (store is not self._pages.store or self._pages.codes is not None):
                return
            if done is None and (self._pages.codes is not None or self._scan_task.state.status != "pending"):
                self._status.value = ""
                return
            self._done = self._done if done is None else done
            percent = 100 * self._done // max(1, self._pages.store.line_count)
            self._status.value = "<i>" + html.escape(_("Finding the level of each line… {percent}%").format(
                percent=percent)) + "</i>"

    def _refilter(self, keep_line: int | None = None, keep_page: bool = False) -> None:
        self._pages.refilter(keep_line, keep_page)
        if self._tail:  # following a live log: stay on its last page
            self._pages.page = max(0, self._pages.page_count - 1)
        self._hit_list.show(self._pages)
        self._redraw()

    def _search_typed(self, query: str) -> None:
        if query.strip() != self._hit_list.query:
            self._search_task.run(find, query.strip(), self._pages.store)

    def _on_search(self, state: TaskState) -> None:
        if state.status == "finished":
            self._apply_search(state.value, jump=True)
        elif state.status == "error":
            self._status.value = error_line(str(state.error))

    def _apply_search(self, found: Found, *, jump: bool) -> None:
        with self._lock:
            if found.store is not self._pages.store:
                return
            self._hit_list.found = found
            self._sync(self._controls.search, found.query)
            self._hit_list.show(self._pages)
            if jump and self._hit_list.hits:
                self.jump_to(self._hit_list.hits[0])
            else:
                self._redraw()

    def _go_hit(self, line: int | None) -> int | None:
        if line is not None and line != self.highlighted:
            self.jump_to(line)
        return line

    def _sync(self, control: w.ValueWidget, value: object) -> None:
        if control.value != value:
            with self._quiet():
                control.value = value

    @contextmanager
    def _quiet(self) -> Iterator[None]:
        self._syncing = True  # the view moves its own controls: their observers do nothing
        try:
            yield
        finally:
            self._syncing = False

    def _redraw(self) -> None:
        self._stale = True
        self._render_soon()

    def _drawn(self) -> str:
        """The view's value once every requested redraw is done (one a timer delivers may be under way)."""
        self._render_soon.flush()
        with self._lock:
            if self._stale:
                self._render()
            return self._body.value

    def _render(self) -> None:
        with self._lock:
            self._stale = False
            pages = self._pages
            value = ""
            if not self._message:
                try:
                    found = self._hit_list.found
                    value = pages.html(query=self._hit_list.query, hits=len(self._hit_list.hits),
                                       capped=found is not None and found.capped,
                                       highlighted=self.highlighted, marks=self._marks, fold=self._fold)
                except (OSError, ValueError, RuntimeError) as exc:  # the file went away or was closed
                    self._message = _("Cannot read this log ({detail}); open it again.").format(detail=exc)
            if self._message:
                value = f"<div style='padding:0.5em;color:{fg('error')}'>⚠ " + html.escape(self._message) + "</div>"
            self._body.value = value
            self._controls.previous.disabled = pages.page == 0
            self._controls.next.disabled = pages.page >= pages.page_count - 1

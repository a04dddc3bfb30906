"""A paged log view: escaped text, line numbers, level filter, search, one highlighted line.

Log text is hostile input: every character of it goes through :func:`html.escape` before it reaches
the ``HTML`` widget, so markup inside a log (``<img src=x onerror=…>``) is shown, never run. A page
holds at most ``page_lines`` lines and each line at most ``max_line_chars`` characters, so one widget
value stays small whatever the size of the log.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import ipywidgets as w

from amlnbtools.core.loglines import levels_of, split_lines
from amlnbtools.core.redact import redact
from amlnbtools.i18n import _, n_
from amlnbtools.widgets._throttle import Throttle

__all__ = ["LogView"]

LEVEL_FILTERS = ("all", "warning", "error")
_SHOWN = {"all": None, "warning": {"WARNING", "ERROR", "CRITICAL"}, "error": {"ERROR", "CRITICAL"}}
_ROW = "display:flex;white-space:pre;font-family:var(--jp-code-font-family,monospace);font-size:12px;line-height:1.45"
_NO = "flex:0 0 4.5em;text-align:right;padding-right:0.8em;color:#888;user-select:none"
_COLORS = {"ERROR": "color:#c62828", "CRITICAL": "color:#c62828;font-weight:bold", "WARNING": "color:#a36500"}


class LogView:
    """Show log text one page at a time; see the module docstring.

    Public methods are the API (tests and other panels call them): :meth:`set_text`,
    :meth:`set_level`, :meth:`search`, :meth:`jump_to`, :meth:`next_page`, :meth:`previous_page`.
    """

    def __init__(self, page_lines: int = 200, max_line_chars: int = 2000) -> None:
        self.page_lines = page_lines
        self.max_line_chars = max_line_chars
        self._lines: list[str] = []
        self._levels: list[str | None] = []
        self._marked: set[int] = set()
        self._visible: list[int] = []  # 0-based indices of lines that pass the filter
        self._level = "all"
        self._query = ""
        self._hits: list[int] = []
        self._page = 0
        self.highlighted: int | None = None  # 1-based line number
        self._body = w.HTML(layout=w.Layout(max_height="420px", overflow="auto", border="1px solid #ddd"))
        self._level_box = w.Dropdown(options=[(_("All levels"), "all"), (_("Warnings and errors"), "warning"),
                                              (_("Errors only"), "error")], value="all",
                                     description=_("Show"), layout=w.Layout(width="260px"))
        self._search_box = w.Text(placeholder=_("Search the log"), continuous_update=False,
                                  layout=w.Layout(width="240px"))
        self._prev = w.Button(icon="chevron-left", tooltip=_("Previous page"), layout=w.Layout(width="36px"))
        self._next = w.Button(icon="chevron-right", tooltip=_("Next page"), layout=w.Layout(width="36px"))
        self._position = w.Label()
        self._level_box.observe(lambda change: self.set_level(change["new"]), names="value")
        self._search_box.observe(lambda change: self.search(change["new"]), names="value")
        self._prev.on_click(lambda _b: self.previous_page())
        self._next.on_click(lambda _b: self.next_page())
        self._render_soon = Throttle(self._render, rate_hz=20)
        controls = w.HBox([self._level_box, self._search_box, self._prev, self._position, self._next])
        self.widget = w.VBox([controls, self._body])
        self._render()

    # --- API ------------------------------------------------------------------------------

    def set_text(self, text: str, marked_lines: Iterable[int] = ()) -> None:
        """Show new log text (secrets are redacted); ``marked_lines`` (1-based) are flagged as findings."""
        self._lines = [redact(line) for line in split_lines(text)]
        self._levels = levels_of(self._lines)
        self._marked = set(marked_lines)
        self.highlighted = None if self.highlighted and self.highlighted > len(self._lines) else self.highlighted
        self._refilter(keep_line=self.highlighted)

    def set_level(self, level: str) -> None:
        """Show all lines, only warnings and errors, or only errors."""
        if level not in LEVEL_FILTERS:
            raise ValueError(f"level must be one of {', '.join(LEVEL_FILTERS)}, not {level!r}")
        self._level = level
        if self._level_box.value != level:
            self._level_box.value = level
        self._refilter(keep_line=self.highlighted)

    def search(self, query: str) -> list[int]:
        """Mark every line containing ``query`` (case-insensitive); go to the first hit. Returns hit lines."""
        self._query = query.strip()
        if self._search_box.value != query:
            self._search_box.value = query
        needle = self._query.lower()
        self._hits = [i + 1 for i in self._visible if needle and needle in self._lines[i].lower()]
        if self._hits:
            self.jump_to(self._hits[0])
        else:
            self._render_soon()
        return list(self._hits)

    def jump_to(self, line: int) -> None:
        """Highlight a line (1-based) and show its page; a line hidden by the filter shows all levels."""
        if not 1 <= line <= len(self._lines):
            raise ValueError(f"line must be between 1 and {len(self._lines)}, not {line}")
        self.highlighted = line
        if line - 1 not in set(self._visible):
            self.set_level("all")
        self._page = self._visible.index(line - 1) // self.page_lines
        self._render_soon()

    def next_page(self) -> None:
        self._page = min(self._page + 1, self.page_count - 1)
        self._render_soon()

    def previous_page(self) -> None:
        self._page = max(self._page - 1, 0)
        self._render_soon()

    @property
    def page_count(self) -> int:
        return max(1, -(-len(self._visible) // self.page_lines))

    @property
    def visible_lines(self) -> list[int]:
        """1-based numbers of the lines on the current page."""
        start = self._page * self.page_lines
        return [i + 1 for i in self._visible[start : start + self.page_lines]]

    @property
    def html(self) -> str:
        """The current value of the view (after any pending update)."""
        self._render_soon.flush()
        return self._body.value

    @property
    def line_count(self) -> int:
        return len(self._lines)

    # --- rendering ------------------------------------------------------------------------

    def _refilter(self, keep_line: int | None = None) -> None:
        shown = _SHOWN[self._level]
        self._visible = [i for i, lv in enumerate(self._levels) if shown is None or lv in shown]
        if keep_line is not None and keep_line - 1 in set(self._visible):
            self._page = self._visible.index(keep_line - 1) // self.page_lines
        else:
            self._page = min(self._page, self.page_count - 1)
        self._render_soon()

    def _render(self) -> None:
        rows = [self._row(n) for n in self.visible_lines]
        if not rows:
            rows = ["<div style='padding:0.5em;color:#888'>" + html.escape(_("No lines to show.")) + "</div>"]
        self._body.value = "".join(rows)
        total = len(self._visible)
        first = self._page * self.page_lines + 1 if total else 0
        last = min(total, (self._page + 1) * self.page_lines)
        found = len(self._hits)
        hits = n_(", {count} match", ", {count} matches", found).format(count=found) if self._query else ""
        self._position.value = _("lines {first}–{last} of {total}").format(first=first, last=last, total=total) + hits
        self._prev.disabled = self._page == 0
        self._next.disabled = self._page >= self.page_count - 1

    def _row(self, number: int) -> str:
        text = self._lines[number - 1]
        if len(text) > self.max_line_chars:
            cut = len(text) - self.max_line_chars
            text = text[: self.max_line_chars]
            tail = "<span style='color:#888'> " + html.escape(_("… [{count} more characters]").format(count=cut))
            tail += "</span>"
        else:
            tail = ""
        body = self._escaped_with_marks(text)
        style = _ROW + ";" + _COLORS.get(self._levels[number - 1] or "", "")
        if number == self.highlighted:
            style += ";background:#fff3b0;outline:1px solid #e0b000"
        elif number in self._marked:
            style += ";background:#fdecea"
        return f"<div style='{style}' data-line='{number}'><span style='{_NO}'>{number}</span><span>{body}{tail}</span></div>"

    def _escaped_with_marks(self, text: str) -> str:
        if not self._query:
            return html.escape(text)
        lower, needle, out, pos = text.lower(), self._query.lower(), [], 0
        while (hit := lower.find(needle, pos)) >= 0:
            out += [html.escape(text[pos:hit]), "<mark>", html.escape(text[hit : hit + len(needle)]), "</mark>"]
            pos = hit + len(needle)
        out.append(html.escape(text[pos:]))
        return "".join(out)

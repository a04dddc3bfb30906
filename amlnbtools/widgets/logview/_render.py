"""HTML of one page of a log: redacted, escaped, bounded in bytes, tracebacks folded, findings marked.

Log text is hostile. Every line goes through :func:`amlnbtools.core.diagnosis.redact.redact` and then
:func:`html.escape`; control characters are shown as their Unicode pictures (``␛`` for ESC), so
none of them reaches the page raw. A row's escaped text is capped in bytes (as the comm message
counts them: UTF-8, JSON escapes included), so a page of ``page_lines`` rows stays under
:data:`PAGE_BYTES` whatever the log holds: 2,000 ``"`` grow to 12,000 bytes once escaped, and are cut
to the row's share with the usual ``… [N more characters]`` marker.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from amlnbtools.core.diagnosis.findings import Finding
from amlnbtools.core.diagnosis.redact import redact
from amlnbtools.core.logs import FRAME, LEVEL_MASK
from amlnbtools.i18n import _, n_
from amlnbtools.widgets._theme import BORDER, MUTED, fg, hue, tint

__all__ = ["PAGE_BYTES", "Row", "fit", "marks_of", "page_html", "row_html", "snippet"]

#: Upper bound of one page's HTML in bytes (a comm message must stay under 1 MB).
PAGE_BYTES = 900_000
#: Bytes of one row besides its text: markup, line number, tooltip, search marks, cut marker, fold.
ROW_OVERHEAD = 1_400
#: Search matches marked per row (each ``<mark></mark>`` adds 13 bytes).
MARKS_PER_ROW = 20
#: Bytes of a tooltip (finding titles) once escaped.
TITLE_BYTES = 300
#: Consecutive traceback frame lines folded into one ``<details>`` (fewer are shown as they are).
FOLD_MIN_LINES = 2

# one style sheet a page, class names of their own; the few highlighted rows carry their style inline
_STYLE = ("<style>.amlnlv-r{display:flex;white-space:pre;font-family:var(--jp-code-font-family,monospace);"
          "font-size:12px;line-height:1.45}.amlnlv-n{flex:0 0 4.5em;text-align:right;padding-right:0.8em;"
          f"color:{MUTED};user-select:none}}.amlnlv-5{{color:{fg('error')};font-weight:bold}}"
          f".amlnlv-4{{color:{fg('error')}}}.amlnlv-3{{color:{fg('warn')}}}.amlnlv-x{{color:{MUTED}}}"
          f".amlnlv-s{{cursor:pointer;color:{MUTED};font-family:var(--jp-code-font-family,monospace);"
          "font-size:12px;padding-left:5.3em}.amlnlv-h{position:sticky;top:0;z-index:1;"
          f"background:var(--jp-layout-color1,#fff);color:{MUTED};font-size:12px;padding:2px 0.5em;"
          f"border-bottom:1px solid {BORDER}}}</style>")
# the highlighted line and the lines with a finding: tints of the theme's colours (the theme's text reads on them)
_HIGHLIGHT = f" style='background:{tint('warn', 22)};outline:1px solid {hue('warn')}'"
_MARKED = f" style='background:{tint('error', 12)}'"
_CUT = re.compile(r"… \[(\d+) more characters\]\Z")
_PICTURES = {c: 0x2400 + c for c in range(32) if c != 9} | {0x7F: 0x2421}


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a page: its 1-based number, text (as the store gave it) and level code byte."""

    number: int
    text: str
    code: int = 0


def _json_bytes(escaped: str) -> int:
    # the comm message is UTF-8 JSON: a backslash or a tab takes two bytes there
    return len(escaped.encode("utf-8")) + escaped.count("\\") + escaped.count("\t")


def clean(text: str) -> str:
    """Redact secrets, show control characters as pictures, replace lone surrogates."""
    text = redact(text).translate(_PICTURES)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def fit(text: str, budget: int) -> tuple[str, int]:
    """The longest prefix of ``text`` whose escaped form takes at most ``budget`` bytes, and the chars cut."""
    if _json_bytes(html.escape(text)) <= budget:
        return text, 0
    lo, hi = 0, min(len(text), budget)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _json_bytes(html.escape(text[:mid])) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo], len(text) - lo


def _split_cut(text: str, max_line_chars: int) -> tuple[str, int]:
    m = _CUT.search(text)
    if m is not None and m.start() == max_line_chars:  # the store's marker, not text that looks like it
        return text[: m.start()], int(m.group(1))
    return text, 0


def _marked(text: str, query: str) -> tuple[str, bool]:
    if not query:
        return html.escape(text), False
    out, pos, count = [], 0, 0
    for m in re.finditer(re.escape(query), text, re.IGNORECASE):
        out += [html.escape(text[pos : m.start()]), "<mark>", html.escape(m.group()), "</mark>"]
        pos, count = m.end(), count + 1
        if count >= MARKS_PER_ROW:
            break
    out.append(html.escape(text[pos:]))
    return "".join(out), count > 0


def row_html(row: Row, *, max_line_chars: int, budget: int, query: str = "", highlighted: bool = False,
             title: str | None = None) -> tuple[str, bool]:
    """One row's HTML and whether it stands out (highlighted, a finding, or a search match)."""
    text, more = _split_cut(row.text, max_line_chars)
    text, removed = fit(clean(text), budget)
    body, matched = _marked(text, query)
    if more + removed:
        body += ("<span class='amlnlv-x'> "
                 + html.escape(_("… [{count} more characters]").format(count=more + removed)) + "</span>")
    level = row.code & LEVEL_MASK
    extra = (_HIGHLIGHT if highlighted else _MARKED if title is not None else "")
    if title:
        extra += " title='" + html.escape(fit(clean(title), TITLE_BYTES)[0]) + "'"
    return (f"<div class='amlnlv-r{f' amlnlv-{level}' if level >= 3 else ''}' data-line='{row.number}'{extra}>"
            f"<span class='amlnlv-n'>{row.number}</span><span>{body}</span></div>"), bool(extra) or matched


def page_html(rows: Iterable[Row], *, page_lines: int, max_line_chars: int, query: str = "",
              highlighted: int | None = None, marks: Mapping[int, str] | None = None, fold: bool = True,
              header: str = "") -> str:
    """The HTML of a page: a header, then rows, runs of traceback frame lines folded if ``fold``."""
    budget = max(64, PAGE_BYTES // max(1, page_lines) - ROW_OVERHEAD)
    marks = marks or {}
    out = [_STYLE] + ([f"<div class='amlnlv-h'>{html.escape(header)}</div>"] if header else [])
    run: list[tuple[Row, str, bool]] = []

    def flush() -> None:
        if len(run) >= FOLD_MIN_LINES:
            opened = " open" if any(stand for _r, _h, stand in run) else ""
            label = n_("{count} traceback line", "{count} traceback lines", len(run)).format(count=len(run))
            out.append(f"<details{opened}><summary class='amlnlv-s'>{html.escape(label)}</summary>"
                       + "".join(h for _r, h, _s in run) + "</details>")
        else:
            out.extend(h for _r, h, _s in run)
        run.clear()

    for row in rows:
        text, stands = row_html(row, max_line_chars=max_line_chars, budget=budget, query=query,
                                highlighted=row.number == highlighted, title=marks.get(row.number))
        if fold and row.code & FRAME:
            if run and run[-1][0].number != row.number - 1:
                flush()
            run.append((row, text, stands))
            continue
        flush()
        out.append(text)
    flush()
    return "".join(out)


def snippet(text: str, query: str, width: int = 60) -> str:
    """A short, redacted piece of a line around the first match of ``query`` (for a list of hits)."""
    text = clean(text).replace("\t", " ")
    m = re.search(re.escape(query), text, re.IGNORECASE) if query else None
    start = max(0, (m.start() if m else 0) - width // 3)
    piece = text[start : start + width].strip()
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")


def marks_of(marks: Iterable[object] | Mapping[int, str] | None) -> dict[int, str]:
    """Line number → title from findings, line numbers, ``(line, title)`` pairs or a mapping.

    A :class:`~amlnbtools.core.diagnosis.findings.Finding` marks each of its evidence lines with its title;
    several titles on one line are joined with ``; ``. A bare line number gets an empty title.
    """
    out: dict[int, str] = {}

    def add(line: int, title: str) -> None:
        if line in out and title and title not in out[line].split("; "):
            out[line] = f"{out[line]}; {title}" if out[line] else title
        elif line not in out:
            out[line] = title

    if marks is None:
        return out
    items = marks.items() if isinstance(marks, Mapping) else marks
    for item in items:
        if isinstance(item, Finding):
            for line in item.lines or (item.line,):
                add(int(line), item.title)
        elif isinstance(item, int) and not isinstance(item, bool):
            add(item, "")
        elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], int):
            add(item[0], str(item[1]))
        else:
            raise TypeError(f"marks must be findings, line numbers or (line, title) pairs, not {item!r}")
    return out

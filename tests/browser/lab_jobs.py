"""What a user does with the pipeline panel on SDK v2 jobs (notebook 07), and what must follow."""

from __future__ import annotations

import re

from lab_page import NotebookPage
from lab_panels import TIMEOUT_MS, Interaction, _button, _shown_rows, pipeline_panel
from playwright.sync_api import Locator, expect

__all__ = ["JOB_LOG", "live_tail"]

#: Kernel code printing a step's log file of the notebook's ``job_panel`` as JSON lines (the bytes it showed).
JOB_LOG = ("import json as _j\n_s = job_panel.summary.step({step!r})\n"
           "print(_j.dumps(job_panel.source.fetch_log(_s, {file!r}).read_text(encoding='utf-8').splitlines()))\n"
           "del _j, _s")
_STATUS = re.compile(r"^\s*\S+ · (\d+) lines? · ")


def _line_count(status: Locator) -> int:
    found = _STATUS.search(status.inner_text())
    assert found, f"the log status gives no line count: {status.inner_text()!r}"
    return int(found[1])


def live_tail(title: str, more_lines: int = 8) -> Interaction:
    """A running job's panel follows its log: "Follow log" is on, the line count grows by ``more_lines`` while
    we watch, and the view shows the end of the log (its last row is the last line)."""

    def run(nb: NotebookPage) -> Locator:
        panel = pipeline_panel(nb.page, title)
        follow = _button(panel, "Follow log")
        expect(follow).to_have_class(re.compile(r"\bmod-active\b"), timeout=TIMEOUT_MS)
        status = panel.locator(".widget-html-content").filter(has_text=_STATUS).first
        expect(status).to_be_visible(timeout=TIMEOUT_MS)
        first = _line_count(status)
        nb.page.wait_for_function(
            "([el, n]) => { const m = el.innerText.match(/ · (\\d+) lines? · /); return m && +m[1] >= n; }",
            arg=[status.element_handle(), first + more_lines], timeout=TIMEOUT_MS)
        shown = _line_count(status)
        nb.page.wait_for_function(
            "([p, n]) => p.querySelector(`[data-line='${n}']`) !== null", arg=[panel.element_handle(), shown],
            timeout=TIMEOUT_MS)
        rows = _shown_rows(panel)
        assert rows and rows[-1][0] >= shown, f"the view does not show the end: last row {rows[-1:]}, {shown} lines"
        return panel

    return Interaction(f"live-tail-{title}", run)

"""Interactions with the local step run panel (notebook 09)."""

from __future__ import annotations

import re

from lab_page import NotebookPage
from lab_panels import TIMEOUT_MS, Interaction
from playwright.sync_api import Locator, expect

__all__ = ["local_step_runs"]


def local_step_runs(step: str, before: tuple[str, str], after: tuple[str, str]) -> Interaction:
    """The two runs of ``step`` in the notebook: the first ends with the badge and the finding of ``before`` (its
    finding chosen, its line highlighted in the log), the run after the fix with those of ``after`` (an output file
    listed)."""

    def run(nb: NotebookPage) -> Locator:
        title = nb.page.locator(".widget-html-content > b").filter(
            has_text=re.compile(rf"^\s*Local run of {re.escape(step)} \("))
        panels = nb.page.locator(".widget-vbox").filter(has=title)
        expect(panels).to_have_count(2, timeout=TIMEOUT_MS)
        first, second = panels.nth(0), panels.nth(1)
        expect(first).to_contain_text(before[0], timeout=TIMEOUT_MS)
        findings = first.locator(".widget-select select").first
        expect(findings.locator("option").filter(has_text=before[1]).first).to_be_attached(timeout=TIMEOUT_MS)
        chosen = findings.evaluate("s => s.selectedIndex >= 0 ? s.options[s.selectedIndex].text : ''")
        line = re.search(r"line\s(\d+)", chosen.replace("\xa0", " "))
        assert before[1] in chosen and line, f"the finding chosen is {chosen!r}"
        expect(first.locator(f"[data-line='{line[1]}']")).to_have_css("outline-style", "solid", timeout=TIMEOUT_MS)
        expect(second).to_contain_text(after[0], timeout=TIMEOUT_MS)
        expect(second).to_contain_text(after[1], timeout=TIMEOUT_MS)
        return first

    return Interaction(f"local-step-{step}", run)

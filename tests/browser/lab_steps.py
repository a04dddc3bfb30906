"""Interactions with the local step run panel (notebook 09)."""

from __future__ import annotations

import re

from lab_page import NotebookPage
from lab_panels import TIMEOUT_MS, Interaction
from playwright.sync_api import Locator, expect

__all__ = ["local_parallel_run", "local_step_runs"]


def local_step_runs(step: str, before: tuple[str, str], after: tuple[str, str]) -> Interaction:
    """The two runs of ``step`` in the notebook: the first ends with the badge and the finding of ``before`` (its
    finding chosen, its line highlighted in the log), the run after the fix with those of ``after`` (an output file
    listed)."""

    def run(nb: NotebookPage) -> Locator:
        panels = _panels(nb, step)
        expect(panels).to_have_count(2, timeout=TIMEOUT_MS)
        first, second = panels.nth(0), panels.nth(1)
        _finding_shown(first, *before)
        expect(second).to_contain_text(after[0], timeout=TIMEOUT_MS)
        expect(second).to_contain_text(after[1], timeout=TIMEOUT_MS)
        return first

    return Interaction(f"local-step-{step}", run)


def local_parallel_run(step: str, before: tuple[str, str], summary: str) -> Interaction:
    """The run of a parallel ``step``: the badge and finding of ``before`` (its line highlighted in the log) and the
    mini-batch summary, as the pipeline panel shows it for a run on Azure ML."""

    def run(nb: NotebookPage) -> Locator:
        panel = _panels(nb, step).first
        _finding_shown(panel, *before)
        expect(panel).to_contain_text(summary, timeout=TIMEOUT_MS)
        return panel

    return Interaction(f"local-parallel-{step}", run)


def _panels(nb: NotebookPage, step: str) -> Locator:
    title = nb.page.locator(".widget-html-content > b").filter(
        has_text=re.compile(rf"^\s*Local run of {re.escape(step)} \("))
    return nb.page.locator(".widget-vbox").filter(has=title)


def _finding_shown(panel: Locator, badge: str, rule: str) -> None:
    expect(panel).to_contain_text(badge, timeout=TIMEOUT_MS)
    findings = panel.locator(".widget-select select").first
    expect(findings.locator("option").filter(has_text=rule).first).to_be_attached(timeout=TIMEOUT_MS)
    chosen = findings.evaluate("s => s.selectedIndex >= 0 ? s.options[s.selectedIndex].text : ''")
    line = re.search(r"line\s(\d+)", chosen.replace("\xa0", " "))
    assert rule in chosen and line, f"the finding chosen is {chosen!r}"
    expect(panel.locator(f"[data-line='{line[1]}']")).to_have_css("outline-style", "solid", timeout=TIMEOUT_MS)

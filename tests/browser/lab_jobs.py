"""What a user does with the pipeline panel on SDK v2 jobs (notebook 07), and what must follow."""

from __future__ import annotations

import re

from lab_page import NotebookPage
from lab_panels import TIMEOUT_MS, Interaction, _button, _shown_rows, pipeline_panel
from playwright.sync_api import Locator, expect

__all__ = ["JOB_LOG", "build_log_grows", "build_log_root_cause", "live_tail", "resubmit_confirmed", "wait_causes"]

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


# --- notebook 08: before it runs ----------------------------------------------------------------------------------

def _box_titled(page, text: str) -> Locator:
    title = page.locator(".widget-html-content > b").filter(has_text=re.compile(rf"^\s*{re.escape(text)}\s*$"))
    return page.locator(".widget-vbox").filter(has=title).last


def build_log_root_cause(target: str, rule: str, evidence: str) -> Interaction:
    """The build log panel of ``target`` opens on its root cause: the finding ``rule`` chosen, its line highlighted
    and holding ``evidence``, read through the datastore (the status says how)."""

    def run(nb: NotebookPage) -> Locator:
        panel = _box_titled(nb.page, f"Image build log: {target}")
        expect(panel).to_contain_text("with your sign-in", timeout=TIMEOUT_MS)
        findings = panel.locator(".widget-select select").first
        expect(findings.locator("option").filter(has_text=rule).first).to_be_attached(timeout=TIMEOUT_MS)
        nb.page.wait_for_function("s => s.selectedIndex >= 0", arg=findings.element_handle(), timeout=TIMEOUT_MS)
        chosen = findings.evaluate("s => s.options[s.selectedIndex].text").replace("\xa0", " ")  # widgets use nbsp
        assert rule in chosen and re.search(r"line (\d+)", chosen), f"the finding chosen is {chosen!r}, not {rule}"
        line = int(re.search(r"line (\d+)", chosen)[1])
        row = panel.locator(f"[data-line='{line}']")
        expect(row).to_contain_text(evidence, timeout=TIMEOUT_MS)
        expect(row).to_have_css("outline-style", "solid", timeout=TIMEOUT_MS)  # the highlighted line
        return panel

    return Interaction("build-log-" + re.sub(r"[/:]", "-", target), run)


def wait_causes(job: str, text: str) -> Interaction:
    """The "why is it waiting?" panel of ``job`` names the cause ``text`` with a fix."""

    def run(nb: NotebookPage) -> Locator:
        panel = _box_titled(nb.page, f"Why is job {job} waiting?")
        expect(panel).to_contain_text(text, timeout=TIMEOUT_MS)
        expect(panel.locator("li").first).to_be_visible(timeout=TIMEOUT_MS)
        return panel

    return Interaction(f"wait-{job}", run)


def build_log_grows(job: str, more_lines: int = 4) -> Interaction:
    """While ``job`` prepares, its image build log grows in its wait panel, the end shown."""

    def run(nb: NotebookPage) -> Locator:
        panel = _box_titled(nb.page, f"Why is job {job} waiting?")
        expect(panel.locator("[data-line]").first).to_be_attached(timeout=TIMEOUT_MS)
        first = max(int(n) for n in panel.locator("[data-line]").evaluate_all("rs => rs.map(r => r.dataset.line)"))
        nb.page.wait_for_function(
            "([p, n]) => [...p.querySelectorAll('[data-line]')].some(r => +r.dataset.line >= n)",
            arg=[panel.element_handle(), first + more_lines], timeout=TIMEOUT_MS)
        return panel

    return Interaction(f"build-log-grows-{job}", run)


def resubmit_confirmed(title: str) -> Interaction:
    """The failed run's panel asks before resubmitting; "Submit again" creates a new run that opens below, running."""

    def run(nb: NotebookPage) -> Locator:
        # the outermost panel of that title: the new run's panel opens inside it, with the same title
        panel = pipeline_panel(nb.page, title, innermost=False)
        expect(panel).to_contain_text("Steps that completed are reused", timeout=TIMEOUT_MS)
        _button(panel, "Submit again").click()
        expect(panel).to_contain_text("Submitted as", timeout=TIMEOUT_MS)
        badge = panel.locator(".widget-html-content span").filter(has_text=re.compile(r"^\s*running\s*$"))
        try:
            expect(badge.first).to_be_visible(timeout=TIMEOUT_MS)
        except AssertionError:
            raise AssertionError("no running run below: " + panel.inner_text()[:1500]) from None
        return panel

    return Interaction(f"resubmit-{title}", run)

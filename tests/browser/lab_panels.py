"""What a user does with each panel in the browser, and what must follow.

Each function returns an :class:`Interaction`: a name (for screenshots and messages) and a step that
drives the page and checks the result, then returns the panel it acted on (screenshotted afterwards).
Panels are found by what a user sees: their title, their buttons.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import Locator, Page, expect

from lab_page import NotebookPage

__all__ = ["Interaction", "findings_table", "move_slider", "open_service", "pick_finding", "refresh_logs",
           "show_service_log", "start_stop_local_server"]

TIMEOUT_MS = 60_000
_HIGHLIGHT = "rgb(255, 243, 176)"  # the log view's background of the highlighted line (#fff3b0)


@dataclass(frozen=True)
class Interaction:
    """One thing a user does with a panel; ``run`` checks its effect and returns the panel's locator."""

    name: str
    run: Callable[[NotebookPage], Locator]


def _title(page: Page, text: str) -> Locator:
    return page.locator(".widget-html-content > b").filter(has_text=re.compile(rf"^\s*{re.escape(text)}\s*$"))


def deployment_panel(page: Page, service: str) -> Locator:
    """The innermost deployment log panel of ``service`` (document order puts it after its containers)."""
    return (page.locator(".widget-vbox").filter(has=_title(page, service))
            .filter(has=page.locator("button", has_text="Auto-refresh")).last)


def workspace_panel(page: Page) -> Locator:
    return page.locator(".widget-vbox").filter(has=page.locator("h4", has_text="Azure ML workspace")).last


def replica_panel(page: Page) -> Locator:
    return page.locator(".widget-vbox").filter(has=_title(page, "Replica calculator")).last


def local_panel(page: Page, script: str) -> Locator:
    heading = page.locator(".widget-html-content").filter(has=page.locator("b", has_text="Local inference server"))
    return page.locator(".widget-vbox").filter(has=heading.filter(has=page.locator("code", has_text=script))).last


def _button(panel: Locator, text: str) -> Locator:
    """The button labelled exactly ``text`` (a widget button's accessible name also holds its icon)."""
    return panel.locator("button").filter(has_text=re.compile(rf"^\s*{re.escape(text)}\s*$"))


def _heading(panel: Locator) -> Locator:
    return panel.locator(".widget-hbox").first


# --- deployment log panel -------------------------------------------------------------------------


def refresh_logs(service: str, new_state: str = "Transitioning") -> Interaction:
    """Change what the sample workspace reports for ``service`` (in the kernel), press Refresh: the panel shows it."""

    def run(nb: NotebookPage) -> Locator:
        panel = deployment_panel(nb.page, service)
        expect(panel).to_be_visible(timeout=TIMEOUT_MS)
        expect(_heading(panel)).not_to_contain_text(new_state)
        nb.execute_in_kernel("from amlnbtools.sources.sample import sample_replay\n"
                             f"sample_replay().set_state({service!r}, {new_state!r})")
        _button(panel, "Refresh").click()
        expect(_heading(panel)).to_contain_text(new_state, timeout=TIMEOUT_MS)
        expect(_button(panel, "Refresh")).to_be_enabled(timeout=TIMEOUT_MS)
        return panel

    return Interaction(f"refresh-{service}", run)


def show_service_log(service: str) -> Interaction:
    """Untick "Init container": the service's own log comes back, with findings on its lines."""

    def run(nb: NotebookPage) -> Locator:
        panel = deployment_panel(nb.page, service)
        box = panel.get_by_role("checkbox", name="Init container")
        if box.is_checked():
            box.uncheck()
        expect(panel.locator("select option").filter(has_text=re.compile(r"^line\s\d+\s"))).not_to_have_count(
            0, timeout=TIMEOUT_MS)
        return panel

    return Interaction(f"service-log-{service}", run)


def pick_finding(service: str, line: int) -> Interaction:
    """Pick the finding on ``line`` in the findings list: that line of the log is highlighted, no other."""

    def run(nb: NotebookPage) -> Locator:
        panel = deployment_panel(nb.page, service)
        return _pick(panel, line)

    return Interaction(f"finding-{service}-line-{line}", run)


def _pick(panel: Locator, line: int) -> Locator:
    select = panel.locator(".widget-select select").first
    option = select.locator("option").filter(has_text=re.compile(rf"^line\s{line}\s"))
    expect(option).to_have_count(1, timeout=TIMEOUT_MS)
    select.select_option(option.get_attribute("value"))
    row = panel.locator(f"[data-line='{line}']")
    expect(row).to_have_css("background-color", _HIGHLIGHT, timeout=TIMEOUT_MS)
    highlighted = panel.locator("[data-line]").evaluate_all(
        f"rows => rows.filter(r => getComputedStyle(r).backgroundColor === '{_HIGHLIGHT}')"
        ".map(r => r.dataset.line)")
    assert highlighted == [str(line)], f"highlighted lines {highlighted}, expected only {line}"
    row.scroll_into_view_if_needed()
    return panel


# --- workspace panel ------------------------------------------------------------------------------


def open_service(service: str) -> Interaction:
    """Pick ``service`` in the workspace panel and press Open logs: its deployment log panel opens below."""

    def run(nb: NotebookPage) -> Locator:
        panel = workspace_panel(nb.page)
        expect(panel).to_contain_text("connected", timeout=TIMEOUT_MS)
        panel.locator(".widget-dropdown select").first.select_option(service)
        _button(panel, "Open logs").click()
        opened = panel.locator(".widget-vbox").filter(has=_title(nb.page, service))
        expect(opened.last).to_contain_text(re.compile(r"\d+ log lines? · \d+ findings?"), timeout=TIMEOUT_MS)
        return panel

    return Interaction(f"open-{service}", run)


# --- replica calculator ---------------------------------------------------------------------------


def move_slider(label: str = "Target utilization") -> Interaction:
    """Drag a slider of the replica calculator: its value and the replicas chart change."""

    def run(nb: NotebookPage) -> Locator:
        panel = replica_panel(nb.page)
        slider = panel.locator(".widget-slider, .jupyter-widget-slider").filter(has_text=label).first
        expect(slider).to_be_visible(timeout=TIMEOUT_MS)
        readout = slider.locator(".widget-readout, .jupyter-widget-readout").first
        chart = panel.locator(".js-plotly-plot").first
        expect(chart.locator(".main-svg").first).to_be_visible(timeout=TIMEOUT_MS)
        before_value, before_chart = readout.inner_text(), _traces(chart)
        handle = slider.locator(".noUi-handle").first
        handle.scroll_into_view_if_needed()
        box, track = handle.bounding_box(), slider.locator(".noUi-base, .noUi-target").first.bounding_box()
        assert box is not None and track is not None, "the slider is not on screen"
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        nb.page.mouse.move(x, y)
        nb.page.mouse.down()
        nb.page.mouse.move(track["x"] + 0.4 * track["width"], y, steps=6)  # to 40 % of the track
        nb.page.mouse.up()
        expect(readout).not_to_have_text(before_value, timeout=TIMEOUT_MS)
        nb.page.wait_for_function("([el, before]) => JSON.stringify(el.data.map(t => [t.x, t.y])) !== before",
                                  arg=[chart.element_handle(), before_chart], timeout=TIMEOUT_MS)
        _settle(chart)
        # the chart shows the final value: its "your input" point is the formula's replica count
        formula = panel.locator(".widget-html-content").filter(has_text="replicas = ⌈").first.inner_text()
        replicas = re.search(r"^replicas = .* = (\d+)\s*$", formula, re.M)
        assert replicas, formula
        point = chart.evaluate("el => el.data.find(t => t.name === 'your input').y[0]")
        assert point == int(replicas[1]), f"chart point {point}, formula {replicas[1]}"
        return panel

    return Interaction("slider-" + label.lower().replace(" ", "-"), run)


def _traces(chart: Locator) -> str:
    return chart.evaluate("el => JSON.stringify(el.data.map(t => [t.x, t.y]))")


def _settle(chart: Locator, quiet_ms: int = 800, timeout_ms: int = TIMEOUT_MS) -> None:
    """Wait until the chart's data stops changing (a drag sends several values; the last one wins)."""
    waited, last = 0, _traces(chart)
    while waited < timeout_ms:
        chart.page.wait_for_timeout(quiet_ms)
        waited += quiet_ms
        now = _traces(chart)
        if now == last:
            return
        last = now
    raise AssertionError("the chart kept changing")


# --- local debugging panel ------------------------------------------------------------------------


def start_stop_local_server(script: str, payload: str | None = '{"data": [[80, 3, 10]]}',
                            answer: str = "predictions") -> Interaction:
    """Press Start: the server runs on 127.0.0.1 with a live log; Send answers HTTP 200 with ``answer``; Stop."""

    def run(nb: NotebookPage) -> Locator:
        panel = local_panel(nb.page, script)
        expect(panel).to_be_visible(timeout=TIMEOUT_MS)
        heading, start = _heading(panel), _button(panel, "Start")
        stop = _button(panel, "Stop")
        if stop.is_enabled():  # still running from the notebook: stop it first
            stop.click()
            expect(heading).to_contain_text("stopped", timeout=TIMEOUT_MS)
        expect(start).to_be_enabled(timeout=TIMEOUT_MS)
        start.click()
        expect(heading).to_contain_text("running", timeout=TIMEOUT_MS)
        expect(heading.locator("code").filter(has_text="http://127.0.0.1:")).to_have_count(1)
        expect(panel.locator("[data-line]").first).to_be_attached(timeout=TIMEOUT_MS)  # the live log
        if payload is not None:
            panel.locator("textarea").first.fill(payload)
            _button(panel, "Send").click()
            result = panel.locator(".widget-html-content").filter(has_text=re.compile(r"^\s*HTTP \d{3}"))
            expect(result).to_contain_text("HTTP 200", timeout=TIMEOUT_MS)
            expect(result).to_contain_text(answer)
        stop.click()
        expect(heading).to_contain_text("stopped", timeout=TIMEOUT_MS)
        expect(start).to_be_enabled(timeout=TIMEOUT_MS)
        return panel

    return Interaction(f"start-stop-{script}", run)


# --- diagnosis (no widget: a table) -----------------------------------------------------------------


def findings_table(rule: str) -> Interaction:
    """The diagnosis table shows ``rule`` (the findings of diagnose() are a DataFrame, not a widget)."""

    def run(nb: NotebookPage) -> Locator:
        table = nb.page.locator(".jp-OutputArea-output table").filter(has_text=rule).first
        expect(table).to_be_visible(timeout=TIMEOUT_MS)
        return table

    return Interaction(f"findings-table-{rule}", run)

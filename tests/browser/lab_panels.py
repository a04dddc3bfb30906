"""What a user does with each panel in the browser, and what must follow.

Each function returns an :class:`Interaction`: a name (for screenshots and messages) and a step that
drives the page and checks the result, then returns the panel it acted on (screenshotted afterwards).
Panels are found by what a user sees: their title, their buttons.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from lab_page import NotebookPage
from playwright.sync_api import Locator, Page, expect

__all__ = [
    "Interaction",
    "findings_by_keyboard",
    "findings_table",
    "move_slider",
    "open_service",
    "parallel_run_form",
    "pick_finding",
    "pipeline_panel",
    "pipeline_step",
    "refresh_logs",
    "root_cause_in_log",
    "show_service_log",
    "start_stop_local_server",
]

TIMEOUT_MS = 60_000
_SAMPLE_LOG = ("import json as _j\nfrom amlnbtools.samples import sample_pipeline as _s\n"
               "print(_j.dumps((_s() / {step!r} / {file!r}).read_text(encoding='utf-8').splitlines()))\n"
               "del _j, _s")
# the log view's highlighted line: a tint of the theme's warning colour, outlined (the only outlined row)
_HIGHLIGHT_OUTLINE = "solid"


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


def pipeline_panel(page: Page, title: str | None = None, *, innermost: bool = True) -> Locator:
    """The innermost pipeline log panel (the box holding both "Show in log" and the Timeline tab); with
    ``title``, the one whose title is that run's name; ``innermost=False``: the outermost such box."""
    boxes = (page.locator(".widget-vbox").filter(has=_button(page, "Show in log"))
             .filter(has=page.locator(".lm-TabBar-tab", has_text="Timeline")))
    boxes = boxes.filter(has=_title(page, title)) if title else boxes
    return boxes.last if innermost else boxes.first


def parallel_run_form_panel(page: Page) -> Locator:
    return page.locator(".widget-vbox").filter(has=_title(page, "ParallelRunStep settings")).last


def _button(panel: Locator | Page, text: str) -> Locator:
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


def show_service_log(service: str, init_label: str = "Init container") -> Interaction:
    """Untick the init container's box ("Storage initializer" for an online deployment): the service's own log
    comes back, with findings on its lines."""

    def run(nb: NotebookPage) -> Locator:
        panel = deployment_panel(nb.page, service)
        box = panel.get_by_role("checkbox", name=init_label)
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


def findings_by_keyboard(service: str) -> Interaction:
    """The findings list works with the keyboard: focused, Home picks the first finding (its line highlighted)
    and End the last (its fix shown), the focus staying in the list; the list has a tooltip saying what it is.
    (In JupyterLab's command mode the arrow keys of a focused list move the notebook's cell selection instead:
    JupyterLab's shortcut, which no widget can turn off without front-end code.)"""

    def run(nb: NotebookPage) -> Locator:
        panel = deployment_panel(nb.page, service)
        select = panel.locator(".widget-select select").first
        expect(select.locator("option").nth(1)).to_be_attached(timeout=TIMEOUT_MS)
        name = select.evaluate("s => s.title || (s.closest('[title]') || {}).title || ''")
        assert "arrow keys" not in name and "pick one" in name, f"the findings list's tooltip is {name!r}"
        texts = select.locator("option").evaluate_all("os => os.map(o => o.text.replace(/\\u00a0/g, ' '))")
        first = re.search(r"line\s(\d+)", texts[0])
        assert first, f"findings listed: {texts}"
        select.focus()
        nb.page.keyboard.press("Home")
        _highlighted_only(panel, int(first[1]))
        nb.page.keyboard.press("End")
        last_title = texts[-1].split(" · ")[-1]
        expect(panel.locator(".widget-html-content b").filter(has_text=last_title).first).to_be_visible(
            timeout=TIMEOUT_MS)
        assert select.evaluate("s => document.activeElement === s && s.selectedIndex === s.options.length - 1")
        return panel

    return Interaction(f"findings-keyboard-{service}", run)


def _pick(panel: Locator, line: int) -> Locator:
    select = panel.locator(".widget-select select").first
    option = select.locator("option").filter(has_text=re.compile(rf"^line\s{line}\s"))
    expect(option).to_have_count(1, timeout=TIMEOUT_MS)
    select.select_option(option.get_attribute("value"))
    _highlighted_only(panel, line)
    return panel


def send_scoring_request(service: str, answer: str) -> Interaction:
    """Open "Send a scoring request" of an online deployment, press Send request: the status and its meaning show."""

    def run(nb: NotebookPage) -> Locator:
        panel = deployment_panel(nb.page, service)
        send = _button(panel, "Send request")
        if not send.is_visible():
            panel.get_by_text("Send a scoring request", exact=True).last.click()
        expect(send).to_be_visible(timeout=TIMEOUT_MS)
        send.click()
        expect(panel).to_contain_text(answer, timeout=TIMEOUT_MS)
        expect(send).to_be_enabled(timeout=TIMEOUT_MS)
        return panel

    return Interaction(f"score-{service}", run)


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


def online_capacity_instances(instances: int) -> Interaction:
    """Type an instance count into the online capacity panel: its summary and its chart follow."""

    def run(nb: NotebookPage) -> Locator:
        panel = nb.page.locator(".widget-vbox").filter(has=nb.page.locator(
            ".widget-html-content > b", has_text="Capacity of an online deployment")).last
        expect(panel).to_be_visible(timeout=TIMEOUT_MS)
        chart = panel.locator(".js-plotly-plot").first
        expect(chart.locator(".main-svg").first).to_be_visible(timeout=TIMEOUT_MS)
        before = _traces(chart)
        field = _labelled(panel, ".widget-text", "instance_count").locator("input")
        field.fill(str(instances))
        field.press("Enter")
        holds = 2 * instances  # max_concurrent_requests_per_instance is 1 in the notebook
        expect(panel).to_contain_text(f"With {instances} instances the deployment holds {holds}", timeout=TIMEOUT_MS)
        nb.page.wait_for_function("([el, before]) => JSON.stringify(el.data.map(t => [t.x, t.y])) !== before",
                                  arg=[chart.element_handle(), before], timeout=TIMEOUT_MS)
        return panel

    return Interaction(f"online-capacity-{instances}", run)


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


# --- pipeline log panel ---------------------------------------------------------------------------

_RED = "rgb(198, 40, 40)"  # the timeline's bar colour of a failed step (#c62828)

def _labelled(panel: Locator, kind: str, label: str) -> Locator:
    """The ``kind`` widget (".widget-dropdown", ".widget-text") whose description is exactly ``label``."""
    name = panel.page.locator("label").filter(has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))
    return panel.locator(kind).filter(has=name).first


def _chosen(dropdown: Locator) -> str:
    return dropdown.locator("select").evaluate(
        "s => s.selectedIndex < 0 ? '' : s.options[s.selectedIndex].text.replace(/\\u00a0/g, ' ')")


def _expect_chosen(dropdown: Locator, pattern: str) -> None:
    """Wait until the dropdown's chosen option (its label, non-breaking spaces as spaces) matches ``pattern``."""
    dropdown.page.wait_for_function(
        "([s, p]) => s.selectedIndex >= 0 && "
        "new RegExp(p).test(s.options[s.selectedIndex].text.replace(/\\u00a0/g, ' '))",
        arg=[dropdown.locator("select").element_handle(), pattern], timeout=TIMEOUT_MS)


def _shown_rows(panel: Locator) -> list[tuple[int, str]]:
    """(line number, text) of every row the panel's log view shows (the text without its line number)."""
    return [(int(n), t) for n, t in panel.locator("[data-line]").evaluate_all(
        "rows => rows.map(r => [r.dataset.line, r.lastElementChild ? r.lastElementChild.textContent : ''])")]


def pipeline_step(step: str, log_file: str = "azureml-logs/70_driver_log.txt", parallel: bool = False,
                  title: str | None = None, lines_code: str = _SAMPLE_LOG) -> Interaction:
    """Pick ``step`` in "Step": its log file is chosen in "Log file" and the log view shows that file's lines.

    The expected text is read in the kernel from the bundled copy of the run (``sample_pipeline()``, the same
    bytes the sample workspace serves). Then the Timeline tab draws the run: one red bar per failed step (the
    count the status line gives). ``parallel``: the step is a ParallelRunStep, its summary box shows.
    ``title``: the panel of that run; ``lines_code``: kernel code printing the file's lines as JSON (formatted
    with ``step`` and ``file``).
    """

    def run(nb: NotebookPage) -> Locator:
        panel = pipeline_panel(nb.page, title)
        expect(panel).to_contain_text(re.compile(r"\d+ steps? · \d+ failed"), timeout=TIMEOUT_MS)
        steps, files = _labelled(panel, ".widget-dropdown", "Step"), _labelled(panel, ".widget-dropdown", "Log file")
        assert not _chosen(steps).startswith(f"{step} · "), f"{step} is already chosen: pick another step"
        lines = json.loads(nb.execute_in_kernel(lines_code.format(step=step, file=log_file)))
        option = steps.locator("option").filter(has_text=re.compile(rf"^{re.escape(step)}\s·\s"))
        expect(option).to_have_count(1, timeout=TIMEOUT_MS)
        steps.locator("select").select_option(option.get_attribute("value"))
        _expect_chosen(files, rf"^{re.escape(log_file)}$")
        status = panel.locator(".widget-html-content").filter(has_text=re.compile(r"^\s*\S+ · \d+ lines? · "))
        expect(status).to_contain_text(f"{log_file} · {len(lines)} lines", timeout=TIMEOUT_MS)
        nb.page.wait_for_function("([p, n]) => p.querySelector(`[data-line='${n}']`) !== null",
                                  arg=[panel.element_handle(), 1 if len(lines) < 5 else 5], timeout=TIMEOUT_MS)
        rows = _shown_rows(panel)
        assert len(rows) >= min(5, len(lines)), f"the log view shows {len(rows)} rows of {len(lines)}"
        wrong = [(n, text[:60], lines[n - 1][:60] if n <= len(lines) else None) for n, text in rows
                 if n > len(lines) or text[:60] != lines[n - 1][:60]]
        assert wrong == [], f"rows that are not the lines of {step}/{log_file}: {wrong[:3]}"
        if parallel:
            expect(panel).to_contain_text("ParallelRunStep (", timeout=TIMEOUT_MS)
        _timeline(panel)
        return panel

    return Interaction(f"pipeline-step-{step}", run)


def _timeline(panel: Locator) -> None:
    """Open the Timeline tab: a plotly figure, drawn, with one red bar per failed step."""
    failed = re.search(r"(\d+) failed", panel.inner_text())
    assert failed, "the status line gives no count of failed steps"
    panel.locator(".lm-TabBar-tab").filter(has_text="Timeline").click()
    chart = panel.locator(".js-plotly-plot").first
    expect(chart.locator(".main-svg").first).to_be_visible(timeout=TIMEOUT_MS)
    panel.page.wait_for_function(
        "([el, red]) => [...el.querySelectorAll('.trace.bars .point path')].some(p => "
        "getComputedStyle(p).fill === red && p.getBBox().width > 0)", arg=[chart.element_handle(), _RED],
        timeout=TIMEOUT_MS)
    red = chart.evaluate("(el, red) => [...el.querySelectorAll('.trace.bars .point path')].filter(p => "
                         "getComputedStyle(p).fill === red && p.getBBox().width > 0).length", _RED)
    assert red == int(failed[1]), f"{red} red bars in the timeline, the status line says {failed[1]} failed"
    assert chart.bounding_box()["width"] > 300, "the timeline is drawn too narrow"


def root_cause_in_log(title: str | None = None) -> Interaction:
    """Press "Show in log": the step, file and line the root-cause box names are chosen, that line highlighted."""

    def run(nb: NotebookPage) -> Locator:
        panel = pipeline_panel(nb.page, title)
        cause = panel.locator(".widget-html-content").filter(has_text="Root cause: step").first
        expect(cause).to_be_visible(timeout=TIMEOUT_MS)
        where = re.search(r"Root cause: step (\S+) failed.*\((\S+), line (\d+)\)", cause.inner_text(), re.S)
        assert where, f"the root cause names no step, file and line: {cause.inner_text()!r}"
        step, log_file, line = where[1], where[2], int(where[3])
        steps, files = _labelled(panel, ".widget-dropdown", "Step"), _labelled(panel, ".widget-dropdown", "Log file")
        assert not _chosen(steps).startswith(f"{step} · "), f"{step} is already shown: pick another step first"
        _button(panel, "Show in log").click()
        _expect_chosen(steps, rf"^{re.escape(step)} · ")
        _expect_chosen(files, rf"^{re.escape(log_file)}$")
        _highlighted_only(panel, line)
        return panel

    return Interaction("pipeline-root-cause", run)


def _highlighted_only(panel: Locator, line: int) -> None:
    row = panel.locator(f"[data-line='{line}']")
    expect(row).to_have_css("outline-style", _HIGHLIGHT_OUTLINE, timeout=TIMEOUT_MS)
    assert row.evaluate("r => getComputedStyle(r).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    highlighted = panel.locator("[data-line]").evaluate_all(
        f"rows => rows.filter(r => getComputedStyle(r).outlineStyle === '{_HIGHLIGHT_OUTLINE}')"
        ".map(r => r.dataset.line)")
    assert highlighted == [str(line)], f"highlighted lines {highlighted}, expected only {line}"
    row.scroll_into_view_if_needed()


# --- ParallelRunStep form -------------------------------------------------------------------------


def parallel_run_form(bad: str = "Bad_Name", good: str = "score-batch") -> Interaction:
    """Type ``bad`` as the step name: an error shows under the field; type ``good``: it goes, the code names it."""

    def run(nb: NotebookPage) -> Locator:
        form = parallel_run_form_panel(nb.page)
        expect(form).to_be_visible(timeout=TIMEOUT_MS)
        field = _labelled(form, ".widget-text", "Step name")
        message = field.locator("xpath=following-sibling::*[1]")
        code = form.locator("pre").first
        field.locator("input").fill(bad)
        expect(message).to_contain_text("✖", timeout=TIMEOUT_MS)
        expect(message).to_contain_text(re.sub(r"[^a-z0-9]+", "-", bad.lower()).strip("-"))  # the fix it proposes
        expect(code).not_to_contain_text(f"name='{good}'")
        field.locator("input").fill(good)
        expect(message).to_have_text("", timeout=TIMEOUT_MS)
        expect(code).to_contain_text(f"name='{good}'")
        return form

    return Interaction("parallel-run-form-name", run)

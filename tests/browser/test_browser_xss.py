"""Hostile log text in a real browser: shown as text by every panel, never run; secrets never saved.

The XSS corpus (lab_xss.PAYLOADS) goes through the log view, the diagnosis table, the workspace panel
(a service state, a deployment's provisioning state), the deployment log panel of a web service and of an
online deployment (the log, the findings, the error Azure ML reported, the storage initializer), the
local debugging panel (the server's live log and its answer), the pipeline log panel (run, step and
folder names, statuses, errors, log text, the root cause's exception line) and the ParallelRunStep form
(initial values and typed text). After rendering and after the interactions (pick every finding, search
the log for a payload, refresh, switch logs, open a service, start/send/stop the server, pick every
pipeline step, show the root cause, open the timeline, type into the form, click the link text),
``window.__xss`` is still 0, no dialog opened, and
no output holds an event handler, a ``javascript:`` address, a script, an iframe or an ``<img src=x>``.
The notebook is then saved with widget state: it holds none of the sample workspace's secrets that
the hostile log carried.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lab_page import NotebookPage
from lab_panels import (
    TIMEOUT_MS,
    deployment_panel,
    findings_table,
    local_panel,
    open_service,
    parallel_run_form_panel,
    pipeline_panel,
    start_stop_local_server,
    workspace_panel,
)
from lab_secrets import find_secrets
from lab_xss import CONTROL, NOTEBOOK, PAYLOADS, SCRIPT, write_workspace
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
SHORT = "<svg/onload=window.__xss=1>"  # a payload short enough to stay whole on every panel


def assert_nothing_ran(nb: NotebookPage, when: str) -> None:
    nb.page.wait_for_timeout(300)  # an onerror/onload fires right after insertion: give it its turn
    assert nb.xss_marker() == 0, f"hostile text ran as script {when}"
    assert nb.dialogs == [], f"dialogs opened {when}: {nb.dialogs}"
    assert nb.active_markup() == [], f"active markup in the outputs {when}"


def test_hostile_logs_never_run(page, jupyter, shots: Path) -> None:
    assert SHORT in PAYLOADS
    server = jupyter("lab")
    write_workspace(server.root)
    nb = NotebookPage(page, server, NOTEBOOK).open()
    outputs = nb.run_all()
    assert outputs.errors == [], "cells failed:\n" + "\n".join(outputs.errors)
    assert outputs.unexecuted == []
    nb.wait_for_widgets(outputs.widget_views)
    assert outputs.widget_views == 11 and nb.widget_problems() == []
    assert_nothing_ran(nb, "after rendering")

    # every panel shows the hostile text, as text
    areas = page.locator(".jp-OutputArea-output")
    log_view = areas.filter(has=page.locator("input[placeholder='Search the log']")).first
    logs, local = deployment_panel(page, "churn-aks-crashloop"), local_panel(page, SCRIPT)
    pipeline, form = pipeline_panel(page), parallel_run_form_panel(page)
    for name, panel in (("log view", log_view), ("deployment logs", logs), ("local debugging", local),
                        ("pipeline logs", pipeline)):
        expect(panel, f"{name} shows the hostile text").to_contain_text(SHORT, timeout=TIMEOUT_MS)
    expect(workspace_panel(page)).to_contain_text(PAYLOADS[0])  # the service state
    expect(workspace_panel(page)).to_contain_text(PAYLOADS[3])  # an online deployment's provisioning state
    v2 = deployment_panel(page, "credit-v2/blue")
    expect(v2, "the online deployment's panel shows the hostile log").to_contain_text(SHORT, timeout=TIMEOUT_MS)
    expect(v2).to_contain_text(PAYLOADS[2])  # the error of the deployment's last operation
    scored = deployment_panel(page, "taxi-fare/blue")
    expect(scored).to_contain_text("HTTP 424", timeout=TIMEOUT_MS)  # a scoring answer whose body is the corpus
    expect(scored).to_contain_text(PAYLOADS[4])  # the container's reason, in the explanation
    expect(logs).to_contain_text(PAYLOADS[1])  # the error Azure ML reported
    expect(pipeline).to_contain_text(PAYLOADS[0])  # the run folder's name, the panel's title
    expect(pipeline).to_contain_text(PAYLOADS[5])  # the root cause's exception line
    expect(form).to_contain_text(PAYLOADS[5])  # the compute target it was given, in the code
    nb.screenshot(shots / "00-rendered.png")

    # the log view: search for a payload (hits are marked in the escaped text), errors only
    search = log_view.locator("input[placeholder='Search the log']")
    search.fill(SHORT)
    search.press("Enter")
    expect(log_view.locator("mark").first).to_be_attached(timeout=TIMEOUT_MS)
    log_view.locator("select").first.select_option(label="Errors only")
    nb.screenshot(shots / "01-log-view-search.png", log_view)
    assert_nothing_ran(nb, "after searching the log view")

    # the diagnosis table
    nb.screenshot(shots / "02-findings-table.png", findings_table("dependency-error").run(nb))

    # the deployment log panel: every finding, both logs, refresh
    select = logs.locator(".widget-select select").first
    labels = [o for o in select.locator("option").all_inner_texts() if o.strip()]
    assert len(labels) >= 3, labels
    for value in select.locator("option").evaluate_all("os => os.map(o => o.value)"):
        select.select_option(value)
        nb.page.wait_for_timeout(150)
    logs.get_by_role("checkbox", name="Init container").check()
    expect(logs).to_contain_text(re.compile(r"\d+ log lines?"), timeout=TIMEOUT_MS)
    logs.get_by_role("checkbox", name="Init container").uncheck()
    expect(logs).to_contain_text(SHORT, timeout=TIMEOUT_MS)
    logs.locator("button").filter(has_text=re.compile(r"^\s*Refresh\s*$")).click()
    expect(logs).to_contain_text(SHORT, timeout=TIMEOUT_MS)
    nb.screenshot(shots / "03-deployment-logs.png", logs)
    assert_nothing_ran(nb, "after using the deployment log panel")
    # the same for the online deployment: its findings, the storage initializer's log and back
    select = v2.locator(".widget-select select").first
    for value in select.locator("option").evaluate_all("os => os.map(o => o.value)"):
        select.select_option(value)
        nb.page.wait_for_timeout(150)
    v2.get_by_role("checkbox", name="Storage initializer").check()
    expect(v2).to_contain_text(SHORT, timeout=TIMEOUT_MS)
    v2.get_by_role("checkbox", name="Storage initializer").uncheck()
    nb.screenshot(shots / "03b-online-deployment.png", v2)
    assert_nothing_ran(nb, "after using the online deployment's panel")

    # the workspace panel: open the service whose state is hostile
    nb.screenshot(shots / "04-workspace.png", open_service("iris-aci").run(nb))
    # the local debugging panel: start, send the payloads, stop
    panel = start_stop_local_server(SCRIPT, payload=json.dumps({"data": list(PAYLOADS)}), answer="echo").run(nb)
    nb.screenshot(shots / "05-local-debugging.png", panel)
    # before it runs: the build log panel (hostile log) and the wait panel (hostile queue message, cluster errors)
    build = page.locator(".widget-vbox").filter(has=page.locator(".widget-html-content > b", has_text=re.compile(
        r"^\s*Image build log: churn-v2/blue\s*$"))).last
    expect(build).to_contain_text(SHORT, timeout=TIMEOUT_MS)
    waiting = page.locator(".widget-vbox").filter(has=page.locator(".widget-html-content > b", has_text=re.compile(
        r"^\s*Why is job queued-gpu-train waiting\?\s*$"))).last
    expect(waiting).to_contain_text(PAYLOADS[1], timeout=TIMEOUT_MS)  # a cluster error, as text
    findings = build.locator(".widget-select select").first
    for value in findings.locator("option").evaluate_all("os => os.map(o => o.value)"):
        findings.select_option(value)
        nb.page.wait_for_timeout(150)
    nb.screenshot(shots / "05b-before-it-runs.png", build)
    assert_nothing_ran(nb, "after using the build log and wait panels")
    # the pipeline log panel on an SDK v2 job, then on a folder; the ParallelRunStep form
    nb.screenshot(shots / "06a-v2-job.png", use_job(nb, pipeline_panel(page, PAYLOADS[8])))
    assert_nothing_ran(nb, "after using the pipeline log panel on a v2 job")
    nb.screenshot(shots / "06-pipeline-logs.png", use_pipeline(nb, pipeline))
    assert_nothing_ran(nb, "after using the pipeline log panel")
    nb.screenshot(shots / "07-parallel-run-form.png", use_form(form))
    assert_nothing_ran(nb, "after typing into the ParallelRunStep form")
    # the text of the javascript: link is text: clicking it does nothing
    page.get_by_text("open the run report").first.click()
    assert_nothing_ran(nb, "after the interactions")

    saved = nb.save().read_text(encoding="utf-8")
    assert "widgets" in json.loads(saved)["metadata"], "widget state was not saved"
    assert find_secrets(saved) == [], "the saved notebook holds secrets of the sample workspace"


def use_pipeline(nb: NotebookPage, panel):
    """Pick every step, search a log for a payload, pick every finding, show the root cause, hover the timeline."""
    steps = panel.locator(".widget-dropdown select").first
    status = panel.locator(".widget-html-content").filter(has_text=re.compile(r"· \d+ lines? · \d+ findings?"))
    for value in steps.locator("option").evaluate_all("os => os.map(o => o.value)"):
        steps.select_option(value)
        nb.page.wait_for_timeout(300)
    steps.select_option(index=1)  # the ParallelRunStep: the summary of its logs shows
    expect(panel).to_contain_text("ParallelRunStep (", timeout=TIMEOUT_MS)
    panel.locator("button").filter(has_text=re.compile(r"^\s*Show in log\s*$")).click()
    expect(status).to_contain_text(re.compile(r"\d+ lines?"), timeout=TIMEOUT_MS)
    search = panel.locator("input[placeholder='Search the log']")
    search.fill(SHORT)
    search.press("Enter")
    expect(panel.locator("mark").first).to_be_attached(timeout=TIMEOUT_MS)
    findings = panel.locator(".widget-select select").first
    values = findings.locator("option").evaluate_all("os => os.map(o => o.value)")
    assert len(values) >= 2, f"the hostile step log gave {len(values)} findings"
    for value in values:
        findings.select_option(value)
        nb.page.wait_for_timeout(150)
    panel.locator(".lm-TabBar-tab").filter(has_text="Timeline").click()
    bar = panel.locator(".js-plotly-plot .trace.bars .point path").last
    expect(bar).to_be_visible(timeout=TIMEOUT_MS)
    bar.hover(force=True)  # the hover text carries step names and statuses
    nb.page.wait_for_timeout(300)
    return panel


def use_job(nb: NotebookPage, panel):
    """Pick every step and every finding of the hostile v2 job, show its root cause: names, warnings, errors and
    log text stay text."""
    expect(panel).to_contain_text(SHORT, timeout=TIMEOUT_MS)
    steps = panel.locator(".widget-dropdown select").first
    for value in steps.locator("option").evaluate_all("os => os.map(o => o.value)"):
        steps.select_option(value)
        nb.page.wait_for_timeout(300)
    expect(panel).to_contain_text("Azure ML warning:", timeout=TIMEOUT_MS)
    panel.locator("button").filter(has_text=re.compile(r"^\s*Show in log\s*$")).click()
    findings = panel.locator(".widget-select select").first
    expect(findings.locator("option").first).to_be_attached(timeout=TIMEOUT_MS)
    for value in findings.locator("option").evaluate_all("os => os.map(o => o.value)"):
        findings.select_option(value)
        nb.page.wait_for_timeout(150)
    return panel


def use_form(form):
    """Type payloads into text fields of the ParallelRunStep form: messages and code show them as text."""
    for label, text in (("Step name", SHORT), ("Entry script", PAYLOADS[7]), ("Description", PAYLOADS[3])):
        field = form.locator(".widget-text").filter(has=form.page.locator("label", has_text=re.compile(
            rf"^\s*{re.escape(label)}\s*$"))).first
        field.locator("input").fill(text)
    name_message = form.locator(".widget-text").filter(has_text="Step name").locator("xpath=following-sibling::*[1]")
    expect(name_message).to_contain_text("✖", timeout=TIMEOUT_MS)
    expect(form.locator("pre").first).to_contain_text(PAYLOADS[3], timeout=TIMEOUT_MS)
    return form


def test_the_checks_catch_markup_that_runs(page, jupyter) -> None:
    """The control: log text put into a widget unescaped runs, and every check above sees it."""
    server = jupyter("lab")
    write_workspace(server.root)
    nb = NotebookPage(page, server, CONTROL).open()
    outputs = nb.run_all()
    assert outputs.errors == []
    nb.wait_for_widgets(1)
    page.wait_for_function("() => window.__xss === 1", timeout=TIMEOUT_MS)
    expect(page.locator(".jp-OutputArea-output a[href^='javascript:']")).to_have_count(1)
    assert any("img" in d for d in nb.dialogs), nb.dialogs
    found = nb.active_markup()
    assert any("onerror" in f for f in found) and any("javascript:" in f for f in found), found

"""Screenshots of the panels for the README, taken from the tour running in JupyterLab (a developer tool).

    python tools/screenshots.py [--out docs/screenshots] [--width 1100]

Starts a throw-away JupyterLab on 127.0.0.1 serving a copy of ``notebooks/00_tour.ipynb`` (the browser
tests' harness: tests/browser/lab_server.py, lab_page.py, lab_panels.py), opens it in Chromium
(``/usr/bin/chromium`` or ``$AMLNBTOOLS_CHROMIUM``), runs all cells, does what a user would with each
panel, and saves one element screenshot per panel (about ``--width`` pixels wide):

- ``deployment_logs.png``: churn-aks-crashloop's log panel, a finding picked and its line highlighted;
- ``pipeline_logs.png``: the pipeline run, its root cause, the Timeline tab and the failing line highlighted;
- ``replicas.png``: the replica calculator with its charts;
- ``local_debugging.png``: the local inference server started again, a burst of requests, the latency
  histogram (the server is stopped afterwards);
- ``workspace.png``: the workspace panel with its services, one of them chosen;
- ``pipeline_logs_dark.png``: the pipeline panel again, in JupyterLab Dark.

The server and everything it started are stopped by PID at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))

from lab_contrast import DARK, set_theme  # noqa: E402
from lab_page import XSS_MARKER_SCRIPT, NotebookPage  # noqa: E402
from lab_panels import (  # noqa: E402
    TIMEOUT_MS,
    deployment_panel,
    local_panel,
    pick_finding,
    pipeline_panel,
    replica_panel,
    workspace_panel,
)
from lab_server import JupyterServer  # noqa: E402
from playwright.sync_api import Locator, expect, sync_playwright  # noqa: E402

TOUR = "00_tour.ipynb"
CHROMIUM = os.environ.get("AMLNBTOOLS_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
_BUTTON = r"^\s*{}\s*$"


def _button(panel: Locator, text: str) -> Locator:
    return panel.locator("button").filter(has_text=re.compile(_BUTTON.format(re.escape(text))))


def _fit_width(nb: NotebookPage, target: int) -> None:
    """Resize the window until a panel (the workspace panel: as wide as every output) is ``target`` px wide."""
    page = nb.page
    for _attempt in range(4):
        width = workspace_panel(page).bounding_box()["width"]
        if abs(width - target) <= 4:
            return
        size = page.viewport_size
        page.set_viewport_size({"width": int(size["width"] + target - width), "height": size["height"]})
        page.wait_for_timeout(800)  # JupyterLab lays the notebook out again, plotly follows the new width


def _quiet(panel: Locator) -> None:
    """Nothing loading in the panel, no hover effect, every chart drawn."""
    expect(panel).not_to_contain_text("Loading…", timeout=TIMEOUT_MS)
    for chart in panel.locator(".js-plotly-plot").all():
        expect(chart.locator(".main-svg").first).to_be_visible(timeout=TIMEOUT_MS)
    panel.page.mouse.move(0, 0)
    panel.page.evaluate("() => document.activeElement && document.activeElement.blur()")
    panel.page.wait_for_timeout(600)


def deployment(nb: NotebookPage) -> Locator:
    pick_finding("churn-aks-crashloop", line=36).run(nb)
    return deployment_panel(nb.page, "churn-aks-crashloop")


def pipeline(nb: NotebookPage) -> Locator:
    panel = pipeline_panel(nb.page)
    expect(panel).to_contain_text("Root cause: step", timeout=TIMEOUT_MS)
    panel.locator(".lm-TabBar-tab").filter(has_text="Timeline").click()
    expect(panel.locator(".js-plotly-plot .main-svg").first).to_be_visible(timeout=TIMEOUT_MS)
    line = re.search(r"line (\d+)\)", panel.locator(".widget-html-content", has_text="Root cause").first.inner_text())
    assert line, "the root cause names no line"
    row = panel.locator(f"[data-line='{line[1]}']")
    expect(row).to_have_css("outline-style", "solid", timeout=TIMEOUT_MS)  # the highlighted line
    row.evaluate("r => r.scrollIntoView({block: 'center'})")  # inside the log view: the highlighted line shows
    return panel


def replicas(nb: NotebookPage) -> Locator:
    panel = replica_panel(nb.page)
    expect(panel.locator(".js-plotly-plot .main-svg").first).to_be_visible(timeout=TIMEOUT_MS)
    return panel


def local_debugging(nb: NotebookPage) -> Locator:
    """Start the server again (the tour stops it), send a burst of requests: the histogram is drawn."""
    panel = local_panel(nb.page, "healthy.py")
    heading = panel.locator(".widget-hbox").first
    expect(_button(panel, "Start")).to_be_enabled(timeout=TIMEOUT_MS)
    _button(panel, "Start").click()
    expect(heading).to_contain_text("running", timeout=TIMEOUT_MS)
    _button(panel, "Send").click()
    expect(panel).to_contain_text("HTTP 200", timeout=TIMEOUT_MS)
    _button(panel, "Send N requests").click()
    expect(panel.locator(".js-plotly-plot")).to_contain_text(re.compile(r"Latency · 50 requests"), timeout=TIMEOUT_MS)
    return panel


def workspace(nb: NotebookPage) -> Locator:
    panel = workspace_panel(nb.page)
    expect(panel).to_contain_text("connected", timeout=TIMEOUT_MS)
    panel.locator(".widget-dropdown select").first.select_option("churn-aks-crashloop")
    return panel


SHOTS: dict[str, Callable[[NotebookPage], Locator]] = {
    "deployment_logs": deployment, "pipeline_logs": pipeline, "replicas": replicas,
    "local_debugging": local_debugging, "workspace": workspace,
}


def take(out: Path, width: int) -> list[Path]:
    """Run the tour in JupyterLab and save one PNG per panel into ``out``; return the files."""
    out.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="amlnbtools-screenshots-"))
    server = JupyterServer(home, "lab", env={"AMLNBTOOLS_LANG": "en"})
    shutil.copy(REPO / "notebooks" / TOUR, server.root / TOUR)
    saved: list[Path] = []
    try:
        server.start()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            try:
                context = browser.new_context(viewport={"width": width + 200, "height": 2600}, device_scale_factor=1)
                context.add_init_script(XSS_MARKER_SCRIPT)
                nb = NotebookPage(context.new_page(), server, TOUR).open()
                nb.page.evaluate("() => { const s = window.jupyterapp.shell; if (s.collapseLeft) s.collapseLeft(); }")
                outputs = nb.run_all()
                if outputs.errors:
                    raise RuntimeError("the tour failed:\n" + "\n".join(outputs.errors))
                nb.wait_for_widgets(outputs.widget_views)
                _fit_width(nb, width)
                for name, show in SHOTS.items():
                    panel = show(nb)
                    _quiet(panel)
                    path = out / f"{name}.png"
                    panel.screenshot(path=str(path), animations="disabled")
                    saved.append(path)
                    print(f"saved {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")
                set_theme(nb.page, DARK)
                panel = pipeline_panel(nb.page)
                _quiet(panel)
                path = out / "pipeline_logs_dark.png"
                panel.screenshot(path=str(path), animations="disabled")
                saved.append(path)
                print(f"saved {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")
                stop = _button(local_panel(nb.page, "healthy.py"), "Stop")
                if stop.is_enabled():
                    stop.click()
            finally:
                browser.close()
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)
    return saved


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots", help="folder for the PNG files")
    parser.add_argument("--width", type=int, default=1100, help="width of each panel in pixels")
    args = parser.parse_args(argv)
    take(args.out, args.width)


if __name__ == "__main__":
    main()

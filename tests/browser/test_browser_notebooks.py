"""Every notebook in a real browser: JupyterLab 4 (and the tour in Notebook 7), all cells run by the front end.

For each notebook: Run All Cells, then every widget output is a rendered widget, the plotly figures are
drawn, no cell shows an error or standard-error text; then what a user does with each panel (see
lab_cases) has its effect; nothing in the page ran script from log text and no dialog opened; after
saving (with widget state), the file holds no secret of the sample workspace.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lab_cases import CASES, NotebookCase
from lab_contrast import DARK, HIGH_CONTRAST, LIGHT, contrast_report, set_theme
from lab_page import NotebookPage
from lab_secrets import find_secrets

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb"))
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
#: A tutorial saved by JupyterLab after running it, widget state included, stays small (plotly.js is not in it).
SAVED_MB = 1.5

pytestmark = pytest.mark.browser


def test_every_notebook_has_a_browser_case() -> None:
    missing = [name for name in NOTEBOOKS if name not in CASES]
    assert not missing, f"add an entry for {missing} to CASES in tests/browser/lab_cases.py"
    stale = [name for name in CASES if name not in NOTEBOOKS]
    assert not stale, f"CASES in tests/browser/lab_cases.py names notebooks that do not exist: {stale}"
    idle = [name for name, case in CASES.items() if not case.interactions]
    assert not idle, f"give {idle} at least one interaction in tests/browser/lab_cases.py"


def run_and_check(nb: NotebookPage, case: NotebookCase, shots: Path) -> None:
    """Open, run all cells, check every panel rendered, do each interaction; screenshots along the way."""
    nb.open()
    nb.page.evaluate("() => { const s = window.jupyterapp.shell; if (s.collapseLeft) s.collapseLeft(); }")
    outputs = nb.run_all()
    nb.screenshot(shots / "00-after-run-all.png")
    assert outputs.errors == [], "cells failed:\n" + "\n".join(outputs.errors)
    assert outputs.unexecuted == [], f"cells that did not run: {outputs.unexecuted}"
    nb.wait_for_widgets(outputs.widget_views)
    nb.wait_for_plotly(case.plotly_figures)
    assert nb.widget_problems() == []
    assert nb.rendered_widgets() == outputs.widget_views, "a widget output did not render as a widget"
    assert nb.plotly_figures() >= case.plotly_figures
    for number, interaction in enumerate(case.interactions, 1):
        panel = interaction.run(nb)
        nb.screenshot(shots / f"{number:02d}-{interaction.name.replace('/', '-')}.png", panel)  # endpoint/deployment
    after = nb.outputs()
    assert after.errors == [], "errors after the interactions:\n" + "\n".join(after.errors)
    check_contrast(nb, shots)
    assert nb.dialogs == [], f"dialogs opened: {nb.dialogs}"
    assert nb.xss_marker() == 0


def check_contrast(nb: NotebookPage, shots: Path) -> None:
    """Every text of the outputs reads at WCAG AA in JupyterLab Light, Dark and Dark High Contrast; each panel's
    screenshot in the dark theme is saved too (the interactions saved them in the light one)."""
    found = {}
    for theme in (LIGHT, DARK, HIGH_CONTRAST):
        set_theme(nb.page, theme)
        found[theme] = contrast_report(nb.page)
        if theme == DARK:
            panels = nb.page.locator(".jp-OutputArea-output:has(> .jupyter-widgets.widget-box)")
            for number in range(panels.count()):
                nb.screenshot(shots / "dark" / f"panel-{number + 1:02d}.png", panels.nth(number))
    set_theme(nb.page, LIGHT)
    (shots / "contrast.json").write_text(json.dumps(found, indent=1), encoding="utf-8")
    for theme, report in found.items():
        assert report["checked"] > 0, f"no text checked in {theme}"
        bad = report["failures"]
        assert bad == [], (f"{len(bad)} of {report['checked']} texts below WCAG AA in {theme}:\n"
                           + "\n".join(json.dumps(f, ensure_ascii=False) for f in bad[:25]))


def check_saved(nb: NotebookPage, widget_views: int, shots: Path) -> None:
    """Save (widget state included), then the file holds no secret of the sample workspace and stays small."""
    path = nb.save()
    text = path.read_text(encoding="utf-8")
    size_mb = path.stat().st_size / 1024 / 1024
    (shots / "saved-size.txt").write_text(f"{size_mb:.3f} MB\n", encoding="utf-8")
    assert size_mb <= SAVED_MB, f"{path.name} saves as {size_mb:.2f} MB (more than {SAVED_MB} MB)"
    if widget_views:  # the secret check covers widget state only if the state was really saved
        assert WIDGET_STATE in json.loads(text)["metadata"].get("widgets", {}), "widget state was not saved"
    assert find_secrets(text) == [], f"{path.name} holds secrets after saving"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_in_jupyterlab(name: str, page, jupyter, shots: Path) -> None:
    case = CASES.get(name)
    if case is None:
        pytest.fail(f"{name} has no entry in CASES (tests/browser/lab_cases.py): say what to check and add one "
                    "interaction per panel")
    server = jupyter("lab", [NOTEBOOK_DIR / name])
    nb = NotebookPage(page, server, name)
    run_and_check(nb, case, shots)
    check_saved(nb, nb.outputs().widget_views, shots)


def test_tour_in_notebook7(page, jupyter, shots: Path) -> None:
    name = "00_tour.ipynb"
    server = jupyter("notebook", [NOTEBOOK_DIR / name])
    nb = NotebookPage(page, server, name)
    tour = CASES[name]
    case = NotebookCase(plotly_figures=tour.plotly_figures,
                        interactions=tuple(i for i in tour.interactions
                                           if i.name.startswith(("finding-", "slider-", "pipeline-"))))
    assert len(case.interactions) == 4
    run_and_check(nb, case, shots)
    assert "/notebooks/" in page.url

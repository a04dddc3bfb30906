"""Every control of every panel says what it does: buttons carry a tooltip (an icon alone is not a name),
inputs and lists a description or a tooltip; no colour in a panel is fixed (each comes from the theme)."""

from __future__ import annotations

import re

import ipywidgets as w
import pytest

import amlnbtools
from amlnbtools.sources.replay import PIPELINE_RUNS

pytest.importorskip("azure.ai.ml", reason="the v2 extra is installed by make test")

INPUTS = (w.Text, w.Textarea, w.IntText, w.FloatText, w.BoundedIntText, w.BoundedFloatText, w.Dropdown, w.Select,
          w.SelectMultiple, w.Checkbox, w.IntSlider, w.FloatSlider, w.ToggleButtons, w.ToggleButton)
HEX = re.compile(r"#[0-9a-fA-F]{3,6}\b")


@pytest.fixture()
def panels(replay, monkeypatch):
    import amlnbtools.sources.sample as sample

    monkeypatch.setattr(sample, "_replay", replay)
    ws = amlnbtools.connect(sample=True)
    ws.wait()
    opened = {
        "workspace": ws,
        "deployment logs": amlnbtools.deployment_logs("churn-aks-crashloop", ws),
        "online deployment logs": amlnbtools.deployment_logs("credit-v2/blue", ws),
        "pipeline run": amlnbtools.pipeline_logs(next(iter(PIPELINE_RUNS)), ws),
        "pipeline job": amlnbtools.pipeline_logs("sleepy_lemon_7k2m9xq4", ws),
        "build log": amlnbtools.build_logs("churn-v2/blue", ws),
        "wait": amlnbtools.explain_wait("queued-gpu-train", ws, interval_s=60),
        "replicas": amlnbtools.replica_calculator(target_rps=20, request_seconds=0.5),
        "online capacity": amlnbtools.replica_calculator("churn-v2/blue", ws),
        "parallel run": amlnbtools.parallel_run_config_panel(),
    }
    for panel in opened.values():
        waiter = getattr(panel, "wait", None)
        if callable(waiter):
            waiter(60)
    yield opened
    opened["wait"].stop()


def _tree(widget: w.Widget) -> list[w.Widget]:
    seen, todo, found = set(), [widget], []
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        found.append(current)
        todo.extend(getattr(current, "children", ()) or ())
    return found


def test_every_control_has_a_name(panels) -> None:
    unnamed = []
    for name, panel in panels.items():
        for widget in _tree(panel.widget):
            if isinstance(widget, w.Button) and not widget.tooltip:
                unnamed.append(f"{name}: button {widget.description!r} has no tooltip")
            elif isinstance(widget, INPUTS) and not (widget.description or widget.tooltip
                                                     or getattr(widget, "placeholder", "")):
                unnamed.append(f"{name}: {type(widget).__name__} has neither a description nor a tooltip")
    assert unnamed == []


def test_no_panel_draws_with_a_fixed_colour(panels) -> None:
    fixed = []
    for name, panel in panels.items():
        for widget in _tree(panel.widget):
            for key in ("value", "_dom_classes"):
                text = str(getattr(widget, key, "") or "") if isinstance(widget, (w.HTML, w.HTMLMath)) else ""
                # a colour is a theme variable with a fallback, e.g. var(--jp-error-color1, #d32f2f)
                bare = [m.group(0) for m in HEX.finditer(text) if not re.search(
                    r"var\(--jp-[a-z0-9-]+,\s*$", text[max(0, m.start() - 40):m.start()])]
                if bare:
                    fixed.append(f"{name}: {type(widget).__name__} uses {sorted(set(bare))}")
    assert fixed == []

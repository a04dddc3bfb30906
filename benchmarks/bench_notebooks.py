"""What a notebook carries: the bytes each panel sends over the kernel connection, and the saved tutorials.

1. Each panel opened on the sample workspace (as the tutorials open them), every widget message recorded as
   the kernel would send it (comm opens with their state, then updates) until it has loaded: total and largest
   message. Then one update of each chart (the replica calculator's target rate, the capacity panel's instances):
   the bytes it sends. Goals: no panel over 1 MB at open; a chart update sends its data (≤ 0.25 MB here). The
   reference, in the same run: the same figures opened as plotly ``FigureWidget`` s (what the panels used before).
2. Every tutorial executed as JupyterLab saves it (outputs and widget state, nbclient's ``store_widget_state``):
   its size on disk. Goal: the tour ≤ 1.5 MB. The reference, in the same run, is the same notebook saved without
   widget state (what the outputs alone weigh).

``python benchmarks/bench_notebooks.py [--no-notebooks]``
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_viewer import Recorder

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
GOALS = {"open_mb": 1.0, "update_mb": 0.25, "tour_mb": 1.5}
MB = 1024 * 1024


def _panels() -> list[tuple[str, Callable[[Any], Any], Callable[[Any], None] | None]]:
    import amlnbtools

    def replicas_update(panel: Any) -> None:
        panel._inputs["target_rps"].value = panel._inputs["target_rps"].value * 2
        panel._recompute()

    def capacity_update(panel: Any) -> None:
        panel._inputs["instances"].value = panel._inputs["instances"].value + 1
        panel._recompute()

    return [
        ("workspace", lambda ws: amlnbtools.connect(sample=True), None),
        ("deployment logs", lambda ws: amlnbtools.deployment_logs("churn-aks-crashloop", ws), None),
        ("pipeline logs (v1)", lambda ws: amlnbtools.pipeline_logs(_first_pipeline(), ws), None),
        ("pipeline logs (v2 job)", lambda ws: amlnbtools.pipeline_logs("sleepy_lemon_7k2m9xq4", ws), None),
        ("build log", lambda ws: amlnbtools.build_logs("churn-v2/blue", ws), None),
        ("replica calculator", lambda ws: amlnbtools.replica_calculator(target_rps=20, request_seconds=0.5),
         replicas_update),
        ("online capacity", lambda ws: amlnbtools.replica_calculator("churn-v2/blue", ws), capacity_update),
    ]


def _first_pipeline() -> str:
    from amlnbtools.sources.replay import PIPELINE_RUNS

    return next(iter(PIPELINE_RUNS))


def _wait(panel: Any) -> None:
    waiter = getattr(panel, "wait", None)
    if callable(waiter):
        waiter(120)


def _charts(panel: Any) -> list[Any]:
    from amlnbtools.widgets._figure import Chart

    return [v for v in vars(panel).values() if isinstance(v, Chart)]


def figure_widget_bytes(figures: list[Any]) -> int:
    """Bytes sent to open ``figures`` as plotly FigureWidgets (the reference)."""
    import plotly.graph_objects as go

    with Recorder() as rec:
        widgets = [go.FigureWidget(fig) for fig in figures]
    del widgets
    return sum(size for _t, size, _k in rec.messages)


def panel_bytes() -> list[tuple[str, int, int, int | None, int | None]]:
    """(panel, bytes at open, largest message at open, bytes of one chart update or None, bytes of its figures as
    FigureWidgets or None)."""
    import amlnbtools

    rows = []
    ws = amlnbtools.connect(sample=True)
    ws.wait()
    for name, opener, update in _panels():
        with Recorder() as rec:
            panel = opener(ws)
            _wait(panel)
            opened = sum(size for _t, size, _k in rec.messages)
            largest = rec.largest()
            mark = rec.mark()
            if update is not None:
                update(panel)
                _wait(panel)
            updated = sum(size for _t, size, _k in rec.messages[mark:]) if update is not None else None
        figures = [c.figure for c in _charts(panel) if c.figure is not None]
        rows.append((name, opened, largest, updated, figure_widget_bytes(figures) if figures else None))
    return rows


def saved_sizes() -> list[tuple[str, int, int]]:
    """(notebook, bytes saved with widget state, bytes without it), each executed in a fresh kernel."""
    import nbformat
    from nbclient import NotebookClient

    os.environ.setdefault("PLOTLY_RENDERER", "plotly_mimetype")
    os.environ["AMLNBTOOLS_LANG"] = "en"
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in NOTEBOOKS:
            nb = nbformat.read(path, as_version=4)
            NotebookClient(nb, timeout=600, kernel_name="python3", store_widget_state=True,
                           resources={"metadata": {"path": str(path.parent)}}).execute()
            with_state = Path(tmp) / path.name
            nbformat.write(nb, with_state)
            nb.metadata.pop("widgets", None)
            without = Path(tmp) / ("plain-" + path.name)
            nbformat.write(nb, without)
            rows.append((path.name, with_state.stat().st_size, without.stat().st_size))
    return rows


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    print("Bytes over the kernel connection, per panel (sample workspace)")
    worst_open = worst_update = 0.0
    for name, opened, largest, updated, reference in panel_bytes():
        worst_open = max(worst_open, opened / MB)
        extra = "" if updated is None else f", one chart update {updated / MB:.3f} MB"
        if reference:
            extra += f"; its charts as FigureWidgets {reference / MB:.3f} MB (ratio {opened / reference:.3f})"
        worst_update = max(worst_update, (updated or 0) / MB)
        print(f"  {name:24s} at open {opened / MB:7.3f} MB (largest message {largest / MB:.3f} MB){extra}")
    print(f"  worst at open {worst_open:.3f} MB (goal ≤ {GOALS['open_mb']}), worst chart update "
          f"{worst_update:.3f} MB (goal ≤ {GOALS['update_mb']})")
    if "--no-notebooks" in argv:
        return
    print("Tutorials executed and saved with widget state (as JupyterLab saves them)")
    for name, with_state, without in saved_sizes():
        ratio = with_state / without if without else float("nan")
        print(f"  {name:28s} {with_state / MB:7.3f} MB (outputs alone {without / MB:.3f} MB, ×{ratio:.1f})")
        if name.startswith("00_tour"):
            print(f"  the tour: {with_state / MB:.3f} MB (goal ≤ {GOALS['tour_mb']} MB)")


if __name__ == "__main__":
    main()

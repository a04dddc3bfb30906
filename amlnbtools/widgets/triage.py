"""What is failing in a whole workspace, grouped by cause: the triage panel, and ``amlnbtools.triage``.

The scan (:mod:`amlnbtools.sources.triage.scan`) runs in the background; items arrive as they are read and the
table of causes, the chart and the list grow with them. Cancel stops the scan (what was read stays). Picking an item
opens its panel below: the deployment log panel for a service or deployment, the pipeline panel for a job. The
report (Markdown or HTML, redacted) is written next to the notebook.
"""

from __future__ import annotations

import html
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import ipywidgets as w

from amlnbtools.core.triage import TriageItem, TriageResult, parse_duration, report_html, report_markdown
from amlnbtools.core.triage.model import count_outcomes, group_items, kind_label
from amlnbtools.i18n import _
from amlnbtools.sources.errors import SourceError, classify
from amlnbtools.sources.triage import ScanSettings, scan_workspace
from amlnbtools.widgets._figure import Chart
from amlnbtools.widgets._html import error_line, table
from amlnbtools.widgets._panel import Panel
from amlnbtools.widgets._progress import ProgressRow
from amlnbtools.widgets._tasks import BackgroundTask, TaskState
from amlnbtools.widgets._theme import MUTED
from amlnbtools.widgets._throttle import Throttle

__all__ = ["TriagePanel", "triage"]

class TriagePanel(Panel):
    """A scan of one workspace; :meth:`refresh`, :meth:`cancel`, :meth:`wait`, :meth:`open`, :meth:`export`.

    ``result`` is the last finished scan (a :class:`~amlnbtools.core.triage.TriageResult`), ``frame`` its items
    as a DataFrame, ``groups`` its causes.
    """

    def __init__(self, source: Any, settings: ScanSettings, *, start: bool = True) -> None:
        self.source, self.settings = source, settings
        self.result: TriageResult | None = None
        self.error: SourceError | None = None
        self.opened: Any = None
        self._items: list[TriageItem] = []
        self._lock = threading.Lock()
        self._task = BackgroundTask(self._on_state)
        self._redraw = Throttle(self._draw, rate_hz=2)
        name = getattr(getattr(source, "info", None), "name", "?")
        self._title = w.HTML("<h4 style='margin:4px 0'>" + html.escape(
            _("What is failing in workspace {name}").format(name=name)) + "</h4>")
        self._progress = ProgressRow()
        self._status = w.HTML()
        self._table = w.HTML()
        self.chart = Chart()
        self._picker = w.Dropdown(options=[], description=_("Item"), layout=w.Layout(width="520px"))
        self._open_button = w.Button(description=_("Open"), icon="folder-open", disabled=True,
                                     tooltip=_("Open the logs of the item chosen, diagnosed"))
        self._refresh_button = w.Button(description=_("Scan again"), icon="refresh",
                                        tooltip=_("Read the whole workspace again"))
        self._export_button = w.Button(description=_("Save report"), icon="download", disabled=True,
                                       tooltip=_("Write a Markdown report (secrets removed) next to the notebook"))
        self._open_button.on_click(lambda _b: self._open_clicked())
        self._refresh_button.on_click(lambda _b: self.refresh())
        self._export_button.on_click(lambda _b: self._export_clicked())
        self._opened = w.VBox()
        self.widget = w.VBox([self._title, self._progress.widget, self._status, self._table, self.chart.widget,
                              w.HBox([self._picker, self._open_button]),
                              w.HBox([self._refresh_button, self._export_button]), self._opened])
        if start:
            self.refresh()

    def __repr__(self) -> str:
        return f"TriagePanel({getattr(getattr(self.source, 'info', None), 'name', '?')!r})"

    # --- API ------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Scan the workspace (again); a scan in progress is stopped first."""
        self._progress.cancel_event.set()
        cancel = self._progress.start(_("Reading the workspace"))
        with self._lock:
            self._items = []
        self._task.run(lambda: scan_workspace(self.source, self.settings, on_item=self._on_item,
                                              on_progress=self._progress.count, cancel=cancel))

    def cancel(self) -> None:
        """Stop the scan: what was read stays, the rest is counted as not read."""
        self._progress.cancel()

    def wait(self, timeout_s: float | None = 600.0) -> TaskState:
        return self._task.wait(timeout_s)

    @property
    def items(self) -> list[TriageItem]:
        """Every item read so far (listed or only counted)."""
        with self._lock:
            return list(self._items)

    @property
    def groups(self) -> Any:
        return self.result.groups if self.result else group_items(self.items)

    @property
    def frame(self) -> Any:
        """The items as a pandas DataFrame (one row each; ``outcome`` says which are failing)."""
        import pandas as pd

        columns = ["kind", "name", "display_name", "sdk", "state", "outcome", "rule", "title", "fix", "evidence",
                   "where", "created", "error_kind"]
        return pd.DataFrame([{c: i.to_dict()[c] for c in columns} for i in self.items], columns=columns)

    def open(self, name: str) -> Any:
        """Open the panel of item ``name`` (a service, ``endpoint/deployment`` or job) below; returns it."""
        from amlnbtools.widgets import deployment_logs, pipeline_logs

        item = next((i for i in self.items if i.name == name), None)
        if item is None:
            raise SourceError("not-found", _("{name} is not among the items of this scan.").format(name=name))
        self.opened = (pipeline_logs(item.name, self.source) if item.kind == "job"
                       else deployment_logs(item.name, self.source))
        self._opened.children = (self.opened.widget,)
        return self.opened

    def export(self, path: str | Path | None = None) -> Path:
        """Write the report of the last scan (``.html`` for HTML, else Markdown), secrets redacted; returns the path."""
        if self.result is None:
            raise SourceError("bad-input", _("No finished scan yet: wait for it (panel.wait()), then export."))
        stamp = self.result.as_of.strftime("%Y%m%d-%H%M")
        target = Path(path) if path is not None else Path(f"triage-{self.result.workspace}-{stamp}.md")
        text = report_html(self.result) if target.suffix.lower() in (".html", ".htm") else report_markdown(self.result)
        target.write_text(text, encoding="utf-8")
        return target

    # --- internals ------------------------------------------------------------------------------------
    def _on_item(self, item: TriageItem) -> None:
        with self._lock:
            self._items.append(item)
        self._redraw()

    def _on_state(self, state: TaskState) -> None:
        if state.status == "pending":
            self._status.value = "<i>" + html.escape(_("Reading the workspace…")) + "</i>"
            self._open_button.disabled = self._export_button.disabled = True
            return
        self._progress.finish()
        if state.status == "error":
            self.error = classify(state.error, _("the workspace"))  # type: ignore[arg-type]
            self._status.value = error_line(self.error.message)
            return
        if state.status == "finished":
            self.error, self.result = None, state.value
            with self._lock:
                self._items = list(state.value.items)
        self._redraw.flush()
        self._draw()

    def _draw(self) -> None:
        result = self.result if self._task.state.status == "finished" else None
        items = self.items
        groups = result.groups if result else group_items(items)
        counts = count_outcomes(items)
        parts = [_("{count} failing").format(count=counts["failing"]),
                 _("{count} waiting too long").format(count=counts["waiting"] + counts["running-long"]),
                 _("{count} healthy").format(count=counts["healthy"]),
                 _("{count} in progress").format(count=counts["in-progress"] + counts["canceled"])]
        if counts["unreadable"]:
            parts.append(_("{count} not read").format(count=counts["unreadable"]))
        status = html.escape(" · ".join(parts))
        if result is not None:
            status += f" <span style='color:{MUTED}'>" + html.escape(_("as of {when} UTC, {seconds:.1f} s").format(
                when=result.as_of.strftime("%Y-%m-%d %H:%M"), seconds=result.seconds)) + "</span>"
            if result.cancelled:
                status += "<br>" + html.escape(_("Stopped: the items not read yet are counted as not read."))
            status += "".join(error_line(p) for p in result.problems)
            if not groups:
                status += "<br><b>" + html.escape(_("Nothing is failing.")) + "</b>"
        self._status.value = status
        rows = [[g.title, str(g.count), g.fix or _("see each item"),
                 ", ".join(i.display_name or i.name for i in g.items[:6]) + (" …" if g.count > 6 else "")]
                for g in groups]
        self._table.value = table([_("Cause"), _("Items"), _("Fix"), _("Which")], rows) if rows else ""
        if groups:
            from amlnbtools.figures.triage import causes_figure

            self.chart.show(causes_figure(groups))
        else:
            self.chart.clear()
        listed = [i for g in groups for i in g.items]
        self._picker.options = [(f"[{i.group}] {kind_label(i.kind)} {i.name}"
                                 + (f" ({i.display_name})" if i.display_name else ""), i.name) for i in listed]
        self._open_button.disabled = not listed
        self._export_button.disabled = result is None

    def _open_clicked(self) -> None:
        if self._picker.value:
            try:
                self.open(self._picker.value)
            except (SourceError, TypeError, ValueError) as exc:
                self._opened.children = (w.HTML(error_line(str(exc))),)

    def _export_clicked(self) -> None:
        try:
            path = self.export()
        except (SourceError, OSError) as exc:
            self._status.value += error_line(str(exc))
            return
        self._status.value += "<br>" + html.escape(_("Report written to {path}").format(path=path.resolve()))


def triage(source: Any = "sample", *, since: str | timedelta | None = "7d", waiting_after: str | timedelta = "15m",
           running_after: str | timedelta = "24h", max_workers: int = 8, item_deadline_s: float = 60.0,
           start: bool = True) -> TriagePanel:
    """What is failing in a whole workspace, grouped by cause, each cause with its fix.

    ``source``: a workspace panel from :func:`amlnbtools.connect`, an ``MLClient``, a workspace's sources, or
    ``"sample"`` (the embedded sample workspace). Every web service (SDK v1) and online deployment is read, and every
    job created in the last ``since`` (None: all): failed ones with their root cause, those not started after
    ``waiting_after`` with why they wait, those running after ``running_after``. At most ``max_workers`` items are
    read at once; an item not read in ``item_deadline_s`` is reported as such.
    """
    from amlnbtools.widgets._resolve import source_of

    if isinstance(source, str) and source == "sample":
        from amlnbtools.sources.sample import sample_source

        resolved = sample_source()
    else:
        resolved = source_of(source)
    waiting = parse_duration(waiting_after, "waiting_after")
    running = parse_duration(running_after, "running_after")
    assert waiting is not None and running is not None
    settings = ScanSettings(since=parse_duration(since, "since"), waiting_after=waiting, running_after=running,
                            max_workers=max_workers, item_deadline_s=item_deadline_s)
    return TriagePanel(resolved, settings, start=start)

"""The image build log panel: the log found where Azure ML keeps it, read with the user's sign-in, diagnosed."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from amlnbtools.core.diagnosis.findings import Finding, Findings
from amlnbtools.i18n import _, n_
from amlnbtools.sources.errors import SourceError, classify
from amlnbtools.sources.files.logfiles import diagnose_file
from amlnbtools.widgets._findings import FindingsList
from amlnbtools.widgets._html import error_line
from amlnbtools.widgets._panel import Panel
from amlnbtools.widgets._tasks import BackgroundTask, TaskState
from amlnbtools.widgets.logview import LogView

__all__ = ["BuildLogPanel"]


class BuildLogPanel(Panel):
    """Finds and reads a build log in the background (``find()`` returns a ``FoundBuildLog``), then shows it with
    its findings, the first one selected. :meth:`wait`, :meth:`select_finding`, :meth:`refresh` are the API."""

    def __init__(self, label: str, find: Callable[[], Any], *, pending: str | None = None) -> None:
        self.label = label
        self._pending = pending or _("Looking for the build log…")
        self._find = find
        self.found: Any = None
        self.findings: Findings = Findings()
        self.error: SourceError | None = None
        self._task = BackgroundTask(self._on_found)
        self._title = w.HTML("<b>" + html.escape(_("Image build log: {target}").format(target=label)) + "</b>")
        self._status = w.HTML()
        self._refresh = w.Button(description=_("Refresh"), tooltip=_("Read it again from Azure ML"), icon="refresh")
        self._refresh.on_click(lambda _b: self.refresh())
        self.log_view = LogView()
        self._list = FindingsList(self.log_view)
        self.widget = w.VBox([w.HBox([self._title, self._refresh]), self._status, self._list.box, self._list.remedy,
                              self.log_view.widget])
        self.refresh()

    def __repr__(self) -> str:
        return f"BuildLogPanel({self.label!r})"

    def refresh(self) -> None:
        """Find and read the log again (in the background)."""
        self._task.run(self._load)

    def wait(self, timeout_s: float | None = 120.0) -> TaskState:
        state = self._task.wait(timeout_s)
        self.log_view.wait(timeout_s)
        return state

    def select_finding(self, index: int) -> Finding:
        return self._list.select(index)

    def _load(self) -> tuple[Any, Findings]:
        found = self._find()
        return found, diagnose_file(found.path, sdk=getattr(found, "sdk", "v1"))

    def _on_found(self, state: TaskState) -> None:
        if state.status == "pending":
            self._status.value = "<i>" + html.escape(self._pending) + "</i>"
            return
        if state.status == "error":
            self.error = classify(state.error, _("the build log of {target}").format(target=self.label))  # type: ignore[arg-type]
            self._status.value = error_line(self.error.message)
            return
        if state.status != "finished":
            return
        self.error = None
        self.found, self.findings = state.value
        self.log_view.set_file(self.found.path, findings=self.findings, background=False)
        count = len(self.findings)
        self._status.value = html.escape(" · ".join([
            self.found.where, self.found.how,
            n_("{count} line", "{count} lines", self.log_view.line_count).format(count=self.log_view.line_count),
            n_("{count} finding", "{count} findings", count).format(count=count)]))
        self._list.show(self.findings)

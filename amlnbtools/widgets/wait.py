"""The "why is it waiting?" panel: the causes of a job's wait with their fixes, read again until it runs or ends."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from amlnbtools.core.pipeline import status_label
from amlnbtools.i18n import _
from amlnbtools.sources.errors import SourceError, classify
from amlnbtools.widgets._auto import AutoRefresh
from amlnbtools.widgets._html import badge, error_line
from amlnbtools.widgets._panel import Panel
from amlnbtools.widgets._tasks import BackgroundTask, TaskState
from amlnbtools.widgets._theme import MUTED, hue
from amlnbtools.widgets.logview import LogView

__all__ = ["WaitPanel", "causes_html"]

_KINDS = {"queued": "info", "preparing": "info", "not-started": "neutral", "running": "ok", "completed": "ok",
          "failed": "error", "canceled": "brown"}


def causes_html(explanation: Any) -> str:
    """The causes of a wait as escaped HTML (also used by the pipeline panel)."""
    if explanation is None or not explanation.causes:
        return ""
    items = "".join(
        f"<li><b>{html.escape(c.title)}</b> — {html.escape(c.detail)}<br><span style='color:{MUTED}'>"
        f"{html.escape(c.fix)}</span></li>" for c in explanation.causes)
    head = html.escape(_("Why it is not running:")) if explanation.waiting else html.escape(_("What stopped it:"))
    return f"<div style='border-left:3px solid {hue('info')};padding:2px 8px'><b>{head}</b><ul>{items}</ul></div>"


class WaitPanel(Panel):
    """The wait of one job (``wait_source.explain()`` gives a ``WaitExplanation``); refreshed every ``interval_s``
    while the job waits. API: :meth:`refresh`, :meth:`wait`, :meth:`stop`, :attr:`explanation`."""

    def __init__(self, job: str, wait_source: Any, *, interval_s: float = 5.0, max_refreshes: int = 720) -> None:
        self.job = job
        self._source = wait_source
        self.explanation: Any = None
        self.error: SourceError | None = None
        self._task = BackgroundTask(self._on_state)
        self._title = w.HTML("<b>" + html.escape(_("Why is job {job} waiting?").format(job=job)) + "</b>")
        self._badge = w.HTML(badge(None))
        self._status = w.HTML()
        self._causes = w.HTML()
        self.log_view = LogView()
        self.log_view.widget.layout.display = "none"
        self.widget = w.VBox([w.HBox([self._title, self._badge]), self._status, self._causes, self.log_view.widget])
        self._auto = AutoRefresh(self._refresh_and_wait, self._ended, lambda _running: None,
                                 name="amlnbtools-wait-refresh")
        self._every = (interval_s, max_refreshes)
        self._stopped = False
        self.refresh()  # refreshing every interval_s starts once the first answer says the job waits

    def __repr__(self) -> str:
        return f"WaitPanel(job={self.job!r})"

    def refresh(self) -> None:
        """Read the job's state and causes again (in the background)."""
        self._task.run(self._source.explain)

    def wait(self, timeout_s: float | None = 60.0) -> TaskState:
        return self._task.wait(timeout_s)

    def stop(self) -> None:
        """Stop refreshing (the panel keeps what it shows)."""
        self._stopped = True
        self._auto.stop()

    @property
    def refreshing(self) -> bool:
        """Whether the panel reads the job again every few seconds (it waits) — or is about to."""
        return self._auto.running or (not self._stopped and self.explanation is not None
                                      and self.explanation.waiting and not self._ended())

    def _refresh_and_wait(self) -> None:
        self.refresh()
        self._task.wait(None)

    def _ended(self) -> bool:
        return self.explanation is not None and not self.explanation.waiting

    def _on_state(self, state: TaskState) -> None:
        if state.status == "pending":
            if self.explanation is None:
                self._status.value = "<i>" + html.escape(_("Loading…")) + "</i>"
            return
        if state.status == "error":
            self.error = classify(state.error, _("job {name}").format(name=self.job))  # type: ignore[arg-type]
            self._status.value = error_line(self.error.message)
            if self.error.kind == "not-found":
                self._auto.stop()
            return
        if state.status != "finished":
            return
        self.error = None
        self.explanation = e = state.value
        self._badge.value = badge(status_label(e.status), _KINDS.get(e.status))
        if e.waiting:
            self._status.value = html.escape(_("Read again every few seconds until the job runs."))
        else:
            self._status.value = html.escape(_("The job is {status}: nothing to wait for.").format(
                status=status_label(e.status)))
        self._causes.value = causes_html(e)
        if e.waiting and not self._stopped and not self._auto.running:
            self._auto.start(*self._every, wait_first=True)
        if e.build_log is not None:
            self.log_view.widget.layout.display = ""
            self.log_view.follow(e.build_log, e.build_findings)

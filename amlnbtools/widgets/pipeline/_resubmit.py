"""Submitting a failed pipeline job again from its panel, after an explicit confirmation."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from amlnbtools.core.pipeline import is_terminal
from amlnbtools.i18n import _
from amlnbtools.sources.errors import classify
from amlnbtools.widgets._html import error_line
from amlnbtools.widgets._tasks import BackgroundTask, TaskState

__all__ = ["RERUN_FIXES", "ResubmitBox"]

#: Root causes a rerun of the same job can get past (transient service or capacity trouble).
RERUN_FIXES = frozenset({"node-preempted", "service-error-5xx", "service-unavailable-503", "gateway-timeout-504",
                         "operation-canceled", "auth-token-expired", "compute-target-error", "kubernetes-unreachable",
                         "dataset-mount-failed", "disk-full"})


class ResubmitBox:
    """Asks, then submits the panel's run again (its source's ``resubmit()``) and opens the new run below."""

    def __init__(self, panel: Any, open_panel: Any) -> None:
        self._panel = panel
        self._open_panel = open_panel  # source -> the panel of the new run
        self.new_panel: Any = None
        self._task = BackgroundTask(self._on_submitted)
        self._message = w.HTML()
        self._confirm = w.Button(description=_("Submit again"),
                                 tooltip=_("Submit the run again now"), icon="repeat", button_style="warning")
        self._cancel = w.Button(description=_("Cancel"), tooltip=_("Change nothing"), icon="times")
        self._confirm.on_click(lambda _b: self.confirm())
        self._cancel.on_click(lambda _b: self.cancel())
        self._buttons = w.HBox([self._confirm, self._cancel])
        self._new = w.VBox()
        self.widget = w.VBox([self._message, self._buttons, self._new])
        self._buttons.layout.display = "none"

    def ask(self) -> None:
        """Show what resubmitting does and the buttons (nothing is submitted yet)."""
        panel = self._panel
        summary = panel.summary
        if summary is None or not is_terminal(summary.status):
            self._say(_("The run has not ended: resubmit it once it has (or cancel it first). Nothing was submitted."))
            return
        if not callable(getattr(panel.source, "resubmit", None)):
            self._say(_("Only a run read from a workspace can be submitted again (a folder of logs cannot). Nothing "
                        "was submitted."))
            return
        cause = panel.root_cause.finding if panel.root_cause is not None else None
        if cause is None:
            note = ""
        elif cause.rule in RERUN_FIXES:
            note = _("A rerun may be all it needs: {title}.").format(title=cause.title)
        else:
            note = _("The cause found needs a change first ({title}): {remedy} Resubmit once you have changed it, or "
                     "the job will fail the same way.").format(title=cause.title, remedy=cause.remedy)
        extra = getattr(panel.source, "resubmit_note", None)
        self._say(" ".join(p for p in (_("Submit {name} again as a new job? Steps that completed are reused.").format(
            name=summary.name), extra if isinstance(extra, str) else "", note) if p))
        self._buttons.layout.display = ""

    def confirm(self) -> None:
        """Submit (what the button does): the new run opens below once it is created."""
        self._buttons.layout.display = "none"
        self._task.run(self._panel.source.resubmit)

    def cancel(self) -> None:
        self._buttons.layout.display = "none"
        self._say(_("Nothing was submitted."))

    def wait(self, timeout_s: float | None = 60.0) -> TaskState:
        return self._task.wait(timeout_s)

    def _say(self, text: str) -> None:
        self._message.value = html.escape(text)

    def _on_submitted(self, state: TaskState) -> None:
        if state.status == "pending":
            self._say(_("Submitting…"))
        elif state.status == "error":
            error = classify(state.error, _("the new submission"))  # type: ignore[arg-type]
            self._message.value = error_line(error.message)
        elif state.status == "finished":
            source = state.value
            self._say(_("Submitted as {name}.").format(name=getattr(source, "name", None) or source.label))
            self.new_panel = self._open_panel(source)
            self._new.children = (self.new_panel.widget,)

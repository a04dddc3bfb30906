"""The pipeline log panel: steps and timeline, the root cause of a failure, and each step's logs."""

from __future__ import annotations

import html
import threading
from pathlib import Path
from typing import Any

import ipywidgets as w

from amlnbtools.core.diagnosis.findings import Finding, Findings
from amlnbtools.core.pipeline import PipelineSummary, StepSummary, is_terminal, status_label
from amlnbtools.core.pipeline.cause import RootCause
from amlnbtools.figures.pipeline import pipeline_timeline
from amlnbtools.i18n import _, n_
from amlnbtools.sources._progress import reporting
from amlnbtools.sources.base import PipelineSource
from amlnbtools.sources.errors import SourceError, classify
from amlnbtools.sources.files.logfiles import diagnose_file
from amlnbtools.sources.pipeline.parallel import summarize_step
from amlnbtools.widgets._auto import AutoRefresh
from amlnbtools.widgets._buttons import refresh_buttons
from amlnbtools.widgets._figure import Chart
from amlnbtools.widgets._html import badge, error_line, findings_tip, remedy, warn_line
from amlnbtools.widgets._panel import Panel
from amlnbtools.widgets._progress import ProgressRow
from amlnbtools.widgets._tasks import BackgroundTask, TaskState
from amlnbtools.widgets._theme import MUTED, themed
from amlnbtools.widgets.logview import LogView
from amlnbtools.widgets.pipeline._follow import Following
from amlnbtools.widgets.pipeline._parts import (
    cause_html,
    load_run,
    parallel_run_html,
    status_kind,
    steps_frame,
    steps_table,
)
from amlnbtools.widgets.pipeline._resubmit import ResubmitBox
from amlnbtools.widgets.pipeline._tail import LiveTail
from amlnbtools.widgets.wait import causes_html

__all__ = ["PipelineLogsPanel"]



class PipelineLogsPanel(Following, Panel):
    """Steps, timeline, root cause and logs of one pipeline run; reads in the background.

    Public methods are the API: :meth:`refresh`, :meth:`wait`, :meth:`select_step`, :meth:`select_file`,
    :meth:`select_finding`, :meth:`show_root_cause`, :meth:`start_auto_refresh`, :meth:`stop_auto_refresh`,
    :meth:`follow`, :meth:`stop_following`, :meth:`steps_frame`.

    While the run is in progress the shown log is followed (:meth:`follow`): its new lines appear at the
    end of the view with their findings, until the step has ended.
    """

    def __init__(self, source: PipelineSource, *, refresh: bool = True) -> None:
        self.source = source
        self.summary: PipelineSummary | None = None
        self.root_cause: RootCause | None = None
        self.step: StepSummary | None = None
        self.file: str | None = None
        self.findings: Findings = Findings()
        self.error: SourceError | None = None
        self._auto = AutoRefresh(self._refresh_and_wait, self._run_ended,
                                 self._auto_running, name="amlnbtools-pipeline-refresh")
        self._run_task = BackgroundTask(self._on_run)
        self._log_task = BackgroundTask(self._on_log)
        self._log_progress = ProgressRow(on_cancel=self._log_cancelled)
        self._run_progress = ProgressRow()  # the failed steps' logs read for the root cause: stopping keeps the rest
        self._prs_task = BackgroundTask(self._on_parallel_run)
        self._wait_task = BackgroundTask(self._on_wait)
        self.wait_explanation: Any = None  # why the run does not run yet (sources that can tell)
        self.parallel_run: Any = None  # the ParallelRunSummary of the current step, when it is one
        self._quiet = False  # set while the panel itself changes a dropdown
        self._tail = LiveTail(self)
        self._follow_wanted = True  # the user has not switched following off
        self._resubmit = ResubmitBox(self, PipelineLogsPanel)

        self._title = w.HTML(f"<b>{html.escape(source.label)}</b>")
        self._state = w.HTML(badge(None))
        self._status = w.HTML()
        self._cause = w.HTML()
        self._wait_box = w.HTML()
        self._cause_button = w.Button(description=_("Show in log"),
                                      tooltip=_("Open the failing step's log at the line of the root cause"),
                                      icon="search", disabled=True,
                                      layout=w.Layout(width="auto", min_width="max-content", flex="0 0 auto"))
        self._refresh_button, self._auto_button, self._stop_button = refresh_buttons()
        self._follow_button = w.ToggleButton(description=_("Follow log"), icon="eye", value=False,
                                             tooltip=_("Show the new lines of this log as the job writes them"))
        self._table = w.HTML()
        self._timeline = Chart()
        self._step_box = w.Dropdown(options=[], description=_("Step"), layout=w.Layout(width="380px"))
        self._file_box = w.Dropdown(options=[], description=_("Log file"), layout=w.Layout(width="480px"))
        self._log_status = w.HTML()
        self._parallel = w.HTML()
        self._step_note = w.HTML()  # the warnings Azure ML recorded for the step
        self._findings_box = w.Select(options=[], rows=4, layout=w.Layout(width="100%"), tooltip=findings_tip())
        self._findings_lock = threading.RLock()  # the findings list, its options and the one chosen change together
        self._remedy = w.HTML()
        self.log_view = LogView()

        self._refresh_button.on_click(lambda _b: self.refresh())
        self._resubmit_button = w.Button(description=_("Resubmit…"),
                                         tooltip=_("Submit the run again, reusing completed steps (asks first)"),
                                         icon="repeat", disabled=True)
        self._resubmit_button.on_click(lambda _b: self.resubmit())
        self._auto_button.on_click(lambda _b: self.start_auto_refresh())
        self._stop_button.on_click(lambda _b: self.stop_auto_refresh())
        self._follow_button.observe(self._follow_toggled, names="value")
        self._cause_button.on_click(lambda _b: self.show_root_cause())
        self._step_box.observe(self._step_chosen, names="value")
        self._file_box.observe(self._file_chosen, names="value")
        self._findings_box.observe(lambda c: self.select_finding(c["new"]) if c["new"] is not None else None,
                                   names="value")
        overview = themed(w.Tab(children=[self._table, self._timeline.widget]))
        overview.titles = (_("Steps"), _("Timeline"))
        self.widget = w.VBox([
            w.HBox([self._title, self._state]), self._status, self._run_progress.widget,
            w.HBox([self._refresh_button, self._auto_button, self._stop_button, self._follow_button,
                    self._resubmit_button]), self._resubmit.widget,
            w.HBox([self._cause, self._cause_button]), self._wait_box, overview,
            w.HBox([self._step_box, self._file_box]), self._step_note, self._parallel, self._log_status,
            self._log_progress.widget, w.HTML("<b>" + html.escape(_("Findings")) + "</b>"), self._findings_box,
            self._remedy, self.log_view.widget])
        self._cause_button.layout.display = "none"
        if refresh:
            self.refresh()

    def __repr__(self) -> str:
        return f"PipelineLogsPanel(run={self.source.label!r})"

    # --- API ------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the run, its steps and the root cause again in the background (the latest refresh wins)."""
        cancel = self._run_progress.start(_("Reading the failed steps' logs:"))
        self._run_task.run(load_run, self.source, self._run_progress.count, cancel)

    def wait(self, timeout_s: float | None = 120.0) -> TaskState:
        """Block until the current refresh and log load are done (for scripts and tests)."""
        state = self._run_task.wait(timeout_s)
        self._log_task.wait(timeout_s)
        self._prs_task.wait(timeout_s)
        self._wait_task.wait(timeout_s)
        return state

    def select_step(self, key: str) -> StepSummary:
        """Show a step (by name or run id) and open its most relevant log file."""
        if self.summary is None:
            raise RuntimeError(_("The run is not loaded yet: wait for the panel, or call refresh()."))
        step = self.summary.step(key)
        if self.step is None or self.step.run_id != step.run_id:
            self.parallel_run = None
            self._parallel.value = ""
            self._prs_task.run(summarize_step, self.source, step)
        self.step = step
        self._step_note.value = "".join(
            warn_line(_("Azure ML warning: {message}").format(message=message))
            + "</div>" for message in step.warnings[:5])
        self._set_quietly(self._step_box, step.run_id)
        self._set_quietly(self._file_box, None, options=[(name, name) for name in step.log_files]
                          or [(_("(no log files)"), None)])
        if step.first_log is None:
            self.file = None
            message = _("Step {step} has no log files yet ({status}).").format(
                step=step.name, status=status_label(step.status))
            if not step.final:
                message += " " + _("Its logs appear once it starts: the panel follows the run while it is in "
                                   "progress (Follow log), or press Auto-refresh.")
            self._log_status.value = html.escape(message)
            return step
        self.select_file(step.first_log)
        return step

    def select_file(self, name: str, *, line: int | None = None) -> None:
        """Open one log file of the current step (fetched in the background); ``line`` is highlighted."""
        if self.step is None:
            raise RuntimeError(_("Choose a step first."))
        if name not in self.step.log_files:
            raise ValueError(_("Step {step} has no log file {name}: its files are {files}.").format(
                step=self.step.name, name=name, files=", ".join(self.step.log_files) or "-"))
        self.file = name
        self._set_quietly(self._file_box, name)
        cancel = self._log_progress.start(_("Downloading {name}:").format(name=name))
        self._log_task.run(self._load_log, self.step, name, line, cancel)

    def select_finding(self, index: int) -> Finding:
        """Show a finding's fix and highlight its line."""
        with self._findings_lock:
            finding = self.findings[index]
            self._set_quietly(self._findings_box, index)
        self.log_view.jump_to(finding.line)
        self._remedy.value = remedy(finding)
        return finding

    def show_root_cause(self) -> None:
        """Open the failing step's log at the root cause's line."""
        cause = self.root_cause
        if cause is None or self.summary is None:
            raise RuntimeError(_("No step failed in this run."))
        self.select_step(cause.step)
        if cause.file and cause.file in (self.step.log_files if self.step else ()):
            self.select_file(cause.file, line=cause.line)

    def resubmit(self) -> None:
        """Offer to submit the run again (SDK v2 jobs): a confirmation shows in the panel; nothing is submitted until
        "Submit again" is pressed. The new run opens below it."""
        self._resubmit.ask()

    def steps_frame(self) -> Any:
        """The step table as a pandas DataFrame (times in UTC, durations in seconds)."""
        if self.summary is None:
            raise RuntimeError(_("The run is not loaded yet: wait for the panel, or call refresh()."))
        return steps_frame(self.summary)

    def start_auto_refresh(self, interval_s: float = 30.0, max_refreshes: int = 120) -> None:
        """Refresh every ``interval_s`` until the run has ended, :meth:`stop_auto_refresh`, or the limit."""
        self._auto.start(interval_s, max_refreshes)

    def stop_auto_refresh(self) -> None:
        """Stop auto-refresh (a refresh already running still completes)."""
        self._auto.stop()

    @property
    def auto_refreshing(self) -> bool:
        return self._auto.running

    # --- internals ------------------------------------------------------------------------

    def _run_ended(self) -> bool:
        return self.summary is not None and is_terminal(self.summary.status)

    def _refresh_and_wait(self) -> None:
        self.refresh()
        self._run_task.wait(None)

    def _auto_running(self, running: bool) -> None:
        self._stop_button.disabled, self._auto_button.disabled = not running, running

    def _set_quietly(self, box: w.Widget, value: Any, options: list[tuple[str, Any]] | None = None) -> None:
        self._quiet = True
        try:
            if options is not None:
                box.options = options
            if value is not None and box.value != value:
                box.value = value
        finally:
            self._quiet = False

    def _step_chosen(self, change: dict[str, Any]) -> None:
        if not self._quiet and change["new"] is not None:
            self.select_step(change["new"])

    def _file_chosen(self, change: dict[str, Any]) -> None:
        if not self._quiet and change["new"] is not None:
            self.select_file(change["new"])

    def _on_run(self, state: TaskState) -> None:
        if state.status == "pending":
            self._status.value = "<i>" + html.escape(_("Loading…")) + "</i>"
            self._refresh_button.disabled = True
            return
        self._run_progress.finish()
        self._refresh_button.disabled = False
        if state.status == "error":
            self.error = classify(state.error, _("pipeline run {name}").format(name=self.source.label))  # type: ignore[arg-type]
            self._status.value = error_line(self.error.message)
            return
        if state.status != "finished":
            self._status.value = ""
            return
        self.error = None
        previous = self.step.run_id if self.step else None
        self.step = None  # read the step again: it may have changed
        self.summary, self.root_cause = state.value
        self._show_run(previous)

    def _show_run(self, previous: str | None) -> None:
        summary = self.summary
        assert summary is not None
        steps = summary.steps
        failed = len(summary.failed_steps)
        reused = sum(s.reused for s in steps)
        ident = "" if summary.run_id == summary.name else (
            f" <span style='color:{MUTED};font-size:12px'>{html.escape(summary.run_id)}</span>")
        self._title.value = f"<b>{html.escape(summary.name)}</b>{ident}"
        self._state.value = badge(status_label(summary.status), status_kind(summary.status))
        self._status.value = html.escape(" · ".join([
            n_("{count} step", "{count} steps", len(steps)).format(count=len(steps)),
            n_("{count} failed", "{count} failed", failed).format(count=failed),
            n_("{count} reused", "{count} reused", reused).format(count=reused)]))
        self._cause.value = cause_html(self.root_cause)
        self._resubmit_button.disabled = not is_terminal(summary.status) or summary.status == "completed"
        waiting = summary.status in ("not-started", "queued", "preparing")
        explain_wait = getattr(self.source, "explain_wait", None)  # sources that can tell why a run waits
        if waiting and callable(explain_wait):
            self._wait_task.run(explain_wait)
        elif not waiting:
            self.wait_explanation, self._wait_box.value = None, ""
        has_cause = self.root_cause is not None and self.root_cause.file is not None
        self._cause_button.layout.display = "" if has_cause else "none"
        self._cause_button.disabled = not has_cause
        self._table.value = steps_table(summary)
        self._timeline.show(pipeline_timeline(summary))
        self._set_quietly(self._step_box, None, options=[
            (f"{s.name} · {status_label(s.status)}", s.run_id) for s in steps] or [(_("(no steps)"), None)])
        if not steps:
            return
        keep = previous if previous in {s.run_id for s in steps} else None
        if self._keep_following(summary, keep):
            return
        if keep is None and self.root_cause is not None and self.root_cause.file:
            self.show_root_cause()
        else:
            self.select_step(keep or (summary.failed_steps[0].run_id if summary.failed_steps else steps[0].run_id))
        if not is_terminal(summary.status) and self._follow_wanted and not self._tail.running:
            self.follow()

    def _on_wait(self, state: TaskState) -> None:
        if state.status == "finished":
            self.wait_explanation = state.value
            self._wait_box.value = causes_html(state.value)

    def _on_parallel_run(self, state: TaskState) -> None:
        if state.status == "finished":
            self.parallel_run = state.value
            self._parallel.value = parallel_run_html(state.value)
        elif state.status == "error":
            self._parallel.value = ""

    def _load_log(self, step: StepSummary, name: str, line: int | None,
                  cancel: Any = None) -> tuple[str, Path, Findings, int | None]:
        with reporting(self._log_progress.bytes, cancel):  # a big log shows its bytes, and can be stopped
            path = self.source.fetch_log(step, name)
        return name, path, diagnose_file(path), line

    def _log_cancelled(self) -> None:
        self._log_task.cancel()
        self._log_status.value = html.escape(_("Download of {name} stopped: choose the file again to download it.")
                                             .format(name=self.file))

    def _on_log(self, state: TaskState) -> None:
        if state.status != "pending":
            self._log_progress.finish()
        if state.status == "pending":
            self._log_status.value = "<i>" + html.escape(_("Loading…")) + "</i>"
            return
        if state.status == "error":
            error = classify(state.error, _("log {name}").format(name=self.file))  # type: ignore[arg-type]
            self._log_status.value = error_line(error.message)
            return
        if state.status != "finished":
            return
        # two loads' callbacks may run at once (each on its own worker): the newest one alone shows its log
        with self._findings_lock:
            if self._log_task.state is not state:
                return
            name, path, findings, line = state.value
            self.log_view.set_file(path, findings=findings)
            self._show_findings(name, findings)
            if line is not None and 1 <= line <= self.log_view.line_count:
                primary = next((i for i, f in enumerate(findings) if f.line == line), None)
                if primary is not None:
                    self.select_finding(primary)
                else:
                    self.log_view.jump_to(line)
            elif findings:
                self.select_finding(0)

    def _show_findings(self, name: str, findings: Findings) -> None:
        self.findings = findings
        count = len(findings)
        self._log_status.value = html.escape(" · ".join([
            name, n_("{count} line", "{count} lines", self.log_view.line_count).format(count=self.log_view.line_count),
            n_("{count} finding", "{count} findings", count).format(count=count)]))
        self._set_quietly(self._findings_box, None, options=[
            (_("line {n}").format(n=f.line) + f" · {f.rule} · {f.title}", i) for i, f in enumerate(findings)]
            or [(_("No known failure found."), None)])
        self._remedy.value = ""

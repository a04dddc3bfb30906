"""Run a pipeline step on this machine before submitting it: the panel, and ``amlnbtools.run_step_locally``.

The panel shows the step, the inputs it gets, Run / Stop, the log as the script writes it (in the log view, with
findings), the outputs written and what the checks after the run found (outputs never created or empty, packages
the environment asks for that are missing here or at another version). ``exit_code``, ``findings``, ``outputs``,
``log`` and ``seconds`` are those of the last run (``wait()`` first).
"""

from __future__ import annotations

import html
import tempfile
import threading
from pathlib import Path
from typing import Any

import ipywidgets as w

from amlnbtools.core.diagnosis.findings import Finding, Findings
from amlnbtools.core.localrun.spec import StepSpec
from amlnbtools.i18n import _
from amlnbtools.sources.errors import SourceError, classify
from amlnbtools.sources.localrun.run import StepResult, map_inputs, run_step
from amlnbtools.widgets._findings import FindingsList
from amlnbtools.widgets._html import badge, error_line, table, warn_line
from amlnbtools.widgets._panel import Panel
from amlnbtools.widgets._tasks import BackgroundTask, TaskState
from amlnbtools.widgets._theme import MUTED
from amlnbtools.widgets._throttle import Throttle
from amlnbtools.widgets.logview import LogView
from amlnbtools.widgets.pipeline._parts import parallel_run_html

__all__ = ["LocalStepPanel", "run_step_locally"]


class LocalStepPanel(Panel):
    """One step run locally; :meth:`run`, :meth:`stop`, :meth:`wait`, :meth:`select_finding` are the API."""

    def __init__(self, step: StepSpec, inputs: dict[str, Any] | None = None, *, timeout_s: float = 600.0,
                 python: str | None = None, start: bool = True) -> None:
        self.step, self.inputs, self.timeout_s, self.python = step, dict(inputs or {}), timeout_s, python
        self.values = map_inputs(step, self.inputs)  # a wrong or missing input fails here, in the user's cell
        self.result: StepResult | None = None
        self.error: SourceError | None = None
        self._stop_event = threading.Event()
        self._folder: Path | None = None
        self._task = BackgroundTask(self._on_done)
        self._follow_soon = Throttle(self._follow, rate_hz=2)
        title = _("Local run of {step} ({kind})").format(step=step.name, kind=step.kind)
        self._title = w.HTML(f"<b>{html.escape(title)}</b>")
        self._state = w.HTML(badge(_("not run"), "neutral"))
        rows = [[name, value if value is not None else _("(no value: optional)")] for name, value in
                self.values.items()]
        self._inputs = w.HTML(table([_("Input"), _("Local value")], rows) if rows else "")
        self._run_button = w.Button(description=_("Run"), icon="play",
                                    tooltip=_("Run the step's command here, with these inputs"))
        self._stop_button = w.Button(description=_("Stop"), icon="stop", disabled=True,
                                     tooltip=_("Stop the step and everything it started"))
        self._run_button.on_click(lambda _b: self.run())
        self._stop_button.on_click(lambda _b: self.stop())
        self._status = w.HTML()
        self._checks = w.HTML()
        self._outputs = w.HTML()
        self._parallel = w.HTML()
        self.log_view = LogView()
        self._list = FindingsList(self.log_view, rows=3)
        self.widget = w.VBox([w.HBox([self._title, self._state]), self._inputs,
                              w.HBox([self._run_button, self._stop_button, self._status]), self._list.box,
                              self._list.remedy, self._parallel, self._checks, self._outputs,
                              self.log_view.widget])
        if start:
            self.run()

    def __repr__(self) -> str:
        if self.result is None:
            return f"LocalStepPanel({self.step.name!r})"
        return f"LocalStepPanel({self.step.name!r}, exit_code={self.result.exit_code!r})"

    # --- what a result has -----------------------------------------------------------------------------
    @property
    def exit_code(self) -> int | None:
        return None if self.result is None else self.result.exit_code

    @property
    def findings(self) -> Findings:
        return Findings() if self.result is None else self.result.findings

    @property
    def outputs(self) -> dict[str, list[Path]]:
        return {} if self.result is None else self.result.outputs

    @property
    def log(self) -> str:
        return "" if self.result is None else self.result.log_text()

    @property
    def seconds(self) -> float | None:
        return None if self.result is None else self.result.seconds

    # --- actions ---------------------------------------------------------------------------------------
    def run(self) -> None:
        """Run the step (in the background); a run in progress is stopped first."""
        self.stop()
        self._stop_event = stop = threading.Event()
        self._folder = folder = Path(tempfile.mkdtemp(prefix=f"amlnbtools-step-{self.step.name}-"))
        self._task.run(lambda: run_step(self.step, self.inputs, timeout_s=self.timeout_s, python=self.python,
                                        stop=stop, on_output=lambda _chunk: self._follow_soon(), folder=folder))

    def stop(self) -> None:
        """Stop the running step and every process it started."""
        self._stop_event.set()

    def wait(self, timeout_s: float | None = None) -> TaskState:
        state = self._task.wait(timeout_s if timeout_s is not None else self.timeout_s + 60)
        self.log_view.wait(60)
        return state

    def select_finding(self, index: int) -> Finding:
        return self._list.select(index)

    # --- internals -------------------------------------------------------------------------------------
    def _follow(self) -> None:
        folder = self._folder
        if folder is not None and (folder / "std_log.txt").is_file() and self._task.state.status == "pending":
            self.log_view.follow(folder / "std_log.txt")

    def _on_done(self, state: TaskState) -> None:
        if state.status == "pending":
            self._state.value = badge(_("running"), "info")
            self._status.value = "<i>" + html.escape(_("Running…")) + "</i>"
            self._run_button.disabled, self._stop_button.disabled = True, False
            self._list.clear()
            self._checks.value = self._parallel.value = ""
            return
        self._run_button.disabled, self._stop_button.disabled = False, True
        self._follow_soon.flush()
        if state.status == "error":
            self.error = classify(state.error, _("the local run of {step}").format(step=self.step.name))  # type: ignore[arg-type]
            self._state.value = badge(_("not run"), "error")
            self._status.value = error_line(self.error.message)
            return
        if state.status != "finished":
            return
        self.error = None
        self.result = result = state.value
        self.log_view.set_file(result.log, findings=result.findings, background=False)
        self._show(result)

    def _show(self, result: StepResult) -> None:
        if result.timed_out:
            self._state.value = badge(_("out of time"), "error")
            said = _("Stopped after {seconds:.0f} s (timeout_s): the step and what it started were ended; the log "
                     "keeps what it wrote.").format(seconds=result.seconds)
        elif result.stopped:
            self._state.value = badge(_("stopped"), "warn")
            said = _("Stopped by you after {seconds:.1f} s.").format(seconds=result.seconds)
        else:
            self._state.value = badge(_("exit code {code}").format(code=result.exit_code),
                                      "ok" if result.ok else "error")
            said = _("Ended in {seconds:.1f} s.").format(seconds=result.seconds)
        self._status.value = html.escape(said)
        self._list.show(result.findings)
        self._parallel.value = parallel_run_html(result.parallel) + (
            f"<div style='color:{MUTED};font-size:12px'>" + html.escape(_("The job's logs: {path}").format(
                path=result.workdir.parent / "logs")) + "</div>" if result.parallel else "")
        notes = [c.message for c in result.output_checks]
        notes += [m.message for m in result.packages]
        self._checks.value = "".join(warn_line(n) for n in notes)
        written = [f"<li><b>{html.escape(name)}</b>: " + (", ".join(html.escape(p.name) for p in files[:20])
                                                         + (" …" if len(files) > 20 else "")
                                                         if files else f"<span style='color:{MUTED}'>"
                                                         + html.escape(_("nothing")) + "</span>") + "</li>"
                   for name, files in result.outputs.items()]
        self._outputs.value = ("<b>" + html.escape(_("Outputs written")) + "</b><ul>" + "".join(written) + "</ul>"
                               if written else "")


def run_step_locally(step: Any, inputs: dict[str, Any] | None = None, *, timeout_s: float = 600.0,
                     python: str | None = None) -> LocalStepPanel:
    """Run a pipeline step's script on this machine before submitting it; returns its panel (``wait()``, then
    ``exit_code``, ``findings``, ``outputs``, ``log``, ``seconds``).

    ``step``: an SDK v2 command or parallel component, command job or parallel node (the azure-ai-ml object, or
    the path of its YAML), or an SDK v1 ``PythonScriptStep`` or ``ParallelRunStep`` (its ``PipelineData``,
    ``DataReference``, dataset and parameter arguments become inputs and outputs by name). A parallel step's entry
    script gets ``init()`` once and ``run(mini_batch)`` for each mini-batch of the input mapped to local files (or
    a CSV / Parquet file for tabular input), with its timeout, tries and error thresholds; ``result.parallel`` is
    the summary of the logs it wrote, as the pipeline panel gives for a run on Azure ML.
    ``inputs`` maps input names to local paths (data) or values; the step's own defaults and local paths fill the
    rest. Outputs are fresh locations that do not exist yet, as on Azure ML.
    """
    from amlnbtools.sources.localrun.v1 import v1_step
    from amlnbtools.sources.localrun.v2 import v2_step

    if isinstance(step, StepSpec):
        spec = step
    elif type(step).__module__.startswith("azureml.pipeline"):
        spec = v1_step(step)
    else:
        spec = v2_step(step)
    return LocalStepPanel(spec, inputs, timeout_s=timeout_s, python=python)

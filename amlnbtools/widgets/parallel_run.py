"""The ParallelRunStep form: one field per parameter, checked as you type, with the SDK v1 code to paste."""

from __future__ import annotations

import html
import os
from dataclasses import replace
from typing import Any

import ipywidgets as w

from amlnbtools.core.parallel_run import (
    FIELDS,
    LOG_LEVELS,
    OUTPUT_ACTIONS,
    ConfigIssue,
    check_parallel_run_config,
    form_snippet,
    form_texts,
    parse_form,
)
from amlnbtools.i18n import _, n_
from amlnbtools.widgets._html import badge
from amlnbtools.widgets._panel import Panel
from amlnbtools.widgets._tasks import BackgroundTask, TaskState
from amlnbtools.widgets._theme import fg, tint
from amlnbtools.widgets._throttle import Throttle

__all__ = ["ParallelRunConfigPanel"]

_KINDS = {"error": "error", "warning": "warn"}
_SCRIPT_PARAMETERS = ("init", "run")


def _labels() -> dict[str, str]:
    """Field labels in the active language (msgids are literal strings for the catalogue)."""
    return {
        "name": _("Step name"), "inputs": _("Input datasets"), "side_inputs": _("Side input datasets"),
        "output": _("Output name"), "arguments": _("Script arguments"), "allow_reuse": _("Reuse earlier results"),
        "entry_script": _("Entry script"), "source_directory": _("Source directory"),
        "mini_batch_size": _("Mini-batch size"), "dataset_type": _("Input kind"),
        "error_threshold": _("Error threshold"), "output_action": _("Output action"),
        "append_row_file_name": _("append_row file name"), "environment": _("Environment name"),
        "compute_target": _("Compute cluster name"), "node_count": _("Nodes"),
        "process_count_per_node": _("Processes per node"), "logging_level": _("Logging level"),
        "run_invocation_timeout": _("run() timeout (s)"), "run_max_try": _("run() tries per mini-batch"),
        "description": _("Description"),
    }


def _hints() -> dict[str, str]:
    """Placeholders: the accepted forms of each text field."""
    return {
        "name": _("3–32 characters: a-z, 0-9, -"), "inputs": _("dataset names, comma-separated"),
        "side_inputs": _("optional: dataset names, comma-separated"), "output": _("e.g. inferences"),
        "arguments": _("optional: --model-name mnist"), "entry_script": _("e.g. score.py"),
        "source_directory": _("optional: folder holding the entry script"),
        "mini_batch_size": _("files: 10 · tabular: 1024, 1024KB, 10MB, 1GB"),
        "error_threshold": _("-1 ignores all failures"), "append_row_file_name": _("parallel_run_step.txt"),
        "environment": _("a registered environment"), "compute_target": _("an AmlCompute cluster"),
        "node_count": _("1 or more"), "process_count_per_node": _("default 1: GPUs or cores per node"),
        "run_invocation_timeout": _("seconds, default 60"), "run_max_try": _("default 3"),
        "description": _("optional"),
    }


def _dropdown(options: list[tuple[str, Any]], value: Any, **kwargs: Any) -> w.Dropdown:
    """A dropdown that also shows a value outside its options (so that the check can report it)."""
    if value not in [v for _label, v in options]:
        options = options + [(str(value), value)]
    return w.Dropdown(options=options, value=value, **kwargs)


class ParallelRunConfigPanel(Panel):
    """A form for ParallelRunConfig and ParallelRunStep: live checks that name the fix, and the code.

    Pass the parameters as you would to the SDK (``name=``, ``entry_script=``, ``mini_batch_size=``,
    …, plus ``dataset_type="file" | "tabular"``); objects such as an ``Environment`` or datasets are
    shown by name. Parameters without a field are kept, checked and written into the code.
    ``script_path`` names an entry script file to check now (it is read in the background).

    Public API: :attr:`values`, :attr:`issues`, :attr:`snippet`, :meth:`set_values`,
    :meth:`check_script`, :meth:`refresh`, :meth:`wait`.
    """

    def __init__(self, *, script_path: str | os.PathLike[str] | None = None, **params: object) -> None:
        allow_reuse = params.get("allow_reuse", True)
        if not isinstance(allow_reuse, bool):
            raise ValueError(f"allow_reuse must be True or False, not {allow_reuse!r}")
        texts, self._extras = form_texts(params)
        self._form_issues: tuple[ConfigIssue, ...] = ()
        self._config_issues: tuple[ConfigIssue, ...] = ()
        self._script_issues: tuple[ConfigIssue, ...] = ()
        self._values: dict[str, object] = {}
        self._snippet = ""
        self._task = BackgroundTask(self._on_script)
        labels, hints = _labels(), _hints()
        style, box = {"description_width": "190px"}, w.Layout(width="480px")
        self._controls: dict[str, w.ValueWidget] = {}
        for field in FIELDS:
            common = {"description": labels[field], "style": style, "layout": box}
            if field == "allow_reuse":
                control = w.Checkbox(value=texts[field], indent=True, **common)
            elif field == "dataset_type":
                control = _dropdown([(_("FileDataset (files)"), "file"), (_("TabularDataset (rows)"), "tabular")],
                                    texts[field], **common)
            elif field == "output_action":
                control = _dropdown([(a, a) for a in OUTPUT_ACTIONS], texts[field], **common)
            elif field == "logging_level":
                control = _dropdown([(level, level) for level in LOG_LEVELS], texts[field], **common)
            else:
                control = w.Text(value=texts[field], placeholder=hints.get(field, ""), **common)
            self._controls[field] = control
        self._messages = {field: w.HTML(layout=w.Layout(margin="0 0 0 200px")) for field in FIELDS}
        self._summary = w.HTML()
        self._other = w.HTML()
        self._code = w.HTML()
        self._script_path = w.Text(value="" if script_path is None else os.fspath(script_path),
                                   description=_("Entry script file"), placeholder=_("path of the .py file to check"),
                                   continuous_update=False, style=style, layout=box)
        self._script_button = w.Button(description=_("Check script"),
                                       tooltip=_("Check that the entry script defines init() and run(mini_batch)"),
                                       icon="search")
        self._script_result = w.HTML()
        self._refresh_soon = Throttle(self.refresh, rate_hz=10)
        for control in self._controls.values():
            control.observe(lambda _c: self._refresh_soon(), names="value")
        self._script_button.on_click(lambda _b: self.check_script())
        self._script_path.observe(lambda c: self.check_script() if c["new"].strip() else None, names="value")

        def group(title: str, fields: tuple[str, ...]) -> w.VBox:
            rows: list[w.Widget] = [w.HTML("<b>" + html.escape(title) + "</b>")]
            for field in fields:
                rows += [self._controls[field], self._messages[field]]
            return w.VBox(rows)

        step_fields = FIELDS[:FIELDS.index("entry_script")]
        config_fields = FIELDS[FIELDS.index("entry_script"):]
        self.widget = w.VBox([
            w.HBox([w.HTML("<b>" + html.escape(_("ParallelRunStep settings")) + "</b>"), self._summary]),
            w.HBox([group(_("ParallelRunStep"), step_fields), group(_("ParallelRunConfig"), config_fields)]),
            self._other,
            w.HBox([self._script_path, self._script_button]), self._script_result,
            w.HTML(html.escape(_("Code for the SDK (v1):"))), self._code,
        ])
        self.refresh()
        if script_path is not None:
            self.check_script()

    def __repr__(self) -> str:
        errors = sum(i.severity == "error" for i in self.issues)
        warnings = len(self.issues) - errors
        return f"ParallelRunConfigPanel(name={self._controls['name'].value!r}, errors={errors}, warnings={warnings})"

    # --- API ------------------------------------------------------------------------------

    @property
    def values(self) -> dict[str, object]:
        """The parameters as the SDK takes them (objects known by name are :class:`Named`)."""
        return dict(self._values)

    @property
    def issues(self) -> tuple[ConfigIssue, ...]:
        """Every problem found: the form's, the parameters', the entry script's; errors first."""
        found = self._form_issues + self._config_issues + self._script_issues
        return tuple(sorted(found, key=lambda i: i.severity != "error"))

    @property
    def snippet(self) -> str:
        """The SDK v1 code for the current values."""
        return self._snippet

    def set_values(self, **params: object) -> None:
        """Change fields (SDK parameter names, as for the constructor) and check again at once."""
        if "allow_reuse" in params and not isinstance(params["allow_reuse"], bool):
            raise ValueError(f"allow_reuse must be True or False, not {params['allow_reuse']!r}")
        texts, extras = form_texts(params)
        for field in params:
            if field in self._controls:
                control = self._controls[field]
                value = texts[field]
                if isinstance(control, w.Dropdown) and value not in [v for _l, v in control.options]:
                    control.options = list(control.options) + [(str(value), value)]
                control.value = value
        self._extras.update(extras)
        self.refresh()

    def refresh(self) -> None:
        """Check the fields now and update the messages and the code (typing does this, rate-limited)."""
        texts = {field: control.value for field, control in self._controls.items()}
        values, self._form_issues = parse_form(texts)
        values.update(self._extras)
        self._values = values
        self._config_issues = check_parallel_run_config(**values)
        self._snippet = form_snippet(values)
        self._show()

    def check_script(self, path: str | os.PathLike[str] | None = None) -> None:
        """Check an entry script file in the background.

        The file is ``path``, else the entry script file field, else ``source_directory/entry_script``.
        """
        from amlnbtools.sources.files.entry_script import check_entry_script_file

        chosen = os.fspath(path) if path is not None else self._script_path.value.strip()
        if not chosen:
            entry = self._controls["entry_script"].value.strip()
            if not entry:
                self._script_issues = (ConfigIssue("entry_script", "error", _(
                    "Give the entry script file to check, or fill in Entry script first."), None),)
                self._show()
                return
            chosen = os.path.join(self._controls["source_directory"].value.strip(), entry)
        self._task.run(check_entry_script_file, chosen)

    def wait(self, timeout_s: float | None = 60.0) -> TaskState:
        """Block until the script check is done (for scripts and tests)."""
        return self._task.wait(timeout_s)

    # --- internals ------------------------------------------------------------------------

    def _on_script(self, state: TaskState) -> None:
        if state.status == "pending":
            self._script_result.value = badge(_("checking…"), "info")
            return
        if state.status == "error":
            self._script_issues = (ConfigIssue("entry_script", "error", str(state.error), None),)
        elif state.status == "finished":
            self._script_issues = tuple(state.value)
        else:
            return
        self._show()

    @staticmethod
    def _lines(issues: list[ConfigIssue]) -> str:
        return "".join(
            f"<div style='color:{fg(_KINDS.get(i.severity, 'neutral'))};font-size:12px;line-height:1.35;"
            f"margin:1px 0 3px 0'>{'✖' if i.severity == 'error' else '⚠'} {html.escape(i.message)}</div>"
            for i in issues)

    def _show(self) -> None:
        by_field: dict[str, list[ConfigIssue]] = {field: [] for field in FIELDS}
        other: list[ConfigIssue] = []
        for issue in self._form_issues + self._config_issues:
            by_field.get(issue.parameter, other).append(issue)
        for field, message in self._messages.items():
            message.value = self._lines(by_field[field])
        heading = html.escape(_("Other parameters"))
        self._other.value = f"<b>{heading}</b>{self._lines(other)}" if other else ""
        script = list(self._script_issues)
        if self._task.state.status in ("finished", "error") or script:
            rows = [replace(i, message=i.message + " (" + _("line {line}").format(line=i.line) + ")") if i.line else i
                    for i in script]
            self._script_result.value = self._lines(rows) if rows else badge(_("script looks right"), "ok")
        issues = self.issues
        errors = sum(i.severity == "error" for i in issues)
        warnings = len(issues) - errors
        if not issues:
            self._summary.value = badge(_("no problem found"), "ok")
        else:
            self._summary.value = badge(
                n_("{count} error", "{count} errors", errors).format(count=errors) + " · "
                + n_("{count} warning", "{count} warnings", warnings).format(count=warnings),
                "error" if errors else "warn")
        self._code.value = (f"<pre style='background:{tint('neutral', 10)};padding:8px;font-size:12px;user-select:text;"
                            f"white-space:pre-wrap'>{html.escape(self._snippet)}</pre>")

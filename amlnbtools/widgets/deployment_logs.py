"""The deployment log panel: a web service's (SDK v1) or an online deployment's (SDK v2) state, error, logs
and the diagnosis of both."""

from __future__ import annotations

import html
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import ipywidgets as w

from amlnbtools.core import Finding, diagnose
from amlnbtools.core.checks.build import find_build_log
from amlnbtools.core.diagnosis.merge import root_first
from amlnbtools.core.diagnosis.redact import redact
from amlnbtools.core.services import ServiceDetails, kubectl_commands
from amlnbtools.i18n import _, n_
from amlnbtools.sources.base import DeploymentSource
from amlnbtools.sources.errors import SourceError, classify
from amlnbtools.widgets._auto import AutoRefresh
from amlnbtools.widgets._bundle import write_bundle
from amlnbtools.widgets._buttons import refresh_buttons
from amlnbtools.widgets._html import badge, error_line, findings_tip, remedy
from amlnbtools.widgets._panel import Panel
from amlnbtools.widgets._tasks import BackgroundTask, TaskState
from amlnbtools.widgets._theme import style_widget, themed
from amlnbtools.widgets.logview import LogView
from amlnbtools.widgets.scoring import ScoringCheck

__all__ = ["DeploymentLogsPanel"]

TAIL_CHOICES = (100, 500, 1000, 5000)


class DeploymentLogsPanel(Panel):
    """State, error, logs and findings of one web service or ``endpoint/deployment``; refreshes in the background.

    For an online deployment the error is the one its last operation reported, the logs are the inference
    server's (or, with ``set_init(True)``, the storage initializer's), and the remedies speak of SDK v2.

    Public methods are the API: :meth:`refresh`, :meth:`wait`, :meth:`set_tail`, :meth:`set_init`,
    :meth:`select_finding`, :meth:`start_auto_refresh`, :meth:`stop_auto_refresh`, :meth:`export_bundle`, and
    for online deployments :meth:`send_request` / :meth:`wait_request`.
    """

    def __init__(self, source: DeploymentSource, name: str, *, tail_lines: int = 1000, refresh: bool = True) -> None:
        self.source = source
        self.name = name
        self.tail_lines = tail_lines
        self.init = False
        self.details: ServiceDetails | None = None
        self.logs = ""
        self.findings: list[tuple[str, Finding]] = []  # (origin: "logs" | "error", finding)
        self.error: SourceError | None = None
        self._auto = AutoRefresh(self._refresh_and_wait,
                                 lambda: self.details is not None and self.details.is_terminal, self._auto_running)
        self._task = BackgroundTask(self._on_state)
        self._export_task = BackgroundTask(self._on_export)

        self._title = w.HTML(f"<b>{html.escape(name)}</b>")
        self._state = w.HTML(badge(None))
        self._status = w.HTML()
        self._error_body = w.HTML()
        self._error_box = themed(w.Accordion(children=[self._error_body], titles=(_("Error reported by Azure ML"),)))
        self._tail = w.Dropdown(options=[(str(n), n) for n in TAIL_CHOICES], value=self._nearest_tail(tail_lines),
                                description=_("Last lines"), layout=w.Layout(width="170px"))
        self._init_box = w.Checkbox(value=False, description=_("Init container"), indent=False,
                                    layout=w.Layout(width="140px"))
        self._refresh_button, self._auto_button, self._stop_button = refresh_buttons()
        self._export_button = w.Button(description=_("Export bundle"),
                                       tooltip=_("Write logs, state and findings into a folder for a support request"),
                                       icon="download")
        self._build_button = w.Button(description=_("Build log"), icon="wrench",
                                      tooltip=_("Open the image build log the error names, read with your sign-in"))
        self._build_box = w.VBox()
        self.build_log_panel: Any = None
        self._findings_box = w.Select(options=[], rows=5, layout=w.Layout(width="100%"), tooltip=findings_tip())
        self._remedy = w.HTML()
        self._kubectl = w.Textarea(layout=w.Layout(width="100%", height="110px"), disabled=True)
        self._kubectl_box = themed(w.Accordion(children=[self._kubectl],
                                               titles=(_("Kubernetes events the logs do not show (kubectl)"),)))
        self.log_view = LogView()
        # online deployments (SDK v2): send a request and see what its status means
        self.scoring: ScoringCheck | None = None
        if hasattr(source, "score") and "/" in name:
            self.scoring = ScoringCheck(source, name, lambda: self.details)
        self._scoring_box = themed(w.Accordion(children=[self.scoring.widget] if self.scoring else [],
                                               titles=(_("Send a scoring request"),) if self.scoring else ()))

        self._tail.observe(lambda c: self.set_tail(c["new"]), names="value")
        self._init_box.observe(lambda c: self.set_init(c["new"]), names="value")
        self._refresh_button.on_click(lambda _b: self.refresh())
        self._auto_button.on_click(lambda _b: self.start_auto_refresh())
        self._stop_button.on_click(lambda _b: self.stop_auto_refresh())
        self._export_button.on_click(lambda _b: self._export_clicked())
        self._build_button.on_click(lambda _b: self.open_build_log())
        self._findings_box.observe(lambda c: self.select_finding(c["new"]) if c["new"] is not None else None,
                                   names="value")
        controls = w.HBox([self._tail, self._init_box, self._refresh_button, self._auto_button, self._stop_button,
                           self._export_button, self._build_button])
        self.widget = w.VBox([style_widget(), w.HBox([self._title, self._state]), self._status, self._error_box,
                              controls, w.HTML("<b>" + html.escape(_("Findings")) + "</b>"), self._findings_box,
                              self._remedy,
                              self.log_view.widget, self._build_box, self._kubectl_box, self._scoring_box])
        self._build_button.layout.display = "none"
        self._error_box.layout.display = "none"
        self._kubectl_box.layout.display = "none"
        self._scoring_box.layout.display = "" if self.scoring else "none"
        if refresh:
            self.refresh()

    def __repr__(self) -> str:
        return f"DeploymentLogsPanel(service={self.name!r})"

    # --- API ------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read state, error and logs again in the background (the latest refresh wins)."""
        self._task.run(self._fetch, self.tail_lines, self.init)

    def wait(self, timeout_s: float | None = 60.0) -> TaskState:
        """Block until the current refresh is done (for scripts and tests)."""
        return self._task.wait(timeout_s)

    def set_tail(self, lines: int) -> None:
        """How many of the last log lines to read; refreshes."""
        if not isinstance(lines, int) or lines <= 0:
            raise ValueError(f"tail lines must be a positive integer, not {lines!r}")
        self.tail_lines = lines
        self.refresh()

    def set_init(self, init: bool) -> None:
        """Show the init container's log instead of the service's; refreshes."""
        self.init = bool(init)
        if self._init_box.value != self.init:
            self._init_box.value = self.init
        self.refresh()

    def select_finding(self, index: int) -> Finding:
        """Show a finding's remedy and, for findings in the log, highlight its evidence line."""
        origin, finding = self.findings[index]
        if self._findings_box.value != index:
            self._findings_box.value = index
        if origin == "logs":
            self.log_view.jump_to(finding.line)
        else:
            self._error_box.selected_index = 0
        self._remedy.value = remedy(finding)
        return finding

    def start_auto_refresh(self, interval_s: float = 10.0, max_refreshes: int = 60) -> None:
        """Refresh every ``interval_s`` until the state is terminal, :meth:`stop_auto_refresh`, or the limit."""
        self._auto.start(interval_s, max_refreshes)

    def stop_auto_refresh(self) -> None:
        """Stop auto-refresh (a refresh already running still completes)."""
        self._auto.stop()

    def send_request(self, payload: str | dict[str, Any] | None = None) -> None:
        """Online deployments: send one scoring request in the background (``wait_request()`` waits for it);
        ``scoring.result`` and ``scoring.explanation`` then say what came back and what it means."""
        if self.scoring is None:
            raise RuntimeError(_("Sending a request from the panel works for SDK v2 online deployments."))
        self._scoring_box.selected_index = 0
        self.scoring.send(payload)

    def wait_request(self, timeout_s: float | None = 60.0) -> TaskState:
        """Block until the scoring request is answered (for scripts and tests)."""
        if self.scoring is None:
            raise RuntimeError(_("Sending a request from the panel works for SDK v2 online deployments."))
        return self.scoring.wait(timeout_s)

    def open_build_log(self) -> Any:
        """Open the image build log the deployment's error names (read with your sign-in) under the log."""
        from amlnbtools.sources.buildlogs import find_and_read
        from amlnbtools.widgets.build_log import BuildLogPanel

        self.build_log_panel = BuildLogPanel(self.name, lambda: find_and_read(self.source, self.name))
        self._build_box.children = (self.build_log_panel.widget,)
        return self.build_log_panel

    @property
    def kubectl_commands(self) -> list[str]:
        """For AKS services: commands that show Kubernetes events the logs cannot (empty otherwise)."""
        return kubectl_commands(self.details) if self.details is not None else []

    @property
    def auto_refreshing(self) -> bool:
        return self._auto.running

    def export_bundle(self, path: str | Path | None = None) -> Path:
        """Write the redacted diagnostic bundle (zip) and return its path."""
        if self.details is None:
            raise RuntimeError(_("Nothing to export yet: refresh first."))
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        safe = self.name.replace("/", "-")  # endpoint/deployment
        target = Path(path) if path is not None else Path.cwd() / f"amlnbtools-{safe}-{stamp}.zip"
        try:  # both logs, whichever one is on screen
            other = self.source.service_logs(self.name, num_lines=self.tail_lines, init=not self.init)
        except SourceError:
            other = None
        logs, init_logs = (other or "", self.logs) if self.init else (self.logs, other)
        return write_bundle(target, self.details, logs, init_logs, self.findings)

    # --- internals ------------------------------------------------------------------------

    def _refresh_and_wait(self) -> None:
        self.refresh()
        self.wait(None)

    def _auto_running(self, running: bool) -> None:
        self._stop_button.disabled, self._auto_button.disabled = not running, running

    def _fetch(self, tail_lines: int, init: bool) -> tuple[ServiceDetails, str]:
        details = self.source.service_details(self.name)
        return details, self.source.service_logs(self.name, num_lines=tail_lines, init=init)

    def _on_state(self, state: TaskState) -> None:
        if state.status == "pending":
            self._status.value = "<i>" + html.escape(_("Loading…")) + "</i>"
            self._refresh_button.disabled = True
            return
        self._refresh_button.disabled = False
        if state.status == "error":
            self.error = classify(state.error, _("service {name}").format(name=self.name))  # type: ignore[arg-type]
            self._status.value = error_line(self.error.message)
            return
        if state.status != "finished":
            self._status.value = ""
            return
        self.error = None
        self.details, self.logs = state.value
        self._show()

    def _show(self) -> None:
        d = self.details
        assert d is not None
        sdk = "v2" if d.is_v2 else "v1"
        log_findings = diagnose(self.logs, sdk=sdk)
        error_findings = diagnose(d.error_json, sdk=sdk) if d.error_json else ()
        self.findings = root_first([("error", error_findings), ("logs", log_findings)])
        self._state.value = badge(d.state)
        lines, count = len(self.logs.splitlines()), len(self.findings)
        self._status.value = html.escape(" · ".join([
            *self._describe(d),
            n_("{count} log line", "{count} log lines", lines).format(count=lines),
            n_("{count} finding", "{count} findings", count).format(count=count)]))
        if not d.is_terminal and not self._auto.running:  # still creating or updating: offer to follow it
            self._status.value += "<br><i>" + html.escape(_(
                "The state is {state}: it is still changing. Auto-refresh follows it until it settles.")
                .format(state=d.state or "?")) + "</i>"
        self._init_box.description = _("Storage initializer") if d.is_v2 else _("Init container")
        self._error_body.value = (f"<pre style='white-space:pre-wrap;font-size:12px'>"
                                  f"{html.escape(redact(d.error_json))}</pre>") if d.error_json else ""
        self._error_box.layout.display = "" if d.error_json else "none"
        where = {"error": _("Azure ML error"), "logs": _("line {n}")}
        options = [(f"{where[o].format(n=f.line)} · {f.rule} · {f.title}", i) for i, (o, f) in enumerate(self.findings)]
        self._findings_box.options = options or [(_("No known failure found."), None)]
        self.log_view.set_text(self.logs, marked_lines=[f for o, f in self.findings if o == "logs"])
        self._build_button.layout.display = "" if find_build_log(d.error_json or "") else "none"
        commands = kubectl_commands(d)
        self._kubectl.value = "\n".join(commands)
        self._kubectl_box.layout.display = "" if commands else "none"
        if self.findings:
            self.select_finding(0)

    @staticmethod
    def _describe(d: ServiceDetails) -> list[str]:
        if not d.is_v2:
            return [_("{kind} service").format(kind=d.summary.compute_type)]
        s = d.summary
        parts = [_("{kind} online deployment").format(kind=s.compute_type)]
        if s.traffic_percent is not None:
            parts.append(_("{percent} % of the endpoint's traffic").format(percent=s.traffic_percent))
        if s.instance_count is not None:
            parts.append(n_("{count} instance of {type}", "{count} instances of {type}", s.instance_count)
                         .format(count=s.instance_count, type=s.instance_type or "?"))
        return parts

    def _export_clicked(self) -> None:
        # export_bundle() reads the other log from Azure: never on the kernel thread
        self._export_task.run(self.export_bundle)

    def _on_export(self, state: TaskState) -> None:
        if state.status == "pending":
            self._export_button.disabled = True
            return
        self._export_button.disabled = False
        if state.status == "finished":
            self._status.value = html.escape(_("Bundle written to {path}").format(path=state.value))
        elif state.status == "error":
            self._status.value = error_line(str(state.error))

    @staticmethod
    def _nearest_tail(lines: int) -> int:
        return min(TAIL_CHOICES, key=lambda n: abs(n - lines))

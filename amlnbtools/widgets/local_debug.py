"""The local debugging panel: the real inference server on your score.py, its live log, requests."""

from __future__ import annotations

import html
import threading
from pathlib import Path

import ipywidgets as w

from amlnbtools.core.capacity.latency import LatencyStats
from amlnbtools.core.diagnosis.findings import Finding
from amlnbtools.i18n import _, n_
from amlnbtools.sources.errors import SourceError
from amlnbtools.sources.local_server import LocalInferenceServer, ScoreResult
from amlnbtools.widgets._figure import Chart
from amlnbtools.widgets._html import badge, error_line, findings_tip, remedy
from amlnbtools.widgets._panel import Panel
from amlnbtools.widgets._tasks import BackgroundTask, TaskState
from amlnbtools.widgets.logview import LogView

__all__ = ["LocalDebugPanel"]

DEFAULT_PAYLOAD = '{"data": [[80, 3, 10]]}'
LOG_POLL_S = 0.25  # at most 4 log updates a second


class LocalDebugPanel(Panel):
    """Start/stop the local inference server, watch its log with findings, send requests, measure latency.

    Public methods are the API: :meth:`start`, :meth:`stop`, :meth:`send`, :meth:`send_many`, :meth:`wait`.
    """

    def __init__(self, server: LocalInferenceServer, *, payload: str = DEFAULT_PAYLOAD) -> None:
        self.server = server
        self.error: SourceError | None = None
        self.findings: list[Finding] = []
        self.last_result: ScoreResult | None = None
        self.latency: LatencyStats | None = None
        self._lifecycle = BackgroundTask(self._on_lifecycle)
        self._requests = BackgroundTask(self._on_request)
        self._poll_stop = threading.Event()
        self._seen_log_version = -1

        name = html.escape(Path(server.entry_script).name)
        self._state = w.HTML(badge(_("stopped"), "neutral"))
        self._where = w.HTML()
        self._status = w.HTML()
        self._start_button = w.Button(description=_("Start"),
                                      tooltip=_("Start the local inference server on your score.py"), icon="play")
        self._stop_button = w.Button(description=_("Stop"),
                                     tooltip=_("Stop the local inference server"), icon="stop", disabled=True)
        self._findings_box = w.Select(options=[(_("No known failure found."), None)], rows=4,
                                      layout=w.Layout(width="100%"), tooltip=findings_tip())
        self._remedy = w.HTML()
        self.log_view = LogView(page_lines=150)
        self._payload = w.Textarea(value=payload, layout=w.Layout(width="100%", height="80px"))
        self._send_button = w.Button(description=_("Send"),
                                     tooltip=_("Send the request body to the local server"),
                                     icon="paper-plane", disabled=True)
        self._count = w.BoundedIntText(value=50, min=1, max=10_000, description=_("Requests"),
                                       layout=w.Layout(width="170px"))
        self._send_many_button = w.Button(description=_("Send N requests"),
                                          tooltip=_("Send N requests and measure how long they take"),
                                          icon="bar-chart", disabled=True)
        self._result = w.HTML()
        self._figure = Chart()
        self._start_button.on_click(lambda _b: self.start())
        self._stop_button.on_click(lambda _b: self.stop())
        self._send_button.on_click(lambda _b: self.send())
        self._send_many_button.on_click(lambda _b: self.send_many(self._count.value))
        self._findings_box.observe(lambda c: self.select_finding(c["new"]) if c["new"] is not None else None,
                                   names="value")
        heading = html.escape(_("Local inference server"))
        self.widget = w.VBox([
            w.HBox([w.HTML(f"<b>{heading}</b> · <code>{name}</code>"), self._state, self._where]),
            w.HBox([self._start_button, self._stop_button]), self._status,
            w.HTML("<b>" + html.escape(_("Findings")) + "</b>"), self._findings_box, self._remedy,
            self.log_view.widget,
            w.HTML("<b>" + html.escape(_("Request (JSON)")) + "</b>"), self._payload,
            w.HBox([self._send_button, self._count, self._send_many_button]), self._result, self._figure.widget])

    def __repr__(self) -> str:
        return f"LocalDebugPanel({Path(self.server.entry_script).name!r})"

    # --- API ------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the server in the background (its log shows up live)."""
        self._poll_stop = threading.Event()
        threading.Thread(target=self._poll_log, args=(self._poll_stop,), name="amlnbtools-log-poll",
                         daemon=True).start()
        self._lifecycle.run(self._start)

    def stop(self) -> None:
        """Stop the server and everything it started."""
        self._lifecycle.run(self._stop)

    def send(self, payload: str | None = None) -> None:
        """Send one request (the editor's JSON by default) in the background."""
        body = self._payload.value if payload is None else payload
        self._requests.run(lambda: ("one", self.server.score(body)))

    def send_many(self, count: int, payload: str | None = None) -> None:
        """Send ``count`` requests one after another and measure their latency."""
        if not isinstance(count, int) or count < 1:
            raise ValueError(f"count must be a positive integer, not {count!r}")
        body = self._payload.value if payload is None else payload

        def many() -> tuple[str, LatencyStats]:
            results = [self.server.score(body) for _ in range(count)]
            return "many", LatencyStats.from_results([(r.status, r.latency_ms) for r in results])

        self._requests.run(many)

    def wait(self, timeout_s: float | None = 120.0) -> TaskState:
        """Block until the running start/stop and request work is done (for scripts and tests)."""
        self._requests.wait(timeout_s)
        return self._lifecycle.wait(timeout_s)

    def select_finding(self, index: int) -> Finding:
        """Show a finding's remedy and highlight its line in the log."""
        finding = self.findings[index]
        if self._findings_box.value != index:
            self._findings_box.value = index
        if finding.line <= self.log_view.line_count:
            self.log_view.jump_to(finding.line)
        self._remedy.value = remedy(finding)
        return finding

    # --- internals ------------------------------------------------------------------------

    def _start(self) -> str:
        self.server.start()
        return "running"

    def _stop(self) -> str:
        self.server.stop()
        return "stopped"

    def _on_lifecycle(self, state: TaskState) -> None:
        running = state.status == "finished" and state.value == "running"
        if state.status == "pending":
            self._state.value = badge(_("starting or stopping…"), "info")
            self._start_button.disabled = self._stop_button.disabled = True
            return
        self.error = state.error if isinstance(state.error, SourceError) else (
            SourceError("unknown", str(state.error)) if state.error else None)
        if self.error is not None:
            self._state.value = badge(_("failed"), "error")
            self._status.value = error_line(self.error.message)
        else:
            self._state.value = badge(_("running"), "ok") if running else badge(_("stopped"), "neutral")
            self._status.value = ""
        self._where.value = f"<code>{html.escape(self.server.url)}</code>" if running else ""
        self._start_button.disabled = running
        self._stop_button.disabled = not running
        self._send_button.disabled = self._send_many_button.disabled = not running
        if not running:
            self._poll_stop.set()
        self._show_log(force=True)

    def _on_request(self, state: TaskState) -> None:
        if state.status == "pending":
            self._result.value = "<i>" + html.escape(_("Sending…")) + "</i>"
            return
        if state.status == "error":
            message = state.error.message if isinstance(state.error, SourceError) else str(state.error)
            self._result.value = error_line(message)
            return
        if state.status != "finished":
            return
        kind, value = state.value
        if kind == "one":
            self.last_result = value
            color = "ok" if value.ok else "error"
            self._result.value = (badge(f"HTTP {value.status}", color) + " " + html.escape(
                _("{ms:.1f} ms").format(ms=value.latency_ms)) +
                f"<pre style='white-space:pre-wrap;font-size:12px'>{html.escape(value.body[:20_000])}</pre>")
        else:
            self.latency = value
            self._show_latency(value)
        self._show_log(force=True)

    def _show_latency(self, stats: LatencyStats) -> None:
        if not stats.latencies_ms:
            self._result.value = html.escape(n_("The request failed: look at the log.",
                                                "All {count} requests failed: look at the log.",
                                                stats.count).format(count=stats.count))
            self._figure.clear()
            return
        from amlnbtools.figures.latency import latency_histogram

        self._result.value = html.escape(_("p50 {p50:.1f} ms · p95 {p95:.1f} ms · mean {mean:.1f} ms · {failures} "
                                           "failed").format(p50=stats.p50_ms, p95=stats.p95_ms, mean=stats.mean_ms,
                                                            failures=stats.failures))
        self._figure.show(latency_histogram(stats))

    def _poll_log(self, stop: threading.Event) -> None:
        while not stop.wait(LOG_POLL_S):
            self._show_log()

    def _show_log(self, force: bool = False) -> None:
        version = self.server.log_version
        if version == self._seen_log_version and not force:
            return
        self._seen_log_version = version
        text = self.server.log
        self.findings = list(self.server.findings())
        self.log_view.set_text(text, marked_lines=self.findings)
        line = _("line {n}")
        options = [(f"{line.format(n=f.line)} · {f.rule} · {f.title}", i) for i, f in enumerate(self.findings)]
        self._findings_box.options = options or [(_("No known failure found."), None)]

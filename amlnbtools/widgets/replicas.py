"""The replica calculator panel: the formula step by step, the queueing view, a simulated load, the code."""

from __future__ import annotations

import html
import math
from typing import Any

import ipywidgets as w

from amlnbtools.core.capacity.online import v2_code
from amlnbtools.core.capacity.replicas import replicas_for_rate_503, replicas_table
from amlnbtools.core.capacity.report import (
    ReplicaReport,
    autoscale_range,
    deploy_code,
    formula_lines,
    queueing_lines,
    replica_report,
)
from amlnbtools.i18n import _
from amlnbtools.sources.base import DeploymentSource
from amlnbtools.widgets._figure import Chart
from amlnbtools.widgets._html import badge, error_line
from amlnbtools.widgets._panel import Panel
from amlnbtools.widgets._tasks import BackgroundTask, TaskState
from amlnbtools.widgets._throttle import Throttle

__all__ = ["ReplicaCalculatorPanel"]

PATTERNS = ("steady", "diurnal", "spikes")
DURATIONS_S = (3600, 6 * 3600, 86400)
MAX_POINTS = 1500  # per simulated trace in the chart


class ReplicaCalculatorPanel(Panel):
    """Inputs → replicas (exact formula), 503 rate (M/M/c), a simulated load; code to paste or apply.

    Public methods are the API: :meth:`set_inputs`, :meth:`request_apply`, :meth:`confirm_apply`,
    :meth:`cancel_apply`, :meth:`wait`. ``report`` and ``simulation`` hold the latest results.
    """

    def __init__(self, *, target_rps: float = 20.0, request_seconds: float = 0.5, max_concurrent_requests: int = 1,
                 target_utilization: float = 0.7, max_request_wait_ms: float = 500.0, min_replicas: int = 1,
                 max_replicas: int = 10, startup_s: float = 30.0, source: DeploymentSource | None = None,
                 service: str | None = None) -> None:
        self.source, self.service = source, service
        self._v2 = service is not None and "/" in service  # a Kubernetes online deployment (SDK v2)
        self._timeout_ms: int | None = None  # its request_timeout_ms, once read
        self.report: ReplicaReport | None = None
        self.simulation: Any = None
        self.error: str | None = None
        self._task = BackgroundTask(self._on_task)
        style = {"description_width": "240px"}  # room for the longest label, in every language
        box = w.Layout(width="380px")
        self._inputs = {
            "target_rps": w.BoundedFloatText(target_rps, min=0.001, max=1e6, description=_("Requests per second"),
                                             style=style, layout=box),
            "request_seconds": w.BoundedFloatText(request_seconds, min=0.0001, max=3600, step=0.01,
                                                  description=_("Seconds per request"), style=style, layout=box),
            "max_concurrent_requests": w.BoundedIntText(max_concurrent_requests, min=1, max=1000,
                                                        description=_("Concurrent requests per replica"),
                                                        style=style, layout=box),
            "target_utilization": w.FloatSlider(target_utilization, min=0.05, max=1.0, step=0.05,
                                                readout_format=".0%", description=_("Target utilization"),
                                                style=style, layout=box),
            "max_request_wait_ms": w.BoundedFloatText(max_request_wait_ms, min=1, max=600_000,
                                                      description=_("Max queue wait (ms)"), style=style, layout=box),
            "min_replicas": w.BoundedIntText(min_replicas, min=1, max=1000, description=_("Min replicas"),
                                             style=style, layout=box),
            "max_replicas": w.BoundedIntText(max_replicas, min=1, max=1000, description=_("Max replicas"),
                                             style=style, layout=box),
            "startup_s": w.BoundedFloatText(startup_s, min=0, max=3600, description=_("Replica start-up (s)"),
                                            style=style, layout=box),
            "pattern": w.Dropdown(options=[(_("steady"), "steady"), (_("daily cycle"), "diurnal"),
                                           (_("spikes ×2"), "spikes")], value="spikes",
                                  description=_("Simulated load"), style=style, layout=box),
            "duration_s": w.Dropdown(options=[(_("1 hour"), 3600), (_("6 hours"), 21600), (_("1 day"), 86400)],
                                     value=3600, description=_("Simulated time"), style=style, layout=box),
        }
        self._formula = w.HTML()
        self._queueing = w.HTML()
        self._simulated = w.HTML()
        self._code = w.Textarea(layout=w.Layout(width="100%", height="70px"))
        self._status = w.HTML()
        self._apply_button = w.Button(description=_("Apply to deployment…") if self._v2 else _("Apply to service…"),
                                      tooltip=_("Change the settings to these (shows the change and asks first)"),
                                      icon="upload",
                                      disabled=source is None or service is None,
                                      layout=w.Layout(width="auto", min_width="max-content", flex="0 0 auto"))
        self._confirm_button = w.Button(description=_("Confirm"),
                                        tooltip=_("Apply the change shown"), button_style="danger", icon="check")
        self._cancel_button = w.Button(description=_("Cancel"), tooltip=_("Change nothing"))
        self._confirm_row = w.HBox([w.HTML(), self._confirm_button, self._cancel_button],
                                   layout=w.Layout(display="none"))
        self.rps_chart = Chart()
        self.simulation_chart = Chart()
        self._recompute_soon = Throttle(self._recompute, rate_hz=10)
        for control in self._inputs.values():
            control.observe(lambda _c: self._recompute_soon(), names="value")
        self._apply_button.on_click(lambda _b: self.request_apply())
        self._confirm_button.on_click(lambda _b: self.confirm_apply())
        self._cancel_button.on_click(lambda _b: self.cancel_apply())
        inputs = w.VBox(list(self._inputs.values()), layout=w.Layout(flex="0 0 390px"))
        results = w.VBox([self._formula, self._queueing, self._simulated], layout=w.Layout(flex="1 1 auto"))
        self.widget = w.VBox([w.HTML("<b>" + html.escape(_("Replica calculator")) + "</b>"),
                              w.HBox([inputs, results]), self.rps_chart.widget, self.simulation_chart.widget,
                              w.HTML(html.escape(_("Code for the SDK (v2):") if self._v2
                                                 else _("Code for the SDK (v1):"))),
                              self._code,
                              w.HBox([self._apply_button, self._status]), self._confirm_row])
        self._recompute()
        if source is not None and service is not None:
            self._task.run(lambda: ("settings", source.service_details(service)))

    def __repr__(self) -> str:
        return f"ReplicaCalculatorPanel(service={self.service!r})"

    # --- API ------------------------------------------------------------------------------

    @property
    def inputs(self) -> dict[str, Any]:
        values = {name: control.value for name, control in self._inputs.items()}
        # a slider's value drifts in binary (0.7000000000000001): take the step the user chose
        values["target_utilization"] = round(values["target_utilization"], 4)
        return values

    def set_inputs(self, **values: Any) -> None:
        """Change inputs (names as in :attr:`inputs`) and recompute at once; ValueError for unknown names."""
        unknown = sorted(set(values) - set(self._inputs))
        if unknown:
            raise ValueError(f"unknown inputs {unknown}: use {', '.join(self._inputs)}")
        for name, value in values.items():
            self._inputs[name].value = value
        self._recompute()  # now, not at the throttle's pace (a later throttled run computes the same)

    def request_apply(self) -> None:
        """Show what would change on the service and ask for confirmation (nothing is changed yet)."""
        if self.source is None or self.service is None or self.report is None:
            raise RuntimeError(_("No service to apply to: open the calculator with a service."))
        min_r, max_r, percent = self._to_apply()
        self._confirm_row.children[0].value = html.escape(_(
            "Set the autoscaler of {service} to min {min} and max {max} replicas at {percent} % target utilization?"
        ).format(service=self.service, min=min_r, max=max_r, percent=percent))
        self._confirm_row.layout.display = ""

    def confirm_apply(self) -> None:
        """Apply the recommended autoscaler settings to the service (after :meth:`request_apply`)."""
        if self._confirm_row.layout.display == "none":
            raise RuntimeError(_("Nothing to confirm: press Apply to service… first."))
        self._confirm_row.layout.display = "none"
        min_r, max_r, percent = self._to_apply()
        source, service = self.source, self.service
        assert source is not None and service is not None
        if self._v2:
            self._task.run(lambda: ("applied", source.update_capacity(  # type: ignore[attr-defined]
                service, scale=(min_r, max_r, percent))))
            return
        self._task.run(lambda: ("applied", source.update_autoscale(  # type: ignore[attr-defined]
            service, min_replicas=min_r, max_replicas=max_r, target_utilization_percent=percent)))

    def cancel_apply(self) -> None:
        self._confirm_row.layout.display = "none"

    def wait(self, timeout_s: float | None = 60.0) -> TaskState:
        return self._task.wait(timeout_s)

    # --- internals ------------------------------------------------------------------------

    def _to_apply(self) -> tuple[int, int, int]:
        assert self.report is not None
        low, high = autoscale_range(self.report.replicas, int(self._inputs["min_replicas"].value),
                                    int(self._inputs["max_replicas"].value))
        return low, high, round(self.report.target_utilization * 100)

    def _recompute(self) -> None:
        v = self.inputs
        try:
            self.report = replica_report(v["target_rps"], v["request_seconds"], v["max_concurrent_requests"],
                                         v["target_utilization"], v["max_request_wait_ms"])
        except ValueError as exc:
            self.error = str(exc)
            self._formula.value = error_line(self.error)
            return
        self.error = None
        rep = self.report
        self._formula.value = "<br>".join(html.escape(line) for line in formula_lines(rep))
        self._queueing.value = "<br>".join(html.escape(line) for line in queueing_lines(rep))
        if self._v2:
            low, high = autoscale_range(rep.replicas, int(v["min_replicas"]), int(v["max_replicas"]))
            endpoint, _sep, name = (self.service or "/").partition("/")
            self._code.value = v2_code(endpoint, name, low, rep.max_concurrent_requests, int(self._timeout_ms or 5000),
                                       scale=(low, high, round(rep.target_utilization * 100)))
        else:
            self._code.value = deploy_code(rep, min_replicas=int(v["min_replicas"]),
                                           max_replicas=int(v["max_replicas"]))
        self._update_rps_chart(rep)
        self._simulate(rep, v)

    def _update_rps_chart(self, rep: ReplicaReport) -> None:
        from amlnbtools.figures.replicas import replicas_vs_rps

        top = max(rep.target_rps * 2, 1.0)
        rps = [top * i / 40 for i in range(1, 41)]
        table = replicas_table(rps, rep.request_seconds, rep.max_concurrent_requests, rep.target_utilization)
        wait_s = rep.max_request_wait_ms / 1000
        queueing = [replicas_for_rate_503(x, rep.request_seconds, 0.01, rep.max_concurrent_requests, wait_s)
                    for x in rps]
        fresh = replicas_vs_rps(table, queueing, rep.target_rps, rep.replicas)
        self.rps_chart.show(fresh)

    def _simulate(self, rep: ReplicaReport, v: dict[str, Any]) -> None:
        from amlnbtools.core.capacity import load
        from amlnbtools.core.capacity.autoscale import AutoscaleConfig, simulate
        from amlnbtools.figures.replicas import simulation_figure

        seconds, rps = int(v["duration_s"]), float(v["target_rps"])
        if v["pattern"] == "steady":
            trace = load.steady(rps, seconds)
        elif v["pattern"] == "diurnal":
            trace = load.diurnal(rps * 0.5, rps, seconds=seconds, seed=0, start_s=43_200 - seconds // 2)  # the peak
        else:
            trace = load.spikes(rps, 2 * rps, every_s=min(900, seconds // 4), spike_s=120, seconds=seconds, seed=0)
        try:
            config = AutoscaleConfig(min_replicas=int(v["min_replicas"]),
                                     max_replicas=max(int(v["min_replicas"]), int(v["max_replicas"])),
                                     target_utilization=float(v["target_utilization"]), startup_s=float(v["startup_s"]),
                                     max_concurrent_requests=int(v["max_concurrent_requests"]),
                                     max_request_wait_s=float(v["max_request_wait_ms"]) / 1000)
        except ValueError as exc:
            self._simulated.value = error_line(str(exc))
            return
        self.simulation = result = simulate(trace, rep.request_seconds, config, seed=0)
        series = result.resampled(max(1, math.ceil(len(result.series) / MAX_POINTS)))
        self.simulation_chart.show(simulation_figure(series))
        self._simulated.value = html.escape(_(
            "Simulated: {r503:.2f} % answered 503, {r504:.2f} % answered 504, {hours:.1f} replica-hours.").format(
            r503=100 * result.rate_503, r504=100 * result.rate_504, hours=result.replica_seconds / 3600))

    def _on_task(self, state: TaskState) -> None:
        if state.status == "pending":
            self._status.value = badge(_("working…"), "info")
            return
        if state.status == "error":
            self.error = getattr(state.error, "message", str(state.error))
            self._status.value = error_line(self.error)
            return
        if state.status != "finished":
            return
        kind, details = state.value
        scaler = details.autoscale
        if self._v2 and details.scoring_timeout_ms:
            self._timeout_ms = int(details.scoring_timeout_ms)
        if kind == "settings" and scaler is not None:
            self.set_inputs(min_replicas=scaler.min_replicas, max_replicas=scaler.max_replicas,
                            target_utilization=scaler.target_utilization_percent / 100,
                            **({"max_request_wait_ms": float(details.max_request_wait_time_ms)}
                               if details.max_request_wait_time_ms else {}),
                            **({"max_concurrent_requests": int(details.max_concurrent_requests)}
                               if details.max_concurrent_requests else {}))
            self._status.value = html.escape(_("Current settings of {service} loaded.").format(service=self.service))
        elif kind == "applied":
            self._status.value = badge(_("applied"), "ok") + " " + html.escape(
                _("{service}: min {min}, max {max} replicas, target {percent} %.").format(
                    service=self.service, min=scaler.min_replicas, max=scaler.max_replicas,
                    percent=scaler.target_utilization_percent))

"""The capacity panel of an online deployment (SDK v2): instances for a load, the 429 threshold, 429 and 408
rates at the load and on a simulated trace, the azure-ai-ml code, and applying it after a confirmation."""

from __future__ import annotations

import html
import math
from typing import Any

import ipywidgets as w

from amlnbtools.core.capacity.online import OnlineCapacity, TraceRates, online_capacity, play, v2_code
from amlnbtools.core.services import ServiceDetails
from amlnbtools.i18n import _, n_
from amlnbtools.widgets._figure import Chart
from amlnbtools.widgets._html import badge, error_line
from amlnbtools.widgets._panel import Panel
from amlnbtools.widgets._tasks import BackgroundTask, TaskState
from amlnbtools.widgets._theme import fg
from amlnbtools.widgets._throttle import Throttle

__all__ = ["OnlineCapacityPanel"]

MAX_POINTS = 1500  # of the trace in the chart


def _pct(value: float) -> str:
    return f"{100 * value:.2f} %"


class OnlineCapacityPanel(Panel):
    """Inputs → instances (formula), the 429 threshold, 429 / 408 rates; code to paste or apply.

    With ``source`` and ``deployment`` (``endpoint/deployment``) the current settings are read in the
    background and "Apply to deployment…" becomes available. Public methods: :meth:`set_inputs`,
    :meth:`request_apply`, :meth:`confirm_apply`, :meth:`cancel_apply`, :meth:`wait`; ``capacity`` and
    ``trace`` hold the latest results, ``details`` the deployment's settings once read.
    """

    def __init__(self, *, target_rps: float = 20.0, request_seconds: float = 0.2, max_concurrent_requests: int = 1,
                 target_utilization: float = 0.7, instances: int = 1, request_timeout_ms: int = 5000,
                 source: Any = None, deployment: str | None = None) -> None:
        self.source, self.deployment = source, deployment
        self.capacity: OnlineCapacity | None = None
        self.trace: TraceRates | None = None
        self.details: ServiceDetails | None = None
        self.error: str | None = None
        self._task = BackgroundTask(self._on_task)
        self._quota_task = BackgroundTask(self._on_quota)
        self.quota: Any = None  # the QuotaReport of the proposed instances, once Apply was asked for
        style, box = {"description_width": "260px"}, w.Layout(width="400px")
        self._inputs: dict[str, w.ValueWidget] = {
            "target_rps": w.BoundedFloatText(target_rps, min=0.001, max=1e6, description=_("Requests per second"),
                                             style=style, layout=box),
            "request_seconds": w.BoundedFloatText(request_seconds, min=0.0001, max=180, step=0.01,
                                                  description=_("Seconds per request"), style=style, layout=box),
            "max_concurrent_requests": w.BoundedIntText(max_concurrent_requests, min=1, max=1000,
                                                        description="max_concurrent_requests_per_instance",
                                                        style=style, layout=box),
            "target_utilization": w.FloatSlider(target_utilization, min=0.05, max=1.0, step=0.05, readout_format=".0%",
                                                description=_("Target utilization"), style=style, layout=box),
            "instances": w.BoundedIntText(instances, min=1, max=1000, description="instance_count", style=style,
                                          layout=box),
            "request_timeout_ms": w.BoundedIntText(request_timeout_ms, min=1, max=180_000,
                                                   description="request_timeout_ms", style=style, layout=box),
            "pattern": w.Dropdown(options=[(_("steady"), "steady"), (_("daily cycle"), "diurnal"),
                                           (_("spikes ×2"), "spikes")], value="spikes",
                                  description=_("Simulated load"), style=style, layout=box),
        }
        self._summary = w.HTML()
        self._code = w.Textarea(layout=w.Layout(width="100%", height="110px"))
        self._status = w.HTML()
        self._apply_button = w.Button(description=_("Apply to deployment…"),
                                      tooltip=_("Change the deployment to these settings (asks first)"),
                                      icon="upload",
                                      disabled=source is None or deployment is None,
                                      layout=w.Layout(width="auto", min_width="max-content", flex="0 0 auto"))
        self._confirm_button = w.Button(description=_("Confirm"),
                                        tooltip=_("Apply the change shown"), button_style="danger", icon="check")
        self._cancel_button = w.Button(description=_("Cancel"), tooltip=_("Change nothing"))
        self._confirm_row = w.HBox([w.HTML(), self._confirm_button, self._cancel_button],
                                   layout=w.Layout(display="none"))
        self._quota_line = w.HTML()
        self.trace_chart = Chart()
        self._recompute_soon = Throttle(self._recompute, rate_hz=10)
        for control in self._inputs.values():
            control.observe(lambda _c: self._recompute_soon(), names="value")
        self._apply_button.on_click(lambda _b: self.request_apply())
        self._confirm_button.on_click(lambda _b: self.confirm_apply())
        self._cancel_button.on_click(lambda _b: self.cancel_apply())
        title = _("Capacity of an online deployment") + (f" · {deployment}" if deployment else "")
        self.widget = w.VBox([w.HTML("<b>" + html.escape(title) + "</b>"),
                              w.HBox([w.VBox(list(self._inputs.values()), layout=w.Layout(flex="0 0 410px")),
                                      self._summary]), self.trace_chart.widget,
                              w.HTML(html.escape(_("Code for the SDK (v2):"))), self._code,
                              w.HBox([self._apply_button, self._status]), self._confirm_row, self._quota_line])
        self._recompute()
        if source is not None and deployment is not None:
            self._task.run(lambda: ("settings", source.service_details(deployment)))

    def __repr__(self) -> str:
        return f"OnlineCapacityPanel(deployment={self.deployment!r})"

    # --- API ------------------------------------------------------------------------------

    @property
    def inputs(self) -> dict[str, Any]:
        values = {name: control.value for name, control in self._inputs.items()}
        values["target_utilization"] = round(values["target_utilization"], 4)
        return values

    def set_inputs(self, **values: Any) -> None:
        """Change inputs (names as in :attr:`inputs`) and recompute at once; ValueError for unknown names."""
        unknown = sorted(set(values) - set(self._inputs))
        if unknown:
            raise ValueError(f"unknown inputs {unknown}: use {', '.join(self._inputs)}")
        for name, value in values.items():
            self._inputs[name].value = value
        self._recompute()

    @property
    def proposed_instances(self) -> int | None:
        """What the code and Apply set: the formula's instances, or the input count if that is higher."""
        cap = self.capacity
        return None if cap is None else max(cap.instances_needed, cap.instances)

    def request_apply(self) -> None:
        """Show what would change on the deployment and ask for confirmation (nothing is changed yet)."""
        if self.source is None or self.deployment is None or self.capacity is None:
            raise RuntimeError(_("No deployment to apply to: open the calculator with a deployment."))
        v = self.inputs
        self._confirm_row.children[0].value = html.escape(_(
            "Set {deployment} to {instances} instances, {concurrent} concurrent requests per instance and a "
            "{timeout} ms request timeout?").format(deployment=self.deployment, instances=self.proposed_instances,
                                                   concurrent=v["max_concurrent_requests"],
                                                   timeout=v["request_timeout_ms"]))
        self._confirm_row.layout.display = ""
        v2 = self.source if type(self.source).__name__ == "AzureMLV2Source" else getattr(self.source, "v2", None)
        instance_type = getattr(getattr(self.details, "summary", None), "instance_type", None)
        if v2 is not None and instance_type and self.proposed_instances:  # the quota pre-flight of the new count
            from amlnbtools.sources.azureml_v2.quota import check_quota

            location = getattr(getattr(self.source, "info", None), "location", None)
            now = int(getattr(getattr(self.details, "summary", None), "instance_count", 0) or 0)
            count = self.proposed_instances
            self._quota_task.run(lambda: check_quota(v2, instance_type=instance_type, count=count, kind="online",
                                                     location=location, current=now))

    def confirm_apply(self) -> None:
        """Apply the inputs to the deployment (after :meth:`request_apply`); the operation is started, not awaited."""
        if self._confirm_row.layout.display == "none":
            raise RuntimeError(_("Nothing to confirm: press Apply to deployment… first."))
        self._confirm_row.layout.display = "none"
        v, source, deployment, count = self.inputs, self.source, self.deployment, self.proposed_instances
        self._task.run(lambda: ("applied", source.update_capacity(
            deployment, instance_count=count, max_concurrent_requests=int(v["max_concurrent_requests"]),
            request_timeout_ms=int(v["request_timeout_ms"]))))

    def cancel_apply(self) -> None:
        self._confirm_row.layout.display = "none"

    def wait(self, timeout_s: float | None = 60.0) -> TaskState:
        self._quota_task.wait(timeout_s)
        return self._task.wait(timeout_s)

    def _on_quota(self, state: TaskState) -> None:
        if state.status == "finished":
            self.quota = report = state.value
            color = fg("error") if report.enough is False else "inherit"
            advice = (" " + report.advice[0]) if report.enough is False and report.advice else ""
            self._quota_line.value = f"<span style='color:{color}'>{html.escape(report.summary() + advice)}</span>"
        elif state.status == "error":
            self._quota_line.value = html.escape(_("Quota not checked: {reason}").format(
                reason=getattr(state.error, "message", state.error)))

    # --- internals ------------------------------------------------------------------------

    def _recompute(self) -> None:
        v = self.inputs
        try:
            self.capacity = cap = online_capacity(
                v["target_rps"], v["request_seconds"], int(v["max_concurrent_requests"]), v["target_utilization"],
                int(v["request_timeout_ms"]), instances=int(v["instances"]))
        except ValueError as exc:
            self.error = str(exc)
            self._summary.value = error_line(self.error)
            return
        self.error = None
        self.trace = self._play(cap, v["pattern"])
        lines = [
            _("instances = ⌈{rps} × {seconds} ÷ {u} ÷ {m}⌉ = {n} for {rps} requests a second").format(
                rps=v["target_rps"], seconds=v["request_seconds"], u=v["target_utilization"],
                m=cap.max_concurrent_requests, n=cap.instances_needed),
            n_("With {n} instance the deployment holds {limit} requests (2 × {m} × {n}); the next get HTTP 429.",
               "With {n} instances the deployment holds {limit} requests (2 × {m} × {n}); the next get HTTP 429.",
               cap.instances).format(n=cap.instances, limit=cap.pending_limit, m=cap.max_concurrent_requests),
            _("At {rps} requests a second: {r429} answered 429, {r408} answered 408 (longer than {timeout} ms).")
            .format(rps=v["target_rps"], r429=_pct(cap.rate_429), r408=_pct(cap.rate_408),
                    timeout=cap.request_timeout_ms),
            (_("Fewest instances for at most 1 % of 429s and 408s: {n}.").format(n=cap.instances_for_1pct)
             if cap.instances_for_1pct else _("More than 500 instances would be needed for at most 1 % of errors.")),
            _("On the simulated load: {r429} answered 429, {r408} answered 408.").format(
                r429=_pct(self.trace.rate_429), r408=_pct(self.trace.rate_408)),
            _("Proposed: {n} instances (the formula, or your count if higher), in the code below.").format(
                n=self.proposed_instances),
        ]
        self._summary.value = "<br>".join(html.escape(line) for line in lines)
        endpoint, _sep, name = (self.deployment or "<endpoint>/<deployment>").partition("/")
        self._code.value = v2_code(endpoint, name, self.proposed_instances or cap.instances,
                                   cap.max_concurrent_requests, cap.request_timeout_ms)

    def _play(self, cap: OnlineCapacity, pattern: str) -> TraceRates:
        from amlnbtools.core.capacity import load
        from amlnbtools.figures.replicas import online_trace_figure

        rps, seconds = float(cap.target_rps), 3600
        if pattern == "steady":
            trace = load.steady(rps, seconds)
        elif pattern == "diurnal":
            trace = load.diurnal(rps * 0.5, rps, seconds=seconds, seed=0, start_s=43_200 - seconds // 2)
        else:
            trace = load.spikes(rps, 2 * rps, every_s=900, spike_s=120, seconds=seconds, seed=0)
        result = play(trace, cap.request_seconds, cap.instances, cap.max_concurrent_requests, cap.request_timeout_ms)
        step = max(1, math.ceil(len(result.series) / MAX_POINTS))
        series = result.series.groupby(result.series.index // step * step).mean()
        fresh = online_trace_figure(series)
        self.trace_chart.show(fresh)
        return result

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
        self.details = details
        values: dict[str, Any] = {}
        if details.summary.instance_count:
            values["instances"] = int(details.summary.instance_count)
        if details.max_concurrent_requests:
            values["max_concurrent_requests"] = int(details.max_concurrent_requests)
        if details.scoring_timeout_ms:
            values["request_timeout_ms"] = int(details.scoring_timeout_ms)
        if kind == "settings":
            self.set_inputs(**values)
            note = _("Current settings of {deployment} loaded.").format(deployment=self.deployment)
            if details.is_kubernetes:
                note += " " + _("Kubernetes deployments are scaled by azureml-fe like AKS web services: for their "
                                "autoscaler and 503s, open replica_calculator() with the deployment's log panel.")
            self._status.value = html.escape(note)
        else:
            self._status.value = badge(_("applied"), "ok") + " " + html.escape(_(
                "{deployment}: {instances} instances, provisioning state {state}.").format(
                deployment=self.deployment, instances=details.summary.instance_count, state=details.state))

"""The workspace panel: where the connection came from, its state, the v1 web services and the v2 online
deployments."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from amlnbtools.core.services import ServiceSummary
from amlnbtools.i18n import _, n_
from amlnbtools.sources.base import DeploymentSource
from amlnbtools.sources.errors import SourceError, classify
from amlnbtools.widgets._html import badge, grid, table, warn_line
from amlnbtools.widgets._panel import Panel
from amlnbtools.widgets._tasks import BackgroundTask, TaskState
from amlnbtools.widgets._theme import fg, hue
from amlnbtools.widgets.deployment_logs import DeploymentLogsPanel

__all__ = ["WorkspacePanel"]


class WorkspacePanel(Panel):
    """Connects in the background, then lists the workspace's web services (SDK v1) and online deployments
    (SDK v2, named ``endpoint/deployment``); picking one opens its logs.

    Parameters
    ----------
    connect : callable
        Returns a :class:`~amlnbtools.sources.base.DeploymentSource` (it may block: it runs off the kernel
        thread). Called again by :meth:`reconnect`.
    label : str
        What is being connected to, for the panel's text form (e.g. ``"sample"`` or a config path).
    start : bool
        Connect right away (else call :meth:`reconnect`).
    """

    def __init__(self, connect: Callable[[], DeploymentSource], label: str = "", *, start: bool = True) -> None:
        self._connect = connect
        self.label = label
        self.source: DeploymentSource | None = None
        self.services: list[ServiceSummary] = []
        self.error: SourceError | None = None
        self.logs_panel: DeploymentLogsPanel | None = None
        self._task = BackgroundTask(self._on_state)
        self._info = w.HTML()
        self._sign_in = w.HTML()
        self._status = w.HTML()
        self._table = w.HTML()
        self._picker = w.Dropdown(options=[], description=_("Deployment"), layout=w.Layout(width="360px"))
        self._open_button = w.Button(description=_("Open logs"),
                                     tooltip=_("Open the deployment log panel of the service chosen"),
                                     icon="file-text", disabled=True)
        self._refresh_button = w.Button(description=_("Refresh"),
                                        tooltip=_("Read it again from Azure ML"), icon="refresh")
        self._logs_area = w.VBox()
        self._open_button.on_click(lambda _b: self.open_service(self._picker.value))
        self._refresh_button.on_click(lambda _b: self.refresh())
        heading = html.escape(_("Azure ML workspace"))
        self.widget = w.VBox([w.HTML(f"<h4 style='margin:4px 0'>{heading}</h4>"),
                              self._info, self._sign_in, self._status, self._table,
                              w.HBox([self._picker, self._open_button, self._refresh_button]), self._logs_area])
        if start:
            self.reconnect()

    def __repr__(self) -> str:
        return f"WorkspacePanel({self.label!r})"

    # --- API ------------------------------------------------------------------------------

    def reconnect(self) -> None:
        """Connect again (after fixing the configuration or signing in) and list the services."""
        self._task.run(self._connect_and_list)

    def refresh(self) -> None:
        """List the services again (connects first if not connected)."""
        if self.source is None:
            self.reconnect()
        else:
            self._task.run(self._list, self.source)

    def wait(self, timeout_s: float | None = 60.0) -> TaskState:
        """Block until the current background work is done (for scripts and tests)."""
        return self._task.wait(timeout_s)

    def show_sign_in(self, uri: str, code: str, expires_on: Any = None) -> None:
        """Show a device-code sign-in: the address to open and the code to enter (cleared once connected).

        Called by the credential from the connecting thread.
        """
        text = _("To sign in, open {uri} in any browser and enter the code {code}.").format(uri=uri, code=code)
        self._sign_in.value = (f"<div style='padding:4px 8px;border-left:3px solid {hue('info')}'>"
                               f"{html.escape(text)}</div>")

    @property
    def ml_client(self) -> Any:
        """The workspace's ``azure.ai.ml.MLClient`` (SDK v2), once connected (waits for the connection)."""
        client = getattr(self._connected(), "ml_client", None)
        if client is None:
            raise SourceError("sdk-missing", _("This workspace has no SDK v2 connection: install azure-ai-ml "
                                               '(pip install "amlnbtools[v2]") and connect again.'))
        return client

    @property
    def workspace(self) -> Any:
        """The workspace's azureml-core ``Workspace`` (SDK v1), once connected (waits for the connection)."""
        source = self._connected()
        return getattr(source, "workspace", None) or source

    def _connected(self) -> DeploymentSource:
        """The source, after waiting for the connection; the panel's error when it could not connect."""
        if self.source is None:
            self.wait()
        if self.source is None:
            raise self.error or SourceError("not-connected", _(
                "Not connected: fix the problem shown in the panel, then press Refresh (or call panel.reconnect())."))
        return self.source

    def open_service(self, name: str) -> DeploymentLogsPanel:
        """Open the deployment log panel of a web service or an ``endpoint/deployment`` below the tables."""
        if self.source is None:
            raise RuntimeError(_("Not connected: fix the problem shown in the panel, then press Refresh (or call "
                                 "panel.reconnect())."))
        known = sorted(s.name for s in self.services)
        if name not in known:
            raise ValueError(_("No service or deployment named {name} in this workspace. It has: {names}.")
                             .format(name=name, names=", ".join(known) or _("none")))
        self.logs_panel = DeploymentLogsPanel(self.source, name)
        self._logs_area.children = (self.logs_panel.widget,)
        if self._picker.value != name:
            self._picker.value = name
        return self.logs_panel

    # --- internals ------------------------------------------------------------------------

    def _connect_and_list(self) -> tuple[DeploymentSource, list[ServiceSummary]]:
        source = self._connect()
        return source, source.list_services()

    @staticmethod
    def _list(source: DeploymentSource) -> tuple[DeploymentSource, list[ServiceSummary]]:
        return source, source.list_services()

    def _on_state(self, state: TaskState) -> None:
        if state.status == "pending":
            self._status.value = badge(_("connecting…") if self.source is None else _("loading…"), "info")
            self._refresh_button.disabled = True
            return
        self._refresh_button.disabled = False
        self._sign_in.value = ""
        if state.status == "error":
            self.error = classify(state.error, _("the workspace"))  # type: ignore[arg-type]
            label = _("not connected") if self.source is None else _("connected, with a problem")
            self._status.value = (badge(label, "error") + f" <span style='color:{fg('error')}'>"
                                  f"{html.escape(self.error.message)}</span>")
            return
        if state.status != "finished":
            return
        self.error = None
        self.source, self.services = state.value
        self._show()

    def _show(self) -> None:
        assert self.source is not None
        info = self.source.info
        self._info.value = grid([
            (_("Configuration"), info.config_source), (_("Workspace"), info.name),
            (_("Region"), info.location or "?"), (_("Resource group"), info.resource_group),
            (_("Subscription"), info.subscription_masked), (_("Sign-in"), info.auth_method)])
        v1 = [s for s in self.services if s.sdk != "v2"]
        v2 = [s for s in self.services if s.sdk == "v2"]
        counts = [n_("{count} web service", "{count} web services", len(v1)).format(count=len(v1)),
                  n_("{count} online deployment", "{count} online deployments", len(v2)).format(count=len(v2))]
        problems = getattr(self.source, "problems", {})
        notes = "".join(warn_line(problems[side].message)
                        for side in sorted(problems))
        self._status.value = badge(_("connected"), "ok") + " " + html.escape(" · ".join(counts)) + notes
        parts = []
        if v1:
            services = [(s.name, s.compute_type, badge(s.state), s.scoring_uri or "", (s.created or "")[:19],
                         (s.updated or "")[:19]) for s in v1]
            parts.append(self._caption(_("Web services (SDK v1)")) + table(
                [_("Name"), _("Compute"), _("State"), _("Scoring URI"), _("Created"), _("Updated")], services,
                raw_columns=frozenset({2})))
        if v2:
            deployments = [(s.endpoint or "", s.deployment or "", s.compute_type, badge(s.state),
                     f"{s.traffic_percent} %" if s.traffic_percent is not None else "",
                     s.instance_type or "", "" if s.instance_count is None else str(s.instance_count),
                     (s.updated or "")[:19]) for s in v2]
            parts.append(self._caption(_("Online endpoints (SDK v2)")) + table(
                [_("Endpoint"), _("Deployment"), _("Type"), _("State"), _("Traffic"), _("Instance type"),
                 _("Instances"), _("Updated")], deployments, raw_columns=frozenset({3})))
        self._table.value = "".join(parts)
        self._picker.options = [s.name for s in self.services]
        self._open_button.disabled = not self.services

    @staticmethod
    def _caption(text: str) -> str:
        return f"<div style='font-weight:600;margin:6px 0 2px'>{html.escape(text)}</div>"

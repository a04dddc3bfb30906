"""The workspace panel: where the connection came from, its state, and the table of web services."""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as w

from amlnbtools.core.services import ServiceSummary
from amlnbtools.i18n import _, n_
from amlnbtools.sources.base import DeploymentSource
from amlnbtools.sources.errors import SourceError, classify
from amlnbtools.widgets._html import badge, grid, table
from amlnbtools.widgets._panel import Panel
from amlnbtools.widgets._tasks import BackgroundTask, TaskState
from amlnbtools.widgets.deployment_logs import DeploymentLogsPanel

__all__ = ["WorkspacePanel"]


class WorkspacePanel(Panel):
    """Connects in the background, then lists the workspace's web services; picking one opens its logs.

    Parameters
    ----------
    connect : callable
        Returns a :class:`~amlnbtools.sources.base.DeploymentSource` (it may block: it runs off the kernel
        thread). Called again by :meth:`reconnect`.
    label : str
        What is being connected to, for the panel's text form (e.g. ``"sample"`` or a config path).
    """

    def __init__(self, connect: Callable[[], DeploymentSource], label: str = "") -> None:
        self._connect = connect
        self.label = label
        self.source: DeploymentSource | None = None
        self.services: list[ServiceSummary] = []
        self.error: SourceError | None = None
        self.logs_panel: DeploymentLogsPanel | None = None
        self._task = BackgroundTask(self._on_state)
        self._info = w.HTML()
        self._status = w.HTML()
        self._table = w.HTML()
        self._picker = w.Dropdown(options=[], description=_("Service"), layout=w.Layout(width="360px"))
        self._open_button = w.Button(description=_("Open logs"), icon="file-text", disabled=True)
        self._refresh_button = w.Button(description=_("Refresh"), icon="refresh")
        self._logs_area = w.VBox()
        self._open_button.on_click(lambda _b: self.open_service(self._picker.value))
        self._refresh_button.on_click(lambda _b: self.refresh())
        heading = html.escape(_("Azure ML workspace"))
        self.widget = w.VBox([w.HTML(f"<h4 style='margin:4px 0'>{heading}</h4>"),
                              self._info, self._status, self._table,
                              w.HBox([self._picker, self._open_button, self._refresh_button]), self._logs_area])
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

    def open_service(self, name: str) -> DeploymentLogsPanel:
        """Open the deployment log panel of a service below the table, and return it."""
        if self.source is None:
            raise RuntimeError(_("Not connected: fix the problem shown in the panel, then press Refresh (or call "
                                 "panel.reconnect())."))
        known = {s.name for s in self.services}
        if name not in known:
            raise ValueError(_("No service named {name} in this workspace.").format(name=name))
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
            self._status.value = badge(_("connecting…") if self.source is None else _("loading…"), "#1565c0")
            self._refresh_button.disabled = True
            return
        self._refresh_button.disabled = False
        if state.status == "error":
            self.error = classify(state.error, _("the workspace"))  # type: ignore[arg-type]
            label = _("not connected") if self.source is None else _("connected, with a problem")
            self._status.value = (badge(label, "#c62828") + f" <span style='color:#c62828'>"
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
        count = len(self.services)
        self._status.value = badge(_("connected"), "#2e7d32") + " " + html.escape(
            n_("{count} web service", "{count} web services", count).format(count=count))
        rows = [(s.name, s.compute_type, badge(s.state), s.scoring_uri or "", (s.created or "")[:19],
                 (s.updated or "")[:19]) for s in self.services]
        self._table.value = table([_("Name"), _("Compute"), _("State"), _("Scoring URI"), _("Created"),
                                   _("Updated")], rows, raw_columns=frozenset({2}))
        self._picker.options = [s.name for s in self.services]
        self._open_button.disabled = not self.services

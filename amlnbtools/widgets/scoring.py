"""The scoring check of an online deployment: send one request, see the status and what it means.

Part of the deployment log panel for SDK v2 deployments. The key or token is fetched by the source when
the request is sent, in the background, and is never shown or kept in a widget.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from amlnbtools.core.capacity.scoring import Explanation, ScoringResult, explain, pending_limit
from amlnbtools.core.services import ServiceDetails
from amlnbtools.i18n import _
from amlnbtools.sources.errors import SourceError, classify
from amlnbtools.widgets._html import badge, error_line
from amlnbtools.widgets._tasks import BackgroundTask, TaskState
from amlnbtools.widgets._theme import MUTED, fg

__all__ = ["DEFAULT_REQUEST", "ScoringCheck"]

DEFAULT_REQUEST = '{"data": [[1.0, 2.0, 3.0]]}'


class ScoringCheck:
    """A request editor, a Send button and the explained answer for ``endpoint/deployment``.

    ``details`` gives the settings an explanation needs (Kubernetes or managed, the request timeout, the
    429 threshold); it is asked for when an answer arrives.
    """

    def __init__(self, source: Any, name: str, details: Callable[[], ServiceDetails | None]) -> None:
        self.source = source
        self.name = name
        self._details = details
        self.result: ScoringResult | None = None
        self.explanation: Explanation | None = None
        self.error: SourceError | None = None
        self._task = BackgroundTask(self._on_state)
        self._request = w.Textarea(value=DEFAULT_REQUEST, layout=w.Layout(width="100%", height="70px"))
        self._send = w.Button(description=_("Send request"),
                              tooltip=_("Send the request body to the deployment's scoring URI"), icon="paper-plane")
        self._answer = w.HTML()
        self._send.on_click(lambda _b: self.send())
        self.widget = w.VBox([self._request, self._send, self._answer])

    def send(self, payload: str | dict[str, Any] | None = None) -> None:
        """Send ``payload`` (JSON text or a value; default: the editor's text) in the background."""
        if payload is not None:
            self._request.value = payload if isinstance(payload, str) else json.dumps(payload)
        text = self._request.value
        try:
            json.loads(text)
        except ValueError as exc:
            self._answer.value = f"<span style='color:{fg('error')}'>⚠ " + html.escape(
                _("The request is not valid JSON: {detail}").format(detail=exc)) + "</span>"
            return
        self._task.run(self.source.score, self.name, text)

    def wait(self, timeout_s: float | None = 60.0) -> TaskState:
        return self._task.wait(timeout_s)

    def _on_state(self, state: TaskState) -> None:
        if state.status == "pending":
            self._send.disabled = True
            self._answer.value = "<i>" + html.escape(_("Sending…")) + "</i>"
            return
        self._send.disabled = False
        if state.status == "error":
            self.error = classify(state.error, _("the scoring request"))  # type: ignore[arg-type]
            self._answer.value = error_line(self.error.message)
            return
        if state.status != "finished":
            return
        self.error = None
        self.result = state.value
        details = self._details()
        summary = details.summary if details else None
        self.explanation = explain(
            self.result, kubernetes=bool(details and details.is_kubernetes),
            timeout_ms=details.scoring_timeout_ms if details else None,
            max_pending=pending_limit(details.max_concurrent_requests if details else None,
                                      summary.instance_count if summary else None))
        self._show()

    def _show(self) -> None:
        result, explanation = self.result, self.explanation
        assert result is not None and explanation is not None
        label = f"HTTP {result.status}" if result.status is not None else _("no answer")
        color = "ok" if explanation.ok else "error"
        facts = " · ".join(part for part in (
            _("{ms} ms").format(ms=round(result.elapsed_ms)),
            _("deployment {name}").format(name=result.deployment) if result.deployment else "",
            f"x-request-id {result.request_id}" if result.request_id else "") if part)
        body = (f"<pre style='white-space:pre-wrap;font-size:12px;max-height:120px;overflow:auto'>"
                f"{html.escape(result.body)}</pre>") if result.body else ""
        self._answer.value = (f"<div>{badge(label, color)} <b>{html.escape(explanation.title)}</b> "
                              f"<span style='color:{MUTED}'>{html.escape(facts)}</span></div>"
                              f"<div style='padding:4px 0'>{html.escape(explanation.remedy)}</div>{body}")

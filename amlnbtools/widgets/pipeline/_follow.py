"""The panel's side of following a running step's log (:class:`~._tail.LiveTail` polls; this shows)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from amlnbtools.core.diagnosis.findings import Findings
from amlnbtools.core.pipeline import PipelineSummary, StepSummary
from amlnbtools.sources.errors import SourceError
from amlnbtools.widgets._html import error_line

__all__ = ["Following"]


class Following:
    """Mixed into the pipeline log panel: :meth:`follow`, :meth:`stop_following`, :attr:`following` and the hooks
    the tail calls. The panel provides the widgets and attributes named below."""

    _tail: Any
    _follow_wanted: bool
    _quiet: bool
    _follow_button: Any
    _log_status: Any
    _step_box: Any
    step: StepSummary | None
    file: str | None
    log_view: Any

    def _show_findings(self, name: str, findings: Findings) -> None:  # pragma: no cover - the panel's own
        raise NotImplementedError

    def _set_quietly(self, box: Any, value: Any, options: list[tuple[str, Any]] | None = None) -> None:
        raise NotImplementedError  # pragma: no cover - the panel's own

    def follow(self, interval_s: float = 2.0, *, refresh_every: int = 5, max_polls: int = 3600) -> None:
        """Follow the shown log: every ``interval_s`` its new lines are fetched and shown at the end, with their
        findings; the run is read again every ``refresh_every`` polls. Stops by itself once the step has ended."""
        self._follow_wanted = True
        self._tail.start(interval_s, refresh_every=refresh_every, max_polls=max_polls)

    def stop_following(self) -> None:
        """Stop following the log (the panel does not start following again by itself)."""
        self._follow_wanted = False
        self._tail.stop()

    @property
    def following(self) -> bool:
        return self._tail.running

    def _follow_toggled(self, change: dict[str, Any]) -> None:
        if self._quiet:
            return
        if change["new"]:
            self.follow()
        else:
            self.stop_following()

    def _tail_running(self, running: bool) -> None:
        self._quiet = True
        try:
            self._follow_button.value = running
        finally:
            self._quiet = False

    def _tail_error(self, error: SourceError) -> None:
        self._log_status.value = error_line(error.message)

    def _show_tail(self, step: StepSummary, name: str, path: Path, findings: Findings) -> None:
        if self.step is None or self.step.run_id != step.run_id or self.file != name:
            return  # another step or file was chosen meanwhile
        self.log_view.follow(path, findings)
        self._show_findings(name, findings)

    def _keep_following(self, summary: PipelineSummary, keep: str | None) -> bool:
        """While following, a refresh keeps the shown file (the tail shows its new lines)."""
        if keep is None or self.file is None or not self._tail.running:
            return False
        step = summary.step(keep)
        if self.file not in step.log_files:
            return False
        self.step = step
        self._set_quietly(self._step_box, step.run_id)
        return True

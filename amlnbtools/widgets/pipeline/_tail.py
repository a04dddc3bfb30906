"""Following a running step's log: poll, fetch only the new bytes, diagnose, show the end; stop at a final state.

Each poll fetches the shown file again (a remote source asks only for the bytes past its cached copy), and
when the file grew, diagnoses it and shows its last page with the findings marked. Every
``refresh_every`` polls the run is read again, so the panel's status and steps move too (and a step
that had no log yet gets its first file); once the step (or the run) has reached a final state, one last fetch shows
its final lines and the tail stops by itself. It also stops after ``max_polls``, after
:data:`MAX_ERRORS` failures in a row (the panel says why), or when asked.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from amlnbtools.core.pipeline import StepSummary, is_terminal
from amlnbtools.sources.errors import SourceError, classify
from amlnbtools.sources.files.logfiles import diagnose_file

__all__ = ["MAX_ERRORS", "LiveTail"]

#: Failed polls in a row after which the tail stops.
MAX_ERRORS = 5


class LiveTail:
    """Poll the shown log of ``panel`` every ``interval_s`` in a daemon thread (see the module docstring).

    The panel provides ``source``, ``step``, ``file``, ``summary``, ``_refresh_and_wait()``,
    ``_show_tail(step, name, path, findings)``, ``_tail_error(error)`` and ``_tail_running(bool)``.
    """

    def __init__(self, panel: Any) -> None:
        self._panel = panel
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.polls = 0

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, interval_s: float = 2.0, *, refresh_every: int = 5, max_polls: int = 3600) -> None:
        """Start following (a tail already running is stopped first)."""
        if interval_s <= 0 or refresh_every < 1 or max_polls < 1:
            raise ValueError("interval_s must be > 0, refresh_every and max_polls at least 1")
        self.stop()
        self._stop = threading.Event()
        self.polls = 0
        self._panel._tail_running(True)
        self._thread = threading.Thread(target=self._loop, args=(self._stop, interval_s, refresh_every, max_polls),
                                        name="amlnbtools-live-tail", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop following (a poll under way still completes)."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._panel._tail_running(False)

    def _loop(self, stop: threading.Event, interval_s: float, refresh_every: int, max_polls: int) -> None:
        panel = self._panel
        sizes: dict[tuple[str, str], int] = {}
        errors = 0
        try:
            while self.polls < max_polls and not stop.wait(interval_s):
                self.polls += 1
                step, name = panel.step, panel.file
                try:
                    if step is not None and name is not None:
                        self._poll(step, name, sizes)
                    if self.polls % refresh_every == 0:
                        panel._refresh_and_wait()
                    errors = 0
                except Exception as exc:  # shown in the panel; the next poll tries again
                    errors += 1
                    panel._tail_error(classify(exc, str(name)))
                    if errors >= MAX_ERRORS:
                        break
                if self._ended():
                    last_step, last_name = panel.step, panel.file
                    if last_step is not None and last_name is not None:
                        self._guarded(last_step, last_name, sizes)
                    break
        finally:
            panel._tail_running(False)

    def _ended(self) -> bool:
        panel = self._panel
        summary = panel.summary
        if summary is not None and is_terminal(summary.status):
            return True
        step = panel.step
        return step is not None and is_terminal(step.status)

    def _guarded(self, step: StepSummary, name: str, sizes: dict[tuple[str, str], int]) -> None:
        try:
            self._poll(step, name, sizes)
        except (SourceError, OSError) as error:
            self._panel._tail_error(classify(error, name))

    def _poll(self, step: StepSummary, name: str, sizes: dict[tuple[str, str], int]) -> bool:
        """Fetch the file; show it when it grew. True when it grew."""
        path: Path = self._panel.source.fetch_log(step, name)
        size = path.stat().st_size
        key = (step.run_id, name)
        if sizes.get(key) == size:
            return False
        sizes[key] = size
        self._panel._show_tail(step, name, path, diagnose_file(path))
        return True

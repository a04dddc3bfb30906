"""Auto-refresh that stops by itself: when the thing watched has ended, when asked, or after a limit."""

from __future__ import annotations

import threading
from collections.abc import Callable

__all__ = ["AutoRefresh"]


class AutoRefresh:
    """Call ``refresh_and_wait()`` every ``interval_s`` seconds in a daemon thread until ``ended()`` is true,
    :meth:`stop` is called, or ``max_refreshes`` is reached. ``on_running(bool)`` follows the state
    (panels enable and disable their buttons with it)."""

    def __init__(self, refresh_and_wait: Callable[[], None], ended: Callable[[], bool],
                 on_running: Callable[[bool], None], *, name: str = "amlnbtools-auto-refresh") -> None:
        self._refresh_and_wait = refresh_and_wait
        self._ended = ended
        self._on_running = on_running
        self._name = name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, interval_s: float, max_refreshes: int, *, wait_first: bool = False) -> None:
        """Start (a running auto-refresh is stopped first); ``wait_first``: the first refresh after ``interval_s``."""
        if interval_s <= 0 or max_refreshes < 1:
            raise ValueError(f"interval_s must be > 0 and max_refreshes ≥ 1, not {interval_s!r}, {max_refreshes!r}")
        self.stop()
        self._stop = threading.Event()
        stop = self._stop
        self._on_running(True)

        def loop() -> None:
            try:
                if wait_first and stop.wait(interval_s):
                    return
                for _count in range(max_refreshes):
                    self._refresh_and_wait()
                    if stop.is_set() or self._ended() or stop.wait(interval_s):
                        break
            finally:
                self._on_running(False)

        self._thread = threading.Thread(target=loop, name=self._name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop (a refresh already running still completes)."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._on_running(False)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

"""Rate limiting of widget updates: at most N per second, and the last one always arrives."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = ["Throttle"]


class Throttle:
    """Call ``fn`` at most ``rate_hz`` times per second with the latest arguments.

    Requests that arrive too soon are merged: only the newest is delivered, when the interval has
    passed (a timer delivers it even if no other request follows), so the final state is never lost.
    """

    def __init__(self, fn: Callable[..., Any], rate_hz: float = 20.0) -> None:
        self._fn = fn
        self._interval_s = 1.0 / rate_hz
        self._lock = threading.Lock()
        self._last = float("-inf")
        self._pending: tuple[tuple[Any, ...], dict[str, Any]] | None = None
        self._timer: threading.Timer | None = None
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        with self._lock:
            self._pending = (args, kwargs)
            wait_s = self._last + self._interval_s - time.monotonic()
            if wait_s > 0:
                if self._timer is None:
                    self._timer = threading.Timer(wait_s, self.flush)
                    self._timer.daemon = True
                    self._timer.start()
                return
        self.flush()

    def flush(self) -> None:
        """Deliver the pending request now, if there is one."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            pending, self._pending = self._pending, None
            if pending is None:
                return
            self._last = time.monotonic()
            self.calls += 1
        args, kwargs = pending
        self._fn(*args, **kwargs)

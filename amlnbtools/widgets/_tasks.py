"""Background work for panels: off the kernel thread, with explicit states; the latest call wins.

A panel never blocks the kernel on the network or a subprocess. ``BackgroundTask.run()`` starts
the work in a thread and reports its state (pending → finished | error | cancelled) through a
callback; a result that arrives after a newer call was started is dropped, never shown.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["BackgroundTask", "TaskState"]

Status = Literal["idle", "pending", "finished", "error", "cancelled"]
_EXECUTOR = ThreadPoolExecutor(max_workers=4, thread_name_prefix="amlnbtools")


@dataclass(frozen=True, slots=True)
class TaskState:
    """Where a background task stands; ``value`` when finished, ``error`` when it failed."""

    status: Status = "idle"
    value: Any = None
    error: BaseException | None = None


class BackgroundTask:
    """Run one kind of work in the background; ``on_change`` receives every new :class:`TaskState`."""

    def __init__(self, on_change: Callable[[TaskState], None]) -> None:
        self._on_change = on_change
        self._lock = threading.Lock()
        self._generation = 0
        self._future: Future[None] | None = None
        self.state = TaskState()

    def run(self, fn: Callable[..., Any], *args: Any) -> None:
        """Start ``fn(*args)`` in the background; a result of an earlier call still running is dropped."""
        with self._lock:
            self._generation += 1
            generation = self._generation
        self._set(TaskState("pending"), generation)
        self._future = _EXECUTOR.submit(self._work, generation, fn, args)

    def cancel(self) -> None:
        """Forget the running call: its result will be dropped."""
        with self._lock:
            self._generation += 1
            generation = self._generation
        if self.state.status == "pending":
            self._set(TaskState("cancelled"), generation)

    def wait(self, timeout_s: float | None = 60.0) -> TaskState:
        """Block until the latest call is done (for scripts and tests; panels never call it)."""
        future = self._future
        if future is not None:
            future.result(timeout=timeout_s)
        return self.state

    def _work(self, generation: int, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        try:
            state = TaskState("finished", value=fn(*args))
        except Exception as exc:  # shown in the panel; nothing is lost
            state = TaskState("error", error=exc)
        self._set(state, generation)

    def _set(self, state: TaskState, generation: int) -> None:
        with self._lock:
            if generation != self._generation:
                return  # a newer call owns the panel now
            self.state = state
        self._on_change(state)

"""Progress of long reads, reported to whoever waits for them, and their cancellation.

A panel that starts a long read (a big log download) sets a reporter for the thread that does it
(:func:`reporting`); the reader calls :func:`advance` as bytes arrive. :func:`advance` raises :class:`Cancelled`
once the waiter's ``cancel`` event is set, so the read stops at its next chunk and leaves nothing half-written.
Nothing is reported (and nothing can be cancelled) outside a :func:`reporting` block.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["Cancelled", "advance", "reporting"]

_local = threading.local()


class Cancelled(Exception):
    """The user stopped the read."""


@contextmanager
def reporting(on_bytes: Callable[[int, int | None], object] | None,
              cancel: threading.Event | None = None) -> Iterator[None]:
    """Within this block (in this thread), reads report ``on_bytes(done, total)`` and stop once ``cancel`` is set."""
    previous = getattr(_local, "current", None)
    _local.current = (on_bytes, cancel)
    try:
        yield
    finally:
        _local.current = previous


def advance(done: int, total: int | None) -> None:
    """``done`` of ``total`` bytes (None: unknown) read so far; raises :class:`Cancelled` when asked to stop."""
    current = getattr(_local, "current", None)
    if current is None:
        return
    on_bytes, cancel = current
    if cancel is not None and cancel.is_set():
        raise Cancelled
    if on_bytes is not None:
        on_bytes(done, total)

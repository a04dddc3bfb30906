"""Patches of another library that stay in place while at least one block of ours needs them.

Process-wide and reference-counted: the first block to enter installs them, the last to leave
restores the originals, so concurrent panels share one installation.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["PatchSet"]


class PatchSet:
    """Reference-counted patches; ``restore`` collects the undo callbacks an installer appends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active = 0
        self.restore: list[Callable[[], None]] = []

    def _undo(self) -> None:
        while self.restore:
            self.restore.pop()()

    @contextmanager
    def active(self, install: Callable[[], None]) -> Iterator[None]:
        """Inside the block the patches are installed (``install()`` runs only for the first block)."""
        with self._lock:
            if self._active == 0:
                try:
                    install()
                except BaseException:
                    self._undo()
                    raise
            self._active += 1
        try:
            yield
        finally:
            with self._lock:
                self._active -= 1
                if self._active == 0:
                    self._undo()

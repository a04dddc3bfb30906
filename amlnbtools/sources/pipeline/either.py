"""A job name that may be an SDK v2 job or an SDK v1 pipeline run: the first source that knows it reads it.

A name alone does not say which SDK made it (v1 run ids are GUIDs, and so are the ids of v2 pipeline
steps), and a workspace holds both. :class:`FirstFound` asks the first source; when that one answers
"not found" it opens the second (made only then) and keeps whichever knows the name.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from amlnbtools.core.pipeline import PipelineSummary, StepSummary
from amlnbtools.sources.base import PipelineSource
from amlnbtools.sources.errors import SourceError

__all__ = ["FirstFound", "FirstFoundWait"]


class FirstFound:
    """A :class:`~amlnbtools.sources.base.PipelineSource` over ``first``, falling back to ``second()`` on not-found.

    The first source's "not found" message is the one raised when neither knows the name.
    """

    def __init__(self, first: PipelineSource, second: Callable[[], PipelineSource] | None) -> None:
        self._first = first
        self._second = second
        self._chosen: PipelineSource | None = None
        self._others: list[Any] = []
        self._lock = threading.Lock()

    @property
    def label(self) -> str:
        return (self._chosen or self._first).label

    @property
    def chosen(self) -> PipelineSource | None:
        """The source that knew the name (None until :meth:`summary` found it)."""
        return self._chosen

    def summary(self) -> PipelineSummary:
        with self._lock:
            chosen = self._chosen
        if chosen is not None:
            return chosen.summary()
        try:
            summary = self._first.summary()
        except SourceError as error:
            if error.kind != "not-found" or self._second is None:
                raise
            second = self._second()
            self._others.append(second)
            try:
                summary = second.summary()
            except SourceError as other:
                if other.kind == "not-found":
                    raise error from None
                raise
            with self._lock:
                self._chosen = second
            return summary
        with self._lock:
            self._chosen = self._first
        return summary

    def fetch_log(self, step: StepSummary, name: str) -> Path:
        chosen = self._chosen
        if chosen is None:
            raise SourceError("not-found", "No run is loaded yet: refresh the panel first.")
        return chosen.fetch_log(step, name)

    def __getattr__(self, name: str) -> Any:
        # what a backend offers beyond the protocol (e.g. export layout), from the one that knew the name
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.__dict__.get("_chosen") or self.__dict__["_first"], name)

    def close(self) -> None:
        for source in (self._first, *self._others):
            closer = getattr(source, "close", None)
            if callable(closer):
                closer()

    def __repr__(self) -> str:
        return f"<FirstFound {self.label!r}>"


class FirstFoundWait:
    """``explain()`` of ``first`` (a v2 job's wait), or of ``second()`` (a v1 run's) when ``first`` does not know the
    name; the one that knew it is kept."""

    def __init__(self, first: Any, second: Callable[[], Any] | None) -> None:
        self._first, self._second = first, second
        self._chosen: Any = None

    def explain(self) -> Any:
        if self._chosen is not None:
            return self._chosen.explain()
        try:
            result = self._first.explain()
        except SourceError as error:
            if error.kind != "not-found" or self._second is None:
                raise
            second = self._second()
            try:
                result = second.explain()
            except SourceError as other:
                if other.kind == "not-found":
                    raise error from None
                raise
            self._chosen = second
            return result
        self._chosen = self._first
        return result

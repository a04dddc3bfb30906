"""Fetching one step's log file through its SAS link, the same for every remote pipeline source (v1 runs, v2 jobs).

The link comes from the step's run details (``entry.links``; ``refresh(entry, what)`` asks for them again); the file
goes through the source's :class:`~amlnbtools.sources._download.LogCache`. A file downloaded after its step ended is
kept (``complete``) and answered from the cache; a file of a running step is fetched again from where the cached
copy ends. An expired link is refreshed once.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from amlnbtools.core.pipeline import StepSummary
from amlnbtools.i18n import _
from amlnbtools.sources._download import LogCache
from amlnbtools.sources.errors import SourceError

__all__ = ["fetch_step_log"]


def fetch_step_log(cache: LogCache, complete: set[Path], entry: Any, step: StepSummary, name: str,
                   refresh: Callable[[Any, str], None]) -> Path:
    """The step's log file ``name`` as a local file; ``entry`` is the source's record of the step (``links``,
    ``final``), None when the source does not know it. Raises ``SourceError`` naming the fix."""
    if not isinstance(step, StepSummary) or not isinstance(name, str):
        raise TypeError("fetch_log takes a StepSummary from summary() and one of its log_files names")
    what = _("log {name} of step {step}").format(name=name, step=step.name)
    if entry is None or name not in step.log_files:
        raise SourceError("not-found", _("{what} is not among the files this panel knows: refresh the panel to "
                                         "list the step's current log files.").format(what=what))
    target = cache.path_for(step.run_id, name)
    with cache.lock_for(target):
        if step.final and entry.final and target in complete and target.is_file():
            return target  # downloaded once the step had ended: it will not change
        refreshed = False
        if name not in entry.links:
            refresh(entry, what)
            refreshed = True
        for attempt in (1, 2):
            url = entry.links.get(name)
            if url is None:
                raise SourceError("not-found", _(
                    "{what} is no longer listed by Azure ML: refresh the panel to list the step's current log "
                    "files.").format(what=what))
            try:
                path = cache.download(url, target, what, resume=target.is_file())
                if entry.final:
                    complete.add(target)
                return path
            except SourceError as error:
                if error.kind != "token-expired" or refreshed or attempt == 2:
                    raise
            refresh(entry, what)  # links expire after a few hours: ask for new ones once
            refreshed = True
    raise AssertionError("unreachable")  # pragma: no cover

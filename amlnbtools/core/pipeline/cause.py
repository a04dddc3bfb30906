"""The root cause of a failed pipeline run: the first failing step, its last exception, the finding and fix."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from amlnbtools.core.diagnosis.findings import Finding

__all__ = ["RootCause", "last_exception"]

_TRACEBACK = re.compile(r"Traceback \(most recent call last\):")
_EXCEPTION = re.compile(r"^(?:\[stderr\]\s*)?(?:[A-Za-z_][\w.]*)(?:Error|Exception|Exit|Interrupt|Failure|Fault)\b.*")
_FRAME = re.compile(r"^(?:\[stderr\])?\s+")


def last_exception(lines: Sequence[str], first_line: int = 1) -> tuple[int, str] | None:
    """The exception line that ends the last traceback in ``lines``: (1-based line number, text).

    ``first_line`` is the number of ``lines[0]`` (pass it when ``lines`` is the tail of a file).
    Frames (indented lines) are skipped; the first unindented line after the traceback header that
    names an exception ends it. None when there is no complete traceback.
    """
    start = next((i for i in range(len(lines) - 1, -1, -1) if _TRACEBACK.search(lines[i])), None)
    if start is None:
        return None
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if _FRAME.match(line) and not _EXCEPTION.match(line.strip()):
            continue
        if _EXCEPTION.match(line.strip()):
            return first_line + i, line.strip()
    return None


@dataclass(frozen=True, slots=True)
class RootCause:
    """Why a pipeline run failed, as far as its logs say.

    Attributes
    ----------
    step : str
        The first failing step's name.
    file : str or None
        The log file the evidence is in.
    line : int or None
        The evidence's 1-based line in ``file`` (the finding's line, else the exception line).
    exception : str or None
        The last line of the step's last traceback, e.g. ``FileNotFoundError: [Errno 2] …``.
    finding : Finding or None
        The known failure found in the step's logs, with its fix.
    error : str or None
        The error message Azure ML recorded for the step (when the logs say nothing known).
    """

    step: str
    file: str | None = None
    line: int | None = None
    exception: str | None = None
    finding: Finding | None = None
    error: str | None = None

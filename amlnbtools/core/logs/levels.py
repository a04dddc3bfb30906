"""The level of each log line, one line at a time or batch by batch.

Levels are read from the formats Azure ML writes: the local inference server
(``2026-11-22 10:08:19,351 E [11298] azmlinfsrv - ...``), old v1 containers
(``2021-03-08 12:58:41,120 | root | ERROR | ...``), Python logging (``ERROR:root:...``),
``[stderr]`` lines, and tracebacks — continuation lines take the level of the line they continue.

Level codes are one byte a line: the level in the low three bits (see :data:`LEVEL_CODE`) and
:data:`FRAME` for the indented lines inside a Python traceback (what a viewer folds).
:class:`LevelScanner` computes them batch by batch, carrying the traceback state across batches, so
a whole file is scanned in bounded memory and equals :func:`levels_of` on the same lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from amlnbtools.core.logs.store import LogStore

__all__ = ["FRAME", "LEVELS", "LEVEL_CODE", "LEVEL_MASK", "LEVEL_OF_CODE", "LevelScanner", "levels_from_codes",
           "levels_of", "scan_level_codes"]

#: Levels from most to least severe; ``None`` means "not known".
LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")

_LETTER = {"C": "CRITICAL", "E": "ERROR", "W": "WARNING", "I": "INFO", "D": "DEBUG"}
_WORDS = {"FATAL": "CRITICAL", "CRITICAL": "CRITICAL", "ERROR": "ERROR", "WARNING": "WARNING", "WARN": "WARNING",
          "INFO": "INFO", "DEBUG": "DEBUG"}
_AZMLINFSRV = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d[,.]\d+ ([CEWID]) \[\d+\]")
_PIPE = re.compile(r"\|\s*(?:[\w.]+)\s*\|\s*(CRITICAL|ERROR|WARNING|INFO|DEBUG)\s*\|")
_WORD = re.compile(r"^(?:\S+ ){0,3}?\[?(FATAL|CRITICAL|ERROR|WARNING|WARN|INFO|DEBUG)\]?[:\s|]")
_TRACEBACK_START = re.compile(r"Traceback \(most recent call last\):")
_CHAINED = re.compile(r"^(?:\[stderr\])?\s*(?:During handling of the above exception|The above exception was)")
_EXCEPTION_LINE = re.compile(r"^(?:\[stderr\])?(?:[A-Za-z_][\w.]*)(?:Error|Exception|Exit|Interrupt|Warning)\b")

#: Level → code (low three bits of a level code byte); lines without a level are 0.
LEVEL_CODE: dict[str | None, int] = {None: 0, "DEBUG": 1, "INFO": 2, "WARNING": 3, "ERROR": 4, "CRITICAL": 5}
#: Code → level.
LEVEL_OF_CODE: tuple[str | None, ...] = (None, "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", None, None)
#: Bits of a code byte that hold the level.
LEVEL_MASK = 0x07
#: Set on an indented line inside a traceback (a frame or its source line): a viewer may fold it.
FRAME = 0x08

_INDENTED = re.compile(r"^(?:\[stderr\])?[ \t]")


def _level(line: str) -> str | None:
    m = _AZMLINFSRV.match(line)
    if m:
        return _LETTER[m.group(1)]
    m = _PIPE.search(line)
    if m:
        return m.group(1)
    m = _WORD.match(line)
    if m:
        return _WORDS[m.group(1)]
    if line.startswith("[stderr]"):
        return "ERROR"
    return None


def levels_of(lines: list[str]) -> list[str | None]:
    """The level of every line.

    A line's own marker wins. Tracebacks are ERROR from ``Traceback (most recent call last):`` to
    the exception line (chained tracebacks included). Other indented lines continue the line above
    and take its level. Anything else has no level (``None``).
    """
    return levels_from_codes(LevelScanner().feed(lines))


class LevelScanner:
    """Level codes of consecutive batches of lines, equal to :func:`levels_of` on all of them at once.

    The state :func:`levels_of` carries from line to line (inside a traceback or not, the level of
    the line above) is kept between calls of :meth:`feed`.
    """

    def __init__(self) -> None:
        self._in_traceback = False
        self._previous: str | None = None
        self._started = False

    def feed(self, lines: Sequence[str]) -> bytearray:
        """The code byte of each line (see the module docstring)."""
        codes = bytearray(len(lines))
        in_traceback, previous, started = self._in_traceback, self._previous, self._started
        code_of = LEVEL_CODE
        for i, line in enumerate(lines):
            level = _level(line)
            frame = 0
            if _TRACEBACK_START.search(line) or _CHAINED.match(line):
                in_traceback = True
                level = level or "ERROR"
            elif in_traceback:
                level = level or "ERROR"
                if _EXCEPTION_LINE.match(line):
                    in_traceback = False
                elif _INDENTED.match(line):
                    frame = FRAME
            elif level is None and started and line[:1] in (" ", "\t"):
                level = previous
            codes[i] = code_of[level] | frame
            previous, started = level, True
        self._in_traceback, self._previous, self._started = in_traceback, previous, started
        return codes


def levels_from_codes(codes: Iterable[int]) -> list[str | None]:
    """The level names of code bytes (the inverse of :data:`LEVEL_CODE`)."""
    return [LEVEL_OF_CODE[c & LEVEL_MASK] for c in codes]


def scan_level_codes(store: LogStore, *, batch_lines: int = 20_000,
                     on_progress: Callable[[int, int], object] | None = None,
                     should_stop: Callable[[], bool] | None = None) -> bytearray | None:
    """Level codes of every line of ``store`` (one byte a line), read ``batch_lines`` at a time.

    Parameters
    ----------
    store : LogStore
        Where the lines come from (long lines are cut by the store; a level marker beyond the cut
        is not seen).
    batch_lines : int
        Lines read and scanned at a time.
    on_progress : callable, optional
        Called with ``(lines done, line count)`` after each batch.
    should_stop : callable, optional
        Checked before each batch; when it returns true the scan stops and returns ``None``.

    Returns
    -------
    bytearray or None
        ``line_count`` code bytes, or ``None`` if stopped.
    """
    if batch_lines < 1:
        raise ValueError("batch_lines must be at least 1")
    total = store.line_count
    codes = bytearray(total)
    scanner = LevelScanner()
    for start in range(0, total, batch_lines):
        if should_stop is not None and should_stop():
            return None
        stop = min(total, start + batch_lines)
        batch = scanner.feed(store.lines(start, stop))
        if len(batch) != stop - start:  # the store changed under us: never show codes of other lines
            raise RuntimeError(f"store returned {len(batch)} lines for {start}..{stop}")
        codes[start:stop] = batch
        if on_progress is not None:
            on_progress(stop, total)
    return codes

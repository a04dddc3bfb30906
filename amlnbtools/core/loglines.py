"""Log lines: splitting text the way the diagnosis engine counts lines, and the level of each line.

Levels are read from the formats Azure ML writes: the local inference server
(``2026-11-22 10:08:19,351 E [11298] azmlinfsrv - ...``), old v1 containers
(``2021-03-08 12:58:41,120 | root | ERROR | ...``), Python logging (``ERROR:root:...``),
``[stderr]`` lines, and tracebacks — continuation lines take the level of the line they continue.
"""

from __future__ import annotations

import re

__all__ = ["LEVELS", "levels_of", "split_lines"]

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


def split_lines(text: str) -> list[str]:
    """Split on LF, CRLF and lone CR (the engine's line numbering); no trailing empty line."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


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
    from amlnbtools.core.logstore import LevelScanner, levels_from_codes  # one implementation, batch-capable

    return levels_from_codes(LevelScanner().feed(lines))

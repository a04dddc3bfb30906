"""The text a pattern cannot match without: a literal that lets the engine skip a rule on most lines.

A candidate line is checked against every rule; running 60 regular expressions on it costs far more
than asking whether it contains a few words. For each pattern this module finds its longest
mandatory literal (a run of plain characters that every match contains, case-insensitive where the
pattern is); a rule whose every pattern has one is tried only on lines that hold one of them.
A pattern whose structure is not understood gets no literal, so its rule is always tried: the gate
may let a line through needlessly, never keep a match out.
"""

from __future__ import annotations

import re
import sys
from typing import Any

if sys.version_info >= (3, 11):  # the parser behind re, under its name of each version
    import re._parser as _sre
else:  # pragma: no cover - Python 3.10
    import sre_parse as _sre

__all__ = ["MIN_LITERAL", "Gate", "required_literal", "rule_gate"]

#: Shorter literals are too common to be worth a check.
MIN_LITERAL = 3
#: (literal, case-insensitive): the literal is lowercase when case-insensitive.
Gate = tuple[tuple[str, bool], ...]

_LITERAL = _sre.LITERAL
_SUBPATTERN = _sre.SUBPATTERN
_AT = _sre.AT


def _runs(items: Any, ignore_case: bool, out: list[tuple[str, bool]]) -> None:
    """Collect the runs of consecutive mandatory literal characters of a parsed sequence."""
    run: list[str] = []

    def flush() -> None:
        if run:
            out.append(("".join(run), ignore_case))
            run.clear()

    for op, av in items:
        if op is _LITERAL:
            run.append(chr(av))
        elif op is _SUBPATTERN:  # a group taken exactly once: its literals are mandatory too
            flush()
            add_flags, del_flags = av[1], av[2]
            inner_case = (ignore_case or bool(add_flags & re.IGNORECASE)) and not del_flags & re.IGNORECASE
            _runs(av[3], inner_case, out)
        elif op is _AT:  # \b, ^, $: no character, but a run does not continue across it
            flush()
        else:  # a class, an alternation, a repetition: nothing mandatory to read off
            flush()
    flush()


def required_literal(source: str, flags: int = 0) -> tuple[str, bool] | None:
    """The longest literal every match of ``source`` contains, with its case-insensitivity, or None."""
    try:
        parsed = _sre.parse(source, flags)
    except Exception:  # an unexpected shape: no gate
        return None
    runs: list[tuple[str, bool]] = []
    _runs(parsed.data, bool(parsed.state.flags & re.IGNORECASE), runs)
    best = max(runs, key=lambda r: len(r[0]), default=None)
    if best is None or len(best[0]) < MIN_LITERAL:
        return None
    text, ignore_case = best
    return (text.lower(), True) if ignore_case else (text, False)


def rule_gate(sources: list[str], flags: int = 0) -> Gate | None:
    """One literal per pattern of a rule, or None when a pattern has none (the rule is always tried)."""
    gate = []
    for source in sources:
        literal = required_literal(source, flags)
        if literal is None:
            return None
        gate.append(literal)
    return tuple(dict.fromkeys(gate))

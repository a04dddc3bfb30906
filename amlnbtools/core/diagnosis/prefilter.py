"""The prefilter: which lines of a block are worth the rules' closer look, found in one pass.

Every pattern of the catalogue (and a few extra sources) is compiled into one multi-pattern
matcher that scans a whole block of complete lines at once; only the lines it names are decoded
and checked rule by rule. Three engines give the same answer at different speeds:

- ``hyperscan`` (the ``hyperscan`` package, where it is installed): all patterns at once, SIMD;
- ``re2`` (``google-re2``, a dependency): one alternation of every pattern, a DFA;
- ``re`` (Python's own): the same alternation, line by line; slow, needs nothing, always correct.

``AMLNBTOOLS_PREFILTER`` picks one by name; by default the fastest one that loads is used.
The catalogue's pattern dialect (see rules.toml) is the common subset of the three.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

__all__ = ["ENGINES", "Prefilter", "make_prefilter"]

#: Engines in order of preference.
ENGINES = ("hyperscan", "re2", "re")
ENV_VAR = "AMLNBTOOLS_PREFILTER"


class Prefilter(Protocol):
    """Finds candidate lines in bytes (a block of complete lines, or one line)."""

    name: str

    def line_starts(self, block: bytes) -> Iterator[int]:
        """Start offsets of the lines of ``block`` that hold a match, ascending, each once."""
        ...

    def matches(self, line: bytes) -> bool:
        """Whether one line (no line end in it) holds a match."""
        ...


def _line_start(block: bytes, offset: int) -> int:
    return block.rfind(b"\n", 0, offset) + 1


class _AlternationPrefilter:
    """One alternation of every source, searched with RE2 or Python's ``re``."""

    def __init__(self, sources: Sequence[str], engine: str) -> None:
        self.name = engine
        joined = "(?m)" + "|".join(f"(?:{s})" for s in sources)
        if engine == "re2":
            import re2

            options = re2.Options()
            options.encoding = re2.Options.Encoding.LATIN1
            options.max_mem = 64 << 20
            self._regex: Any = re2.compile(joined.encode("ascii"), options)
        else:
            self._regex = re.compile(joined.encode("ascii"), re.ASCII)

    def line_starts(self, block: bytes) -> Iterator[int]:
        pos, search = 0, self._regex.search
        while (m := search(block, pos)) is not None:
            start = _line_start(block, m.start())
            yield start
            end = block.find(b"\n", m.start())
            if end < 0:
                return
            pos = end + 1

    def matches(self, line: bytes) -> bool:
        return self._regex.search(line) is not None


class _HyperscanPrefilter:
    """Every source as one pattern of a Hyperscan database, scanned once per block."""

    name = "hyperscan"

    def __init__(self, sources: Sequence[str]) -> None:
        import hyperscan

        self._hs = hyperscan
        flags = hyperscan.HS_FLAG_MULTILINE | hyperscan.HS_FLAG_ALLOWEMPTY
        self._db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        self._db.compile(expressions=[s.encode("ascii") for s in sources], ids=list(range(len(sources))),
                         elements=len(sources), flags=[flags] * len(sources))
        self._scratch = hyperscan.Scratch(self._db)
        self._local = threading.local()  # a scratch space per thread: scans may run in several at once

    def _ends(self, data: bytes) -> list[int]:
        ends: list[int] = []
        push = ends.append

        def on_match(_id: int, _from: int, to: int, _flags: int, _context: object) -> None:
            push(to)

        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = self._scratch.clone()
        self._db.scan(data, match_event_handler=on_match, scratch=scratch)
        return ends

    def line_starts(self, block: bytes) -> Iterator[int]:
        last = -1
        for end in sorted(self._ends(block)):
            if end <= last:
                continue  # the line was named already
            # a match may end just before a line end (its last byte is the end of the line)
            start = _line_start(block, max(0, end - 1))
            stop = block.find(b"\n", start)
            last = len(block) if stop < 0 else stop
            yield start

    def matches(self, line: bytes) -> bool:
        return bool(self._ends(line))


def make_prefilter(sources: Sequence[str], engine: str | None = None) -> Prefilter:
    """The prefilter of ``sources`` on ``engine`` (by default ``AMLNBTOOLS_PREFILTER``, else the fastest)."""
    wanted = engine or os.environ.get(ENV_VAR) or None
    if wanted is not None and wanted not in ENGINES:
        raise ValueError(f"{ENV_VAR} must be one of {', '.join(ENGINES)}, not {wanted!r}")
    for name in [wanted] if wanted else ENGINES:
        try:
            if name == "hyperscan":
                return _HyperscanPrefilter(sources)
            return _AlternationPrefilter(sources, name)
        except ImportError:
            if wanted:
                raise
    raise AssertionError("Python's re is always there")  # pragma: no cover

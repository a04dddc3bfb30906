"""The prefilter: which lines of a block are worth the rules' closer look, and which sources matched each.

Every pattern of the catalogue (and a few extra sources) is compiled into one multi-pattern
matcher that scans a whole block of complete lines at once. For each line with a match it reports
the indexes of the sources that matched there, so the rules behind other patterns are not even
tried on that line. Three engines give the same answer at different speeds:

- ``hyperscan`` (the ``hyperscan`` package, where it is installed): all patterns at once, SIMD;
- ``re2`` (``google-re2``, a dependency): one alternation finds the lines, an RE2 set names the sources;
- ``re`` (Python's own): the same, pattern by pattern; slow, needs nothing, always correct.

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
Candidate = tuple[int, frozenset[int]]  # (line start offset, indexes of the sources that matched)


class Prefilter(Protocol):
    """Finds candidate lines in bytes (a block of complete lines, or one line)."""

    name: str

    def candidates(self, block: bytes) -> Iterator[Candidate]:
        """For each line of ``block`` that holds a match, ascending: its start and the sources matched."""
        ...

    def sources_in(self, line: bytes) -> frozenset[int]:
        """The indexes of the sources that match one line (no line end in it); empty when none does."""
        ...


def _line_start(block: bytes, offset: int) -> int:
    return block.rfind(b"\n", 0, offset) + 1


def _line_end(block: bytes, offset: int) -> int:
    end = block.find(b"\n", offset)
    return len(block) if end < 0 else end


class _AlternationPrefilter:
    """One alternation of every source finds the lines; each source alone tells which matched."""

    def __init__(self, sources: Sequence[str], engine: str) -> None:
        self.name = engine
        joined = "(?m)" + "|".join(f"(?:{s})" for s in sources)
        if engine == "re2":
            import re2

            options = re2.Options()
            options.encoding = re2.Options.Encoding.LATIN1
            options.max_mem = 64 << 20
            self._regex: Any = re2.compile(joined.encode("ascii"), options)
            self._set: Any = re2.Set.SearchSet(options)
            for source in sources:
                self._set.Add(source.encode("ascii"))
            self._set.Compile()
            self._singles: list[Any] = []
        else:
            self._regex = re.compile(joined.encode("ascii"), re.ASCII)
            self._set = None
            self._singles = [re.compile(s.encode("ascii"), re.ASCII | re.MULTILINE) for s in sources]

    def sources_in(self, line: bytes) -> frozenset[int]:
        if self._set is not None:
            return frozenset(self._set.Match(line) or ())
        return frozenset(i for i, regex in enumerate(self._singles) if regex.search(line))

    def candidates(self, block: bytes) -> Iterator[Candidate]:
        pos, search = 0, self._regex.search
        while (m := search(block, pos)) is not None:
            start = _line_start(block, m.start())
            end = _line_end(block, m.start())
            ids = self.sources_in(block[start:end])
            if ids:  # a match that needs the line end (\s* eating it) names no source: not a candidate
                yield start, ids
            if end >= len(block):
                return
            pos = end + 1


class _HyperscanPrefilter:
    """Every source as one pattern of a Hyperscan database, scanned once per block."""

    name = "hyperscan"

    def __init__(self, sources: Sequence[str]) -> None:
        import hyperscan

        flags = hyperscan.HS_FLAG_MULTILINE | hyperscan.HS_FLAG_ALLOWEMPTY
        self._db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        self._db.compile(expressions=[s.encode("ascii") for s in sources], ids=list(range(len(sources))),
                         elements=len(sources), flags=[flags] * len(sources))
        self._scratch = hyperscan.Scratch(self._db)
        self._local = threading.local()  # a scratch space per thread: scans may run in several at once

    def _matches(self, data: bytes) -> list[tuple[int, int]]:
        found: list[tuple[int, int]] = []
        push = found.append

        def on_match(source: int, _from: int, to: int, _flags: int, _context: object) -> None:
            push((to, source))

        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = self._scratch.clone()
        self._db.scan(data, match_event_handler=on_match, scratch=scratch)
        return found

    def sources_in(self, line: bytes) -> frozenset[int]:
        return frozenset(source for _to, source in self._matches(line))

    def candidates(self, block: bytes) -> Iterator[Candidate]:
        start, stop, ids = -1, -1, set[int]()
        for to, source in sorted(self._matches(block)):
            # a match ending at a line end has the line's last byte as its last byte
            if start < 0 or to - 1 > stop:
                if ids:
                    yield start, frozenset(ids)
                start = _line_start(block, max(0, to - 1))
                stop = _line_end(block, start)
                ids = set()
            ids.add(source)
        if ids:
            yield start, frozenset(ids)


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

"""The diagnosis engine: scan text of any size against the rule catalogue.

How it works
------------
Input arrives in chunks of bytes (str is encoded to UTF-8). Line ends are normalised (CRLF and
lone CR become LF), then one RE2 regular expression made of every catalogue pattern looks for
candidate lines in a whole block of complete lines at once. Only candidate lines are decoded and
checked rule by rule with Python's ``re`` (which gives named groups for rule conditions), by
:class:`~amlnbtools.core.diagnosis.matcher.LineMatcher`. Lines holding escaped text (a literal
``\n`` or ``\"``) are always candidates: the matcher splits them into the lines they stand for.
A rule that looks at neighbouring lines gets the lines before a match from the block (or from the
end of the previous block), and every line after it until its window is past.

Memory stays bounded whatever the input: at most one chunk plus one window of the current line
is held. A line longer than ``WINDOW_BYTES`` is examined in windows of that size that overlap by
``OVERLAP_BYTES``; windows start at fixed offsets from the line start, so the result does not
depend on how the input was chunked.
"""

from __future__ import annotations

import codecs
import re
from collections import deque
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import BinaryIO

from amlnbtools.core.diagnosis.catalogue import Catalogue, default_catalogue
from amlnbtools.core.diagnosis.findings import Findings
from amlnbtools.core.diagnosis.matcher import LineMatcher
from amlnbtools.core.diagnosis.prefilter import Prefilter, make_prefilter

__all__ = ["SDKS", "Scanner", "diagnose", "diagnose_stream"]

#: The SDKs a remedy can be worded for.
SDKS = ("v1", "v2")
CHUNK_BYTES = 1 << 20
WINDOW_BYTES = 1 << 20
OVERLAP_BYTES = 4096
STEP_BYTES = WINDOW_BYTES - OVERLAP_BYTES
#: Lines with escaped text are always candidates (see the module docstring).
ESCAPED_SOURCES = (r"\\n",)
# Terminal colour codes, as pasted: with ESC, with ESC shown as "←" (Windows), or with ESC lost. A
# line holding one is a candidate; the codes are removed and the line looked at again (they would
# hide words from the patterns' word boundaries).
ANSI_SOURCE = r"(?:\x1b|\xe2\x86\x90)\[[0-9;]{0,12}m|\[(?:0|1|[349][0-7])m"
_ANSI = re.compile(ANSI_SOURCE.encode("ascii"))


def _strip_ansi(data: bytes) -> bytes:
    """``data`` without terminal colour codes."""
    return _ANSI.sub(b"", data)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, None),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@lru_cache(maxsize=8)
def _prefilter(catalogue: Catalogue, engine: str | None = None) -> Prefilter:
    return make_prefilter((*catalogue.prefilter_sources(), *ESCAPED_SOURCES, ANSI_SOURCE), engine)


class Scanner:
    """Incremental diagnosis: :meth:`feed` text or bytes in pieces, then :meth:`close`.

    Parameters
    ----------
    catalogue : Catalogue, optional
        Rules to apply; the shipped catalogue by default.
    language : str, optional
        Language of titles and remedies; the active language by default
        (see :func:`amlnbtools.set_language`).
    prefilter : {"hyperscan", "re2", "re"}, optional
        The engine that picks candidate lines (same findings, other speed); by default
        ``AMLNBTOOLS_PREFILTER`` or the fastest one installed.
    sdk : {"v1", "v2"}
        Which SDK the remedies speak of (same rules, same findings): ``"v2"`` for online endpoints and
        jobs of azure-ai-ml, where a rule has a v2 wording.
    """

    def __init__(self, catalogue: Catalogue | None = None, *, language: str | None = None,
                 prefilter: str | None = None, sdk: str = "v1") -> None:
        if sdk not in SDKS:
            raise ValueError(f"sdk must be one of {', '.join(SDKS)}, not {sdk!r}")
        self._sdk = sdk
        self._cat = catalogue if catalogue is not None else default_catalogue()
        self._pf = _prefilter(self._cat, prefilter)
        # the rule behind each prefilter source ("" for a context's line, "*" for escaped text: every rule)
        self._owners = [*self._cat.prefilter_owners(), *("*" for _s in ESCAPED_SOURCES), "ansi"]
        self._ansi = len(self._owners) - 1
        self._language = language
        self._head = b""  # first bytes, until the byte-order mark is known
        self._sniffed = False
        self._transcoder: codecs.IncrementalDecoder | None = None
        self._pending_cr = False
        self._carry = bytearray()  # the unfinished current line (from a window boundary on)
        self._carry_cut = False  # windows of the current line were examined and dropped already
        self._bom_len = 0
        self._line_no = 1
        self._matcher = LineMatcher(self._cat)
        self._window = self._cat.max_window
        self._recent: deque[bytes] = deque(maxlen=max(1, self._window))  # the lines before a block
        self._closed = False

    @property
    def lines_seen(self) -> int:
        """Number of lines read so far (a final line without a line end counts once closed)."""
        return self._line_no - 1

    # --- input -------------------------------------------------------------------------------

    def feed(self, data: bytes | bytearray | memoryview | str) -> None:
        """Scan the next piece of input. Pieces may split lines or characters anywhere."""
        if self._closed:
            raise RuntimeError("this Scanner is closed; create a new one")
        data = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
        if not self._sniffed:
            self._head += data
            if len(self._head) < 4:
                return
            data, self._head = self._head, b""
            self._sniff(data[:4])
            data = data[self._bom_len :]
        if self._transcoder is not None:
            data = self._transcoder.decode(data).encode("utf-8", "surrogatepass")
        self._feed_utf8(data)

    def close(self) -> Findings:
        """Finish the input and return the findings."""
        if self._closed:
            raise RuntimeError("this Scanner is closed already")
        if not self._sniffed:
            head, self._head = self._head, b""
            self._sniff(head)
            head = head[self._bom_len :]
            if self._transcoder is not None:
                head = self._transcoder.decode(head).encode("utf-8", "surrogatepass")
            self._feed_utf8(head)
        if self._transcoder is not None:
            self._feed_utf8(self._transcoder.decode(b"", final=True).encode("utf-8", "surrogatepass"))
        if self._pending_cr:
            self._pending_cr = False
            self._feed_utf8(b"\n")
        if self._carry:
            self._finish_line(bytes(self._carry))
        self._closed = True
        self._matcher.finish()
        return self._matcher.findings(self._language, self._sdk)

    def _sniff(self, head: bytes) -> None:
        self._sniffed = True
        self._bom_len = 0
        for bom, encoding in _BOMS:
            if head.startswith(bom):
                self._bom_len = len(bom)
                if encoding is not None:
                    self._transcoder = codecs.getincrementaldecoder(encoding)(errors="replace")
                return

    def _feed_utf8(self, data: bytes) -> None:
        if not data:
            return
        if self._pending_cr:
            data = b"\r" + data
            self._pending_cr = False
        if data.endswith(b"\r"):  # may be the first half of CRLF: decide with the next piece
            data = data[:-1]
            self._pending_cr = True
        if b"\r" in data:
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        last_nl = data.rfind(b"\n")
        if last_nl < 0:
            self._carry += data
            self._trim_carry()
            return
        start = 0
        if self._carry:
            first_nl = data.find(b"\n")
            self._carry += data[:first_nl]
            self._finish_line(bytes(self._carry))
            start = first_nl + 1
        if start <= last_nl:
            self._scan_block(data[start : last_nl + 1])
        self._carry = bytearray(data[last_nl + 1 :])
        self._trim_carry()

    # --- line handling -----------------------------------------------------------------------

    def _scan_block(self, block: bytes) -> None:
        """Scan complete lines (``block`` ends with a line end)."""
        pos, line_no = 0, self._line_no  # line_no: the number of the line that starts at pos
        for start, sources in self._pf.candidates(block):
            if start < pos:
                continue  # looked at already, as the neighbour of a windowed match
            pos, line_no = self._neighbours(block, pos, line_no, start)
            line_no += block.count(b"\n", pos, start)
            end = block.find(b"\n", start)
            line = block[start:end]
            if self._matcher.waiting:
                self._matcher.neighbour(_strip_ansi(line[:WINDOW_BYTES]).decode("utf-8", "replace"))
            self._examine_line(line, line_no, block, start, sources)
            pos, line_no = end + 1, line_no + 1
        self._neighbours(block, pos, line_no, len(block))
        self._line_no += block.count(b"\n")
        if self._window:
            self._remember_tail(block)

    def _neighbours(self, block: bytes, pos: int, line_no: int, stop: int) -> tuple[int, int]:
        """Hand the lines from ``pos`` on to windowed matches while they wait (at most up to ``stop``)."""
        while self._matcher.waiting and pos < stop:
            end = block.find(b"\n", pos)
            self._matcher.neighbour(_strip_ansi(block[pos:end][:WINDOW_BYTES]).decode("utf-8", "replace"))
            pos, line_no = end + 1, line_no + 1
        return pos, line_no

    def _remember_tail(self, block: bytes) -> None:
        """Keep the last lines of a block: the lines before a match at the start of the next one."""
        stop = len(block) - 1  # the final line end
        lines: list[bytes] = []
        while len(lines) < self._window and stop >= 0:
            start = block.rfind(b"\n", 0, stop) + 1
            lines.append(block[start:stop][:WINDOW_BYTES])
            stop = start - 1
        self._recent.extend(reversed(lines))

    def _before(self, block: bytes | None, line_start: int) -> Callable[[int], list[str]]:
        """The ``n`` lines before the line at ``line_start`` of ``block`` (earlier blocks included)."""

        def lines(n: int) -> list[str]:
            found: list[bytes] = []
            stop = line_start - 1
            while block is not None and len(found) < n and stop >= 0:
                start = block.rfind(b"\n", 0, stop) + 1
                found.append(block[start:stop][:WINDOW_BYTES])
                stop = start - 1
            if len(found) < n:
                found += list(reversed(self._recent))[: n - len(found)]
            return [b.decode("utf-8", "replace") for b in reversed(found)]

        return lines

    def _rules_for(self, sources: frozenset[int]) -> frozenset[str] | None:
        """The rules worth trying on a line where these prefilter sources matched (None: all of them)."""
        owners = {self._owners[i] for i in sources}
        return None if "*" in owners else frozenset(owners - {"", "ansi"})

    def _examine_line(self, line: bytes, line_no: int, block: bytes | None = None, line_start: int = 0,
                      sources: frozenset[int] | None = None) -> None:
        if len(line) <= WINDOW_BYTES:
            if sources is None:
                sources = self._pf.sources_in(line)
            if self._ansi in sources:
                line = _strip_ansi(line)
                sources = self._pf.sources_in(line)
            self._matcher.match(line.decode("utf-8", "replace"), line_no, before=self._before(block, line_start),
                                rules=self._rules_for(sources))
            return
        start = 0
        while True:
            window = line[start : start + WINDOW_BYTES]
            self._examine_window(window, line_no)
            if start + WINDOW_BYTES >= len(line):
                return
            start += STEP_BYTES

    def _examine_window(self, window: bytes, line_no: int) -> None:
        """One window of a line too long to be looked at whole."""
        sources = self._pf.sources_in(window)
        if self._ansi in sources:
            window = _strip_ansi(window)
            sources = self._pf.sources_in(window)
        if sources:
            self._matcher.match(window.decode("utf-8", "replace"), line_no, cut=True, rules=self._rules_for(sources))

    def _finish_line(self, tail: bytes) -> None:
        """Finish the current line, whose part from the last window boundary is ``tail``."""
        if self._matcher.waiting:
            self._matcher.neighbour(_strip_ansi(tail[:WINDOW_BYTES]).decode("utf-8", "replace"))
        if len(tail) > WINDOW_BYTES:
            self._examine_line(tail, self._line_no)
        elif tail_sources := self._pf.sources_in(tail):
            if self._ansi in tail_sources:
                tail = _strip_ansi(tail)
                tail_sources = self._pf.sources_in(tail)
            self._matcher.match(tail.decode("utf-8", "replace"), self._line_no, cut=self._carry_cut,
                                before=self._before(None, 0), rules=self._rules_for(tail_sources))
        if self._window:
            self._recent.append(tail[:WINDOW_BYTES])
        self._carry = bytearray()
        self._carry_cut = False
        self._line_no += 1

    def _trim_carry(self) -> None:
        """Examine and drop full windows of an over-long unfinished line."""
        while len(self._carry) > WINDOW_BYTES:
            window = bytes(self._carry[:WINDOW_BYTES])
            self._examine_window(window, self._line_no)
            del self._carry[:STEP_BYTES]
            self._carry_cut = True


def diagnose(text: str | bytes | bytearray | memoryview, *, language: str | None = None,
             catalogue: Catalogue | None = None, sdk: str = "v1") -> Findings:
    """Find known Azure ML failures in a log or error text.

    Parameters
    ----------
    text : str or bytes
        The log or error text. Bytes may be in any state: invalid UTF-8, NUL bytes, CR-only line
        ends, no line ends at all. UTF-16/32 with a byte-order mark is understood.
    language : str, optional
        Language of titles and remedies (``en``, ``fr``, ``pt-BR``, ``nl``, ``zh-CN``); the
        active language by default.
    catalogue : Catalogue, optional
        Rules to apply; the shipped catalogue by default.
    sdk : {"v1", "v2"}
        Word the remedies for SDK v1 (azureml-core) or SDK v2 (azure-ai-ml); the findings are the same.

    Returns
    -------
    Findings
        Errors first, then by line. ``findings.to_frame()`` gives a pandas DataFrame.
    """
    if not isinstance(text, (str, bytes, bytearray, memoryview)):
        raise TypeError(f"diagnose() takes str or bytes, not {type(text).__name__}")
    scanner = Scanner(catalogue, language=language, sdk=sdk)
    view = text if isinstance(text, str) else memoryview(text).cast("B")
    for i in range(0, len(view), CHUNK_BYTES):
        scanner.feed(view[i : i + CHUNK_BYTES])
    return scanner.close()


def diagnose_stream(stream: BinaryIO | Iterable[bytes], *, language: str | None = None,
                    catalogue: Catalogue | None = None, chunk_bytes: int = CHUNK_BYTES, sdk: str = "v1") -> Findings:
    """Diagnose a binary stream (or an iterable of byte chunks) in chunks, with bounded memory."""
    scanner = Scanner(catalogue, language=language, sdk=sdk)
    if hasattr(stream, "read"):
        while chunk := stream.read(chunk_bytes):
            scanner.feed(chunk)
    else:
        for chunk in stream:
            scanner.feed(chunk)
    return scanner.close()

"""The diagnosis engine: scan text of any size against the rule catalogue.

How it works
------------
Input arrives in chunks of bytes (str is encoded to UTF-8). Line ends are normalised (CRLF and
lone CR become LF), then one RE2 regular expression made of every catalogue pattern looks for
candidate lines in a whole block of complete lines at once. Only candidate lines are decoded and
checked rule by rule with Python's ``re`` (which gives named groups for rule conditions).

Memory stays bounded whatever the input: at most one chunk plus one window of the current line
is held. A line longer than ``WINDOW_BYTES`` is examined in windows of that size that overlap by
``OVERLAP_BYTES``; windows start at fixed offsets from the line start, so the result does not
depend on how the input was chunked.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import BinaryIO

import re2

from amlnbtools.core.diagnosis.catalogue import Catalogue, Condition, Rule, default_catalogue
from amlnbtools.core.diagnosis.findings import SEVERITIES, Finding, Findings
from amlnbtools.i18n import gettext_for

__all__ = ["Scanner", "diagnose", "diagnose_stream"]

CHUNK_BYTES = 1 << 20
WINDOW_BYTES = 1 << 20
OVERLAP_BYTES = 4096
STEP_BYTES = WINDOW_BYTES - OVERLAP_BYTES
EVIDENCE_CHARS = 300
MAX_LINES_KEPT = 100
MAX_CONTEXT_VALUES = 256

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, None),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@lru_cache(maxsize=8)
def _prefilter(catalogue: Catalogue) -> re2._Regexp:
    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1
    options.max_mem = 64 << 20
    source = "(?m)" + "|".join(f"(?:{s})" for s in catalogue.prefilter_sources())
    return re2.compile(source.encode("ascii"), options)


@dataclass
class _Hit:
    line: int
    evidence: str
    lines: list[int] = field(default_factory=list)
    count: int = 0
    last_line: int = 0


class Scanner:
    """Incremental diagnosis: :meth:`feed` text or bytes in pieces, then :meth:`close`.

    Parameters
    ----------
    catalogue : Catalogue, optional
        Rules to apply; the shipped catalogue by default.
    language : str, optional
        Language of titles and remedies; the active language by default
        (see :func:`amlnbtools.set_language`).
    """

    def __init__(self, catalogue: Catalogue | None = None, *, language: str | None = None) -> None:
        self._cat = catalogue if catalogue is not None else default_catalogue()
        self._pf = _prefilter(self._cat)
        self._language = language
        self._head = b""  # first bytes, until the byte-order mark is known
        self._sniffed = False
        self._transcoder: codecs.IncrementalDecoder | None = None
        self._pending_cr = False
        self._carry = bytearray()  # the unfinished current line (from a window boundary on)
        self._carry_cut = False  # windows of the current line were examined and dropped already
        self._bom_len = 0
        self._line_no = 1
        self._context: dict[str, list[str]] = {c.name: [] for c in self._cat.contexts}
        self._hits: dict[str, _Hit] = {}
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
        return self._findings()

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
        pos, counted, line_no = 0, 0, self._line_no
        search = self._pf.search
        while (m := search(block, pos)) is not None:
            start = m.start()
            line_start = block.rfind(b"\n", 0, start) + 1
            line_end = block.find(b"\n", start)
            line_no += block.count(b"\n", counted, line_start)
            counted = line_start
            self._examine_line(block[line_start:line_end], line_no)
            pos = line_end + 1
        self._line_no += block.count(b"\n")

    def _examine_line(self, line: bytes, line_no: int) -> None:
        if len(line) <= WINDOW_BYTES:
            self._match_line(line.decode("utf-8", "replace"), line_no)
            return
        start = 0
        while True:
            window = line[start : start + WINDOW_BYTES]
            if self._pf.search(window) is not None:
                self._match_line(window.decode("utf-8", "replace"), line_no, cut=True)
            if start + WINDOW_BYTES >= len(line):
                return
            start += STEP_BYTES

    def _finish_line(self, tail: bytes) -> None:
        """Finish the current line, whose part from the last window boundary is ``tail``."""
        if len(tail) > WINDOW_BYTES:
            self._examine_line(tail, self._line_no)
        elif self._pf.search(tail) is not None:
            self._match_line(tail.decode("utf-8", "replace"), self._line_no, cut=self._carry_cut)
        self._carry = bytearray()
        self._carry_cut = False
        self._line_no += 1

    def _trim_carry(self) -> None:
        """Examine and drop full windows of an over-long unfinished line."""
        while len(self._carry) > WINDOW_BYTES:
            window = bytes(self._carry[:WINDOW_BYTES])
            if self._pf.search(window) is not None:
                self._match_line(window.decode("utf-8", "replace"), self._line_no, cut=True)
            del self._carry[:STEP_BYTES]
            self._carry_cut = True

    # --- rules -------------------------------------------------------------------------------

    def _match_line(self, text: str, line_no: int, cut: bool = False) -> None:
        for spec in self._cat.contexts:
            if spec.line.search(text):
                values = [m.group("value") if "value" in spec.values.groupindex else m.group(0)
                          for m in spec.values.finditer(text)]
                self._remember(spec.name, spec.keep, [v for v in values if v])
        matched: dict[str, int] = {}
        for rule in self._cat.rules:
            start = self._rule_match(rule, text)
            if start is not None:
                matched[rule.id] = start
        if not matched:
            return
        dropped = set().union(*(self._cat.rule(r).overrides for r in matched))
        for rule_id, start in matched.items():
            if rule_id not in dropped:
                self._record(rule_id, line_no, _evidence(text, start, cut))

    def _rule_match(self, rule: Rule, text: str) -> int | None:
        for pattern in rule.patterns:
            m = pattern.regex.search(text)
            if m is None or (pattern.when is not None and not self._holds(pattern.when, m)):
                continue
            if any(u.search(text) for u in rule.unless):
                return None
            return m.start()
        return None

    def _holds(self, cond: Condition, m: object) -> bool:
        remembered = self._context[cond.context]
        if cond.kind == "equals":
            return bool(remembered) and remembered[-1] == cond.value
        path = (m.group(cond.group) or "").rstrip("/")  # type: ignore[attr-defined]
        return any(path == p or path.startswith(p + "/") for p in remembered if p)

    def _remember(self, name: str, keep: str, values: list[str]) -> None:
        if keep == "last":  # the value of the latest matching line; none on that line forgets it
            self._context[name] = values[-1:]
            return
        if not values:
            return
        store = self._context[name]
        for v in values:
            v = v.rstrip("/")
            if v not in store and len(store) < MAX_CONTEXT_VALUES:
                store.append(v)

    def _record(self, rule_id: str, line_no: int, evidence: str) -> None:
        hit = self._hits.get(rule_id)
        if hit is None:
            hit = self._hits[rule_id] = _Hit(line=line_no, evidence=evidence)
        if hit.last_line == line_no:
            return  # another window of the same line
        hit.last_line = line_no
        hit.count += 1
        if len(hit.lines) < MAX_LINES_KEPT:
            hit.lines.append(line_no)

    def _findings(self) -> Findings:
        gettext = gettext_for(self._language)
        rules = {r.id: r for r in self._cat.rules}
        has_error = any(rules[r].severity == "error" and not rules[r].fallback for r in self._hits)
        out = []
        for rule_id, hit in self._hits.items():
            rule = rules[rule_id]
            if rule.fallback and has_error:
                continue
            out.append(Finding(rule=rule_id, severity=rule.severity, line=hit.line, evidence=hit.evidence,
                               title=gettext(rule.title), remedy=gettext(rule.remedy), docs=rule.docs,
                               count=hit.count, lines=tuple(hit.lines)))
        out.sort(key=lambda f: (SEVERITIES.index(f.severity), f.line, f.rule))
        return Findings(out, symptoms=frozenset(r.id for r in self._cat.rules if r.symptom))


def _evidence(text: str, start: int, cut: bool) -> str:
    line = text.strip()
    if len(line) <= EVIDENCE_CHARS and not cut:
        return line
    offset = len(text) - len(text.lstrip())
    start = max(0, start - offset)
    lo = max(0, min(start - EVIDENCE_CHARS // 3, len(line) - EVIDENCE_CHARS))
    piece = line[lo : lo + EVIDENCE_CHARS]
    return ("…" if lo > 0 or cut else "") + piece + ("…" if lo + EVIDENCE_CHARS < len(line) or cut else "")


def diagnose(text: str | bytes | bytearray | memoryview, *, language: str | None = None,
             catalogue: Catalogue | None = None) -> Findings:
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

    Returns
    -------
    Findings
        Errors first, then by line. ``findings.to_frame()`` gives a pandas DataFrame.
    """
    if not isinstance(text, (str, bytes, bytearray, memoryview)):
        raise TypeError(f"diagnose() takes str or bytes, not {type(text).__name__}")
    scanner = Scanner(catalogue, language=language)
    view = text if isinstance(text, str) else memoryview(text).cast("B")
    for i in range(0, len(view), CHUNK_BYTES):
        scanner.feed(view[i : i + CHUNK_BYTES])
    return scanner.close()


def diagnose_stream(stream: BinaryIO | Iterable[bytes], *, language: str | None = None,
                    catalogue: Catalogue | None = None, chunk_bytes: int = CHUNK_BYTES) -> Findings:
    """Diagnose a binary stream (or an iterable of byte chunks) in chunks, with bounded memory."""
    scanner = Scanner(catalogue, language=language)
    if hasattr(stream, "read"):
        while chunk := stream.read(chunk_bytes):
            scanner.feed(chunk)
    else:
        for chunk in stream:
            scanner.feed(chunk)
    return scanner.close()

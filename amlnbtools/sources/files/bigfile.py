"""A log file of any size read by pages through an index of line offsets.

The index is built once, in chunks, with numpy: one ``uint64`` byte offset per line start (8 bytes
a line; 1M lines = 8 MB), never the whole file. Lines are numbered like the diagnosis engine
(:class:`amlnbtools.core.Scanner`): LF, CRLF and a lone CR each end a line, a last line without a
line end counts, a byte-order mark is skipped, and UTF-16/UTF-32 files (found by their byte-order
mark, as the engine does) are indexed by code units. Everything else is read as UTF-8 with
``errors="replace"``.

The index is a snapshot: bytes appended after it was built are not shown (open the file again).
"""

from __future__ import annotations

import codecs
import os
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import re2

from amlnbtools.core.logs import levels_of, scan_level_codes, split_lines
from amlnbtools.sources.files.logfiles import open_log, unreadable

__all__ = ["IndexedLog"]

#: Bytes read at a time while indexing and searching.
CHUNK_BYTES = 4 << 20
#: Lines read above a page by :meth:`IndexedLog.levels` so a traceback begun just above is seen.
LEVEL_LOOKBACK_LINES = 50

# (byte-order mark, codec, numpy dtype of one code unit): the engine's table and order (UTF-32 LE
# before UTF-16 LE, which starts with the same bytes).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "<u4"),
    (codecs.BOM_UTF32_BE, "utf-32-be", ">u4"),
    (codecs.BOM_UTF8, "utf-8", "u1"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "<u2"),
    (codecs.BOM_UTF16_BE, "utf-16-be", ">u2"),
)
_LF, _CR = 0x0A, 0x0D


class IndexedLog:
    """A log file read by pages through an index of line offsets (never the whole file in memory).

    Parameters
    ----------
    path : str or os.PathLike
        The log file.
    max_line_chars : int
        Longer lines are cut to this many characters and end with ``… [N more characters]``.
    chunk_bytes : int
        Bytes read at a time while indexing and searching (tests use tiny chunks).

    Raises
    ------
    LogPathError
        The file is missing, a folder, or cannot be read.
    """

    def __init__(self, path: str | os.PathLike[str], *, max_line_chars: int = 2000,
                 chunk_bytes: int = CHUNK_BYTES) -> None:
        if max_line_chars < 1 or chunk_bytes < 1:
            raise ValueError("max_line_chars and chunk_bytes must be at least 1")
        self._path = Path(path)
        self.max_line_chars = max_line_chars
        self._chunk_bytes = chunk_bytes
        self._lock = threading.Lock()
        self._fh = open_log(self._path, buffering=0)
        try:
            self._build_index()
        except OSError as exc:
            self._fh.close()
            raise unreadable(self._path, exc) from None

    # --- properties ---------------------------------------------------------------------------

    @property
    def path(self) -> Path:
        """The file."""
        return self._path

    @property
    def byte_size(self) -> int:
        """Size of the file in bytes when the index was built."""
        return self._size

    @property
    def line_count(self) -> int:
        """Number of lines (numbered like the diagnosis engine)."""
        return len(self._starts)

    @property
    def encoding(self) -> str:
        """``utf-8``, or the UTF-16/UTF-32 codec named by the file's byte-order mark."""
        return self._codec

    @property
    def index_bytes(self) -> int:
        """Memory held by the line index."""
        return self._starts.nbytes

    def __repr__(self) -> str:
        return f"IndexedLog({str(self._path)!r}, lines={self.line_count}, bytes={self._size})"

    def close(self) -> None:
        """Close the file handle."""
        self._fh.close()

    def __enter__(self) -> IndexedLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- index --------------------------------------------------------------------------------

    def _read(self, offset: int, size: int) -> bytes:
        with self._lock:
            self._fh.seek(offset)
            return self._fh.read(size) or b""

    def _build_index(self) -> None:
        self._size = os.fstat(self._fh.fileno()).st_size
        head = self._read(0, 4)
        self._bom_len, self._codec, dtype = 0, "utf-8", "u1"
        for bom, codec, unit_dtype in _BOMS:
            if head.startswith(bom):
                self._bom_len, self._codec, dtype = len(bom), codec, unit_dtype
                break
        self._dtype = np.dtype(dtype)
        unit = self._dtype.itemsize
        self._terminators = tuple(t.encode(self._codec) for t in ("\r\n", "\n", "\r"))
        chunk = max(unit, self._chunk_bytes - self._chunk_bytes % unit)
        parts = [np.array([self._bom_len], dtype=np.uint64)]
        pending_cr: int | None = None  # unit index of a CR that ended the previous chunk
        offset, buf = self._bom_len, bytearray(chunk)
        with self._lock:
            self._fh.seek(offset)
            while offset < self._size:
                got = self._fh.readinto(buf) or 0
                if got == 0:
                    break
                units = np.frombuffer(buf, dtype=self._dtype, count=got // unit)
                first = (offset - self._bom_len) // unit
                if pending_cr is not None and (len(units) == 0 or units[0] != _LF):
                    parts.append(np.array([self._bom_len + (pending_cr + 1) * unit], dtype=np.uint64))
                pending_cr = None
                ends = np.flatnonzero(units == _LF)
                if len(units) and (unit > 1 or buf.find(b"\r", 0, got) >= 0):
                    crs = np.flatnonzero(units == _CR)
                    if len(crs) and crs[-1] == len(units) - 1:  # CRLF may be split: the next chunk decides
                        pending_cr, crs = first + int(crs[-1]), crs[:-1]
                    lone = crs[units[crs + 1] != _LF]
                    if len(lone):
                        ends = np.sort(np.concatenate((ends, lone)))
                if len(ends):
                    parts.append((ends.astype(np.uint64) + np.uint64(first + 1)) * np.uint64(unit)
                                 + np.uint64(self._bom_len))
                offset += got
            self._size = offset
        if pending_cr is not None:
            parts.append(np.array([self._bom_len + (pending_cr + 1) * unit], dtype=np.uint64))
        starts = np.concatenate(parts)
        if starts[-1] >= self._size:  # nothing after the last line end: no further line
            starts = starts[:-1]
        self._starts = starts

    def _end(self, k: int) -> int:
        return int(self._starts[k + 1]) if k + 1 < len(self._starts) else self._size

    # --- pages --------------------------------------------------------------------------------

    def _clamp(self, start: int, stop: int) -> tuple[int, int]:
        n = len(self._starts)
        start, stop = max(0, min(start, n)), max(0, min(stop, n))
        return start, max(start, stop)

    def _cut(self, text: str, more: int = 0) -> str:
        extra = len(text) - self.max_line_chars + more
        return text if extra <= 0 else f"{text[: self.max_line_chars]}… [{extra} more characters]"

    def lines(self, start: int, stop: int) -> list[str]:
        """The text of lines ``start`` to ``stop - 1`` (0-based), without line ends.

        A line longer than ``max_line_chars`` is cut and ends with ``… [N more characters]``. At most
        ``4 * max_line_chars + 4`` bytes of one line are read; beyond them each unread byte counts as
        one character in ``N`` (exact for ASCII, an upper bound otherwise).
        """
        start, stop = self._clamp(start, stop)
        if start == stop:
            return []
        bound = 4 * self.max_line_chars + 4
        offsets = self._starts[start:stop + 1].astype(np.int64)
        if len(offsets) == stop - start:
            offsets = np.append(offsets, self._size)
        lengths, at = np.diff(offsets).tolist(), offsets.tolist()
        out: list[str] = []
        i, n = 0, stop - start
        while i < n:
            run = i  # a run of short lines is read and decoded at once
            while run < n and lengths[run] <= bound:
                run += 1
            if run > i:
                data = self._read(at[i], at[run] - at[i])
                out.extend(self._cut(line) for line in split_lines(data.decode(self._codec, "replace")))
                i = run
            else:
                out.append(self._long_line(at[i], at[i + 1], bound))
                i += 1
        return out

    def _long_line(self, begin: int, end: int, bound: int) -> str:
        tail = self._read(end - 2 * self._dtype.itemsize, 2 * self._dtype.itemsize)
        end -= next((len(t) for t in self._terminators if tail.endswith(t)), 0)
        size = min(end - begin, bound)
        decoder = codecs.getincrementaldecoder(self._codec)("replace")
        text = decoder.decode(self._read(begin, size), final=size == end - begin)
        return self._cut(text, more=len(decoder.getstate()[0]) + (end - begin - size))

    def levels(self, start: int, stop: int) -> list[str | None]:
        """The level of lines ``start`` to ``stop - 1`` (see :func:`amlnbtools.core.logs.levels_of`).

        ``LEVEL_LOOKBACK_LINES`` lines above the page are read too; a traceback that began further
        up is missed (its lines above the page would have to be read), which is accepted here.
        """
        start, stop = self._clamp(start, stop)
        first = max(0, start - LEVEL_LOOKBACK_LINES)
        return levels_of(self.lines(first, stop))[start - first:]

    def level_codes(self, *, batch_lines: int = 20_000, on_progress: Callable[[int, int], None] | None = None,
                    should_stop: Callable[[], bool] | None = None) -> np.ndarray | None:
        """The level code of every line, one byte a line (see :mod:`amlnbtools.core.logs`).

        The whole file is read ``batch_lines`` at a time, the traceback state carried across
        batches, so the levels equal :func:`~amlnbtools.core.logs.levels_of` on all the (cut)
        lines. ``on_progress(done, total)`` is called after each batch; the scan stops and returns
        ``None`` when ``should_stop()`` is true. Slow for big files: run it in the background.
        """
        codes = scan_level_codes(self, batch_lines=batch_lines, on_progress=on_progress, should_stop=should_stop)
        return None if codes is None else np.frombuffer(codes, dtype=np.uint8)

    # --- search -------------------------------------------------------------------------------

    def _pattern(self, query: str, case_sensitive: bool) -> re2._Regexp:
        parts = []
        for char in query:
            variants = {char} if case_sensitive else {char, char.lower(), char.upper(), char.casefold()}
            encoded = sorted({v.encode(self._codec, "surrogatepass") for v in variants if len(v) == 1})
            parts.append("(?:" + "|".join("".join(f"\\x{b:02x}" for b in e) for e in encoded) + ")")
        options = re2.Options()
        options.encoding = re2.Options.Encoding.LATIN1  # bytes in, byte patterns: invalid UTF-8 is fine
        return re2.compile("".join(parts).encode("ascii"), options)

    def search(self, query: str, *, limit: int = 1000, case_sensitive: bool = False) -> list[int]:
        """1-based numbers of the lines that contain ``query``, in order, at most ``limit``.

        Case-insensitive by default (a character matches its lower, upper and case-folded forms).
        The file is streamed in chunks that overlap by the longest possible match, so memory stays
        bounded even for a single huge line. An empty query, or one with a line end, finds nothing.
        """
        if not query or "\n" in query or "\r" in query or limit <= 0:
            return []
        regex = self._pattern(query, case_sensitive)
        unit = self._dtype.itemsize
        overlap = 4 * len(query) * unit + unit
        chunk = max(unit, self._chunk_bytes - self._chunk_bytes % unit)
        hits: list[int] = []
        pos = self._bom_len
        while pos < self._size and len(hits) < limit:
            data = self._read(pos, chunk + overlap)
            at_end = pos + len(data) >= self._size
            scan, next_pos = 0, pos + chunk
            while (m := regex.search(data, scan)) is not None:
                if m.start() >= chunk and not at_end:
                    break
                if m.start() % unit:  # UTF-16/32: a match must start on a code unit
                    scan = m.start() + 1
                    continue
                line = int(np.searchsorted(self._starts, np.uint64(pos + m.start()), side="right")) - 1
                hits.append(line + 1)
                next_pos = self._end(line)  # one hit a line: go on from the next line
                if len(hits) >= limit or next_pos - pos >= len(data):
                    break
                scan = next_pos - pos
            pos = self._size if at_end else max(next_pos, pos + chunk)
        return hits

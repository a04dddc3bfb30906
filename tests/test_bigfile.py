"""The paged, line-indexed log reader: numbering equal to the engine's, pages, long lines, search, levels."""

from __future__ import annotations

import codecs
import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amlnbtools.core import Scanner
from amlnbtools.core.logs import FRAME, LEVEL_MASK, LEVEL_OF_CODE, levels_of, split_lines
from amlnbtools.sources.files import bigfile
from amlnbtools.sources.files.bigfile import IndexedLog
from amlnbtools.sources.files.logfiles import LogPathError

_counter = itertools.count()
PIECES = [b"\r", b"\n", b"\r\n", b"a", b"A", b"b", "é".encode(), "É".encode(), b"\xe2\x82", b"\xff", b"\x00",
          b"\xff\xfe", b"\xef\xbb\xbf", b"\xfe\xff", b"\x00\x00", b"xyz" * 5]
byte_soup = st.one_of(st.binary(max_size=120), st.lists(st.sampled_from(PIECES), max_size=60).map(b"".join))
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / f"log{next(_counter)}.txt"
    path.write_bytes(data)
    return path


def engine_lines(data: bytes) -> int:
    scanner = Scanner()
    scanner.feed(data)
    scanner.close()
    return scanner.lines_seen


def oracle(data: bytes) -> list[str]:
    """The lines as the engine sees them: byte-order mark skipped, decoded with 'replace'."""
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
                       (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data[:4].startswith(bom):
            return split_lines(data[len(bom):].decode(codec, "replace"))
    return split_lines(data.decode("utf-8", "replace"))


@SETTINGS
@given(data=byte_soup, chunk=st.integers(1, 16))
def test_numbering_and_text_equal_the_engine(tmp_path: Path, data: bytes, chunk: int) -> None:
    with IndexedLog(write(tmp_path, data), chunk_bytes=chunk, max_line_chars=10_000) as log:
        assert log.line_count == engine_lines(data)
        assert log.lines(0, log.line_count) == oracle(data)
        assert log.byte_size == len(data)


@SETTINGS
@given(data=byte_soup, chunk=st.integers(1, 16), max_chars=st.integers(1, 6))
def test_long_lines_are_cut_with_a_marker(tmp_path: Path, data: bytes, chunk: int, max_chars: int) -> None:
    with IndexedLog(write(tmp_path, data), chunk_bytes=chunk, max_line_chars=max_chars) as log:
        for shown, full in zip(log.lines(0, log.line_count), oracle(data), strict=True):
            if len(full) <= max_chars:
                assert shown == full
                continue
            prefix, _, marker = shown.partition("… [")
            assert prefix == full[:max_chars]
            more = int(marker.removesuffix(" more characters]"))
            assert more >= len(full) - max_chars  # unread bytes count one character each: an upper bound
            if full.isascii():
                assert more == len(full) - max_chars


def test_crlf_split_across_every_chunk_boundary(tmp_path: Path) -> None:
    data = b"ab\r\ncd\r\r\nef\rgh\n\r\n\r" * 5 + b"last"
    expected = split_lines(data.decode())
    for chunk in range(1, 20):
        with IndexedLog(write(tmp_path, data), chunk_bytes=chunk) as log:
            assert log.lines(0, log.line_count) == expected == oracle(data)
            assert log.line_count == engine_lines(data)


def test_pages_and_out_of_range(tmp_path: Path) -> None:
    data = "".join(f"line {i}\n" for i in range(1000)).encode()
    with IndexedLog(write(tmp_path, data), chunk_bytes=97) as log:
        assert log.line_count == 1000
        assert log.lines(500, 503) == ["line 500", "line 501", "line 502"]
        assert log.lines(998, 2000) == ["line 998", "line 999"]
        assert log.lines(-5, 1) == ["line 0"]
        assert log.lines(7, 3) == [] and log.lines(1000, 1010) == []
        assert log.index_bytes == 8 * 1000


def test_empty_file_and_no_trailing_newline(tmp_path: Path) -> None:
    with IndexedLog(write(tmp_path, b"")) as log:
        assert log.line_count == 0 and log.lines(0, 10) == [] and log.search("a") == [] and log.levels(0, 5) == []
    with IndexedLog(write(tmp_path, b"one\ntwo")) as log:
        assert log.line_count == 2 and log.lines(0, 2) == ["one", "two"]
    with IndexedLog(write(tmp_path, b"\xef\xbb\xbfbom\r\n")) as log:
        assert log.lines(0, 5) == ["bom"]


def test_utf16_file_is_indexed_by_code_units(tmp_path: Path) -> None:
    text = "first ✓\r\nsecond\rthird 𝄞 Error\nfourth"
    for codec in ("utf-16", "utf-16-be", "utf-32"):
        data = (codecs.BOM_UTF16_BE if codec == "utf-16-be" else b"") + text.encode(codec)
        with IndexedLog(write(tmp_path, data), chunk_bytes=5) as log:
            assert log.line_count == engine_lines(data) == 4
            assert log.lines(0, 4) == split_lines(text)
            assert log.search("error") == [3] and log.search("D") == [2, 3]


def test_long_line_read_is_bounded(tmp_path: Path) -> None:
    data = b"short\n" + b"x" * 1_000_000 + b"\r\n" + "é".encode() * 100 + b"\nend"
    with IndexedLog(write(tmp_path, data), max_line_chars=10) as log:
        sizes: list[int] = []
        read = log._read
        log._read = lambda offset, size: sizes.append(size) or read(offset, size)  # type: ignore[method-assign]
        assert log.lines(0, 4) == ["short", "x" * 10 + "… [999990 more characters]",
                                   "é" * 10 + "… [168 more characters]", "end"]
        assert max(sizes) <= 10 * 4 + 4
        # 168, not the true 90: the 156 unread bytes count one character each (an upper bound)


@SETTINGS
@given(lines=st.lists(st.text("aAbéÉ \t", max_size=30), max_size=40),
       query=st.text("aAbéÉ", min_size=1, max_size=3), chunk=st.integers(1, 40), case_sensitive=st.booleans())
def test_search_finds_the_lines_that_contain_the_query(tmp_path: Path, lines: list[str], query: str, chunk: int,
                                                       case_sensitive: bool) -> None:
    data = "\n".join(lines).encode() + b"\xff\r"
    with IndexedLog(write(tmp_path, data), chunk_bytes=chunk) as log:
        texts = oracle(data)
        fold = (lambda s: s) if case_sensitive else str.lower
        expected = [i + 1 for i, line in enumerate(texts) if fold(query) in fold(line)]
        assert log.search(query, case_sensitive=case_sensitive) == expected
        assert log.search(query, case_sensitive=case_sensitive, limit=2) == expected[:2]


def test_search_one_hit_per_line_case_insensitive_by_default(tmp_path: Path) -> None:
    data = b"Error error ERROR\nnothing\n" + b"y" * 5000 + b"eRRor\nCUDA out of memory\n"
    with IndexedLog(write(tmp_path, data), chunk_bytes=64) as log:
        assert log.search("error") == [1, 3]
        assert log.search("ERROR", case_sensitive=True) == [1]
        assert log.search("error", limit=1) == [1]
        assert log.search("cuda OUT") == [4]
        assert log.search("") == [] and log.search("r\ne") == [] and log.search("absent") == []


def test_levels_on_a_page(tmp_path: Path) -> None:
    lines = (["2026-11-22 10:08:19,351 I [11298] azmlinfsrv - start"] * 300
             + ["Traceback (most recent call last):", '  File "score.py", line 3, in run', "    1/0",
                "ZeroDivisionError: division by zero", "2021-03-08 12:58:41,120 | root | WARNING | slow",
                "    continued"])
    data = "\n".join(lines).encode()
    with IndexedLog(write(tmp_path, data)) as log:
        every = levels_of(lines)
        assert log.levels(302, 306) == every[302:306] == ["ERROR", "ERROR", "WARNING", "WARNING"]
        assert log.levels(0, 3) == ["INFO"] * 3
        assert log.levels(290, 400) == every[290:]


def test_a_traceback_begun_far_above_the_page_is_missed(tmp_path: Path) -> None:
    lines = ["Traceback (most recent call last):"] + ['  File "x.py", line 1'] * 200 + ["KeyError: 'k'"]
    with IndexedLog(write(tmp_path, "\n".join(lines).encode())) as log:
        assert log.levels(150, 152) == [None, None]  # documented limit: only LEVEL_LOOKBACK_LINES are read
        assert bigfile.LEVEL_LOOKBACK_LINES < 149


def test_missing_file_and_folder_raise_log_path_error(tmp_path: Path) -> None:
    with pytest.raises(LogPathError, match="nope.txt: no such file or folder; check the path"):
        IndexedLog(tmp_path / "nope.txt")
    with pytest.raises(LogPathError, match="is a folder"):
        IndexedLog(tmp_path)


def test_repr_and_properties(tmp_path: Path) -> None:
    path = write(tmp_path, b"a\nb\n")
    log = IndexedLog(path)
    assert log.path == path and log.encoding == "utf-8"
    assert repr(log) == f"IndexedLog({str(path)!r}, lines=2, bytes=4)"
    log.close()
    with pytest.raises(ValueError):
        log.lines(0, 1)


def test_level_codes_of_the_whole_file_equal_levels_of(tmp_path: Path) -> None:
    lines = (["2026-11-22 10:08:19,351 W [11298] azmlinfsrv - slow"] * 5
             + ["Traceback (most recent call last):"] + ['  File "x.py", line 1, in f', "    f()"] * 30
             + ["KeyError: 'k'", "    continued", "[stderr]boom", "plain"])
    data = "\r\n".join(lines).encode()
    with IndexedLog(write(tmp_path, data), chunk_bytes=64) as log:
        progress: list[tuple[int, int]] = []
        codes = log.level_codes(batch_lines=7, on_progress=lambda done, total: progress.append((done, total)))
        assert codes is not None and codes.dtype.name == "uint8" and codes.nbytes == log.line_count
        assert [LEVEL_OF_CODE[c & LEVEL_MASK] for c in codes.tolist()] == levels_of(lines)
        frames = [i for i, c in enumerate(codes.tolist()) if c & FRAME]
        assert frames == list(range(6, 66))  # the frame lines of the traceback, across every batch
        assert progress[-1] == (log.line_count, log.line_count) and len(progress) == -(-log.line_count // 7)
        assert log.level_codes(should_stop=lambda: True) is None

"""The diagnosis engine on hand-made inputs: contracts, context rules, bad input."""

from __future__ import annotations

import codecs
import tracemalloc

import pandas as pd
import pytest

from amlnbtools import diagnose
from amlnbtools.core import SEVERITIES, Finding, Findings, Scanner, diagnose_stream
from amlnbtools.core.diagnosis.scanner import OVERLAP_BYTES, STEP_BYTES, WINDOW_BYTES

CRASH = "2021-03-08 12:58:41,120 | root | ERROR | Container crashed: CrashLoopBackOff"


def rules_at(findings: Findings) -> list[tuple[str, int]]:
    return [(f.rule, f.line) for f in findings]


def test_finding_fields_and_frame() -> None:
    findings = diagnose("starting\n" + CRASH + "\n")
    assert isinstance(findings, Findings)
    (f,) = findings
    assert isinstance(f, Finding)
    assert (f.rule, f.severity, f.line, f.evidence) == ("crash-loop", "error", 2, CRASH)
    assert f.title and f.remedy and f.docs.startswith("https://")
    with pytest.raises(AttributeError):
        f.line = 3  # type: ignore[misc]
    frame = findings.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["rule", "severity", "line", "evidence", "title", "remedy", "docs", "count"]
    assert frame.loc[0, "rule"] == "crash-loop" and frame.loc[0, "line"] == 2
    assert list(Findings().to_frame().columns) == list(frame.columns)


def test_bytes_and_str_agree() -> None:
    text = "a\nModuleNotFoundError: No module named 'lightgbm'\n"
    assert diagnose(text) == diagnose(text.encode())


def test_one_finding_per_rule_with_first_line_and_count() -> None:
    text = "ok\nOOMKilled\nok\nOOMKilled again\n"
    (f,) = diagnose(text)
    assert (f.rule, f.line, f.count, f.lines) == ("out-of-memory", 2, 2, (2, 4))


def test_errors_sorted_before_warnings_then_by_line() -> None:
    text = "ValueError: bad input\n" "x\n" "[stderr]ModuleNotFoundError: No module named 'x'\n" "OOMKilled\n"
    findings = diagnose(text)
    assert [f.severity for f in findings] == sorted((f.severity for f in findings), key=SEVERITIES.index)
    assert rules_at(findings) == [("dependency-error", 3), ("out-of-memory", 4)]


def test_fallback_rule_only_without_errors() -> None:
    (f,) = diagnose("Traceback (most recent call last):\n  File \"t.py\", line 1\nValueError: bad input\n")
    assert (f.rule, f.severity, f.line) == ("unhandled-exception", "warning", 3)
    assert "unhandled-exception" not in diagnose("ValueError: x\nOOMKilled\n").rules


def test_output_path_from_arguments_line_makes_output_dir_missing() -> None:
    out = "/mnt/batch/tasks/shared/LS_root/jobs/ws/azureml/abc/mounts/workspaceblobstore/azureml/abc/prepped"
    text = (
        "[2020-10-22T14:05:11.118042] Entering context manager injector.\n"
        f"After variable expansion, calling script [prep.py] with arguments: ['--output_dir', '{out}']\n"
        "Traceback (most recent call last):\n"
        f"FileNotFoundError: [Errno 2] No such file or directory: '{out}/features.pkl'\n"
    )
    assert rules_at(diagnose(text)) == [("output-dir-missing", 4)]
    # the same error without the arguments line is about a model file
    assert rules_at(diagnose(text.replace(text.splitlines()[1], "Starting"))) == [("model-not-found", 4)]
    # a sibling folder that only shares a prefix is not "under" the output path
    assert diagnose(text.replace(f"'{out}/features.pkl'", f"'{out}2/features.pkl'")).rules == ("model-not-found",)


def test_local_server_user_script_exception_counts_only_for_run() -> None:
    init = "  File \"/srv/user_script.py\", line 119, in invoke_init\n"
    run = "  File \"/srv/user_script.py\", line 132, in invoke_run\n"
    exc = "azureml_inference_server_http.server.user_script.UserScriptException: Caught an unhandled exception\n"
    assert "scoring-error" not in diagnose(init + exc).rules
    assert rules_at(diagnose(run + exc)) == [("scoring-error", 2)]


def test_specific_rule_overrides_generic_one_on_the_same_line() -> None:
    gpu = ("Couldn't Schedule because the kubernetes cluster didn't have available resources after trying for "
           "00:05:00. 0/3 nodes are available: 3 Insufficient nvidia.com/gpu.")
    assert diagnose(gpu).rules == ("insufficient-gpu",)
    assert set(diagnose(gpu.split(". 0/3")[0] + "\n0/3 nodes are available: 3 Insufficient nvidia.com/gpu").rules) == {
        "cannot-schedule", "insufficient-gpu"}
    assert diagnose('{"code":"Unauthorized","statusCode":401,"details":[{"code":"InvalidOrExpiredToken"}]}').rules == (
        "auth-token-expired",)


@pytest.mark.parametrize("text", ["", b"", "\n", "\r\n\r\n", b"\x00" * 100, b"\xff\xfe\xfd", "\ud800 lone surrogate"])
def test_degenerate_inputs_give_no_findings(text: str | bytes) -> None:
    assert diagnose(text) == Findings()


def test_wrong_type_is_a_clear_type_error() -> None:
    with pytest.raises(TypeError, match="str or bytes"):
        diagnose(None)  # type: ignore[arg-type]


def test_invalid_utf8_nul_and_cr_only_line_ends() -> None:
    data = b"\xfe\xfe\xc0 bad bytes\x00\x00\rsecond line\rOOMKilled \xc3\x28 here\r"
    (f,) = diagnose(data)
    assert (f.rule, f.line) == ("out-of-memory", 3)
    assert "\ufffd" in f.evidence


def test_utf16_with_byte_order_mark() -> None:
    text = "first\r\nImagePullBackOff: back-off pulling image\r\n"
    for codec, bom in (("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)):
        assert rules_at(diagnose(bom + text.encode(codec))) == [("image-pull-failed", 2)]
    assert rules_at(diagnose(codecs.BOM_UTF8 + text.encode())) == [("image-pull-failed", 2)]


def _long_line_chunks(total: int, signature: bytes, at: int, chunk: int = 1 << 20):
    """A single line of `total` bytes with `signature` at offset `at`, produced chunk by chunk."""
    pos = 0
    while pos < total:
        size = min(chunk, total - pos)
        block = bytearray(b"x" * size)
        lo, hi = max(at, pos), min(at + len(signature), pos + size)
        if lo < hi:
            block[lo - pos : hi - pos] = signature[lo - at : hi - at]
        yield bytes(block)
        pos += size


def test_64_mib_single_line_is_scanned_with_bounded_memory() -> None:
    total = 64 << 20
    signature = b" OOMKilled "
    tracemalloc.start()
    try:
        findings = diagnose_stream(_long_line_chunks(total, signature, at=total - 100))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    (f,) = findings
    assert (f.rule, f.line) == ("out-of-memory", 1)
    assert f.evidence.startswith("…") and len(f.evidence) <= 302
    assert peak < 16 * WINDOW_BYTES, f"peak {peak / 2**20:.1f} MiB for a 64 MiB line"


@pytest.mark.parametrize("offset", [STEP_BYTES - 5, WINDOW_BYTES - 5, WINDOW_BYTES - OVERLAP_BYTES // 2])
def test_signature_across_a_window_boundary_is_found(offset: int) -> None:
    total = 3 * WINDOW_BYTES
    findings = diagnose_stream(_long_line_chunks(total, b" CrashLoopBackOff ", at=offset, chunk=777_777))
    assert rules_at(findings) == [("crash-loop", 1)]


def test_scanner_is_incremental_and_refuses_reuse() -> None:
    scanner = Scanner()
    for piece in ("2021 | root | ERR", "OR | OOMK", "illed\r", "\nnext"):
        scanner.feed(piece)
    assert rules_at(scanner.close()) == [("out-of-memory", 1)]
    assert scanner.lines_seen == 2
    with pytest.raises(RuntimeError):
        scanner.feed("more")


def test_a_last_value_context_is_forgotten_at_the_next_matching_line() -> None:
    head = "2026-11-22 10:50:22,840 E [1879] azmlinfsrv.trace - Error while fetching model IDs\n"
    trace = "Traceback (most recent call last):\nNotADirectoryError: [Errno 20] Not a directory: '/m/model.json'\n"
    later = ("2026-11-22 10:50:23,001 E [1879] azmlinfsrv - User's init function failed\n"
             "FileNotFoundError: [Errno 2] No such file or directory: '/m/model.pkl'\n")
    findings = diagnose(head + trace + later)
    assert ("model-dir-layout", 1) in rules_at(findings)
    assert "unhandled-exception" not in findings.rules  # the server's own traceback is explained, not flagged
    assert ("model-not-found", 5) in rules_at(findings)  # a later, real failure is not swallowed

"""Property tests: the engine never raises, and its answer does not depend on how input arrives."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from amlnbtools import diagnose
from amlnbtools.core import SEVERITIES, Scanner, default_catalogue

IDS = set(default_catalogue().ids)

# Lines that carry a known failure, and lines of healthy logs full of trap words.
SIGNATURES = [
    "Response Code: 409",
    "0/3 nodes are available: 3 Insufficient nvidia.com/gpu.",
    "requests.exceptions.HTTPError: 503 Server Error: Service Unavailable for url: http://x/score",
    "2021-03-08 12:58:41,120 | root | ERROR | OOMKilled",
    "[stderr]ModuleNotFoundError: No module named 'lightgbm'",
    "2026-11-22 10:50:22,840 E [1879] azmlinfsrv - User's init function failed",
    # rules that look at neighbouring lines, text pasted as an escaped string, colour codes
    "ModuleNotFoundError: No module named 'score_batch'",
    "Content: b'{\"code\":\"Conflict\",\"details\":[{\"code\":\"ServiceExists\"}]}'",
    r'"message": "Error:\n{\n  \"code\": \"QuotaExceeded\",\n  \"message\": \"vCPU quota of 0\"\n}"',
    "\x1b[91mValidation for CommandJobSchema failed:\x1b[0m",
    "ERROR: Could not find a version that satisfies the requirement mlflow==1.24.0 (from versions: 0.1.0, 1.0.0)",
    "ERROR: No matching distribution found for mlflow==1.24.0",
]
# Lines that change what a neighbouring signature means (see the rules' near / unless_near).
NEIGHBOURS = [
    "2022-05-30 13:47:02,336|ERROR|412|Failed to load the entry script.",
    "  File \"/azureml-envs/env/lib/python3.8/site-packages/azureml/core/run.py\", line 12, in x",
    "#9 58.94   - python=3.7.15*",
    "PackagesNotFoundError: The following packages are not available from current channels:",
]
HEALTHY_WORDS = [
    "error", "errors=0", "0 errors", "no errors", "error_count: 0", "timeout", "timeout=60",
    "Scoring timeout is set to 60000", "run_invocation_timeout=60", "error_threshold=10", "503", "504",
    "409", "processed", "rows", "port", "5001", "INFO", "WARNING", "| root | INFO |", "epoch", "loss=0.503",
    "retry", "status", "Healthy", "memory", "GPU", "nodes", "available", "schedule", "model", "loaded",
    "output", "directory", "created", "token", "refreshed", "quota", "checked", "conflict-free", "gateway_address",
]


def findings_key(findings):
    return [(f.rule, f.severity, f.line, f.evidence, f.count, f.lines) for f in findings]


@given(st.binary(max_size=4096))
def test_never_raises_and_findings_are_well_formed(data: bytes) -> None:
    scanner = Scanner()
    scanner.feed(data)
    findings = scanner.close()
    for f in findings:
        assert f.rule in IDS
        assert f.severity in SEVERITIES
        assert 1 <= f.line <= max(scanner.lines_seen, 1)
        assert "\n" not in f.evidence and "\r" not in f.evidence
        assert f.count >= 1 and f.lines[0] == f.line


@given(st.lists(st.sampled_from(SIGNATURES + NEIGHBOURS) | st.text(max_size=80), max_size=30),
       st.sampled_from(["\n", "\r\n", "\r"]), st.data())
def test_same_findings_whatever_the_chunking(lines: list[str], newline: str, data: st.DataObject) -> None:
    blob = newline.join(lines).encode("utf-8", "surrogatepass")
    cuts = sorted(data.draw(st.lists(st.integers(0, len(blob)), max_size=12)))
    scanner = Scanner()
    for lo, hi in zip([0, *cuts], [*cuts, len(blob)], strict=True):
        scanner.feed(blob[lo:hi])
    assert findings_key(scanner.close()) == findings_key(diagnose(blob))


@given(st.lists(st.sampled_from(SIGNATURES) | st.text(alphabet=st.characters(blacklist_categories=["Cs"],
                                                                              blacklist_characters="\r\n"),
                                                       max_size=60), max_size=25))
def test_line_numbers_do_not_depend_on_the_line_end_style(lines: list[str]) -> None:
    results = {nl: findings_key(diagnose(nl.join(lines))) for nl in ("\n", "\r\n", "\r")}
    assert results["\n"] == results["\r\n"] == results["\r"]


@given(st.lists(st.text(alphabet="abc xyz.:=", max_size=40), max_size=40), st.sampled_from(SIGNATURES), st.data())
def test_a_signature_is_found_on_its_line(filler: list[str], signature: str, data: st.DataObject) -> None:
    at = data.draw(st.integers(0, len(filler)))
    lines = [*filler[:at], signature, *filler[at:]]
    findings = diagnose("\n".join(lines))
    assert findings.errors, signature
    assert any(at + 1 in f.lines for f in findings.errors)


@given(st.lists(st.lists(st.sampled_from(HEALTHY_WORDS), min_size=1, max_size=8).map(" ".join), max_size=60))
def test_healthy_logs_with_trap_words_raise_no_error(lines: list[str]) -> None:
    assert diagnose("\n".join(lines)).errors == ()


CORPUS_LINES = sorted({line for path in (Path(__file__).parent / "corpus").rglob("*")
                       if path.suffix in (".txt", ".log", ".json")
                       for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
                       if line.strip()})


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(CORPUS_LINES), min_size=1, max_size=40), st.data())
def test_every_prefilter_engine_gives_the_same_findings(lines: list[str], data: st.DataObject) -> None:
    """Hyperscan, RE2 and Python's re only choose the candidate lines: the findings never differ."""
    import importlib.util

    engines = ["re2", "re"] + (["hyperscan"] if importlib.util.find_spec("hyperscan") else [])
    blob = "\n".join(lines).encode("utf-8", "surrogatepass")
    answers = set()
    for engine in engines:
        scanner = Scanner(prefilter=engine)
        scanner.feed(blob)
        answers.add(tuple(findings_key(scanner.close())))
    assert len(answers) == 1, engines

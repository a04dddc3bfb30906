"""The sample logs shipped in amlnbtools/samples/logs are diagnosed as tests/samples_expected.toml says.

Each sample is a realistic log of one failure (or of a healthy service or run). The manifest names the
error rules a user should be told about for each file; every rule of the catalogue has a sample.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import amlnbtools
from amlnbtools.core import default_catalogue
from amlnbtools.core.diagnosis.matcher import is_escaped, split_escaped

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

SAMPLES = Path(amlnbtools.__file__).parent / "samples" / "logs"
MANIFEST = Path(__file__).with_name("samples_expected.toml")
EXPECTED: dict[str, set[str]] = {
    name: set(entry["errors"]) for name, entry in tomllib.loads(MANIFEST.read_text(encoding="utf-8")).items()
}
FALLBACK_RULE = "unhandled-exception"


def sample_files() -> set[str]:
    """Every sample file, as a path relative to the samples folder (README.md excluded)."""
    return {p.relative_to(SAMPLES).as_posix() for p in SAMPLES.rglob("*") if p.is_file() and p.name != "README.md"}


def lines_of(data: bytes) -> list[str]:
    """The lines of a file, split the way the engine splits them (CRLF, lone CR and LF all end a line)."""
    return data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n").split("\n")


def test_manifest_lists_every_sample_and_nothing_else():
    files = sample_files()
    assert sorted(files - EXPECTED.keys()) == [], "samples missing from the manifest"
    assert sorted(EXPECTED.keys() - files) == [], "manifest entries without a sample file"


@pytest.mark.parametrize("name", sorted(EXPECTED), ids=str)
def test_sample_diagnosis(name):
    data = (SAMPLES / name).read_bytes()
    findings = amlnbtools.diagnose(data, language="en")

    assert {f.rule for f in findings.errors} == EXPECTED[name]

    lines = lines_of(data)
    for f in findings:
        line = lines[f.line - 1].strip()
        # escaped text (literal \n): the evidence is the line it stands for, unescaped
        shown = [p.strip() for p in split_escaped(line)] if is_escaped(line) else [line]
        if "…" in f.evidence:  # a long line, cut around the match
            assert any(all(piece in s for piece in f.evidence.split("…")) for s in shown), f.rule
        else:
            assert f.evidence in shown, f.rule


def test_every_rule_has_a_sample():
    """Each error rule is expected by a bundled sample or by a case of the corpus of real failure formats."""
    from corpus_cases import load_cases

    rules = default_catalogue().rules
    ids = {r.id for r in rules}
    expected = set().union(*EXPECTED.values())
    assert expected <= ids, "the manifest names rules the catalogue lacks"
    expected |= {c for case in load_cases() for c in case.classes}
    errors = {r.id for r in rules if r.severity == "error"}
    assert sorted(errors - expected) == [], "error rules without a sample or corpus case that expects them"
    others = {r.id for r in rules if r.severity != "error" and r.id != FALLBACK_RULE}
    found = set()
    for name in sample_files():
        found |= set(amlnbtools.diagnose((SAMPLES / name).read_bytes(), language="en").rules)
    assert sorted(others - found) == [], "warning/info rules that no sample shows"

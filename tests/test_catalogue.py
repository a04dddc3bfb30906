"""The rule catalogue: the public contract of rule ids, and validation of malformed catalogues."""

from __future__ import annotations

import re

import pytest
import re2

from amlnbtools.core import Catalogue, CatalogueError, default_catalogue
from amlnbtools.core.diagnosis.scanner import _prefilter

PUBLIC_IDS = {
    "image-build-failed", "cannot-schedule", "insufficient-gpu", "crash-loop", "model-not-found", "scoring-error",
    "service-unavailable-503", "gateway-timeout-504", "operation-conflict-409", "out-of-memory", "fpga-quota",
    "image-pull-failed", "deployment-timeout", "auth-token-expired", "auth-failed", "dependency-error",
    "output-dir-missing", "compute-target-error", "parallel-run-entry-script", "parallel-run-timeout",
    "parallel-run-error-threshold",
}

MINIMAL = """
[[rule]]
id = "a-rule"
severity = "error"
title = "t"
remedy = "r"
docs = "https://example.invalid"
patterns = ['x']
"""


def test_public_rule_ids_are_all_present() -> None:
    assert set(default_catalogue().ids) >= PUBLIC_IDS


def test_every_pattern_compiles_in_both_engines() -> None:
    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1
    cat = default_catalogue()
    for source in cat.prefilter_sources():
        re.compile(source, re.ASCII)
        re2.compile(source.encode("ascii"), options)
    _prefilter(cat)


def test_titles_and_remedies_are_sentences() -> None:
    for rule in default_catalogue().rules:
        assert not rule.title.endswith("."), rule.id
        assert rule.remedy.endswith("."), rule.id


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s + "[[rule", "not valid TOML"),
        (lambda s: s.replace('severity = "error"', 'severity = "fatal"'), "'severity' must be one of"),
        (lambda s: s.replace('id = "a-rule"', 'id = "A rule"'), "'id' must be lowercase"),
        (lambda s: s + "colour = 'red'\n", "unknown keys ['colour']"),
        (lambda s: s.replace("patterns = ['x']", "patterns = []"), "'patterns' must be a non-empty list"),
        (lambda s: s.replace("patterns = ['x']", "patterns = ['(x']"), "does not compile"),
        (lambda s: s + "overrides = ['nope']\n", "unknown rules ['nope']"),
        (lambda s: s + s, "repeated: a-rule"),
        (lambda s: s.replace("patterns = ['x']", "patterns = [{re = 'x', when = {context = 'c', equals = 'v'}}]"),
         "unknown context 'c'"),
        (lambda s: s.replace('remedy = "r"', 'remedy = ""'), "'remedy' must be a non-empty string"),
        (lambda s: s + "explains = ['nope']\n", "'explains' names unknown rules ['nope']"),
        (lambda s: s + "window = 0\n", "'window' must be a whole number of lines from 1 to 16"),
        (lambda s: s + "window = 99\n", "'window' must be a whole number of lines from 1 to 16"),
        (lambda s: s + "unless_near = 'x'\n", "'unless_near' must be a list"),
        (lambda s: s.replace("patterns = ['x']", "patterns = ['\\w+Quota']"), "starts with an unbounded repetition"),
        (lambda s: s.replace("patterns = ['x']", "patterns = [{re = 'x', near = '(y'}]"), "does not compile"),
        (lambda s: s.replace("patterns = ['x']", "patterns = [{re = 'x', when = {context = 'c', seen = false}}]"),
         "{context, seen = true}"),
    ],
)
def test_malformed_catalogue_names_the_problem(change, message: str) -> None:
    Catalogue.from_toml(MINIMAL)  # the unchanged text is valid
    with pytest.raises(CatalogueError, match=re.escape(message)):
        Catalogue.from_toml(change(MINIMAL), origin="mine.toml")


def test_no_pattern_is_slow_on_a_long_line() -> None:
    """Every pattern scans a 200 kB line of one character class in linear time (as the engine's windows do)."""
    import time

    cat = default_catalogue()
    patterns = [p.regex for r in cat.rules for p in r.patterns] + [u for r in cat.rules for u in r.unless_near]
    slow = []
    for filler in ("a" * 200_000, "a " * 100_000, "1" * 200_000, "-" * 200_000):
        for regex in patterns:
            start = time.perf_counter()
            regex.search(filler)
            if time.perf_counter() - start > 0.5:  # quadratic backtracking takes minutes here
                slow.append(regex.pattern)
    assert slow == []


def test_symptom_and_root_cause_structure_of_the_shipped_catalogue() -> None:
    cat = default_catalogue()
    symptoms = {r.id for r in cat.rules if r.symptom}
    assert symptoms >= {"crash-loop", "probe-failed", "deployment-timeout", "parallel-run-all-failed"}
    for rule in cat.rules:  # a rule never explains itself, and no two rules explain each other
        assert rule.id not in rule.explains
        for other in rule.explains:
            assert rule.id not in cat.rule(other).explains, (rule.id, other)

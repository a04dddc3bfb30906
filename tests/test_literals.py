"""The literal gate: a rule is skipped on lines without its mandatory words, and never wrongly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from amlnbtools.core import default_catalogue
from amlnbtools.core.diagnosis.catalogue import PATTERN_FLAGS
from amlnbtools.core.diagnosis.literals import required_literal, rule_gate


@pytest.mark.parametrize(("source", "expected"), [
    (r"\bResponse Code: 5\d\d\b", ("Response Code: 5", False)),
    (r"(?i:\bNot enough quota available\b)", ("not enough quota available", True)),
    (r"(?:Image|Environment)Build(?:Failed|Failure)\b", ("BuildFail", False)),
    (r"x(?i:AbC)y", ("abc", True)),  # case-insensitive part wins only when it is the longest
    (r"(?i:ab(?-i:CDEFG))", ("CDEFG", False)),
    (r"(?:foo|bar)", None),  # no literal in every match
    (r"a{3,}", None),
    (r"ab", None),  # too short to be worth it
    (r"(x", None),  # does not parse: no gate, never an error
])
def test_the_required_literal_of_a_pattern(source: str, expected) -> None:
    assert required_literal(source, PATTERN_FLAGS) == expected


def test_a_rule_without_a_literal_in_one_pattern_has_no_gate() -> None:
    assert rule_gate([r"\bQuotaExceeded\b", r"(?:a|b)"]) is None
    assert rule_gate([r"\bQuotaExceeded\b", r"\bOutOfQuota\b"]) == (("QuotaExceeded", False), ("OutOfQuota", False))


def test_the_gate_never_keeps_a_match_out() -> None:
    """On every line of the corpus, a line a rule's pattern matches passes the rule's gate."""
    root = Path(__file__).parent
    lines = {line for folder in ("corpus", "corpus_fresh") for path in (root / folder).rglob("*")
             if path.suffix in (".txt", ".log", ".json")
             for line in path.read_text(encoding="utf-8", errors="replace").splitlines()}
    rules = [r for r in default_catalogue().rules if r.gate is not None]
    for line in lines:
        lower = line.lower()
        for rule in rules:
            if any(p.regex.search(line) for p in rule.patterns):
                assert any((lit in lower) if ci else (lit in line) for lit, ci in rule.gate), (rule.id, line)


def test_most_rules_have_a_gate() -> None:
    rules = default_catalogue().rules
    assert sum(r.gate is not None for r in rules) >= 0.9 * len(rules)
    for rule in rules:
        for literal, ignore_case in rule.gate or ():
            assert len(literal) >= 3 and (not ignore_case or literal == literal.lower())
            assert re.escape(literal)

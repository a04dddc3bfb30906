"""The diagnosis on failures real users posted: every labelled case of tests/corpus passes.

A case passes when every cause it is labelled with is reported, the primary finding is the root
cause, and no error finding is a wrong answer; a healthy log gives no error finding at all.
"""

from __future__ import annotations

import re

import pytest
from corpus_cases import AREAS, judge, load_cases

import amlnbtools
from amlnbtools.core import default_catalogue

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case) -> None:
    findings = amlnbtools.diagnose(case.path.read_bytes(), language="en")
    reported = [f.rule for f in findings.errors]
    missed, wrong, root_first = judge(case, findings)
    if case.known_miss:  # counted as a miss by the benchmark; here: it still gives no wrong answer
        assert wrong == [], f"wrong answers; reported {reported}"
        assert missed, f"{case.id} is diagnosed right now: remove its known_miss"
        return
    assert missed == [], f"missed; reported {reported}"
    assert wrong == [], f"wrong answers; reported {reported}"
    assert root_first, f"the primary finding is not the root cause {case.classes[0]}; reported {reported}"


def test_the_corpus_is_big_enough_and_spread_over_every_area() -> None:
    failures = [c for c in CASES if c.classes]
    assert len(failures) >= 120
    assert sum(1 for c in failures if c.scored_area.startswith("v2_")) >= 30
    assert sum(1 for c in CASES if c.area == "healthy") >= 25
    assert {c.scored_area for c in CASES} == set(AREAS)


def test_every_case_is_sourced_and_labelled_with_known_rules() -> None:
    ids = set(default_catalogue().ids)
    for case in CASES:
        assert case.path.is_file(), case.id
        assert re.match(r"https://\S+$", case.url), case.id
        assert len(case.cause.split()) >= 4, case.id
        unknown = set(case.classes + case.also + case.not_classes) - ids
        assert not unknown, f"{case.id}: unknown rules {unknown}"
        assert not set(case.not_classes) & set(case.classes + case.also), case.id
        assert bool(case.classes) == (case.area != "healthy"), case.id


def test_known_misses_are_few_and_explained() -> None:
    misses = [c for c in CASES if c.known_miss]
    assert len(misses) <= 0.03 * len(CASES)
    assert all(len(c.known_miss.split()) >= 6 for c in misses)


def test_every_fixture_has_a_case() -> None:
    listed = {c.path for c in CASES}
    on_disk = {p for p in (CASES[0].path.parents[1]).rglob("*") if p.is_file() and p.name not in
               ("cases.toml", "NOTES.md", "README.md")}
    assert sorted(map(str, on_disk - listed)) == []


def test_the_fresh_corpus_is_sourced_and_labelled_with_known_rules() -> None:
    """tests/corpus_fresh measures how the diagnosis generalises (the benchmark prints it): not a pass list."""
    from pathlib import Path

    from corpus_cases import load_cases as load

    fresh = load(Path(__file__).parent / "corpus_fresh")
    assert len(fresh) >= 50
    ids = set(default_catalogue().ids)
    listed = {c.path for c in fresh}
    for case in fresh:
        assert case.path.is_file() and re.match(r"https://\S+$", case.url), case.id
        assert not (set(case.classes + case.also + case.not_classes) - ids), case.id
    on_disk = {p for p in (Path(__file__).parent / "corpus_fresh").rglob("*") if p.is_file()
               and p.name not in ("cases.toml", "NOTES.md", "README.md")}
    assert sorted(map(str, on_disk - listed)) == []

"""The engine's line matching beyond single lines: neighbour windows, escaped text, colour codes, root causes."""

from __future__ import annotations

import pytest

from amlnbtools import diagnose
from amlnbtools.core import Catalogue
from amlnbtools.core.diagnosis.matcher import split_escaped

RULES = """
[[context]]
name = "server"
line = 'azmlinfsrv'
values = '(?P<value>azmlinfsrv)'
keep = "all"

[[rule]]
id = "needs-detail"
severity = "error"
title = "t"
remedy = "r."
docs = "d"
patterns = [{re = 'Deployment failed', near = 'Reason: quota'}]
window = 2

[[rule]]
id = "exempt-message"
severity = "error"
title = "t"
remedy = "r."
docs = "d"
patterns = ['Response Code: 409']
unless_near = ['ServiceExists']
window = 2

[[rule]]
id = "generic"
severity = "error"
title = "t"
remedy = "r."
docs = "d"
patterns = ['No module named']

[[rule]]
id = "specific"
severity = "error"
title = "t"
remedy = "r."
docs = "d"
patterns = [{re = 'No module named', near = 'Failed to load the entry script'}]
window = 3
overrides = ["generic"]

[[rule]]
id = "only-in-server"
severity = "error"
title = "t"
remedy = "r."
docs = "d"
patterns = [{re = 'azureml\\.core', when = {context = "server", seen = true}}]

[[rule]]
id = "root"
severity = "error"
title = "t"
remedy = "r."
docs = "d"
patterns = ['pip failed']
explains = ["consequence"]

[[rule]]
id = "consequence"
severity = "error"
title = "t"
remedy = "r."
docs = "d"
patterns = ['probe failed']
"""
CAT = Catalogue.from_toml(RULES)


def rules(text: str) -> list[str]:
    return sorted(f.rule for f in diagnose(text, catalogue=CAT))


@pytest.mark.parametrize(("text", "expected"), [
    ("Deployment failed\nReason: quota\n", ["needs-detail"]),  # the detail on the next line
    ("Reason: quota\nDeployment failed\n", ["needs-detail"]),  # ... or on the line before
    ("Deployment failed\nsomething\nsomething\nReason: quota\n", []),  # too far: outside the window
    ("Deployment failed\n", []),
    ("Response Code: 409\nContent: ServiceExists\n", []),  # the exemption covers the whole message
    ("Content: ServiceExists\nResponse Code: 409\n", []),
    ("Response Code: 409\na\nb\nServiceExists\n", ["exempt-message"]),
    ("Response Code: 409\n", ["exempt-message"]),
])
def test_neighbour_windows(text: str, expected: list[str]) -> None:
    assert rules(text) == expected
    assert rules(text.replace("\n", "\r\n")) == expected


def test_an_undecided_override_holds_what_it_overrides_until_it_is_decided() -> None:
    assert rules("Failed to load the entry script.\nNo module named 'score'\n") == ["specific"]
    assert rules("No module named 'lightgbm'\n") == ["generic"]  # the specific rule's neighbour is missing
    assert rules("No module named 'lightgbm'\nx\ny\nz\nw\n") == ["generic"]


def test_a_window_across_chunk_boundaries_gives_the_same_answer() -> None:
    from amlnbtools.core import Scanner

    text = ("filler line\n" * 5000 + "Deployment failed\n" + "Reason: quota\n" + "filler line\n" * 5000).encode()
    for cut in (len(text) // 2, text.index(b"Reason"), text.index(b"Reason") + 3, text.index(b"Deployment")):
        scanner = Scanner(CAT)
        scanner.feed(text[:cut])
        scanner.feed(text[cut:])
        assert [f.rule for f in scanner.close()] == ["needs-detail"], cut


def test_a_condition_on_a_context_seen_earlier() -> None:
    assert rules("2026-01-01 I [1] azmlinfsrv - starting\nNo module named 'azureml.core'\n") == \
        ["generic", "only-in-server"]
    assert rules("No module named 'azureml.core'\n") == ["generic"]


def test_the_root_cause_is_primary_even_when_its_consequence_comes_first() -> None:
    findings = diagnose("probe failed\nprobe failed\npip failed\n", catalogue=CAT)
    assert [f.rule for f in findings] == ["consequence", "root"]  # errors by line
    assert findings.primary().rule == "root"
    assert findings.explained == frozenset({"consequence"})


@pytest.mark.parametrize(("escaped", "lines"), [
    (r'Error:\n{\n  \"code\": \"X\"\n}', ['Error:', '{', '  "code": "X"', '}']),
    (r'a\r\nb', ['a', 'b']),
    (r'a\\nb', ['a', 'b']),  # printed twice (a repr of a repr)
    (r"it\'s\tfine", ["it's\tfine"]),
])
def test_escaped_text_is_split_into_the_lines_it_stands_for(escaped: str, lines: list[str]) -> None:
    assert split_escaped(escaped) == lines


def test_signatures_inside_escaped_text_are_found_with_their_own_evidence() -> None:
    blob = r'{"message": "Failed to load the entry script.\nNo module named \'score\'\nbye"}'
    (finding,) = diagnose(blob, catalogue=CAT)
    assert (finding.rule, finding.line, finding.evidence) == ("specific", 1, "No module named 'score'")


def test_terminal_colour_codes_do_not_hide_a_signature() -> None:
    for prefix in ("\x1b[91m", "\u2190[91m", "[91m", "\x1b[1;31m"):
        assert rules(prefix + "Response Code: 409\x1b[0m\n") == ["exempt-message"], prefix
        assert [f.evidence for f in diagnose(prefix + "pip failed\n", catalogue=CAT)] == ["pip failed"]

"""Languages: selection, locale defaults, and complete catalogs for every supported language."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import amlnbtools
from amlnbtools import diagnose
from amlnbtools.core import default_catalogue
from amlnbtools.i18n import ENV_VAR, get_language, gettext_for, normalize_language

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import i18n as catalog_tool


def test_every_message_is_translated_in_every_language() -> None:
    assert catalog_tool.problems() == []


def test_a_compiled_catalog_that_says_something_else_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The .mo files are compared by what gettext reads from them (never by bytes): a changed text is caught."""
    import shutil

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    locale_dir = tmp_path / "locale"
    shutil.copytree(catalog_tool.LOCALE_DIR, locale_dir)
    monkeypatch.setattr(catalog_tool, "LOCALE_DIR", locale_dir)
    assert catalog_tool.problems() == []  # the copy is complete
    po = locale_dir / "fr" / "LC_MESSAGES" / "amlnbtools.po"
    with po.open("rb") as fh:
        cat = read_po(fh, locale="fr")
    changed = next(m for m in cat if m.id and isinstance(m.id, str) and m.string)
    changed.string = "Un autre texte"
    with po.with_suffix(".mo").open("wb") as fh:
        write_mo(fh, cat)
    problems = catalog_tool.problems()
    assert len(problems) == 1 and problems[0].startswith("fr: ") and "make i18n" in problems[0], problems
    assert repr(changed.id) in problems[0]


def test_every_rule_reads_differently_in_every_language() -> None:
    for lang in ("fr", "pt-BR", "nl", "zh-CN"):
        gettext = gettext_for(lang)
        for rule in default_catalogue().rules:
            for text in (rule.title, rule.remedy, rule.title_v2, rule.remedy_v2):
                assert text is None or gettext(text) != text, (lang, rule.id, text)


@pytest.mark.parametrize(
    ("code", "expected"),
    [("en", "en"), ("fr_FR.UTF-8", "fr"), ("fr-CA", "fr"), ("pt_BR", "pt-BR"), ("pt", "pt-BR"), ("nl_BE", "nl"),
     ("zh_CN.UTF-8", "zh-CN"), ("zh-Hans", "zh-CN"), ("C", "en"), ("POSIX", "en"), ("de_DE", None), ("", None)],
)
def test_normalize_language(code: str, expected: str | None) -> None:
    assert normalize_language(code) == expected


def test_set_language_changes_remedies_and_rejects_unknown_codes() -> None:
    english = diagnose("CrashLoopBackOff")[0]
    assert amlnbtools.set_language("pt_BR") == "pt-BR"
    portuguese = diagnose("CrashLoopBackOff")[0]
    assert portuguese.rule == english.rule and portuguese.remedy != english.remedy
    with pytest.raises(ValueError, match="en, fr, pt-BR, nl, zh-CN"):
        amlnbtools.set_language("klingon")
    assert get_language() == "pt-BR"


def test_explicit_language_argument_wins() -> None:
    assert diagnose("CrashLoopBackOff", language="zh-CN")[0].title == gettext_for("zh-CN")(
        default_catalogue().rule("crash-loop").title)


def test_environment_variable_then_locale_then_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "nl")
    assert get_language() == "nl"
    monkeypatch.delenv(ENV_VAR)
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    assert get_language() == "en"
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    assert get_language() == "fr"
    monkeypatch.setenv("LANGUAGE", "de:zh_CN")
    assert get_language() == "zh-CN"


def test_unsupported_environment_value_warns_and_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "xx-unsupported")
    monkeypatch.setenv("LANGUAGE", "pt_BR")
    with pytest.warns(UserWarning, match=ENV_VAR):
        assert get_language() == "pt-BR"


def test_untranslated_message_falls_back_to_english() -> None:
    assert gettext_for("fr")("A message nobody translated") == "A message nobody translated"


def test_every_marked_message_in_the_code_reaches_the_template() -> None:
    """Catches _() calls the extractor cannot see (e.g. inside f-strings on older Pythons)."""
    import re

    wanted = {m.id for m in catalog_tool.template() if m.id}
    call = re.compile(r"""\b_\(\s*(["'])((?:\\.|(?!\1).)*)\1\s*\)""")
    root = Path(__file__).resolve().parents[1] / "amlnbtools"
    missing = []
    for path in root.rglob("*.py"):
        for m in call.finditer(path.read_text(encoding="utf-8")):
            text = m.group(2).encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
            if text not in wanted:
                missing.append(f"{path.name}: {text!r}")
    assert missing == []

"""Languages: which one is active, and the gettext catalogs that translate user-facing text.

Messages are written in English in the code and in ``core/diagnosis/rules.toml`` (they are the gettext
msgids); translations live in ``amlnbtools/locale/<lang>/LC_MESSAGES/amlnbtools.po`` and are
compiled to ``.mo`` files that the standard :mod:`gettext` module reads.

The active language is, in order: what :func:`set_language` chose; the ``AMLNBTOOLS_LANG``
environment variable; the user's locale (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``);
English. A message without a translation falls back to English.
"""

from __future__ import annotations

import gettext
import os
import warnings
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path

__all__ = ["ENV_VAR", "LANGUAGES", "N_", "get_language", "gettext_for", "n_", "normalize_language", "set_language"]

DOMAIN = "amlnbtools"
ENV_VAR = "AMLNBTOOLS_LANG"
#: Supported languages, as BCP 47 tags.
LANGUAGES = ("en", "fr", "pt-BR", "nl", "zh-CN")
#: gettext directory of each language (English needs none: it is the source).
GETTEXT_DIRS = {"fr": "fr", "pt-BR": "pt_BR", "nl": "nl", "zh-CN": "zh_CN"}
LOCALE_DIR = Path(__file__).with_name("locale")

_PRIMARY = {"en": "en", "fr": "fr", "pt": "pt-BR", "nl": "nl", "zh": "zh-CN"}
_chosen: str | None = None


def normalize_language(code: str) -> str | None:
    """Map a language tag or locale name to a supported language, or ``None``.

    ``"pt_BR.UTF-8"`` → ``"pt-BR"``, ``"fr-CA"`` → ``"fr"``, ``"zh_Hans_CN"`` → ``"zh-CN"``,
    ``"C"`` and ``"POSIX"`` → ``"en"``.
    """
    tag = code.strip().split(".", 1)[0].split("@", 1)[0].replace("_", "-").lower()
    if tag in ("c", "posix"):
        return "en"
    return _PRIMARY.get(tag.split("-", 1)[0])


def set_language(code: str) -> str:
    """Choose the language of every message from now on; returns the normalised tag.

    Raises
    ------
    ValueError
        If the language is not one of en, fr, pt-BR, nl, zh-CN.
    """
    global _chosen
    lang = normalize_language(code) if isinstance(code, str) else None
    if lang is None:
        raise ValueError(f"unsupported language {code!r}: use one of {', '.join(LANGUAGES)}")
    _chosen = lang
    return lang


def get_language() -> str:
    """The active language (see the module docstring for how it is chosen)."""
    if _chosen is not None:
        return _chosen
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        lang = normalize_language(env)
        if lang is not None:
            return lang
        _warn_bad_env(env)
    return _locale_language()


@lru_cache(maxsize=16)
def _warn_bad_env(value: str) -> None:
    warnings.warn(f"{ENV_VAR}={value!r} is not a supported language; set it to one of "
                  f"{', '.join(LANGUAGES)}. Using the locale's language instead.", stacklevel=3)


def _locale_language() -> str:
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            for part in value.split(":"):
                lang = normalize_language(part) if part else None
                if lang is not None:
                    return lang
            return "en"
    return "en"


@cache
def _translations(lang: str) -> gettext.NullTranslations:
    if lang not in GETTEXT_DIRS:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[GETTEXT_DIRS[lang]], fallback=True)


def gettext_for(language: str | None = None) -> Callable[[str], str]:
    """Return the ``gettext`` function of a language (the active one by default)."""
    if language is None:
        return _translations(get_language()).gettext
    lang = normalize_language(language)
    if lang is None:
        raise ValueError(f"unsupported language {language!r}: use one of {', '.join(LANGUAGES)}")
    return _translations(lang).gettext


def _(message: str) -> str:
    """Translate a message into the active language."""
    return _translations(get_language()).gettext(message)


def n_(singular: str, plural: str, n: int) -> str:
    """Translate a message that depends on a count (each language has its own plural rules)."""
    return _translations(get_language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a message for translation without translating it (translate it with :func:`_` where it is shown)."""
    return message

"""Maintain the gettext catalogs of amlnbtools (a developer tool; needs Babel).

    python tools/i18n.py update    # template from code + rules.toml, merge into .po, compile .mo
    python tools/i18n.py check     # list what is untranslated, fuzzy, or not compiled

User-facing text is marked with ``_("...")`` (translated where it is used) or ``N_("...")``
(marked only) in Python, and is the ``title`` / ``remedy`` of each rule in core/diagnosis/rules.toml.
"""

from __future__ import annotations

import gettext
import io
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

import tomllib
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "amlnbtools"
LOCALE_DIR = PACKAGE / "locale"
TEMPLATE = LOCALE_DIR / "amlnbtools.pot"
DOMAIN = "amlnbtools"
#: gettext locale of each translated language
LOCALES = {"fr": "fr", "pt-BR": "pt_BR", "nl": "nl", "zh-CN": "zh_CN"}
FIXED_DATE = datetime(2026, 1, 1, tzinfo=timezone.utc)  # keeps the files free of churn
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def template() -> Catalog:
    """Every user-facing message, from the Python sources and the rule catalogue."""
    cat = Catalog(project="amlnbtools", domain=DOMAIN, creation_date=FIXED_DATE, revision_date=FIXED_DATE,
                  msgid_bugs_address="", copyright_holder="amlnbtools developers", fuzzy=False)
    rules = tomllib.loads((PACKAGE / "core" / "diagnosis" / "rules.toml").read_text(encoding="utf-8"))
    for rule in rules["rule"]:
        for key in ("title", "remedy", "title_v2", "remedy_v2", "remedy_subject"):
            if key not in rule:
                continue
            cat.add(rule[key], locations=[("amlnbtools/core/diagnosis/rules.toml", 0)],
                    auto_comments=[f"rule {rule['id']}: {key}"])
    found = extract_from_dir(str(PACKAGE), method_map=[("**.py", "python")],
                             keywords={"_": None, "N_": None, "n_": (1, 2)},
                             comment_tags=("TRANSLATORS:",), strip_comment_tags=True)
    for filename, lineno, message, comments, _context in sorted(found, key=lambda t: (t[0], t[1])):
        cat.add(message, locations=[(f"amlnbtools/{filename}", lineno)], auto_comments=comments)
    return cat


def _po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def _read(path: Path, locale: str) -> Catalog:
    if not path.exists():
        return Catalog(locale=locale, domain=DOMAIN, project="amlnbtools", creation_date=FIXED_DATE,
                       revision_date=FIXED_DATE, fuzzy=False)
    with path.open("rb") as fh:
        return read_po(fh, locale=locale, domain=DOMAIN)


def compiled(cat: Catalog) -> bytes:
    """The .mo bytes of a catalog (fuzzy entries left out)."""
    buf = io.BytesIO()
    write_mo(buf, cat, use_fuzzy=False)
    return buf.getvalue()


def update() -> None:
    """Write the template, merge it into every .po, and compile every .mo."""
    tmpl = template()
    LOCALE_DIR.mkdir(parents=True, exist_ok=True)
    with TEMPLATE.open("wb") as fh:
        write_po(fh, tmpl, width=100, omit_header=False)
    for locale in LOCALES.values():
        path = _po_path(locale)
        cat = _read(path, locale)
        cat.update(tmpl, no_fuzzy_matching=True)
        cat.revision_date = FIXED_DATE
        cat.fuzzy = False
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            write_po(fh, cat, width=100, ignore_obsolete=True)
        path.with_suffix(".mo").write_bytes(compiled(cat))


def _placeholders_kept(source: str, forms: tuple[str, ...]) -> bool:
    """The last (plural, or only) form has exactly the source's placeholders; others use no others."""
    wanted = sorted(PLACEHOLDER.findall(source))
    return sorted(PLACEHOLDER.findall(forms[-1])) == wanted and all(
        set(PLACEHOLDER.findall(f)) <= set(wanted) for f in forms)


def problems() -> list[str]:
    """Everything that keeps the catalogs from being complete and in sync; empty when all is well."""
    tmpl = template()
    wanted = [m.id for m in tmpl if m.id]
    out = []
    for lang, locale in LOCALES.items():
        path = _po_path(locale)
        if not path.exists():
            out.append(f"{lang}: no catalog at {path}")
            continue
        cat = _read(path, locale)
        for msgid in wanted:
            msg = cat.get(msgid)
            forms = msg.string if msg is not None and isinstance(msg.string, tuple) else (msg.string if msg else "",)
            source = msgid[-1] if isinstance(msgid, tuple) else msgid
            if msg is None or not all(forms):
                out.append(f"{lang}: untranslated: {source!r}")
            elif msg.fuzzy:
                out.append(f"{lang}: fuzzy (needs review): {source!r}")
            elif not _placeholders_kept(source, forms):
                out.append(f"{lang}: placeholders differ: {source!r}")
        out += [f"{lang}: {problem}" for problem in _stale_mo(path.with_suffix(".mo"), cat)]
    return out


#: Counts at which a plural message is read back, enough to reach every form of the supported languages.
_PLURAL_COUNTS = (0, 1, 2, 3, 5, 11, 21, 101)


def _stale_mo(mo: Path, cat: Catalog) -> list[str]:
    """What the compiled catalog gives users that differs from the .po: read back through stdlib gettext.

    The .mo is compared by what it says, never by its bytes: another Babel version may write the same
    catalog differently.
    """
    shown = mo.relative_to(ROOT) if mo.is_relative_to(ROOT) else mo
    stale = f"{shown} is out of date: run 'make i18n'"
    if not mo.exists():
        return [f"{shown} is missing: run 'make i18n'"]
    with mo.open("rb") as fh:
        try:
            loaded = gettext.GNUTranslations(fh)
        except (OSError, UnicodeDecodeError) as exc:
            return [f"{stale} (it cannot be read: {exc})"]
    choose = gettext.c2py(cat.plural_expr)
    out = []
    for msg in cat:
        if not msg.id or msg.fuzzy or not msg.string or not all(msg.string):
            continue
        if isinstance(msg.id, tuple):
            forms = msg.string if isinstance(msg.string, tuple) else (msg.string,)
            wrong = [n for n in _PLURAL_COUNTS
                     if loaded.ngettext(msg.id[0], msg.id[1], n) != forms[min(choose(n), len(forms) - 1)]]
        else:
            wrong = [None] if loaded.gettext(msg.id) != msg.string else []
        if wrong:
            out.append(f"{stale} (it gives another text for {msg.id if isinstance(msg.id, str) else msg.id[0]!r})")
    return out


def main(argv: list[str]) -> int:
    if argv[1:] == ["update"]:
        update()
        return 0
    if argv[1:] == ["check"]:
        found = problems()
        print("\n".join(found) or "all catalogs complete")
        return 1 if found else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""The rule catalogue: loading and validating ``rules.toml``.

The catalogue is data. This module turns it into frozen values with compiled patterns and
rejects a malformed catalogue with a message that names the rule and the key at fault.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from amlnbtools.core.diagnosis.findings import SEVERITIES, Severity
from amlnbtools.core.diagnosis.literals import Gate, rule_gate

__all__ = ["Catalogue", "CatalogueError", "Condition", "ContextSpec", "Pattern", "Rule", "default_catalogue"]

#: Flags of every detailed pattern: ASCII classes, like RE2's \w \d \s \b.
PATTERN_FLAGS = re.ASCII
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
_RULE_KEYS = {"id", "severity", "title", "remedy", "title_v2", "remedy_v2", "docs", "patterns", "unless", "unless_near",
              "window", "overrides", "explains", "absorbs", "fallback", "symptom", "subject", "remedy_subject"}
#: Lines before and after a match that ``near`` and ``unless_near`` look at, by default and at most.
DEFAULT_WINDOW = 3
MAX_WINDOW = 16
_CONTEXT_KEYS = {"name", "line", "values", "keep"}
_NAMED_GROUP = re.compile(r"\(\?P<(\w+)>")
# A pattern that starts with an unbounded repetition of a character class and no anchor (^ or \b)
# tries every position of a line and backtracks over the rest: quadratic on a 1 MiB line.
_UNANCHORED_REPEAT = re.compile(r"^(?:\(\?[a-zA-Z]+:|\(\?:|\(\?P<\w+>)*(?:\\[wWsSdD]|\.|\[[^\]]*\])[*+]")


class CatalogueError(ValueError):
    """Raised when a rule catalogue is malformed; the message names the rule and key."""


@dataclass(frozen=True, slots=True)
class Condition:
    """A test on remembered context that a pattern's match must pass.

    ``kind`` is ``"under"`` (the match's ``group`` is a path at or below a remembered path) or
    ``"equals"`` (the last remembered value of ``context`` equals ``value``) or ``"seen"`` (a line of
    ``context`` has been seen before).
    """

    kind: str
    context: str
    group: str | None = None
    value: str | None = None


@dataclass(frozen=True, slots=True)
class Pattern:
    """One pattern of a rule, with an optional condition on context and an optional neighbour.

    ``near``: the match counts only if a line within the rule's window (before or after, or the
    same line) matches this pattern too: a message on one line, its detail on the next.
    """

    source: str
    regex: re.Pattern[str]
    when: Condition | None = None
    near: re.Pattern[str] | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    """A known failure: how it looks in a log and what fixes it (English msgids)."""

    id: str
    severity: Severity
    title: str
    remedy: str
    docs: str
    patterns: tuple[Pattern, ...]
    unless: tuple[re.Pattern[str], ...] = ()
    unless_near: tuple[re.Pattern[str], ...] = ()
    window: int = DEFAULT_WINDOW
    overrides: frozenset[str] = frozenset()
    explains: frozenset[str] = frozenset()
    absorbs: frozenset[str] = frozenset()
    fallback: bool = False
    symptom: bool = False
    #: One literal per pattern: a line without any of them cannot match (None: always try the rule).
    gate: Gate | None = None
    #: The title and remedy for an SDK v2 deployment or job, where the v1 wording names v1 settings.
    title_v2: str | None = None
    remedy_v2: str | None = None
    #: Patterns whose group ``value`` names what to change (a package, a file) on an evidence line, and the
    #: remedy that says it (``{subject}``), used instead of ``remedy`` when a subject is found.
    subject: tuple[re.Pattern[str], ...] = ()
    remedy_subject: str | None = None

    @property
    def windowed(self) -> bool:
        """Whether a match needs the lines around it (``near`` or ``unless_near``)."""
        return bool(self.unless_near) or any(p.near is not None for p in self.patterns)


@dataclass(frozen=True, slots=True)
class ContextSpec:
    """Values to remember from lines, for rule conditions."""

    name: str
    line: re.Pattern[str]
    values: re.Pattern[str]
    keep: str  # "all" | "last"


@dataclass(frozen=True, slots=True)
class Catalogue:
    """A validated set of rules and context entries."""

    rules: tuple[Rule, ...]
    contexts: tuple[ContextSpec, ...]

    def rule(self, rule_id: str) -> Rule:
        """Return the rule with this id; ``KeyError`` if there is none."""
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    @property
    def ids(self) -> tuple[str, ...]:
        """All rule ids, in catalogue order."""
        return tuple(r.id for r in self.rules)

    def prefilter_sources(self) -> list[str]:
        """Every pattern whose match makes a line worth a closer look (group names removed)."""
        out = [_NAMED_GROUP.sub("(?:", p.source) for r in self.rules for p in r.patterns]
        out += [_NAMED_GROUP.sub("(?:", c.line.pattern) for c in self.contexts]
        return out

    def prefilter_owners(self) -> list[str]:
        """For each of :meth:`prefilter_sources`, the id of its rule, or ``""`` for a context's line."""
        return [r.id for r in self.rules for _p in r.patterns] + ["" for _c in self.contexts]

    @property
    def max_window(self) -> int:
        """The widest window any rule looks at (0 when none needs its neighbours)."""
        return max((r.window for r in self.rules if r.windowed), default=0)

    @classmethod
    def from_toml(cls, text: str, *, origin: str = "<catalogue>") -> Catalogue:
        """Parse and validate a catalogue written in TOML."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise CatalogueError(f"{origin}: not valid TOML: {exc}") from None
        contexts = tuple(_context(c, origin) for c in data.get("context", []))
        names = {c.name for c in contexts}
        rules = tuple(_rule(r, origin, names) for r in data.get("rule", []))
        ids = [r.id for r in rules]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise CatalogueError(f"{origin}: rule ids must be unique; repeated: {', '.join(dupes)}")
        for r in rules:
            for key in ("overrides", "explains", "absorbs"):
                unknown = sorted(getattr(r, key) - set(ids))
                if unknown:
                    raise CatalogueError(f"{origin}: rule {r.id!r}: {key!r} names unknown rules {unknown}")
        return cls(rules=rules, contexts=contexts)


def _compile(source: object, where: str) -> re.Pattern[str]:
    if not isinstance(source, str) or not source:
        raise CatalogueError(f"{where}: a pattern must be a non-empty string")
    if _UNANCHORED_REPEAT.match(source):
        raise CatalogueError(f"{where}: pattern {source!r} starts with an unbounded repetition: anchor it (^ or \\b) "
                             "or start it with a literal, or it is slow on long lines")
    try:
        return re.compile(source, PATTERN_FLAGS)
    except re.error as exc:
        raise CatalogueError(f"{where}: pattern {source!r} does not compile: {exc}") from None


def _condition(raw: object, where: str, names: set[str]) -> Condition:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: 'when' must be a table")
    if set(raw) == {"group", "under"}:
        kind, ctx = "under", raw["under"]
    elif set(raw) == {"context", "equals"}:
        kind, ctx = "equals", raw["context"]
    elif set(raw) == {"context", "seen"} and raw["seen"] is True:
        kind, ctx = "seen", raw["context"]
    else:
        raise CatalogueError(f"{where}: 'when' must be {{group, under}}, {{context, equals}} or "
                             f"{{context, seen = true}}, got {sorted(raw)}")
    if ctx not in names:
        raise CatalogueError(f"{where}: 'when' refers to unknown context {ctx!r}")
    return Condition(kind=kind, context=ctx, group=raw.get("group"), value=raw.get("equals"))


def _pattern(raw: object, where: str, names: set[str]) -> Pattern:
    if isinstance(raw, str):
        return Pattern(source=raw, regex=_compile(raw, where))
    if isinstance(raw, dict) and set(raw) <= {"re", "when", "near"} and "re" in raw:
        regex = _compile(raw["re"], where)
        when = _condition(raw["when"], where, names) if "when" in raw else None
        if when is not None and when.group is not None and when.group not in regex.groupindex:
            raise CatalogueError(f"{where}: condition uses group {when.group!r} that the pattern lacks")
        near = _compile(raw["near"], where) if "near" in raw else None
        return Pattern(source=raw["re"], regex=regex, when=when, near=near)
    raise CatalogueError(f"{where}: a pattern is a string or a table {{re, when, near}}")


def _rule(raw: dict, origin: str, names: set[str]) -> Rule:
    rid = raw.get("id")
    where = f"{origin}: rule {rid!r}"
    if not isinstance(rid, str) or not _ID.match(rid):
        raise CatalogueError(f"{where}: 'id' must be lowercase words joined by '-'")
    unknown = sorted(set(raw) - _RULE_KEYS)
    if unknown:
        raise CatalogueError(f"{where}: unknown keys {unknown}")
    if raw.get("severity") not in SEVERITIES:
        raise CatalogueError(f"{where}: 'severity' must be one of {', '.join(SEVERITIES)}")
    for key in ("title", "remedy", "docs"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise CatalogueError(f"{where}: '{key}' must be a non-empty string")
    for key in ("title_v2", "remedy_v2", "remedy_subject"):
        if key in raw and (not isinstance(raw[key], str) or not raw[key].strip()):
            raise CatalogueError(f"{where}: '{key}' must be a non-empty string when given")
    subject = tuple(_compile(p, where) for p in raw.get("subject", []))
    if bool(subject) != ("remedy_subject" in raw) or any("value" not in p.groupindex for p in subject):
        raise CatalogueError(f"{where}: 'subject' (patterns with a group 'value') and 'remedy_subject' (a remedy "
                             "with {{subject}}) go together")
    if "remedy_subject" in raw and "{subject}" not in raw["remedy_subject"]:
        raise CatalogueError(f"{where}: 'remedy_subject' must say {{subject}}")
    patterns = raw.get("patterns")
    if not isinstance(patterns, list) or not patterns:
        raise CatalogueError(f"{where}: 'patterns' must be a non-empty list")
    window = raw.get("window", DEFAULT_WINDOW)
    if isinstance(window, bool) or not isinstance(window, int) or not 1 <= window <= MAX_WINDOW:
        raise CatalogueError(f"{where}: 'window' must be a whole number of lines from 1 to {MAX_WINDOW}")
    for key in ("unless", "unless_near", "overrides", "explains", "absorbs"):
        if not isinstance(raw.get(key, []), list):
            raise CatalogueError(f"{where}: {key!r} must be a list")
    compiled = tuple(_pattern(p, where, names) for p in patterns)
    return Rule(
        id=rid,
        severity=raw["severity"],
        title=raw["title"],
        remedy=raw["remedy"],
        docs=raw["docs"],
        patterns=compiled,
        unless=tuple(_compile(p, where) for p in raw.get("unless", [])),
        unless_near=tuple(_compile(p, where) for p in raw.get("unless_near", [])),
        window=window,
        overrides=frozenset(raw.get("overrides", [])),
        explains=frozenset(raw.get("explains", [])),
        absorbs=frozenset(raw.get("absorbs", [])),
        fallback=bool(raw.get("fallback", False)),
        symptom=bool(raw.get("symptom", False)),
        gate=rule_gate([p.source for p in compiled], PATTERN_FLAGS),
        title_v2=raw.get("title_v2"),
        remedy_v2=raw.get("remedy_v2"),
        subject=subject,
        remedy_subject=raw.get("remedy_subject"),
    )


def _context(raw: dict, origin: str) -> ContextSpec:
    where = f"{origin}: context {raw.get('name')!r}"
    unknown = sorted(set(raw) - _CONTEXT_KEYS)
    if unknown:
        raise CatalogueError(f"{where}: unknown keys {unknown}")
    if raw.get("keep") not in ("all", "last"):
        raise CatalogueError(f"{where}: 'keep' must be 'all' or 'last'")
    if not isinstance(raw.get("name"), str):
        raise CatalogueError(f"{where}: 'name' must be a string")
    return ContextSpec(
        name=raw["name"],
        line=_compile(raw.get("line"), where),
        values=_compile(raw.get("values"), where),
        keep=raw["keep"],
    )


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    """The catalogue shipped with amlnbtools (``amlnbtools/core/diagnosis/rules.toml``)."""
    path = Path(__file__).with_name("rules.toml")
    return Catalogue.from_toml(path.read_text(encoding="utf-8"), origin="rules.toml")

"""Rule matching on candidate lines: contexts, conditions, neighbour windows, escaped text, root causes.

The scanner (:mod:`amlnbtools.core.diagnosis.scanner`) finds the lines worth a look and hands them
here with their line numbers. For each line this module

- splits text pasted as an escaped string (an error JSON or a traceback printed with literal ``\\n``,
  as users copy it from ``print(service.get_logs())`` or an exception) into the lines it stands for,
  all under the physical line's number;
- remembers context values, and tries every rule;
- for rules that look at neighbouring lines (``near`` / ``unless_near``), keeps the match pending
  until the lines after it have been seen (the scanner feeds them here) — the lines before it are
  handed over by the scanner when the match is made;
- records evidence, and at the end builds the :class:`Findings` (with the root-cause ranking of
  ``explains``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from amlnbtools.core.diagnosis.catalogue import Catalogue, Condition, Rule
from amlnbtools.core.diagnosis.findings import SEVERITIES, Finding, Findings
from amlnbtools.i18n import gettext_for

__all__ = ["EVIDENCE_CHARS", "LineMatcher", "is_escaped", "split_escaped"]

EVIDENCE_CHARS = 300
MAX_LINES_KEPT = 100
MAX_CONTEXT_VALUES = 256
MAX_PENDING = 64  # windowed matches waiting for the lines after them

# A line break written as an escape inside one physical line: \n, \r\n, or doubly escaped \\n.
_ESCAPED_BREAK = re.compile(r"(?:\\{1,2}r)?\\{1,2}n")
_ESCAPED_QUOTE = re.compile(r"\\{1,2}([\"'])")
_ESCAPED_TAB = re.compile(r"\\{1,2}t")


def is_escaped(text: str) -> bool:
    """Whether ``text`` holds a line break or a quote written as an escape (``\\n``, ``\\"``)."""
    return "\\n" in text or '\\"' in text


def split_escaped(text: str) -> list[str]:
    """The lines an escaped string stands for: ``a\\nb`` → ``["a", "b"]``, ``\\"`` → ``"``."""
    pieces = _ESCAPED_BREAK.split(text)
    return [_ESCAPED_TAB.sub("\t", _ESCAPED_QUOTE.sub(r"\1", p)) for p in pieces]


@dataclass
class _Hit:
    line: int
    evidence: str
    lines: list[int] = field(default_factory=list)
    count: int = 0
    last_line: int = 0
    subject: str | None = None  # what to change, read from an evidence line (see Rule.subject)


@dataclass(eq=False)
class _Pending:
    """A match of a windowed rule, waiting for the lines after it."""

    rule: Rule
    line: int
    evidence: str
    need: re.Pattern[str] | None  # a neighbour that must appear (the pattern's ``near``)
    left: int  # lines after the match still to look at
    found: bool = False
    outcome: bool | None = None  # recorded (True) or not (False), once decided
    holding: list[_Held] = field(default_factory=list)  # matches it overrides, if it is recorded
    blockers: list[_Pending] = field(default_factory=list)  # undecided matches that override it


@dataclass(eq=False)
class _Held:
    """A match on the same line as undecided matches that override it: recorded if none of them is."""

    rule_id: str
    line: int
    evidence: str
    waiting: int  # overriding matches not decided yet
    dropped: bool = False


class LineMatcher:
    """Applies a catalogue to lines given in order; see the module docstring."""

    def __init__(self, catalogue: Catalogue) -> None:
        self._cat = catalogue
        self._context: dict[str, list[str]] = {c.name: [] for c in catalogue.contexts}
        self._hits: dict[str, _Hit] = {}
        self._pending: list[_Pending] = []
        self._overrides = {r.id: r.overrides for r in catalogue.rules}
        self._subjects = {r.id: r.subject for r in catalogue.rules if r.subject}

    @property
    def waiting(self) -> bool:
        """True while windowed matches wait for the lines after them (feed every line then)."""
        return bool(self._pending)

    # --- lines ---------------------------------------------------------------------------------

    def match(self, text: str, line_no: int, *, cut: bool = False,
              before: Callable[[int], Sequence[str]] | None = None, rules: frozenset[str] | None = None) -> None:
        """Apply the rules to one physical line (a candidate); ``before(n)`` gives the ``n`` lines above it.

        ``rules``: the only rules that can match the line (the prefilter knows), or None for all of them.
        """
        if is_escaped(text):  # its lines may match rules the whole line does not
            pieces, rules = split_escaped(text), None
        else:
            pieces = [text]
        for i, piece in enumerate(pieces):
            self._match_piece(piece, line_no, cut, pieces, i, before, rules)

    def neighbour(self, text: str) -> None:
        """A line after pending matches (candidate or not): it may satisfy or cancel them."""
        pieces = split_escaped(text) if is_escaped(text) else [text]
        for piece in pieces:
            self._advance(piece)

    def _match_piece(self, text: str, line_no: int, cut: bool, pieces: list[str], index: int,
                     before: Callable[[int], Sequence[str]] | None, only: frozenset[str] | None) -> None:
        if self._pending and index > 0:
            self._advance(text)  # an escaped line after a pending match is its neighbour too
        for spec in self._cat.contexts:
            if spec.line.search(text):
                values = [m.group("value") if "value" in spec.values.groupindex else m.group(0)
                          for m in spec.values.finditer(text)]
                self._remember(spec.name, spec.keep, [v for v in values if v])
        matched: dict[str, tuple[int, re.Pattern[str] | None]] = {}
        lower = text.lower() if only is None else ""
        for rule in self._cat.rules:
            if only is not None:
                if rule.id not in only:
                    continue
            elif rule.gate is not None and not any((lit in lower) if ci else (lit in text) for lit, ci in rule.gate):
                continue  # none of the words every match of this rule contains
            found = self._rule_match(rule, text)
            if found is not None:
                matched[rule.id] = found
        if not matched:
            return
        # a match that counts for sure drops what it overrides now; an undecided one holds it
        sure = [r for r in matched if not self._cat.rule(r).windowed]
        dropped = set().union(*(self._overrides[r] for r in sure))
        created: list[_Pending] = []
        records: list[tuple[str, str]] = []
        for rule_id, (start, need) in matched.items():
            if rule_id in dropped:
                continue
            rule = self._cat.rule(rule_id)
            evidence = _evidence(text, start, cut)
            if not rule.windowed:
                records.append((rule_id, evidence))
                continue
            above = list(pieces[max(0, index - rule.window):index])
            if len(above) < rule.window and before is not None:
                above = list(before(rule.window - len(above))) + above
            above_pieces = [p for line in above for p in (split_escaped(line) if is_escaped(line) else [line])]
            above_pieces = above_pieces[-rule.window:]
            if any(u.search(t) for u in rule.unless_near for t in above_pieces + [text]):
                continue
            pending = _Pending(rule, line_no, evidence, need, rule.window,
                               found=need is None or any(need.search(t) for t in above_pieces + [text]))
            if len(self._pending) >= MAX_PENDING:  # too many waiting: decide without the lines after
                pending.left = 0
            created.append(pending)
        for pending in created:  # pending matches on this line overridden by another one here
            pending.blockers = [p for p in created if p is not pending and pending.rule.id in p.rule.overrides]
            self._pending.append(pending)
        for rule_id, evidence in records:
            blockers = [p for p in created if rule_id in p.rule.overrides]
            self._emit(rule_id, line_no, evidence, blockers)
        self._settle_ready()

    def _emit(self, rule_id: str, line_no: int, evidence: str, blockers: list[_Pending]) -> None:
        """Record a match, or hold it while matches on its line that override it are undecided."""
        if any(b.outcome for b in blockers):
            return
        waiting = [b for b in blockers if b.outcome is None]
        if not waiting:
            self._record(rule_id, line_no, evidence)
            return
        held = _Held(rule_id, line_no, evidence, len(waiting))
        for b in waiting:
            b.holding.append(held)

    def _decide(self, pending: _Pending, recorded: bool) -> None:
        pending.outcome = recorded
        if recorded:
            self._emit(pending.rule.id, pending.line, pending.evidence, pending.blockers)
        for held in pending.holding:
            if recorded:
                held.dropped = True
            held.waiting -= 1
            if held.waiting == 0 and not held.dropped:
                self._record(held.rule_id, held.line, held.evidence)

    def _settle_ready(self) -> None:
        """Decide the pending matches whose window is past (left 0), in the order they were made."""
        still = []
        for p in self._pending:
            if p.left <= 0:
                self._decide(p, p.found)
            else:
                still.append(p)
        self._pending = still

    def _advance(self, text: str) -> None:
        for p in self._pending:
            if p.outcome is not None:
                continue
            if any(u.search(text) for u in p.rule.unless_near):
                p.left, p.found = 0, False  # the whole message is exempt
                continue
            if p.need is not None and not p.found and p.need.search(text):
                p.found = True
            p.left -= 1
        self._settle_ready()

    def finish(self) -> None:
        """The input ended: decide every pending match with the lines seen."""
        for p in self._pending:
            p.left = 0
        self._settle_ready()

    # --- rules -------------------------------------------------------------------------------

    def _rule_match(self, rule: Rule, text: str) -> tuple[int, re.Pattern[str] | None] | None:
        """Where the rule matches the line, and the neighbour it still needs (None: it needs none).

        A pattern that needs no neighbour wins over one that does (both may match the same line).
        """
        found: tuple[int, re.Pattern[str] | None] | None = None
        for pattern in rule.patterns:
            m = pattern.regex.search(text)
            if m is None or (pattern.when is not None and not self._holds(pattern.when, m)):
                continue
            if any(u.search(text) for u in rule.unless):
                return None
            if pattern.near is None:
                return m.start(), None
            found = found or (m.start(), pattern.near)
        return found

    def _holds(self, cond: Condition, m: re.Match[str]) -> bool:
        remembered = self._context[cond.context]
        if cond.kind == "seen":
            return bool(remembered)
        if cond.kind == "equals":
            return bool(remembered) and remembered[-1] == cond.value
        path = (m.group(cond.group or 0) or "").rstrip("/")
        return any(path == p or path.startswith(p + "/") for p in remembered if p)

    def _remember(self, name: str, keep: str, values: list[str]) -> None:
        if keep == "last":  # the value of the latest matching line; none on that line forgets it
            self._context[name] = values[-1:]
            return
        store = self._context[name]
        for v in values:
            v = v.rstrip("/")
            if v not in store and len(store) < MAX_CONTEXT_VALUES:
                store.append(v)

    def _record(self, rule_id: str, line_no: int, evidence: str) -> None:
        hit = self._hits.get(rule_id)
        if hit is None:
            hit = self._hits[rule_id] = _Hit(line=line_no, evidence=evidence)
        elif line_no < hit.line:  # a windowed match decided after a later line's
            hit.line, hit.evidence = line_no, evidence
        if hit.subject is None and self._subjects.get(rule_id):
            hit.subject = _subject(self._subjects[rule_id], evidence)
        if line_no == hit.last_line:
            return  # another window or escaped piece of the same line
        hit.last_line = line_no
        hit.count += 1
        if len(hit.lines) < MAX_LINES_KEPT:
            hit.lines.append(line_no)

    # --- findings ----------------------------------------------------------------------------

    def findings(self, language: str | None, sdk: str = "v1") -> Findings:
        """The findings so far (call :meth:`finish` first); ``sdk="v2"`` picks the rules' v2 wording."""
        gettext = gettext_for(language)
        v2 = sdk == "v2"
        rules = {r.id: r for r in self._cat.rules}
        has_error = any(rules[r].severity == "error" and not rules[r].fallback for r in self._hits)
        absorbed = set().union(*(rules[r].absorbs for r in self._hits))
        out = []
        for rule_id, hit in self._hits.items():
            rule = rules[rule_id]
            if (rule.fallback and has_error) or rule_id in absorbed:
                continue
            remedy = gettext((v2 and rule.remedy_v2) or rule.remedy)
            if hit.subject and rule.remedy_subject:
                remedy = gettext(rule.remedy_subject).replace("{subject}", hit.subject)
            out.append(Finding(rule=rule_id, severity=rule.severity, line=hit.line, evidence=hit.evidence,
                               title=gettext((v2 and rule.title_v2) or rule.title), remedy=remedy, docs=rule.docs,
                               count=hit.count, lines=tuple(sorted(hit.lines))))
        out.sort(key=lambda f: (SEVERITIES.index(f.severity), f.line, f.rule))
        present = {f.rule for f in out if f.severity == "error"}
        explained = frozenset(r for r in present if any(r in rules[o].explains for o in present if o != r))
        return Findings(out, symptoms=frozenset(r.id for r in self._cat.rules if r.symptom), explained=explained)


def _subject(patterns: tuple[re.Pattern[str], ...], evidence: str) -> str | None:
    """The first ``value`` group of ``patterns`` found in an evidence line (what the remedy names)."""
    for pattern in patterns:
        found = pattern.search(evidence)
        if found and found["value"]:
            return found["value"].strip().strip("'\"`")[:120] or None
    return None


def _evidence(text: str, start: int, cut: bool) -> str:
    line = text.strip()
    if len(line) <= EVIDENCE_CHARS and not cut:
        return line
    offset = len(text) - len(text.lstrip())
    start = max(0, start - offset)
    lo = max(0, min(start - EVIDENCE_CHARS // 3, len(line) - EVIDENCE_CHARS))
    piece = line[lo : lo + EVIDENCE_CHARS]
    return ("…" if lo > 0 or cut else "") + piece + ("…" if lo + EVIDENCE_CHARS < len(line) or cut else "")

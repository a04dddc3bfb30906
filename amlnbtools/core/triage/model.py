"""What a triage of a workspace found: one item per service, deployment or job looked at, the groups by cause.

An item's ``outcome`` says what it is now: ``failing`` (a failed deployment or job: ``rule`` is the catalogue rule of
its primary cause, None when no rule knows it), ``waiting`` (a job not started after the waiting threshold: ``rule`` is
``wait:<cause>``), ``running-long`` (running past the running threshold), ``unreadable`` (the scan could not read it:
``error_kind`` says why — forbidden, gone, throttled, timeout …), ``healthy``, ``in-progress`` or ``canceled`` (counted,
not listed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from amlnbtools.i18n import _

__all__ = ["KINDS", "LISTED", "OUTCOMES", "TriageGroup", "TriageItem", "TriageResult", "count_outcomes", "group_items",
           "kind_label",
           "parse_duration"]

#: What an item is.
KINDS = ("web service", "online deployment", "job")
#: What an item's state is, the listed ones first.
OUTCOMES = ("failing", "waiting", "running-long", "unreadable", "in-progress", "healthy", "canceled")
#: Outcomes shown one by one (the others are only counted).
LISTED = frozenset({"failing", "waiting", "running-long", "unreadable"})
#: The group of failing items no catalogue rule explains.
UNKNOWN = "unknown"

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|min|h|d|w)\s*$", re.I)
_UNITS = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def kind_label(kind: str) -> str:
    """An item's kind in the active language."""
    return {"web service": _("web service"), "online deployment": _("online deployment"), "job": _("job")}.get(
        kind, kind)


def parse_duration(value: str | timedelta | None, what: str = "since") -> timedelta | None:
    """``"7d"``, ``"12h"``, ``"30m"``, ``"2w"`` or a timedelta → timedelta (None stays None: no limit)."""
    if value is None or isinstance(value, timedelta):
        if isinstance(value, timedelta) and value.total_seconds() <= 0:
            raise ValueError(_("{what} must be a positive duration, not {value!r}").format(what=what, value=value))
        return value
    m = _DURATION.match(str(value)) if isinstance(value, str) else None
    if not m or float(m.group(1)) <= 0:
        raise ValueError(_("{what} takes a duration like 30m, 12h, 7d or 2w, not {value!r}").format(
            what=what, value=value))
    return timedelta(seconds=float(m.group(1)) * _UNITS[m.group(2).lower()])


@dataclass(frozen=True)
class TriageItem:
    """One service, deployment or job and what the scan found (texts as the catalogue or the service wrote them)."""

    kind: str  # one of KINDS
    name: str
    sdk: str  # "v1" | "v2"
    state: str | None
    outcome: str  # one of OUTCOMES
    rule: str | None = None
    title: str | None = None
    fix: str | None = None
    evidence: str | None = None  # the log line, error or message that shows it
    where: str | None = None  # where the evidence is: "std_log.txt, line 12", "Azure ML error" …
    created: datetime | None = None
    display_name: str | None = None
    error_kind: str | None = None  # an unreadable item: the SourceError kind
    seconds: float = 0.0  # how long reading it took

    @property
    def group(self) -> str:
        """The key it is grouped by: the rule, ``unknown``, or ``unreadable:<kind>``."""
        if self.outcome == "unreadable":
            return f"unreadable:{self.error_kind or 'error'}"
        return self.rule or UNKNOWN

    @property
    def listed(self) -> bool:
        return self.outcome in LISTED

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "name": self.name, "sdk": self.sdk, "state": self.state, "outcome": self.outcome,
                "rule": self.rule, "title": self.title, "fix": self.fix, "evidence": self.evidence,
                "where": self.where, "created": self.created.isoformat() if self.created else None,
                "display_name": self.display_name, "error_kind": self.error_kind}


@dataclass(frozen=True)
class TriageGroup:
    """The listed items of one cause: its title, its fix when every item has the same (else each item's ``fix`` says
    what to change for it, e.g. the package each one lacks), how many, which."""

    key: str
    title: str
    fix: str | None
    items: tuple[TriageItem, ...]

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def rule(self) -> str | None:
        return None if self.key == UNKNOWN or self.key.startswith("unreadable:") else self.key

    def to_dict(self) -> dict[str, object]:
        return {"rule": self.rule, "key": self.key, "title": self.title, "fix": self.fix, "count": self.count,
                "items": [i.name for i in self.items], "kinds": sorted({i.kind for i in self.items})}


def _group_title(key: str, first: TriageItem) -> str:
    if key == UNKNOWN:
        return _("No known cause: open its logs")
    if key.startswith("unreadable:"):
        kind = key.partition(":")[2]
        reasons = {"forbidden": _("no permission to read it"), "not-found": _("gone while the scan ran"),
                   "throttled": _("Azure kept limiting requests"), "timeout": _("no answer in time"),
                   "cancelled": _("the scan was stopped")}
        return _("Could not be read ({reason})").format(reason=reasons.get(kind, kind))
    return first.title or key


def count_outcomes(items: Iterable[TriageItem]) -> dict[str, int]:
    """Items per outcome (every outcome present, 0 when none)."""
    out = dict.fromkeys(OUTCOMES, 0)
    for item in items:
        out[item.outcome] = out.get(item.outcome, 0) + 1
    return out


def group_items(items: Iterable[TriageItem]) -> tuple[TriageGroup, ...]:
    """The listed items by cause, the largest group first (then by key); items in each by kind and name."""
    groups: dict[str, list[TriageItem]] = {}
    for item in items:
        if item.listed:
            groups.setdefault(item.group, []).append(item)
    def shared_fix(members: list[TriageItem]) -> str | None:  # one fix for all, else each item says its own
        fixes = {m.fix for m in members}
        return fixes.pop() if len(fixes) == 1 else None

    made = [TriageGroup(key, _group_title(key, members[0]), shared_fix(members) if key != UNKNOWN else None,
                        tuple(sorted(members, key=lambda i: (KINDS.index(i.kind) if i.kind in KINDS else 9, i.name))))
            for key, members in groups.items()]
    return tuple(sorted(made, key=lambda g: (g.key.startswith("unreadable:"), -g.count, g.key)))


@dataclass(frozen=True)
class TriageResult:
    """A finished (or stopped) scan: every item, when it was made, the window and what could not be listed."""

    workspace: str
    as_of: datetime
    since: timedelta | None
    items: tuple[TriageItem, ...] = ()
    problems: tuple[str, ...] = ()  # what could not be listed at all (a whole side), each naming the fix
    cancelled: bool = False
    seconds: float = 0.0
    groups: tuple[TriageGroup, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "groups", group_items(self.items))

    def counts(self) -> dict[str, int]:
        """Items per outcome (every outcome present, 0 when none)."""
        return count_outcomes(self.items)

    @property
    def failing(self) -> tuple[TriageItem, ...]:
        return tuple(i for i in self.items if i.outcome == "failing")

    @property
    def listed(self) -> tuple[TriageItem, ...]:
        return tuple(i for i in self.items if i.listed)

    def to_dict(self) -> dict[str, object]:
        """The JSON of ``amlnbtools triage --json``: listed items, groups, counts."""
        return {"workspace": self.workspace, "as_of": self.as_of.isoformat(),
                "since": self.since.total_seconds() if self.since else None, "cancelled": self.cancelled,
                "counts": self.counts(), "problems": list(self.problems),
                "items": [i.to_dict() for i in self.listed], "groups": [g.to_dict() for g in self.groups]}

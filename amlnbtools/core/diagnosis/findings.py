"""Findings: what the diagnosis engine reports, as frozen values."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # pandas is imported only when a frame is asked for
    import pandas

__all__ = ["SEVERITIES", "Finding", "Findings", "Severity"]

Severity = Literal["error", "warning", "info"]
#: Severities from most to least serious.
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")

#: Columns of :meth:`Findings.to_frame`, in order.
FRAME_COLUMNS = ("rule", "severity", "line", "evidence", "title", "remedy", "docs", "count")


@dataclass(frozen=True, slots=True)
class Finding:
    """One known failure found in a log or error text.

    Attributes
    ----------
    rule : str
        Stable rule id from the catalogue, e.g. ``"crash-loop"``.
    severity : {"error", "warning", "info"}
    line : int
        1-based number of the first line that is evidence for the rule.
    evidence : str
        That line, trimmed (very long lines are cut around the match with ``…``).
    title : str
        What went wrong, in the language active when the text was diagnosed.
    remedy : str
        What to do about it, in the same language.
    docs : str
        Where to read more.
    count : int
        How many lines are evidence for this rule.
    lines : tuple of int
        Line numbers of the evidence (the first 100).
    """

    rule: str
    severity: Severity
    line: int
    evidence: str
    title: str
    remedy: str
    docs: str
    count: int = 1
    lines: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """Return the finding as a plain dict (JSON-ready)."""
        d = asdict(self)
        d["lines"] = list(self.lines)
        return d


class Findings(tuple[Finding, ...]):
    """An ordered, immutable collection of :class:`Finding` (errors first, then by line)."""

    symptoms: frozenset[str] = frozenset()  # rules that name a symptom, not a cause (set by the engine)
    explained: frozenset[str] = frozenset()  # rules here whose cause another finding here names

    def __new__(cls, items: Iterable[Finding] = (), *, symptoms: frozenset[str] = frozenset(),
                explained: frozenset[str] = frozenset()) -> Findings:
        self = super().__new__(cls, tuple(items))
        if symptoms:
            self.symptoms = symptoms
        if explained:
            self.explained = explained
        return self

    @property
    def errors(self) -> Findings:
        """Only the findings of severity ``error``."""
        return Findings((f for f in self if f.severity == "error"), symptoms=self.symptoms, explained=self.explained)

    def primary(self) -> Finding | None:
        """The finding that best explains the failure: the root cause.

        The first error (by line) that no other error here explains (a pip error explains the
        probe failure it causes; a quota error the provisioning failure) and that is a cause, not
        a symptom; failing that, the first error that is not a symptom, then the first error.
        """
        errors = self.errors
        return (next((f for f in errors if f.rule not in self.symptoms and f.rule not in self.explained), None)
                or next((f for f in errors if f.rule not in self.symptoms), None)
                or (errors[0] if errors else None))

    @property
    def rules(self) -> tuple[str, ...]:
        """The rule ids, in order."""
        return tuple(f.rule for f in self)

    def to_frame(self) -> pandas.DataFrame:
        """Return the findings as a :class:`pandas.DataFrame`, one row per finding."""
        import pandas as pd

        rows = [{c: getattr(f, c) for c in FRAME_COLUMNS} for f in self]
        return pd.DataFrame(rows, columns=list(FRAME_COLUMNS))

    def __repr__(self) -> str:
        inner = ", ".join(f"{f.rule}@{f.line}" for f in self)
        return f"Findings([{inner}])"

"""Findings of several texts about one failure (an error message and a log), with the root cause first."""

from __future__ import annotations

from collections.abc import Iterable

from amlnbtools.core.diagnosis.catalogue import Catalogue, default_catalogue
from amlnbtools.core.diagnosis.findings import Finding

__all__ = ["root_first"]


def root_first(groups: Iterable[tuple[str, Iterable[Finding]]],
               catalogue: Catalogue | None = None) -> list[tuple[str, Finding]]:
    """``[(origin, finding)]`` of every group, the errors no other error here explains first.

    The operation's error says "liveness probe failed"; the log says "No module named 'xgboost'". Each
    text alone ranks its own findings; together, the missing package explains the probe failure, so
    it comes first. Otherwise the order of the groups and of each group is kept.
    """
    cat = catalogue if catalogue is not None else default_catalogue()
    pairs = [(origin, f) for origin, findings in groups for f in findings]
    errors = {f.rule for _o, f in pairs if f.severity == "error"}
    explains = {rule: cat.rule(rule).explains for rule in errors}

    def explained(f: Finding) -> bool:
        return f.severity == "error" and any(f.rule in explains[o] for o in errors if o != f.rule)

    def severity(f: Finding) -> int:
        return 0 if f.severity == "error" else 1

    return sorted(pairs, key=lambda pair: (severity(pair[1]), explained(pair[1])))

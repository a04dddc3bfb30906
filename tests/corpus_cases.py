"""The labelled corpus of real failure formats (tests/corpus/<area>/cases.toml): loading and scoring.

Each case is a fixture written in the message format that users posted publicly (the URL says where),
labelled with the causes a correct diagnosis must report (``classes``, the root cause first), extra
findings that are also right (``also``), and wrong answers it must not give (``not_classes``).
Shared by tests/test_corpus.py and benchmarks/bench_catalogue.py.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

CORPUS = Path(__file__).resolve().parent / "corpus"
#: Areas in the order the tables show them.
AREAS = ("v1_deployments", "local_server", "v1_pipelines", "parallel_run", "v2_endpoints", "v2_jobs", "healthy")


@dataclass(frozen=True)
class Case:
    area: str
    file: str
    url: str
    cause: str
    classes: tuple[str, ...]
    also: tuple[str, ...] = ()
    not_classes: tuple[str, ...] = ()
    sub_area: str = ""
    known_miss: str = ""  # why the diagnosis cannot get this case right from the text alone
    root: Path = CORPUS

    @property
    def path(self) -> Path:
        return self.root / self.area / self.file

    @property
    def id(self) -> str:
        return f"{self.area}/{self.file}"

    @property
    def scored_area(self) -> str:
        """The area its recall counts in (a case of one folder may belong to another area)."""
        return self.sub_area or self.area


@dataclass
class Score:
    """Recall and precision of one area."""

    cases: int = 0
    wanted: int = 0  # causes a correct diagnosis reports
    found: int = 0  # of those, reported
    wrong: int = 0  # error findings that are no right answer
    primary_right: int = 0  # cases whose primary finding is the root cause
    misses: list[str] = field(default_factory=list)
    wrongs: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.wanted if self.wanted else 1.0

    @property
    def precision(self) -> float:
        return self.found / (self.found + self.wrong) if self.found + self.wrong else 1.0


def load_cases(root: Path = CORPUS) -> list[Case]:
    """Every case of every area under ``root``, in a stable order."""
    cases = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and (p / "cases.toml").is_file()):
        data = tomllib.loads((folder / "cases.toml").read_text(encoding="utf-8"))
        for raw in data.get("case", []):
            cases.append(Case(area=folder.name, file=raw["file"], url=raw["url"], cause=raw["cause"],
                              classes=tuple(raw.get("classes", ())), also=tuple(raw.get("also", ())),
                              not_classes=tuple(raw.get("not_classes", ())), sub_area=raw.get("area", ""),
                              known_miss=raw.get("known_miss", ""), root=root))
    return cases


def judge(case: Case, findings) -> tuple[list[str], list[str], bool]:
    """(missed causes, wrong error findings, whether the primary finding is the root cause).

    A symptom finding (a crash loop, a deployment that timed out) beside the cause states what the
    log shows and is not a wrong answer, unless the case names it in ``not_classes``.
    """
    reported = {f.rule for f in findings.errors}
    missed = [c for c in case.classes if c not in reported]
    allowed = set(case.classes) | set(case.also) | (set(findings.symptoms) - set(case.not_classes))
    wrong = sorted(r for r in reported if r not in allowed)
    primary = findings.primary()
    root_first = not case.classes or (primary is not None and primary.rule == case.classes[0])
    return missed, wrong, root_first


def score(cases: list[Case], diagnose) -> dict[str, Score]:
    """Per-area scores of ``diagnose(bytes) -> Findings`` on ``cases``."""
    scores: dict[str, Score] = {}
    for case in cases:
        s = scores.setdefault(case.scored_area, Score())
        findings = diagnose(case.path.read_bytes())
        missed, wrong, root_first = judge(case, findings)
        s.cases += 1
        s.wanted += len(case.classes)
        s.found += len(case.classes) - len(missed)
        s.wrong += len(wrong)
        s.primary_right += root_first
        s.misses += [f"{case.id}: {m}" for m in missed]
        s.wrongs += [f"{case.id}: {w}" for w in wrong]
    return scores

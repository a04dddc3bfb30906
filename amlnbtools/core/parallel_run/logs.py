"""Summaries of a ParallelRunStep's log folder, for the three generations of its layout.

The caller reads the files (names relative to the step's folder, e.g. ``logs/job_result.txt``) and
passes their text; nothing here touches the disk. Layouts, matched by pattern rather than fixed names:

- ``early`` (mid-2020): ``logs/overview.txt``, ``logs/sys/master.txt``, ``logs/user/<ip>/Process-*.txt``
- ``late-2020``: ``logs/job_progress_overview.<date>.txt``, ``logs/user/error.txt``, ``logs/sys/node/…``
- ``2021``: ``logs/job_result.txt``, ``logs/job_progress_overview.txt``, ``logs/user/entry_script_log/<node>/…``,
  ``logs/user/stdout|stderr/<node>/…``, ``logs/user/error.txt``, ``logs/user/error/<node>/…``,
  ``logs/sys/node/<node>/…``, ``logs/perf/…``
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from amlnbtools.core.diagnosis.findings import Findings
from amlnbtools.core.diagnosis.scanner import diagnose

__all__ = ["BatchCounts", "LogError", "ParallelRunSummary", "summarize_parallel_run_logs"]

Layout = Literal["early", "late-2020", "2021", "unknown"]
Status = Literal["succeeded", "failed"]

_LAYOUTS: tuple[tuple[Layout, re.Pattern[str]], ...] = (
    ("2021", re.compile(r"(?i)^(job_result[^/]*\.txt|job_progress_overview\.txt|perf/.+|"
                        r"user/(entry_script_log|stdout|stderr|error)/.+)$")),
    ("late-2020", re.compile(r"(?i)^(job_progress_overview\.\d{6,8}[^/]*\.txt|sys/node/.+|user/error\.txt)$")),
    ("early", re.compile(r"(?i)^(overview\.txt|sys/master\.txt|user/[^/]+/process[^/]*\.txt)$")),
)
_JOB_RESULT = re.compile(r"(?i)^job_result[^/]*\.txt$")
_PROGRESS = re.compile(r"(?i)^(job_progress_overview[^/]*|overview)\.txt$")
_MASTER = re.compile(r"(?i)^sys/master\.txt$")
_ERROR_FILE = re.compile(r"(?i)^user/(error\.txt|error/.+)$")
_OTHER_ERRORS = re.compile(r"(?i)^(user/[^/]+/process[^/]*\.txt|sys/master\.txt|sys/node/.+|user/stderr/.+)$")
_ERROR_LINE = re.compile(r"\|(?:ERROR|CRITICAL)\||^[A-Za-z_][\w.]*(?:Error|Exception)\b:", re.M)
_RESULT = re.compile(r"(?i)\b(?:job result\s*:|job finished with status|^status\s*:|job (?=failed|aborted|"
                     r"succeeded|completed))\s*(\w+)")
_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+)"  # 1,225,600 or 240 (not "240," of "240, processed")
_COUNT_PATTERNS = (
    ("total", re.compile(rf"(?i){_NUMBER}\s+(?:in\s+)?total\b|\bscheduled\s*:?\s*{_NUMBER}|\bof\s+{_NUMBER}")),
    # an explicit "N succeeded" wins over "processed N" (which older layouts use for successes)
    ("succeeded", re.compile(rf"(?i){_NUMBER}\s+succeeded\b|\bsucceeded\s*:?\s*{_NUMBER}")),
    ("succeeded", re.compile(rf"(?i){_NUMBER}\s+processed\b|\bprocessed\s*:?\s*{_NUMBER}")),
    ("failed", re.compile(rf"(?i){_NUMBER}\s+failed\b|\bfailed\s*:?\s*{_NUMBER}")),
    ("remaining", re.compile(rf"(?i){_NUMBER}\s+(?:remaining|(?:were\s+)?not processed)\b")),
)
_STAMP = re.compile(r"^\s*\[?\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?\]?\s*")
_BATCHES = re.compile(rf"(?i){_NUMBER}\s+mini[\s_-]?batch(?:es)?\b")


@dataclass(frozen=True, slots=True)
class BatchCounts:
    """Mini-batches or items as the progress files last reported them (``None`` where they do not say)."""

    total: int | None = None
    succeeded: int | None = None
    failed: int | None = None
    remaining: int | None = None


@dataclass(frozen=True, slots=True)
class LogError:
    """One error line: the file as passed, its 1-based line number, and the text (trimmed)."""

    file: str
    line: int
    text: str


@dataclass(frozen=True, slots=True)
class ParallelRunSummary:
    """What a ParallelRunStep's logs say.

    Attributes
    ----------
    layout : {"early", "late-2020", "2021", "unknown"}
    status : {"succeeded", "failed"} or None
    result_line, reason : str or None
        The line that gives the job's result, and the ``Reason:`` line when there is one.
    mini_batches, items : BatchCounts
    errors : tuple of LogError
        The first error lines of the error files (or, without them, of the process and system logs).
    findings : tuple of (file, Findings)
        :func:`amlnbtools.diagnose` on the job result, progress, master and error files (non-empty only).
    open_first : str or None
        The file to open first to see why the job failed (the job result when nothing failed).
    """

    layout: Layout
    files: tuple[str, ...] = ()
    status: Status | None = None
    result_line: str | None = None
    reason: str | None = None
    mini_batches: BatchCounts = field(default_factory=BatchCounts)
    items: BatchCounts = field(default_factory=BatchCounts)
    errors: tuple[LogError, ...] = ()
    findings: tuple[tuple[str, Findings], ...] = ()
    open_first: str | None = None

    @property
    def error_rules(self) -> tuple[str, ...]:
        """Rule ids of the error findings over all files, each once, in order."""
        seen: dict[str, None] = {}
        for _file, found in self.findings:
            seen.update((f.rule, None) for f in found.errors)
        return tuple(seen)


def _relative(name: str) -> str:
    """The path inside ``logs/`` (``"run/logs/user/error.txt"`` → ``"user/error.txt"``)."""
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
    if "logs" in parts:
        parts = parts[parts.index("logs") + 1:]
    return "/".join(parts)


def _layout(paths: list[str]) -> Layout:
    for layout, pattern in _LAYOUTS:
        if any(pattern.match(p) for p in paths):
            return layout
    return "unknown"


def _count(segment: str, counts: BatchCounts) -> BatchCounts:
    values = {}
    for key, pattern in _COUNT_PATTERNS:
        m = pattern.search(segment) if key not in values else None
        if m:
            values[key] = int(next(g for g in m.groups() if g).replace(",", ""))
    if "total" not in values and "failed" not in values and "fail" not in segment.lower():
        m = _BATCHES.search(segment)  # "Job started: 96 mini batches", "Partitioned 1204 files into 121 mini batches"
        if m:
            values["total"] = int(m.group(1).replace(",", ""))
    if "total" in values and counts.total is not None:  # "scheduled: 0" early on does not shrink a known total
        values["total"] = max(values["total"], counts.total)
    return replace(counts, **values) if values else counts


def _counts(texts: list[str]) -> tuple[BatchCounts, BatchCounts]:
    batches, items = BatchCounts(), BatchCounts()
    for text in texts:
        for line in text.splitlines():
            line = _STAMP.sub("", line)  # "10:09:41,550" is a time, not 41,550 of anything
            for segment in re.split(r"\.(?:\s+|$)|;\s*", line):
                if re.search(r"(?i)\b(items?|rows?)\b", segment):
                    items = _count(segment, items)
                elif re.search(r"(?i)mini[\s_-]?batch|\bscheduled\b", segment):
                    batches = _count(segment, batches)
    return batches, items


def _result(ordered: list[tuple[str, str]]) -> tuple[Status | None, str | None, str | None]:
    """(status, result line, reason) from the first file that states a result."""
    for _name, text in ordered:
        lines = [line.strip() for line in text.splitlines()]
        for line in lines:
            m = _RESULT.search(line)
            if m:
                word = m.group(1).lower()
                status: Status | None = (
                    "succeeded" if word.startswith(("succeed", "complet")) else
                    "failed" if word.startswith(("fail", "abort", "cancel", "stop")) else None)
                reason = next((x for x in lines if re.match(r"(?i)^(?:[\d:\-\s]+)?reason\s*:", x)), None)
                return status, line[:300], reason[:300] if reason else None
    return None, None, None


def _error_lines(ordered: list[tuple[str, str]], limit: int, only_flagged: bool) -> list[LogError]:
    out: list[LogError] = []
    for name, text in ordered:
        for number, line in enumerate(text.splitlines(), 1):
            stripped = line.strip()
            if not stripped or line[:1].isspace() or stripped.startswith("Traceback (most recent call last)"):
                continue
            if only_flagged and not _ERROR_LINE.search(stripped):
                continue
            out.append(LogError(name, number, stripped if len(stripped) <= 300 else stripped[:299] + "…"))
            if len(out) >= limit:
                return out
    return out


def summarize_parallel_run_logs(files: Mapping[str, str | bytes], *, max_errors: int = 5,
                                language: str | None = None) -> ParallelRunSummary:
    """Summarize a ParallelRunStep's logs: layout, result, counts, first errors, findings, file to open first.

    Parameters
    ----------
    files : mapping of str to str or bytes
        File names relative to the step's folder (``"logs/user/error.txt"``) → their text (bytes are
        decoded as UTF-8).
    max_errors : int
        How many error lines to keep.
    language : str, optional
        Language of the findings' titles and remedies (the active one by default).
    """
    entries = sorted(((name, text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text))
                      for name, text in files.items()), key=lambda e: e[0])
    rel = {name: _relative(name) for name, _text in entries}

    def pick(pattern: re.Pattern[str]) -> list[tuple[str, str]]:
        return [(n, t) for n, t in entries if pattern.match(rel[n])]

    job_result, progress, master, error_files = pick(_JOB_RESULT), pick(_PROGRESS), pick(_MASTER), pick(_ERROR_FILE)
    status, result_line, reason = _result(job_result + [e for e in progress if rel[e[0]] == "overview.txt"]
                                          + progress[::-1] + master)
    batches, items = _counts([t for _n, t in progress + master + job_result])
    # the processes' own logs (with the traceback) before the master's one-line account of them
    others = sorted(pick(_OTHER_ERRORS), key=lambda e: not rel[e[0]].startswith("user/"))
    errors = _error_lines(error_files, max_errors, only_flagged=False) or _error_lines(
        others, max_errors, only_flagged=True)
    findings = []
    for name, text in job_result + progress + master + error_files:
        found = diagnose(text, language=language)
        if found:
            findings.append((name, found))
    failing = ([n for n, t in error_files if t.strip()] + [n for n, t in others if "Traceback (most recent" in t]
               + [n for n, t in others if _ERROR_LINE.search(t)])
    fallback = [n for n, _t in job_result + master + progress[::-1] + entries]
    return ParallelRunSummary(
        layout=_layout(list(rel.values())), files=tuple(n for n, _t in entries), status=status,
        result_line=result_line, reason=reason, mini_batches=batches, items=items, errors=tuple(errors),
        findings=tuple(findings), open_first=next(iter(failing or fallback), None))

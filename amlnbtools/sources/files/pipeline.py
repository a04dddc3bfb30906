"""A pipeline run as a folder of downloaded logs, one folder per step.

Layouts understood (found by their files, not by fixed names):

- ``Run.get_all_logs(destination)`` / ``download_files(...)`` per step: ``<step>/azureml-logs/70_driver_log.txt``,
  ``<step>/logs/azureml/…``, ParallelRunStep's ``<step>/logs/job_result.txt``, ``<step>/logs/user/…``;
- the common runtime (SDK v2 jobs, newer v1 runs): ``<step>/user_logs/std_log.txt``, ``<step>/system_logs/…``;
- ``az ml job download --all`` / ``jobs.download(all=True)``: the same trees under ``<step>/artifacts/``, next to
  ``<step>/named-outputs/``; a pipeline job downloaded with one folder per child job (its own
  ``artifacts/`` beside them is the pipeline's, not a step);
- a folder that is itself one step's logs;
- a folder written by :func:`amlnbtools.sources.files.export.export_pipeline_logs`, whose
  ``amlnbtools-pipeline.json`` keeps the statuses and times Azure ML reported.

Without that file, a step's status and times are read from its logs: a known error (diagnosis engine)
means failed, the driver's success line means completed, anything else is unknown; start and end are
the first and last timestamps of its main log.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from amlnbtools.core import diagnose
from amlnbtools.core.pipeline import PipelineSummary, StepSummary, normalize_status, rank_log_files
from amlnbtools.core.pipeline.fields import parse_utc, step_kind
from amlnbtools.i18n import _
from amlnbtools.sources.errors import SourceError

__all__ = ["METADATA_FILE", "FolderPipelineSource"]

#: The file :func:`export_pipeline_logs` writes next to the step folders.
METADATA_FILE = "amlnbtools-pipeline.json"
METADATA_FORMAT = "amlnbtools-pipeline/1"

_LOG_SUFFIXES = (".txt", ".log", ".out", ".err")
_MARKERS = ("azureml-logs", "user_logs", "system_logs", "logs")
# folders of a job's own download (az ml job download --all, jobs.download(all=True)): never a step
_NOT_STEPS = frozenset({*_MARKERS, "artifacts", "named-outputs", "outputs"})
_TOP_LEVEL_LOG = re.compile(r"^(?:70_driver_log.*|std_log.*|\d\d_[\w.-]+)\.txt$", re.IGNORECASE)
_SUCCESS = re.compile(r"(?:The experiment completed successfully|Run completed successfully|"
                      r"Job completed successfully|\bexited with code 0\b)", re.IGNORECASE)
_STAMP = re.compile(r"^\[?(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,6})?)\d*(Z|[+-]\d\d:?\d\d)?\]?")
_TAIL_BYTES = 256 * 1024
_HEAD_BYTES = 64 * 1024


def _read_slice(path: Path, *, head: bool) -> str:
    with path.open("rb") as fh:
        if head:
            data = fh.read(_HEAD_BYTES)
        else:
            size = fh.seek(0, 2)
            fh.seek(max(0, size - _TAIL_BYTES))
            data = fh.read()
    return data.decode("utf-8", "replace")


def _stamp(text: str, *, last: bool) -> datetime | None:
    """The first (or last) time stamp at a line start; a stamp without a zone is UTC."""
    lines = text.splitlines()
    for line in reversed(lines) if last else lines:
        m = _STAMP.match(line)
        value = parse_utc(m.group(1) + (m.group(2) or "")) if m else None
        if value is not None:
            return value
    return None


def _logs_root(folder: Path) -> Path | None:
    """Where a step's log tree starts inside ``folder`` (itself or its ``artifacts/``), or None."""
    for root in (folder, folder / "artifacts"):
        if not root.is_dir():
            continue
        if any((root / marker).is_dir() for marker in _MARKERS):
            return root
        if any(p.is_file() and _TOP_LEVEL_LOG.match(p.name) for p in root.iterdir()):
            return root
    return None


def _log_names(root: Path) -> list[str]:
    names = [p.relative_to(root).as_posix() for p in root.rglob("*")
             if p.is_file() and p.suffix.lower() in _LOG_SUFFIXES and not p.name.startswith(".")
             and p.name != METADATA_FILE]
    return rank_log_files(names)


def _start_order(step: StepSummary) -> tuple[bool, float, str]:
    return step.started is None, step.started.timestamp() if step.started else 0.0, step.name


class FolderPipelineSource:
    """A :class:`~amlnbtools.sources.base.PipelineSource` over a folder of downloaded logs.

    Raises
    ------
    SourceError
        ``not-found`` when the folder does not exist or holds no step logs (the message says which
        layouts were looked for); ``bad-config`` when its ``amlnbtools-pipeline.json`` is unreadable.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        if not self.path.is_dir():
            raise SourceError("not-found", _("No folder at {path}: give the folder the logs were downloaded to.")
                              .format(path=self.path))
        self._steps = self._find_steps()  # run id -> (step folder's log root)
        if not self._steps:
            raise SourceError("not-found", _(
                "No step logs in {path}: expected one folder per step holding azureml-logs/70_driver_log*.txt, "
                "user_logs/std_log*.txt or ParallelRunStep logs/ (as written by Run.get_all_logs(), "
                "download_files() or az ml job download).").format(path=self.path))

    @property
    def label(self) -> str:
        return self.path.name

    def __repr__(self) -> str:
        return f"FolderPipelineSource({str(self.path)!r}, steps={len(self._steps)})"

    # --- discovery ----------------------------------------------------------------------------

    def _find_steps(self) -> dict[str, Path]:
        found = self._step_folders()
        root = _logs_root(self.path)
        if root is not None and not found and not self._metadata_path().is_file():
            return {self.path.name: root}
        return found  # a pipeline job downloaded with its children: its own artifacts/ are not a step

    def _step_folders(self) -> dict[str, Path]:
        found: dict[str, Path] = {}
        for child in sorted(p for p in self.path.iterdir() if p.is_dir() and not p.name.startswith(".")
                            and p.name.lower() not in _NOT_STEPS):
            step_root = _logs_root(child)
            if step_root is not None:
                found[child.name] = step_root
                continue
            for grandchild in sorted(p for p in child.iterdir() if p.is_dir() and not p.name.startswith(".")):
                step_root = _logs_root(grandchild)
                if step_root is not None:
                    found[f"{child.name}/{grandchild.name}"] = step_root
        return found

    def _metadata_path(self) -> Path:
        return self.path / METADATA_FILE

    def _metadata(self) -> dict[str, Any] | None:
        path = self._metadata_path()
        if not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != METADATA_FORMAT or not isinstance(data.get("steps"), list):
                raise ValueError("unexpected format")
        except (OSError, ValueError, AttributeError) as exc:
            raise SourceError("bad-config", _("{path} is not readable ({detail}): delete it to read the logs "
                                              "without it, or export the run again.")
                              .format(path=path, detail=exc)) from None
        return data

    # --- PipelineSource -----------------------------------------------------------------------

    def summary(self) -> PipelineSummary:
        """Read the folder again (files may have been added since) and the statuses."""
        found = self._find_steps() if self.path.is_dir() else {}
        if found:
            self._steps = found
        meta = self._metadata()
        return self._from_metadata(meta) if meta else self._inferred()

    def fetch_log(self, step: StepSummary, name: str) -> Path:
        root = self._steps.get(step.run_id)
        if root is None or name not in step.log_files:
            raise SourceError("not-found", _("Step {step} has no log file {name}: choose one of its files.")
                              .format(step=step.name, name=name))
        path = root / name
        if not path.is_file():
            raise SourceError("not-found", _("{path} was removed: download the step's logs again.").format(path=path))
        return path

    # --- statuses -----------------------------------------------------------------------------

    def _from_metadata(self, meta: dict[str, Any]) -> PipelineSummary:
        steps = []
        for entry in meta["steps"]:
            folder = str(entry.get("folder", ""))
            root = self._steps.get(folder)  # a step that never ran has no folder
            steps.append(StepSummary(
                run_id=folder, name=str(entry.get("name") or folder), status=normalize_status(entry.get("raw_status")),
                raw_status=str(entry.get("raw_status") or ""), queued=parse_utc(entry.get("queued")),
                started=parse_utc(entry.get("started")), ended=parse_utc(entry.get("ended")),
                reused=bool(entry.get("reused")),
                log_files=tuple(_log_names(root)) if root else (), error=entry.get("error"),
                kind=str(entry.get("kind") or "")))
        return PipelineSummary(
            run_id=str(meta.get("run_id") or self.path.name), name=str(meta.get("name") or self.path.name),
            status=normalize_status(meta.get("raw_status")), raw_status=str(meta.get("raw_status") or ""),
            started=parse_utc(meta.get("started")), ended=parse_utc(meta.get("ended")), steps=tuple(steps),
            error=meta.get("error"))

    def _inferred(self) -> PipelineSummary:
        steps = [self._infer_step(run_id, root) for run_id, root in self._steps.items()]
        statuses = {s.status for s in steps}
        overall = "failed" if "failed" in statuses else "completed" if statuses == {"completed"} else "unknown"
        starts = [s.started for s in steps if s.started]
        ends = [s.ended for s in steps if s.ended]
        return PipelineSummary(run_id=self.path.name, name=self.path.name, status=overall,
                               started=min(starts) if starts else None, ended=max(ends) if ends else None,
                               steps=tuple(sorted(steps, key=_start_order)))

    def _infer_step(self, run_id: str, root: Path) -> StepSummary:
        names = _log_names(root)
        kind = step_kind(None, names)  # ParallelRunStep's own files tell one
        status, started, ended = "unknown", None, None
        main = next((n for n in names if not n.startswith("logs/")), names[0] if names else None)
        if main is not None:
            try:
                head, tail = _read_slice(root / main, head=True), _read_slice(root / main, head=False)
                extra = [_read_slice(root / n, head=False) for n in names
                         if n in ("logs/job_result.txt", "logs/user/error.txt")]
            except OSError as exc:
                raise SourceError("not-found", _("Cannot read {path} ({detail}): check the file's permissions.")
                                  .format(path=root / main, detail=exc.strerror or exc)) from None
            if any(f.severity == "error" for text in (tail, *extra) for f in diagnose(text)):
                status = "failed"
            elif _SUCCESS.search(tail):
                status = "completed"
            started, ended = _stamp(head, last=False), _stamp(tail, last=True)
            for name in names[:4]:  # ParallelRunStep: job_progress_overview.txt carries the times
                if started is not None:
                    break
                try:
                    started = _stamp(_read_slice(root / name, head=True), last=False)
                    ended = _stamp(_read_slice(root / name, head=False), last=True)
                except OSError:
                    continue
        return StepSummary(run_id=run_id, name=run_id.rsplit("/", 1)[-1], status=status, raw_status="",
                           started=started, ended=ended, log_files=tuple(names), kind=kind)

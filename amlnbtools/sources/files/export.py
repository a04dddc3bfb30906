"""Save a pipeline run's logs to a folder that :class:`FolderPipelineSource` reopens offline, statuses included."""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from amlnbtools.core.pipeline import PipelineSummary
from amlnbtools.i18n import _
from amlnbtools.sources.base import DEFAULT_FETCH_WORKERS, PipelineSource, fetch_logs
from amlnbtools.sources.errors import SourceError
from amlnbtools.sources.files.pipeline import METADATA_FILE, METADATA_FORMAT

__all__ = ["export_pipeline_logs"]

_UNSAFE = re.compile(r"[^\w.-]+")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _folders(summary: PipelineSummary) -> dict[str, str]:
    used: set[str] = set()
    out: dict[str, str] = {}
    for index, step in enumerate(summary.steps, 1):
        base = _UNSAFE.sub("_", step.name).strip("._") or f"step_{index}"
        name, n = base, 2
        while name.lower() in used:
            name, n = f"{base}_{n}", n + 1
        used.add(name.lower())
        out[step.run_id] = name
    return out


def _bar(total: int, name: str) -> Any:
    from tqdm.auto import tqdm

    # shown only if the export takes more than a second: a quick one leaves no output behind
    return tqdm(total=total, unit=_("file"), desc=_("Logs of {name}").format(name=name), leave=False, delay=1.0)


def export_pipeline_logs(source: PipelineSource, destination: str | Path, *,
                         max_workers: int = DEFAULT_FETCH_WORKERS,
                         progress: bool = True) -> tuple[Path, dict[tuple[str, str], SourceError]]:
    """Fetch every log file of every step (concurrently) into ``destination``, one folder per step (for an SDK v2
    job, each step's files under ``<step>/artifacts/``, as ``az ml job download --all`` writes them).

    Returns the folder and the files that could not be fetched (``{(step run id, name): error}``):
    one failing file does not lose the others. The folder must not exist or be empty. With ``progress`` a bar
    counts the files (tqdm: a widget in a notebook, a line in a terminal); interrupting the kernel stops the
    export, and what was fetched is kept in the log cache.
    """
    target = Path(destination).expanduser()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise SourceError("bad-config", _("{path} already exists and is not an empty folder: choose a new folder.")
                          .format(path=target))
    summary = source.summary()
    folders = _folders(summary)
    # SDK v2 jobs: the layout of ``az ml job download --all`` (``<step>/artifacts/…``)
    subfolder = str(getattr(source, "export_subfolder", "") or "")
    wanted = [(step, name) for step in summary.steps for name in step.log_files]
    bar = _bar(len(wanted), summary.name) if progress and wanted else None
    try:
        results = fetch_logs(source, wanted, max_workers=max_workers,
                             on_done=(lambda done, _total: bar.update(done - bar.n)) if bar is not None else None)
    finally:
        if bar is not None:
            bar.close()
    failures: dict[tuple[str, str], SourceError] = {}
    target.mkdir(parents=True, exist_ok=True)
    for (run_id, name), result in results.items():
        if isinstance(result, SourceError):
            failures[(run_id, name)] = result
            continue
        dest = target / folders[run_id] / subfolder / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(result, dest)
    meta = {
        "format": METADATA_FORMAT, "run_id": summary.run_id, "name": summary.name, "raw_status": summary.raw_status
        or summary.status, "started": _iso(summary.started), "ended": _iso(summary.ended), "error": summary.error,
        "steps": [{"folder": folders[s.run_id], "run_id": s.run_id, "name": s.name, "raw_status": s.raw_status
                   or s.status, "queued": _iso(s.queued), "started": _iso(s.started), "ended": _iso(s.ended),
                   "reused": s.reused, "kind": s.kind, "error": s.error} for s in summary.steps],
    }
    (target / METADATA_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return target, failures

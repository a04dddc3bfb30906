"""A parallel step run locally: the driver's command and configuration, and the summary of the logs it wrote.

The entry script runs under ``parallel_driver.py`` (copied next to the run, so the Python the user names needs
nothing of amlnbtools); the driver writes the service's log layout, read back here with the same
:func:`summarize_parallel_run_logs` that reads a real run's logs in the pipeline panel.
"""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path

from amlnbtools.core.localrun.spec import StepSpec
from amlnbtools.core.parallel_run import ParallelRunSummary, summarize_parallel_run_logs
from amlnbtools.i18n import _
from amlnbtools.sources.errors import SourceError

__all__ = ["driver_command", "summary"]

_DRIVER = Path(__file__).with_name("parallel_driver.py")
_READ_LIMIT = 2 * 1024 * 1024  # of each log file, its last bytes


def driver_command(step: StepSpec, command: str, values: dict[str, str | None], outputs: dict[str, str],
                   folder: Path, python: str) -> str:
    """``python parallel_driver.py CONFIG ENTRY_SCRIPT ARG…`` for ``command`` (``python <entry script> ARG…``)."""
    parallel = step.parallel
    assert parallel is not None
    words = shlex.split(command)
    if len(words) < 2 or not words[1].endswith(".py"):
        raise SourceError("bad-input", _("The parallel step names no entry script (.py): give entry_script."))
    paths = [values[name] for name in parallel.data_inputs if values.get(name)]
    if not paths:
        raise SourceError("bad-input", _("Map the input the step splits into mini-batches ({names}) to a local folder "
                                         "of files or a CSV / Parquet file.").format(
            names=", ".join(parallel.data_inputs) or "-"))
    output = outputs.get(parallel.output) if parallel.output else None
    config = {"inputs": paths, "kind": parallel.kind, "mini_batch_size": parallel.mini_batch_size,
              "error_threshold": parallel.error_threshold, "allowed_failed_count": parallel.allowed_failed_count,
              "allowed_failed_percent": parallel.allowed_failed_percent,
              "run_invocation_timeout": parallel.run_invocation_timeout, "run_max_try": parallel.run_max_try,
              "output": output, "output_action": "append_row" if parallel.append_row and output else "summary_only",
              "append_row_file_name": parallel.append_row_file_name, "logging_level": parallel.logging_level,
              "logs": str(folder / "logs")}
    (folder / "parallel.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
    driver = shutil.copy(_DRIVER, folder / "parallel_driver.py")
    return " ".join([shlex.quote(python), shlex.quote(str(driver)), shlex.quote(str(folder / "parallel.json")),
                     *(shlex.quote(w) for w in words[1:])])


def summary(folder: Path) -> ParallelRunSummary | None:
    """The summary of the logs the driver wrote under ``folder/logs`` (None when it wrote none)."""
    root = folder / "logs"
    if not root.is_dir():
        return None
    files = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        with open(path, "rb") as f:
            size = path.stat().st_size
            f.seek(max(0, size - _READ_LIMIT))
            files["logs/" + path.relative_to(root).as_posix()] = f.read()
    return summarize_parallel_run_logs(files) if files else None

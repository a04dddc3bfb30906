"""Sample data shipped with amlnbtools, for the tour, the tutorials and the tests.

``samples/logs/`` holds logs in the shapes Azure ML really writes (deployment logs and errors, the
local inference server, pipeline step logs, ParallelRunStep logs, healthy logs); its README lists
what each file shows.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["list_sample_logs", "sample_log", "sample_logs"]

_LOGS = Path(__file__).with_name("logs")


def sample_logs() -> Path:
    """The folder of sample logs."""
    return _LOGS


def list_sample_logs() -> list[str]:
    """Names of every sample log, relative to :func:`sample_logs` (with ``/``)."""
    return sorted(p.relative_to(_LOGS).as_posix() for p in _LOGS.rglob("*") if p.is_file() and p.name != "README.md")


def sample_log(name: str) -> Path:
    """The path of one sample log, e.g. ``sample_log("local/azmlinfsrv_missing_package.log")``.

    Raises
    ------
    FileNotFoundError
        If there is no such sample; the message lists the folders to look in.
    """
    path = _LOGS / name
    if not path.is_file() or _LOGS not in path.resolve().parents:
        raise FileNotFoundError(f"no sample log {name!r}: see amlnbtools.samples.list_sample_logs() for the names")
    return path

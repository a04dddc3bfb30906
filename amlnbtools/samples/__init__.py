"""Sample data shipped with amlnbtools, for the tour, the tutorials and the tests.

``samples/score/`` holds entry scripts for the local inference server (healthy, init() failing on the
model path, a missing package, run() raising, a slow run()) and a small model folder.
``samples/logs/`` holds logs in the shapes Azure ML really writes (deployment logs and errors, the
local inference server, pipeline step logs, ParallelRunStep logs, healthy logs); its README lists
what each file shows.
``samples/pipelines/defects-pipeline/`` is a failed pipeline run's logs as
:func:`amlnbtools.export_pipeline_logs` saves them (one folder per step, statuses kept), written
from the embedded sample workspace by ``tools/export_sample_pipeline.py``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["list_sample_logs", "sample_log", "sample_logs", "sample_pipeline", "sample_score", "sample_step"]

_LOGS = Path(__file__).with_name("logs")
_SCORE = Path(__file__).with_name("score")
_PIPELINES = Path(__file__).with_name("pipelines")
_STEPS = Path(__file__).with_name("steps")


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


def sample_score(name: str) -> Path:
    """An entry script or the model folder of ``samples/score``, e.g. ``sample_score("healthy.py")``.

    Names: ``healthy.py``, ``init_model_path.py``, ``missing_package.py``, ``run_raises.py``,
    ``slow_run.py`` and ``model`` (the folder).
    """
    path = _SCORE / name
    if not path.exists() or _SCORE not in path.resolve().parents:
        choices = ", ".join(sorted(p.name for p in _SCORE.iterdir() if p.name != "__pycache__"))
        raise FileNotFoundError(f"no sample {name!r} in samples/score: choose one of {choices}")
    return path


def _folder(root: Path, name: str, what: str) -> Path:
    path = root / name
    if not path.is_dir() or root not in path.resolve().parents:
        choices = ", ".join(sorted(p.name for p in root.iterdir() if p.is_dir()))
        raise FileNotFoundError(f"no sample {what} {name!r}: choose one of {choices}")
    return path


def sample_pipeline(name: str = "defects-pipeline") -> Path:
    """A folder of a pipeline run's downloaded logs, for ``amlnbtools.pipeline_logs(folder)``."""
    return _folder(_PIPELINES, name, "pipeline")


def sample_step(name: str = "prep_data") -> Path:
    """The folder of a sample pipeline step (``component.yml``, ``job.yml``, ``src/``, ``sample/``)."""
    return _folder(_STEPS, name, "step")

"""What the local inference server needs to run an online deployment's scoring script as the deployment would.

``local=True`` in azure-ai-ml builds the deployment's Docker image and runs it; without Docker, the same
script runs on this machine's Python with the real inference server (azmlinfsrv). From an
``OnlineDeployment`` this reads: the code folder and the scoring script (``code_configuration``), the
environment variables, the request timeout (so a slow ``run()`` times out as in the cloud: 5,000 ms unless
set) and, when the model is a local folder, that folder (``AZUREML_MODEL_DIR``). It only reads the object's
attributes: no azure-ai-ml import, no network.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amlnbtools.i18n import _

__all__ = ["DEFAULT_TIMEOUT_MS", "LocalRun", "is_online_deployment", "local_run"]

#: request_timeout_ms of a deployment that sets none.
DEFAULT_TIMEOUT_MS = 5000


def is_online_deployment(value: object) -> bool:
    """An azure-ai-ml ``ManagedOnlineDeployment`` / ``KubernetesOnlineDeployment`` (or ``OnlineDeployment``)."""
    return type(value).__name__.endswith("OnlineDeployment") and hasattr(value, "code_configuration")


@dataclass(frozen=True)
class LocalRun:
    """The entry script, model folder, request timeout and environment of a deployment, on this machine."""

    entry_script: Path
    model_dir: Path | None
    scoring_timeout_ms: int
    env: dict[str, str] = field(default_factory=dict)


def _remote(code: str) -> bool:
    return code.startswith(("azureml:", "/subscriptions/", "https://", "http://"))


def _local_path(value: object, base: Path) -> Path | None:
    """``value`` as a folder on this machine (relative to the deployment's YAML folder), else None."""
    path = getattr(value, "path", value)
    if not isinstance(path, (str, os.PathLike)) or _remote(str(path)):
        return None
    candidate = Path(path).expanduser()
    return (candidate if candidate.is_absolute() else base / candidate).resolve()


def local_run(deployment: Any, *, code_dir: str | os.PathLike[str] | None = None,
              model_dir: str | os.PathLike[str] | None = None) -> LocalRun:
    """The local run of ``deployment``; ``code_dir`` / ``model_dir`` replace the deployment's own folders.

    Raises
    ------
    ValueError
        When the deployment has no scoring script, or its code lives in the workspace and no ``code_dir``
        was given (the message says what to pass).
    FileNotFoundError
        When the scoring script is not in the code folder.
    """
    config = getattr(deployment, "code_configuration", None)
    script = getattr(config, "scoring_script", None)
    if config is None or not script:
        raise ValueError(_("This deployment has no scoring script (code_configuration): a model served without one "
                           "(MLflow, or a custom container) has no score.py to run locally."))
    base = Path(getattr(deployment, "base_path", None) or Path.cwd())
    code = Path(code_dir).expanduser().resolve() if code_dir is not None else _local_path(config.code, base)
    if code is None:
        raise ValueError(_("The code of this deployment is stored in the workspace ({code}): pass code_dir= with "
                           "your local copy of that folder (the one that holds {script}).")
                         .format(code=config.code, script=script))
    entry = code / str(script)
    if not entry.is_file():
        raise FileNotFoundError(_("The scoring script {script} is not in {folder}: the deployment would fail the same "
                                  "way ('No module named main' or 'No score script found'). Check code and "
                                  "scoring_script of code_configuration.").format(script=script, folder=code))
    model = Path(model_dir).expanduser().resolve() if model_dir is not None else _local_path(
        getattr(deployment, "model", None), base)
    if model is not None and not model.exists():
        model = None
    request = getattr(deployment, "request_settings", None)
    timeout = getattr(request, "request_timeout_ms", None) or DEFAULT_TIMEOUT_MS
    variables = getattr(deployment, "environment_variables", None) or {}
    return LocalRun(entry_script=entry, model_dir=model, scoring_timeout_ms=int(timeout),
                    env={str(k): str(v) for k, v in variables.items()})

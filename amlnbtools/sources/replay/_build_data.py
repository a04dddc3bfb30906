"""A v2 job whose environment image is being built while you watch (the replay's ``env-build-train``).

From when the replay starts (or ``ReplayWorkspace.start_image_build()``), the job is **Preparing** and its
``azureml-logs/20_image_build_log.txt`` grows by ``lines_per_s`` lines a second (the ACR build of the environment:
the Docker steps, conda solving and downloading, pip collecting); after ``run_s`` seconds pip fails on a version
that does not exist and the job is **Failed**, its error naming the build log.
"""

from __future__ import annotations

import threading
import time
from typing import Any

__all__ = ["BUILD_JOB", "LiveBuild"]

#: The name of the job whose image is being built.
BUILD_JOB = "env-build-train"
_LOG = "azureml-logs/20_image_build_log.txt"
_HEADER = (
    "Downloading source code...", "Finished downloading source code",
    "Creating Docker network: acb_default_network, driver: 'bridge'",
    "Successfully set up Docker network: acb_default_network",
    "Logging in to registry: 9d4c2e7a1b3f4e6a8c0d2f4b6e8a0c1d.azurecr.io",
    "Successfully logged into 9d4c2e7a1b3f4e6a8c0d2f4b6e8a0c1d.azurecr.io",
    "Executing step ID: acb_step_0. Timeout(sec): 5400, Working directory: '', Network: 'acb_default_network'",
    "Step 1/9 : FROM mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20261101.v1",
    "Step 7/9 : COPY azureml-environment-setup/mutated_conda_dependencies.yml azureml-environment-setup/",
    "Step 8/9 : RUN conda env create -p /azureml-envs/azureml_3b5d7f9a1c2e -f "
    "azureml-environment-setup/mutated_conda_dependencies.yml && conda clean -aqy",
    "Collecting package metadata (repodata.json): ...working... done",
    "Solving environment: ...working... done",
    "Installing pip dependencies: ...working...",
)
_PACKAGES = ("numpy-1.26.4", "pandas-2.2.3", "scipy-1.14.1", "scikit-learn-1.5.2", "joblib-1.4.2", "mlflow-2.18.0",
             "azureml-mlflow-1.58.0", "azure-ai-ml-1.22.0", "pyarrow-18.0.0", "matplotlib-3.9.2")
_FAILURE = (
    "Pip subprocess error:",
    "ERROR: Could not find a version that satisfies the requirement xgboost==1.7.9 (from versions: none)",
    "ERROR: No matching distribution found for xgboost==1.7.9",
    "",
    "failed",
    "",
    "CondaEnvException: Pip failed",
    "",
    "Container failed during run: acb_step_0. No retries remaining.",
    "failed to run step ID: acb_step_0: exit status 1",
)


def _utc(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{int(seconds % 1 * 1e6):06d}+00:00"


class LiveBuild:
    """The image build of ``env-build-train``: its log and the job's state are functions of the clock."""

    def __init__(self, *, lines_per_s: float = 2.0, run_s: float = 600.0) -> None:
        self._lock = threading.Lock()
        self.restart(lines_per_s=lines_per_s, run_s=run_s)

    def restart(self, *, lines_per_s: float = 2.0, run_s: float = 600.0) -> None:
        """Start the build again now; it fails after ``run_s`` seconds."""
        if not 0 < lines_per_s <= 10_000 or not 0 < run_s <= 86_400:
            raise ValueError("lines_per_s must be in (0, 10000] and run_s in (0, 86400]")
        with self._lock:
            self.started, self.lines_per_s, self.run_s = time.time(), float(lines_per_s), float(run_s)

    @property
    def ended(self) -> bool:
        return time.time() - self.started >= self.run_s

    @property
    def paths(self) -> list[str]:
        return [_LOG]

    def log(self, path: str) -> bytes | None:
        if path != _LOG:
            return None
        with self._lock:
            started, rate, run_s = self.started, self.lines_per_s, self.run_s
        elapsed = min(time.time() - started, run_s)
        total = int(elapsed * rate)
        stamp = time.strftime("%Y/%m/%d %H:%M:%S", time.gmtime(started))
        lines = [f"{stamp} {line}" if k < 7 else line for k, line in enumerate(_HEADER[:total])]
        for k in range(max(0, total - len(_HEADER))):
            package = _PACKAGES[(k // 2) % len(_PACKAGES)]
            lines.append(f"Collecting {package.rsplit('-', 1)[0]}=={package.rsplit('-', 1)[1]}" if k % 2 == 0 else
                         f"  Downloading {package}-cp311-cp311-manylinux_2_17_x86_64.whl ({3 + k % 40}.{k % 10} MB)")
        if self.ended:
            lines += _FAILURE
        return ("\n".join(lines) + "\n").encode() if lines else b""

    def apply(self, run: dict[str, Any], job: dict[str, Any]) -> None:
        """Bring the job's run history record and ARM job up to the clock."""
        ended = self.ended
        status = "Failed" if ended else "Preparing"
        run.update(status=status, createdUtc=_utc(self.started - 5), startTimeUtc=None,
                   endTimeUtc=_utc(self.started + self.run_s) if ended else None,
                   error={"error": {"code": "UserError", "message": "Failed to build the environment image of the "
                                    "job: pip could not install the requested packages. See the image build log "
                                    "azureml-logs/20_image_build_log.txt for details."}} if ended else None)
        job["properties"]["status"] = status

"""Write the replay's SDK v1 environments, ``amlnbtools/sources/replay/data/environments.json``.

The definitions are serialized by azureml-core itself, so the replay answers what ``Environment.get`` parses. The
build log of ``train-env:3`` (``data/v2/image_logs/e3b7c1d9-….log``) is written by hand in the ACR build format.
Run from the repository root: ``.venv/bin/python tools/make_environments.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from azureml.core import Environment
from azureml.core.conda_dependencies import CondaDependencies

DATA = Path(__file__).resolve().parents[1] / "amlnbtools" / "sources" / "replay" / "data"
ACR = "9d4c2e7a1b3f4e6a8c0d2f4b6e8a0c1d.azurecr.io"


def definition(name: str, version: str, conda: list[str], pip: list[str]) -> dict[str, Any]:
    env = Environment(name)
    env.version = version
    env.python.conda_dependencies = CondaDependencies.create(python_version="3.10", conda_packages=conda,
                                                             pip_packages=pip)
    env.environment_variables = {}
    return dict(Environment._serialize_to_dict(env))


def image(digest: str, exists: bool) -> dict[str, Any]:
    prefix = f"/azureml-envs/azureml_{digest}"
    return {"imageExistsInRegistry": exists,
            "dockerImage": {"name": f"azureml/azureml_{digest}",
                            "registry": {"address": ACR, "username": None, "password": None}},
            "pythonEnvironment": {"interpreterPath": f"{prefix}/bin/python", "condaEnvironmentPath": prefix}}


def main() -> None:
    data = {
        "environments": {
            "train-env/3": definition("train-env", "3", ["numpy=1.16.0", "pandas=2.2.3", "scikit-learn=1.5.2"],
                                      ["azureml-defaults"]),
            "score-env/1": definition("score-env", "1", ["numpy=1.26.4", "scikit-learn=1.5.2"],
                                      ["azureml-defaults", "inference-schema"])},
        "images": {"train-env/3": image("7c1e3a9f5b2d4e6a8c0b1d3f5e7a9c2b", False),
                   "score-env/1": image("2f4a6c8e0b1d3f5a7c9e1b3d5f7a9c0e", True)},
        "builds": {"train-env/3": {"image": "e3b7c1d9-4a2f-4c8e-9b1d-7f3a5c9e2b41", "status": "Failed", "run_s": 2.0},
                   "score-env/1": {"image": None, "status": "Succeeded", "run_s": 2.0}},
    }
    (DATA / "environments.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

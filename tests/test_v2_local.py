"""Local debugging from an SDK v2 deployment: its scoring script, environment, model folder and request timeout,
on the real inference server, as ``local=True`` would run them with Docker."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import amlnbtools
from amlnbtools.samples import sample_score
from amlnbtools.sources.azureml_v2.local import local_run

ml = pytest.importorskip("azure.ai.ml", reason="the v2 extra is installed by make test")
from azure.ai.ml.entities import (  # noqa: E402
    CodeConfiguration,
    ManagedOnlineDeployment,
    Model,
    OnlineRequestSettings,
)


def deployment(code: str, script: str, model: Path | None = None, timeout_ms: int | None = 3000):
    return ManagedOnlineDeployment(
        name="blue", endpoint_name="local-ep", model=Model(path=str(model)) if model else None,
        code_configuration=CodeConfiguration(code=code, scoring_script=script),
        environment_variables={"AMLNBTOOLS_PROBE": "from-the-deployment"},
        request_settings=OnlineRequestSettings(request_timeout_ms=timeout_ms) if timeout_ms else None,
        instance_type="Standard_DS3_v2", instance_count=1)


def test_the_deployment_is_read_as_it_would_run() -> None:
    score = sample_score("healthy.py")
    run = local_run(deployment(str(score.parent), "healthy.py", sample_score("model")))
    assert run.entry_script == score.resolve() and run.model_dir == sample_score("model").resolve()
    assert run.scoring_timeout_ms == 3000 and run.env == {"AMLNBTOOLS_PROBE": "from-the-deployment"}
    assert local_run(deployment(str(score.parent), "healthy.py", timeout_ms=None)).scoring_timeout_ms == 5000


def test_the_real_server_answers_with_the_deployments_settings() -> None:
    score = sample_score("healthy.py")
    panel = amlnbtools.debug_locally(deployment(str(score.parent), "healthy.py", sample_score("model")))
    try:
        assert panel.wait().status == "finished", panel.error
        assert panel.server.scoring_timeout_ms == 3000
        environ = Path(f"/proc/{panel.server._proc.pid}/environ")
        if environ.exists():  # Linux: the server runs with the deployment's variables
            assert b"AMLNBTOOLS_PROBE=from-the-deployment" in environ.read_bytes()
        panel.send()
        assert panel.wait().status == "finished" and panel.last_result.status == 200
    finally:
        panel.stop()
        panel.wait()


def test_code_stored_in_the_workspace_asks_for_a_local_copy(replay, tmp_path: Path) -> None:
    stored = replay.ml_client.online_deployments.get("blue", "credit-v2")
    with pytest.raises(ValueError, match="pass code_dir= with your local copy .* score.py"):
        local_run(stored)
    shutil.copy(sample_score("healthy.py"), tmp_path / "score.py")
    run = local_run(stored, code_dir=tmp_path, model_dir=sample_score("model"))
    assert run.entry_script == (tmp_path / "score.py").resolve()


def test_a_missing_script_or_none_at_all_is_explained(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="No score script found"):
        local_run(deployment(str(tmp_path), "score.py"))
    mlflow = ManagedOnlineDeployment(name="blue", endpoint_name="ep", model=Model(path=str(tmp_path)),
                                     instance_type="Standard_DS3_v2", instance_count=1)
    with pytest.raises(ValueError, match="no scoring script"):
        local_run(mlflow)
    with pytest.raises(TypeError, match="online deployment"):
        amlnbtools.debug_locally(object())

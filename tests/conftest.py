"""Shared test set-up: English by default, an isolated HOME, hypothesis without deadlines."""

from __future__ import annotations

import pytest
from hypothesis import settings

import amlnbtools.i18n as i18n

settings.register_profile("amlnbtools", deadline=None, max_examples=150, print_blob=True)
settings.load_profile("amlnbtools")


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts in English unless it chooses otherwise."""
    monkeypatch.setattr(i18n, "_chosen", None)
    monkeypatch.setenv(i18n.ENV_VAR, "en")


@pytest.fixture(autouse=True)
def _home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """azureml-core caches discovery data under HOME: give every test its own."""
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))


@pytest.fixture()
def replay():
    """A fresh sample replay workspace, closed after the test."""
    from amlnbtools.sources.replay import ReplayWorkspace

    with ReplayWorkspace() as rw:
        yield rw


@pytest.fixture()
def sample_source(replay):
    """The azureml-core source over the replay, with short limits so fault tests stay quick."""
    from amlnbtools.core.services import WorkspaceInfo
    from amlnbtools.sources.azureml_v1 import AzureMLSource, Limits

    ws = replay.workspace
    info = WorkspaceInfo(name=ws.name, subscription_id=ws.subscription_id, resource_group=ws.resource_group,
                         location="westeurope", config_source="replay", auth_method="offline")
    return AzureMLSource(ws, info=info, reauthenticate=lambda: replay.workspace,
                         limits=Limits(request_timeout_s=1.0, retries=1, backoff_s=0.05, budget_s=10.0))


@pytest.fixture()
def v2(replay):
    """The azure-ai-ml source over this test's replay, with short limits so fault tests stay quick."""
    pytest.importorskip("azure.ai.ml", reason="the v2 extra is installed by make test")
    from amlnbtools.sources._limits import Limits
    from amlnbtools.sources.azureml_v2 import AzureMLV2Source

    ident = replay.identity
    return AzureMLV2Source(replay.credential, ident.subscription_id, ident.resource_group, ident.name,
                           info=AzureMLV2Source.from_ml_client(replay.ml_client).info,
                           limits=Limits(request_timeout_s=1.0, retries=1, backoff_s=0.05, budget_s=10.0),
                           make_credential=lambda: replay.credential)


@pytest.fixture()
def workspace_v2(replay):
    """The workspace panel over both SDKs on this test's replay, as connect(sample=True) builds it."""
    pytest.importorskip("azure.ai.ml", reason="the v2 extra is installed by make test")
    from amlnbtools.sources.workspace import open_workspace
    from amlnbtools.widgets.workspace import WorkspacePanel

    ident = replay.identity
    panel = WorkspacePanel(lambda: open_workspace(
        subscription_id=ident.subscription_id, resource_group=ident.resource_group, workspace_name=ident.name,
        auth=replay.credential), label="replay")
    assert panel.wait().status == "finished", panel.error
    return panel


@pytest.fixture(params=["azureml-replay", "bundle"])
def deployment_source(request, sample_source, tmp_path):
    """Every kind of deployment source, serving the same four sample services."""
    if request.param == "azureml-replay":
        return sample_source
    from amlnbtools.sources.files.bundle import BundleSource
    from amlnbtools.widgets.deployment_logs import DeploymentLogsPanel

    paths = []
    for name in ("churn-aks-crashloop", "fraud-aks-503", "iris-aci", "vision-aks-gpu"):
        panel = DeploymentLogsPanel(sample_source, name, tail_lines=5000)
        assert panel.wait().status == "finished"
        paths.append(panel.export_bundle(tmp_path / f"{name}.zip"))
    return BundleSource(*paths)


@pytest.fixture()
def scripts(tmp_path):
    """The sample entry scripts under a unique path, so the processes that run them can be found in /proc."""
    import shutil
    from pathlib import Path

    target = tmp_path / "score"
    shutil.copytree(Path(__file__).resolve().parents[1] / "amlnbtools" / "samples" / "score", target,
                    ignore=shutil.ignore_patterns("__pycache__"))
    return target

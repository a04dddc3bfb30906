"""The workspace and deployment log panels on SDK v2 online endpoints, driven headless through their public
methods on the sample workspace (real azure-ai-ml and azureml-core on recorded answers)."""

from __future__ import annotations

import json
import sys
import time
import zipfile

import pytest

import amlnbtools
from amlnbtools.sources.errors import SourceError
from amlnbtools.widgets.workspace import WorkspacePanel
from tests.test_panels import REPLAY_KEYS, tree_state

pytest.importorskip("azure.ai.ml", reason="the v2 extra is installed by make test")

# every failed sample deployment → the rule that names its cause (the first finding) and words of its v2 fix
CAUSES = {
    "churn-v2/blue": ("image-build-failed", "sync-keys"),
    "vision-v2/blue": ("quota-exceeded", "quota"),
    "credit-v2/blue": ("dependency-error", "xgboost is missing from the environment"),
    "edge-k8s/blue": ("cannot-schedule", "resources.requests"),
}


def test_one_sign_in_lists_web_services_and_online_deployments(workspace_v2: WorkspacePanel, replay) -> None:
    names = [s.name for s in workspace_v2.services]
    assert names[:4] == ["churn-aks-crashloop", "fraud-aks-503", "iris-aci", "vision-aks-gpu"]
    assert sorted(names[4:]) == ["churn-v2/blue", "credit-v2/blue", "edge-k8s/blue", "taxi-fare/blue",
                                 "taxi-fare/green", "vision-v2/blue"]
    html = workspace_v2._table.value
    assert "Web services (SDK v1)" in html and "Online endpoints (SDK v2)" in html
    assert "90 %" in html and "Standard_NC6s_v3" in html and "Kubernetes" in html
    assert "6 online deployments" in workspace_v2._status.value and "4 web services" in workspace_v2._status.value
    assert type(workspace_v2.ml_client).__name__ == "MLClient"
    assert type(workspace_v2.workspace).__name__ == "Workspace"
    logs = workspace_v2.open_service("credit-v2/blue")
    logs.wait()
    state = tree_state(workspace_v2.widget)
    assert "xgboost" in state  # the log panel's text is in there
    for secret in (replay.identity.subscription_id, *REPLAY_KEYS):
        assert secret not in state


def test_the_sample_connect_gives_both_sdks(replay, monkeypatch: pytest.MonkeyPatch) -> None:
    import amlnbtools.sources.sample as sample

    monkeypatch.setattr(sample, "_replay", replay)  # the sample's replay is this test's
    panel = amlnbtools.connect(sample=True)
    assert panel.wait().status == "finished", panel.error
    assert {s.sdk for s in panel.services} == {"v1", "v2"}
    client = panel.ml_client
    assert [e.name for e in client.online_endpoints.list()]  # a real MLClient on the sample


@pytest.mark.parametrize("name", sorted(CAUSES))
def test_every_failed_sample_deployment_names_its_cause_with_the_v2_fix(workspace_v2, name) -> None:
    panel = workspace_v2.open_service(name)
    assert panel.wait().status == "finished", panel.error
    rule, words = CAUSES[name]
    origin, first = panel.findings[0]
    assert first.rule == rule, [f.rule for _o, f in panel.findings]
    assert words in first.remedy
    assert panel.details.state == "Failed" and panel._error_box.layout.display == ""
    assert "online deployment" in panel._status.value


def test_a_v2_remedy_replaces_v1_settings(workspace_v2) -> None:
    panel = workspace_v2.open_service("edge-k8s/blue")
    panel.wait()
    remedy = panel.findings[0][1].remedy
    assert "resources.requests" in remedy and "cpu_cores" not in remedy
    assert panel.kubectl_commands and "-n azureml-prod" in panel._kubectl.value
    assert panel._kubectl_box.layout.display == ""


def test_the_storage_initializer_and_the_bundle(workspace_v2, tmp_path) -> None:
    panel = workspace_v2.open_service("credit-v2/blue")
    panel.wait()
    assert "No module named 'xgboost'" in panel.logs and panel._init_box.description == "Storage initializer"
    panel.set_init(True)
    panel.wait()
    assert "Models are downloaded successfully" in panel.logs
    bundle = panel.export_bundle(tmp_path / "credit.zip")
    with zipfile.ZipFile(bundle) as z:
        assert {"state.json", "error.json", "logs.txt", "init_logs.txt", "findings.json"} <= set(z.namelist())
        assert "xgboost" in z.read("logs.txt").decode() and "ResourceNotReady" in z.read("error.json").decode()
        assert json.loads(z.read("state.json"))["summary"]["sdk"] == "v2"


def test_the_default_bundle_name_has_no_folder_in_it(workspace_v2, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    panel = workspace_v2.open_service("taxi-fare/green")
    panel.wait()
    path = panel.export_bundle()
    assert path.parent == tmp_path and path.name.startswith("amlnbtools-taxi-fare-green-")


def test_what_users_hold_opens_the_panel(workspace_v2, replay) -> None:
    client = replay.ml_client
    deployment = client.online_deployments.get("blue", "credit-v2")
    for holder in (workspace_v2, client):
        panel = amlnbtools.deployment_logs(deployment, holder)
        assert panel.wait().status == "finished" and panel.name == "credit-v2/blue"
    panel = amlnbtools.deployment_logs("taxi-fare/green", client)
    assert panel.wait().status == "finished" and panel.details.summary.traffic_percent == 10
    with pytest.raises(TypeError, match=r"deployment_logs\(deployment, ml_client\)"):
        amlnbtools.deployment_logs(deployment)
    with pytest.raises(ValueError, match="It has: churn-aks-crashloop"):
        workspace_v2.open_service("credit-v2/purple")


def test_an_unknown_deployment_in_the_panel_lists_the_names(workspace_v2) -> None:
    panel = amlnbtools.deployment_logs("credit-v2/purple", workspace_v2)
    assert panel.wait().status == "error"
    assert panel.error.kind == "not-found" and "Deployments of endpoint credit-v2: blue." in panel.error.message


def test_a_fault_leaves_the_panel_usable(workspace_v2, replay) -> None:
    replay.inject("v2-logs", "503")
    panel = workspace_v2.open_service("credit-v2/blue")
    assert panel.wait().status == "error" and panel.error.kind == "server-error"
    assert "HTTP 503" in panel._status.value
    replay.clear_faults()
    panel.refresh()
    assert panel.wait().status == "finished" and panel.findings


def test_auto_refresh_follows_a_deployment_until_it_settles(workspace_v2, replay) -> None:
    replay.set_state("credit-v2/blue", "Creating", None)
    panel = workspace_v2.open_service("credit-v2/blue")
    panel.wait()
    assert panel.details.state == "Creating" and not panel.details.is_terminal
    assert "Auto-refresh follows it" in panel._status.value
    panel.start_auto_refresh(interval_s=0.05, max_refreshes=100)
    time.sleep(0.3)
    assert panel.auto_refreshing
    replay.set_state("credit-v2/blue", "Succeeded", None)
    deadline = time.monotonic() + 10
    while panel.auto_refreshing and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not panel.auto_refreshing and panel.details.state == "Succeeded"


def test_a_workspace_without_azure_ai_ml_says_how_to_install_it(replay, monkeypatch) -> None:
    from amlnbtools.sources.workspace import open_workspace

    monkeypatch.setitem(sys.modules, "azure.ai.ml", None)
    ident = replay.identity
    panel = WorkspacePanel(lambda: open_workspace(subscription_id=ident.subscription_id,
                                                  resource_group=ident.resource_group, workspace_name=ident.name,
                                                  auth=replay.credential))
    assert panel.wait().status == "finished", panel.error
    assert {s.sdk for s in panel.services} == {"v1"}
    assert 'pip install &quot;amlnbtools[v2]&quot;' in panel._status.value
    with pytest.raises(SourceError, match=r'pip install "amlnbtools\[v2\]"'):
        _ = panel.ml_client
    with pytest.raises(SourceError, match="amlnbtools"):
        panel.source.service_details("taxi-fare/blue")


def test_an_azureml_authentication_object_serves_v1_and_says_why_not_v2(replay) -> None:
    from amlnbtools.sources.workspace import open_workspace

    ws = replay.workspace
    sources = open_workspace(subscription_id=ws.subscription_id, resource_group=ws.resource_group,
                             workspace_name=ws.name, auth=ws._auth)
    assert sources.v2 is None and "azure-identity credential" in sources.problems["v2"].message
    assert {s.sdk for s in sources.list_services()} == {"v1"}


def test_the_v2_panels_speak_the_chosen_language(workspace_v2) -> None:
    amlnbtools.set_language("fr")
    try:
        panel = workspace_v2.open_service("edge-k8s/blue")
        panel.wait()
        assert "déploiement en ligne Kubernetes" in panel._status.value
        assert panel.findings[0][1].title.startswith("Aucun nœud du cluster Kubernetes")
    finally:
        amlnbtools.set_language("en")

"""Connecting: config.json discovery and the errors a user meets before any panel can show a service."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import amlnbtools
from amlnbtools.sources.azureml_v1 import AzureMLSource, Limits, find_config
from amlnbtools.sources.errors import SourceError

FAST = Limits(request_timeout_s=1.0, retries=0, backoff_s=0.05, budget_s=10.0)


def write_config(folder: Path, **values: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.json"
    path.write_text(json.dumps(values))
    return path


def test_config_is_found_here_in_parents_and_in_dot_azureml(tmp_path: Path) -> None:
    deep = tmp_path / "project" / "notebooks" / "deep"
    deep.mkdir(parents=True)
    assert find_config(deep) is None
    hidden = write_config(tmp_path / "project" / ".azureml", subscription_id="s", resource_group="r",
                          workspace_name="w")
    assert find_config(deep) == hidden
    nearer = write_config(tmp_path / "project" / "notebooks", subscription_id="s", resource_group="r",
                          workspace_name="w")
    assert find_config(deep) == nearer


def test_no_config_names_every_way_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SourceError) as info:
        AzureMLSource.connect(auth=object(), limits=FAST)
    message = str(info.value)
    assert info.value.kind == "no-config"
    assert "Azure ML studio" in message and "subscription_id" in message and "connect(sample=True)" in message


@pytest.mark.parametrize(("content", "needle"), [("{not json", "cannot be read as JSON"),
                                                 ('{"subscription_id": "s"}', "resource_group, workspace_name")])
def test_bad_config_says_what_is_wrong(tmp_path: Path, content: str, needle: str) -> None:
    path = tmp_path / "config.json"
    path.write_text(content)
    with pytest.raises(SourceError) as info:
        AzureMLSource.connect(path, auth=object(), limits=FAST)
    assert info.value.kind == "bad-config" and needle in str(info.value)


def test_wrong_ids_are_reported_as_a_missing_workspace(replay) -> None:
    ws = replay.workspace
    with pytest.raises(SourceError) as info:
        AzureMLSource.connect(subscription_id=ws.subscription_id, resource_group="rg-that-does-not-exist",
                              workspace_name="no-such-workspace", auth=ws._auth, limits=FAST)
    assert info.value.kind == "workspace-not-found"
    assert "no-such-workspace" in str(info.value) and "rg-that-does-not-exist" in str(info.value)


def test_right_ids_connect_through_the_real_sdk(replay) -> None:
    ws = replay.workspace
    source = AzureMLSource.connect(subscription_id=ws.subscription_id, resource_group=ws.resource_group,
                                   workspace_name=ws.name, auth=ws._auth, limits=FAST)
    assert [s.name for s in source.list_services()] == sorted(replay.SERVICES)
    assert any(c.route == "arm-workspace" for c in replay.calls)


def test_service_principal_without_variables_shows_which_are_missing(monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path) -> None:
    for var in ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AZURE_TENANT_ID", "t")
    panel = amlnbtools.connect(write_config(tmp_path, subscription_id="s", resource_group="r", workspace_name="w"),
                               auth="service-principal")
    assert panel.wait().status == "error" and panel.error.kind == "auth-failed"
    assert "AZURE_CLIENT_ID, AZURE_CLIENT_SECRET" in panel.error.message


def test_unknown_auth_method_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="default, cli, device-code, interactive, service-principal, managed-identity"):
        amlnbtools.connect(auth="password")


# --- one sign-in for both SDKs (azure-identity) ------------------------------------------------------


def test_no_config_ends_in_the_panels_message_and_prints_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  capfd: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    panel = amlnbtools.connect()
    assert panel.wait().status == "error" and panel.error.kind == "no-config"
    assert "connect(sample=True)" in panel._status.value
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_cli_sign_in_without_the_cli_names_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capfd: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no az here
    config = write_config(tmp_path, subscription_id="s", resource_group="r", workspace_name="w")
    panel = amlnbtools.connect(config, auth="cli")
    assert panel.wait().status == "error" and panel.error.kind == "auth-failed"
    assert "az login" in panel.error.message and "connect(sample=True)" in panel.error.message
    assert "Traceback" not in "".join(capfd.readouterr())


def test_an_unreachable_sign_in_service_is_a_network_message(tmp_path: Path) -> None:
    from azure.identity import ChainedTokenCredential, ClientSecretCredential

    # a closed port on this machine stands for a network that lets nothing through
    unreachable = ChainedTokenCredential(ClientSecretCredential(
        "5e0c7a21-9b3d-4f18-8c6e-2a4b6d8f0e13", "client", "secret", authority="127.0.0.1:9",
        disable_instance_discovery=True))
    config = write_config(tmp_path, subscription_id="s", resource_group="r", workspace_name="w")
    panel = amlnbtools.connect(config, auth=unreachable)
    assert panel.wait().status == "error" and panel.error.kind == "network", panel.error
    assert "proxy, VPN, firewall" in panel.error.message and "connect(sample=True)" in panel.error.message


def test_the_default_chain_takes_what_this_machine_has(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from amlnbtools.sources.signin import make_credential

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "az").write_text("#!/bin/sh\nexit 1\n")
    (bin_dir / "az").chmod(0o755)
    for var in ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "IDENTITY_ENDPOINT", "MSI_ENDPOINT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))

    def steps() -> list[str]:
        return [type(c).__name__ for c in make_credential("default").credentials]

    assert steps() == ["DeviceCodeCredential"]  # nothing else here: a code shown in the panel
    monkeypatch.setenv("PATH", str(bin_dir))
    assert steps() == ["AzureCliCredential", "DeviceCodeCredential"]
    monkeypatch.setenv("MSI_ENDPOINT", "http://127.0.0.1:9/msi")  # an Azure ML compute instance
    assert steps() == ["ManagedIdentityCredential", "AzureCliCredential", "DeviceCodeCredential"]
    for var in ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"):
        monkeypatch.setenv(var, "x")
    assert steps()[0] == "ClientSecretCredential"


def test_a_device_code_is_shown_in_the_panel_then_cleared() -> None:
    from amlnbtools.widgets.workspace import WorkspacePanel

    panel = WorkspacePanel(lambda: (_ for _ in ()).throw(SourceError("auth-failed", "no")), start=False)
    panel.show_sign_in("https://microsoft.com/devicelogin", "<B9X-2KQ>")
    assert "https://microsoft.com/devicelogin" in panel._sign_in.value and "&lt;B9X-2KQ&gt;" in panel._sign_in.value
    panel.reconnect()
    assert panel.wait().status == "error" and panel._sign_in.value == ""

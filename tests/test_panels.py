"""The workspace and deployment log panels, driven headless through their public methods,
on the sample workspace (real azureml-core answered from recorded REST payloads)."""

from __future__ import annotations

import json
import time
import zipfile

import ipywidgets as w
import pytest

from amlnbtools.sources.errors import SourceError
from amlnbtools.widgets.deployment_logs import DeploymentLogsPanel
from amlnbtools.widgets.workspace import WorkspacePanel

REPLAY_KEYS = ("RPLYkey", "eyJ")  # service keys of the replay and the prefix of every JWT


def _data_only(state: dict) -> dict:
    # an anywidget (such as plotly's FigureWidget, if one is shown) carries its library's JavaScript in _esm/_css,
    # and long enough to hold any short pattern by chance ("eyJ" included)
    return {k: v for k, v in state.items() if k not in ("_esm", "_css")}


def widget_state_text() -> str:
    """Every value ipywidgets would save into the notebook (all live widget models, without library code)."""
    manager = w.Widget.get_manager_state(drop_defaults=False)
    states = {key: {**model, "state": _data_only(model["state"])} for key, model in manager["state"].items()}
    return json.dumps({**manager, "state": states}, default=str, ensure_ascii=False)


def tree_state(widget: w.Widget) -> str:
    """What the notebook would save of ``widget`` and every widget inside it."""
    seen, todo, states = set(), [widget], []
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        states.append(json.dumps(current.get_state(), default=str, ensure_ascii=False))
        todo.extend(getattr(current, "children", ()) or ())
    return "\n".join(states)


def widgets_containing(text: str) -> list[str]:
    """Which live widget models hold ``text`` (for a readable failure)."""
    states = w.Widget.get_manager_state(drop_defaults=False)["state"].values()
    return [f"{m['model_name']}: {json.dumps(m['state'], default=str)[:300]}" for m in states
            if text in json.dumps(m["state"], default=str)]


def test_workspace_panel_connects_lists_and_masks_the_subscription(sample_source) -> None:
    panel = WorkspacePanel(lambda: sample_source)
    assert panel.wait().status == "finished", panel.error
    assert [s.name for s in panel.services] == ["churn-aks-crashloop", "fraud-aks-503", "iris-aci", "vision-aks-gpu"]
    state = tree_state(panel.widget)  # this panel's widgets (other tests' panels may show Azure's own error texts)
    sub = sample_source.info.subscription_id
    assert sub not in state, widgets_containing(sub)
    assert sample_source.info.subscription_masked in state
    logs = panel.open_service("churn-aks-crashloop")
    assert logs.wait().status == "finished"
    assert repr(panel) == "WorkspacePanel('')"


def test_deployment_panel_shows_state_error_findings_and_jumps_to_evidence(sample_source) -> None:
    panel = DeploymentLogsPanel(sample_source, "churn-aks-crashloop")
    assert panel.wait().status == "finished"
    assert panel.details.state == "Failed"
    rules = {(origin, f.rule) for origin, f in panel.findings}
    assert {("error", "crash-loop"), ("logs", "crash-loop"), ("logs", "model-not-found")} <= rules
    index = next(i for i, (o, f) in enumerate(panel.findings) if o == "logs" and f.rule == "model-not-found")
    finding = panel.select_finding(index)
    assert panel.log_view.highlighted == finding.line
    assert finding.line in panel.log_view.visible_lines
    assert f"data-line='{finding.line}'" in panel.log_view.html
    assert "kubectl get events -n azureml-mlw-contoso-prod" in panel._kubectl.value


def test_tail_size_and_init_container(sample_source) -> None:
    panel = DeploymentLogsPanel(sample_source, "churn-aks-crashloop")
    panel.wait()
    full = panel.log_view.line_count
    panel.set_tail(100)
    panel.wait()
    assert panel.log_view.line_count <= 100 <= full or full <= 100
    panel.set_init(True)
    panel.wait()
    assert "amlappinit" in panel.logs and panel.init


def test_auto_refresh_stops_at_a_terminal_state_and_on_stop(sample_source, replay) -> None:
    replay.set_state("fraud-aks-503", "Transitioning")
    panel = DeploymentLogsPanel(sample_source, "fraud-aks-503")
    panel.wait()
    panel.start_auto_refresh(interval_s=0.05, max_refreshes=50)
    time.sleep(0.3)
    assert panel.auto_refreshing  # still Transitioning: keeps polling
    replay.set_state("fraud-aks-503", "Healthy")
    deadline = time.monotonic() + 5
    while panel.auto_refreshing and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not panel.auto_refreshing and panel.details.state == "Healthy"
    replay.set_state("fraud-aks-503", "Transitioning")
    panel.start_auto_refresh(interval_s=0.05, max_refreshes=50)
    panel.stop_auto_refresh()
    assert not panel.auto_refreshing


FAULT_CASES = [
    ("401-expired", None, "token-expired", "az login"),
    ("401-auth-failed", None, "auth-failed", "AZURE_CLIENT_ID"),
    ("403", None, "forbidden", "AzureML Data Scientist"),
    ("404", None, "not-found", "check the name"),
    ("409", None, "conflict", "Wait until it finishes"),
    ("429", None, "throttled", "Wait 30 s"),
    ("500", None, "server-error", "HTTP 500"),
    ("503", None, "server-error", "HTTP 503"),
    ("stall", None, "timeout", "network"),
    ("read-timeout", None, "timeout", "network"),
    ("reset", None, "network", "network"),
    ("truncated-json", None, "bad-response", "update azureml-core"),
    ("html", None, "bad-response", "update azureml-core"),
]


@pytest.mark.parametrize(("fault", "times", "kind", "fix"), FAULT_CASES, ids=[c[0] for c in FAULT_CASES])
def test_each_fault_names_the_fix_and_the_panel_keeps_working(sample_source, replay, fault, times, kind, fix) -> None:
    panel = DeploymentLogsPanel(sample_source, "churn-aks-crashloop")
    assert panel.wait().status == "finished"
    replay.inject("logs", fault, times=times)
    start = time.monotonic()
    panel.refresh()
    assert panel.wait().status == "error"
    assert time.monotonic() - start < 10  # within the call budget, whatever the fault
    assert panel.error.kind == kind, panel.error
    assert fix in panel.error.message
    assert fix in panel._status.value.replace("&#x27;", "'")
    replay.clear_faults()
    panel.refresh()
    assert panel.wait().status == "finished" and panel.error is None and panel.findings


def test_expired_token_gets_one_reauthentication_first(sample_source, replay) -> None:
    panel = DeploymentLogsPanel(sample_source, "iris-aci")
    panel.wait()
    replay.inject("service", "401-expired", times=1)
    panel.refresh()
    assert panel.wait().status == "finished" and panel.error is None


def test_connection_errors_in_the_workspace_panel(replay) -> None:
    def broken():
        raise SourceError("no-config", "No config.json here: download it from Azure ML studio.")

    panel = WorkspacePanel(broken)
    assert panel.wait().status == "error" and panel.error.kind == "no-config"
    assert "download it from Azure ML studio" in panel._status.value
    with pytest.raises(RuntimeError, match="Not connected"):
        panel.open_service("iris-aci")


def test_export_bundle_is_redacted_and_complete(sample_source, tmp_path) -> None:
    panel = DeploymentLogsPanel(sample_source, "churn-aks-crashloop")
    panel.wait()
    path = panel.export_bundle(tmp_path / "b.zip")
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        text = "".join(z.read(n).decode() for n in names)
    assert names == {"state.json", "error.json", "logs.txt", "init_logs.txt", "findings.json"}
    assert "CrashLoopBackOff" in text and "model-not-found" in text
    assert not any(secret in text for secret in REPLAY_KEYS)


def test_log_markup_never_reaches_the_page_unescaped(tmp_path, sample_source) -> None:
    from amlnbtools.sources.files.bundle import BundleSource

    panel = DeploymentLogsPanel(sample_source, "iris-aci")
    panel.wait()
    path = panel.export_bundle(tmp_path / "x.zip")
    hostile = "<img src=x onerror=alert(1)>\n<script>alert(2)</script>\nOOMKilled <svg onload=alert(3)>\n"
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("logs.txt", hostile)
    source = BundleSource(path)
    xss = DeploymentLogsPanel(source, "iris-aci")
    assert xss.wait().status == "finished"
    page = xss.log_view.html + xss._remedy.value + xss._status.value
    assert "<img" not in page and "<script" not in page and "<svg" not in page
    assert any(f.rule == "out-of-memory" for _o, f in xss.findings)


def test_no_secret_in_any_widget_state(sample_source) -> None:
    workspace = WorkspacePanel(lambda: sample_source)
    workspace.wait()
    for name in ("churn-aks-crashloop", "fraud-aks-503"):
        workspace.open_service(name).wait()
    state = widget_state_text()
    assert not any(secret in state for secret in REPLAY_KEYS)


def test_export_button_writes_the_bundle_in_the_background(sample_source, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    panel = DeploymentLogsPanel(sample_source, "iris-aci")
    panel.wait()
    panel._export_button.click()
    assert panel._export_task.wait().status == "finished"
    (bundle,) = tmp_path.glob("amlnbtools-iris-aci-*.zip")
    assert str(bundle) in panel._status.value


@pytest.mark.parametrize("opener", ["deployment_logs", "replica_calculator", "pipeline_logs"])
def test_every_opener_given_a_name_and_a_panel_that_could_not_connect_shows_why(opener: str) -> None:
    """One resolver for every opener: it waits for the connection, then raises the panel's own error."""
    import amlnbtools

    def broken():
        raise SourceError("no-config", "No config.json here: download it from Azure ML studio.")

    panel = WorkspacePanel(broken)
    with pytest.raises(SourceError, match="download it from Azure ML studio") as caught:
        getattr(amlnbtools, opener)("some-name", panel)
    assert caught.value is panel.error


@pytest.mark.parametrize("opener", ["deployment_logs", "replica_calculator"])
def test_every_opener_given_a_name_and_a_connected_panel_opens_that_service(opener: str, sample_source) -> None:
    import amlnbtools

    panel = WorkspacePanel(lambda: sample_source)  # still connecting: the opener waits for it
    opened = getattr(amlnbtools, opener)("iris-aci", panel)
    assert opened.source is sample_source
    with pytest.raises(TypeError, match="Give the workspace too"):
        getattr(amlnbtools, opener)("iris-aci")

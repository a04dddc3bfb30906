"""The SDK v2 source on the sample workspace: the real azure-ai-ml (MLClient, online_endpoints,
online_deployments.get_logs, the async operation of a failed deployment) answered by the replay."""

from __future__ import annotations

import sys
import time

import pytest

from amlnbtools.core.services import ServiceDetails, kubectl_commands
from amlnbtools.sources._limits import Limits
from amlnbtools.sources.azureml_v2 import AzureMLV2Source, import_ml, split_name
from amlnbtools.sources.base import DeploymentSource
from amlnbtools.sources.errors import SourceError

pytest.importorskip("azure.ai.ml", reason="the v2 extra is installed by make test")

FAST = Limits(request_timeout_s=1.0, retries=1, backoff_s=0.05, budget_s=10.0)
EXPECTED = {  # name -> (type, provisioning state, traffic %, instance type, count)
    "churn-v2/blue": ("Managed", "Failed", 0, "Standard_DS3_v2", 1),
    "credit-v2/blue": ("Managed", "Failed", 100, "Standard_DS3_v2", 1),
    "edge-k8s/blue": ("Kubernetes", "Failed", 100, "defaultinstancetype", 1),
    "taxi-fare/blue": ("Managed", "Succeeded", 90, "Standard_DS3_v2", 2),
    "taxi-fare/green": ("Managed", "Succeeded", 10, "Standard_DS3_v2", 1),
    "vision-v2/blue": ("Managed", "Failed", 0, "Standard_NC6s_v3", 1),
}


def test_the_replay_gives_a_real_ml_client(replay) -> None:
    from azure.ai.ml import MLClient

    client = replay.ml_client
    assert isinstance(client, MLClient)
    endpoints = {e.name: e for e in client.online_endpoints.list()}
    assert sorted(endpoints) == ["churn-v2", "credit-v2", "edge-k8s", "taxi-fare", "vision-v2"]
    assert endpoints["taxi-fare"].traffic == {"blue": 90, "green": 10}
    assert type(client.online_deployments.get("blue", "edge-k8s")).__name__ == "KubernetesOnlineDeployment"
    assert {c.route for c in replay.calls} >= {"v2-endpoints", "v2-deployment"}


def test_lists_every_deployment_of_every_endpoint(v2: AzureMLV2Source) -> None:
    assert isinstance(v2, DeploymentSource)
    rows = v2.list_services()
    assert [r.name for r in rows] == sorted(EXPECTED)
    assert {r.name: (r.compute_type, r.state, r.traffic_percent, r.instance_type, r.instance_count)
            for r in rows} == EXPECTED
    assert all(r.sdk == "v2" and r.endpoint and r.deployment for r in rows)


@pytest.mark.parametrize(("name", "code", "text"), [
    ("churn-v2/blue", "BadRequest", "ImageBuildFailure"),
    ("vision-v2/blue", "OutOfQuota", "Standard_NC6s_v3"),
    ("credit-v2/blue", "ResourceNotReady", "Liveness probe failed"),
    ("edge-k8s/blue", "OutOfQuota", "Kubernetes unschedulable"),
])
def test_the_error_of_a_failed_deployment_comes_from_its_last_operation(v2, replay, name, code, text) -> None:
    details = v2.service_details(name)
    assert isinstance(details, ServiceDetails) and details.is_v2 and details.state == "Failed"
    assert details.error["code"] == code and text in details.error_json
    assert "v2-operation" in [c.route for c in replay.calls]


def test_a_healthy_deployment_has_no_error_and_asks_no_operation(v2, replay) -> None:
    details = v2.service_details("taxi-fare/blue")
    assert details.error_json is None and details.num_replicas == 2 and details.is_terminal
    assert "v2-operation" not in [c.route for c in replay.calls]


def test_kubernetes_settings_namespace_and_kubectl(v2: AzureMLV2Source) -> None:
    details = v2.service_details("edge-k8s/blue")
    assert details.is_kubernetes and not details.is_aks
    assert (details.autoscale.min_replicas, details.autoscale.max_replicas,
            details.autoscale.target_utilization_percent) == (1, 4, 70)
    assert details.max_concurrent_requests == 2 and details.scoring_timeout_ms == 5000
    assert details.resources["cpu_cores"] == 4.0 and details.resources["memory_gb"] == 8.0
    assert details.namespace == "azureml-prod" and details.compute_name == "aks-inference"
    commands = kubectl_commands(details)
    assert "kubectl get events -n azureml-prod --sort-by=.lastTimestamp | grep edge-k8s | grep blue" in commands
    assert kubectl_commands(v2.service_details("taxi-fare/blue")) == []  # managed: no cluster of yours


def test_logs_of_both_containers_with_a_tail(v2: AzureMLV2Source) -> None:
    full = v2.service_logs("credit-v2/blue", num_lines=5000)
    tail = v2.service_logs("credit-v2/blue", num_lines=5)
    assert "No module named 'xgboost'" in full and len(tail.splitlines()) == 5 and full.endswith(tail)
    init = v2.service_logs("credit-v2/blue", init=True)
    assert "storage-initializer" in init and "xgboost" not in init
    assert v2.service_logs("churn-v2/blue") == ""  # the image never built: no container ran


def test_unknown_names_list_what_exists(v2: AzureMLV2Source) -> None:
    with pytest.raises(SourceError) as info:
        v2.service_details("taxi-fare/purple")
    assert info.value.kind == "not-found" and "Deployments of endpoint taxi-fare: blue, green." in str(info.value)
    with pytest.raises(SourceError) as info:
        v2.service_logs("taxi/blue")
    assert "Online endpoints in this workspace: churn-v2, credit-v2, edge-k8s, taxi-fare, vision-v2." in str(
        info.value)
    with pytest.raises(SourceError) as info:
        v2.service_details("taxi-fare")
    assert info.value.kind == "bad-input" and "endpoint/deployment" in str(info.value)
    assert split_name("a/b") == ("a", "b")
    for bad in ("a", "a/", "/b", "a/b/c"):
        with pytest.raises(ValueError):
            split_name(bad)


@pytest.mark.parametrize(("fault", "kind", "needle"), [
    ("401-auth-failed", "auth-failed", "az login"),
    ("403", "forbidden", "AzureML Data Scientist"),
    ("404", "not-found", "Deployments of endpoint taxi-fare"),
    ("409", "conflict", "Wait until it finishes"),
    ("429", "throttled", "Wait 30 s"),
    ("500", "server-error", "HTTP 500"),
    ("503", "server-error", "HTTP 503"),
    ("reset", "network", "could not be reached"),
    ("read-timeout", "timeout", "No answer"),
    ("stall", "timeout", "No answer"),
    ("truncated-json", "bad-response", "update azure-ai-ml"),
    ("html", "bad-response", "update azure-ai-ml"),
])
def test_every_fault_is_a_clear_error_within_the_deadline(v2, replay, fault, kind, needle) -> None:
    replay.inject("v2-deployment", fault)
    started = time.monotonic()
    with pytest.raises(SourceError) as info:
        v2.service_details("taxi-fare/blue")
    assert time.monotonic() - started < FAST.budget_s  # a Retry-After of 30 s is not slept through
    assert info.value.kind == kind and needle in info.value.message, info.value.message
    replay.clear_faults()
    assert v2.service_details("taxi-fare/blue").state == "Succeeded"  # the source is still usable


def test_an_expired_token_gets_one_new_credential(v2, replay) -> None:
    replay.inject("v2-endpoints", "401-expired", times=1)
    assert len(v2.list_services()) == len(EXPECTED)
    replay.inject("v2-endpoints", "401-expired")
    with pytest.raises(SourceError) as info:
        v2.list_services()
    assert info.value.kind == "token-expired" and "az login" in info.value.message


def test_listing_asks_for_the_deployments_of_endpoints_at_once(v2, replay) -> None:
    replay.set_latency(0.3, "v2-deployments")
    started = time.monotonic()
    v2.list_services()
    elapsed = time.monotonic() - started
    spans = [(c.started, c.ended) for c in replay.calls if c.route == "v2-deployments"]
    assert len(spans) == 5
    overlapping = sum(1 for a in spans for b in spans if a is not b and a[0] < b[1] and b[0] < a[1])
    assert overlapping > 0, spans  # serial listing would take 5 × 0.3 s and never overlap
    assert elapsed < 5 * 0.3


def test_a_deployment_still_creating_is_shown_with_its_state(v2, replay) -> None:
    replay.set_state("credit-v2/blue", "Creating", None)
    details = v2.service_details("credit-v2/blue")
    assert details.state == "Creating" and not details.is_terminal and details.error_json is None
    replay.set_state("credit-v2/blue", "Failed", {"code": "ResourceNotReady", "message": "probe"})
    assert v2.service_details("credit-v2/blue").error == {"code": "ResourceNotReady", "message": "probe"}


def test_without_azure_ai_ml_the_message_is_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "azure.ai.ml", None)  # what an environment without the v2 extra sees
    with pytest.raises(SourceError) as info:
        import_ml()
    assert info.value.kind == "sdk-missing" and 'pip install "amlnbtools[v2]"' in info.value.message


def test_from_ml_client_refuses_other_objects() -> None:
    with pytest.raises(TypeError, match="MLClient"):
        AzureMLV2Source.from_ml_client(object())


def test_a_workspace_with_many_endpoints_lists_them_all(v2, replay) -> None:
    names = replay.clone_endpoint("taxi-fare", 20)
    assert names[0] == "taxi-fare-000" and len(names) == 20
    rows = v2.list_services()
    assert len(rows) == len(EXPECTED) + 40
    assert v2.service_logs("taxi-fare-007/green", num_lines=3)
    with pytest.raises(ValueError, match="no endpoint"):
        replay.clone_endpoint("no-such-endpoint", 1)

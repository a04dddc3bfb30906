"""One contract, every deployment source: the sample workspace (real azureml-core on recorded answers)
and diagnostic bundles exported from it."""

from __future__ import annotations

import pytest

from amlnbtools.core.services import ServiceDetails, ServiceSummary, WorkspaceInfo
from amlnbtools.sources.base import DeploymentSource
from amlnbtools.sources.errors import SourceError

EXPECTED = {
    "churn-aks-crashloop": ("AKS", "Failed"),
    "fraud-aks-503": ("AKS", "Healthy"),
    "iris-aci": ("ACI", "Healthy"),
    "vision-aks-gpu": ("AKS", "Failed"),
}


def test_is_a_deployment_source(deployment_source: DeploymentSource) -> None:
    assert isinstance(deployment_source, DeploymentSource)
    assert isinstance(deployment_source.info, WorkspaceInfo)


def test_lists_services_sorted_with_type_and_state(deployment_source: DeploymentSource) -> None:
    services = deployment_source.list_services()
    assert all(isinstance(s, ServiceSummary) for s in services)
    assert [s.name for s in services] == sorted(EXPECTED)
    assert {s.name: (s.compute_type, s.state) for s in services} == EXPECTED


def test_details_carry_error_and_aks_settings(deployment_source: DeploymentSource) -> None:
    churn = deployment_source.service_details("churn-aks-crashloop")
    assert isinstance(churn, ServiceDetails) and churn.is_aks and churn.is_terminal
    assert "CrashLoopBackOff" in churn.error_json and churn.namespace
    fraud = deployment_source.service_details("fraud-aks-503")
    assert fraud.error_json is None and fraud.autoscale is not None
    assert (fraud.autoscale.enabled, fraud.autoscale.min_replicas, fraud.autoscale.max_replicas,
            fraud.autoscale.target_utilization_percent) == (True, 1, 4, 70)
    assert (fraud.scoring_timeout_ms, fraud.max_request_wait_time_ms) == (60000, 500)
    iris = deployment_source.service_details("iris-aci")
    assert not iris.is_aks and iris.autoscale is None


def test_logs_with_tail_and_init_container(deployment_source: DeploymentSource) -> None:
    full = deployment_source.service_logs("churn-aks-crashloop", num_lines=5000)
    tail = deployment_source.service_logs("churn-aks-crashloop", num_lines=5)
    assert len(tail.splitlines()) == 5 and full.endswith(tail)
    init = deployment_source.service_logs("churn-aks-crashloop", init=True)
    assert init != full


def test_unknown_service_is_a_source_error_naming_it(deployment_source: DeploymentSource) -> None:
    with pytest.raises(SourceError) as info:
        deployment_source.service_details("no-such-service")
    assert info.value.kind == "not-found" and "no-such-service" in str(info.value)


def test_autoscale_update_through_the_real_sdk(sample_source, replay) -> None:
    details = sample_source.update_autoscale("fraud-aks-503", min_replicas=3, max_replicas=12,
                                             target_utilization_percent=60)
    assert (details.autoscale.min_replicas, details.autoscale.max_replicas,
            details.autoscale.target_utilization_percent) == (3, 12, 60)
    assert [c.route for c in replay.calls if c.method == "PATCH"] == ["service-update"]
    fresh = sample_source.service_details("fraud-aks-503")  # read back: the workspace kept it
    assert fresh.autoscale.min_replicas == 3
    with pytest.raises(SourceError, match="Only AKS services"):
        sample_source.update_autoscale("iris-aci", min_replicas=1, max_replicas=2, target_utilization_percent=70)

"""The scoring check: a request sent to an online deployment through the real key / token calls of azure-ai-ml,
and what each status it can answer means."""

from __future__ import annotations

import json

import pytest

from amlnbtools.core.capacity.scoring import ScoringResult, explain, pending_limit
from tests.test_panels import REPLAY_KEYS, tree_state

pytest.importorskip("azure.ai.ml", reason="the v2 extra is installed by make test")


@pytest.fixture()
def v2(replay):
    from amlnbtools.sources._limits import Limits
    from amlnbtools.sources.azureml_v2 import AzureMLV2Source

    ident = replay.identity
    return AzureMLV2Source(replay.credential, ident.subscription_id, ident.resource_group, ident.name,
                           info=AzureMLV2Source.from_ml_client(replay.ml_client).info,
                           limits=Limits(request_timeout_s=1.0, retries=1, backoff_s=0.05, budget_s=10.0))


@pytest.mark.parametrize(("status", "kubernetes", "words"), [
    (200, False, "answered"),
    (400, False, "run() expects"),
    (401, False, "get_keys"),
    (403, False, "role"),
    (404, False, "traffic"),
    (408, False, "request_timeout_ms (7000 ms)"),
    (409, True, "Wait until"),
    (424, False, "HTTP 500 (model_error)"),
    (429, False, "at most 8 pending requests"),
    (500, False, "x-request-id (r-1)"),
    (502, True, "run() raised"),
    (503, True, "min_instances"),
    (504, False, "did not answer within"),
])
def test_every_status_has_its_meaning_and_fix(status, kubernetes, words) -> None:
    result = ScoringResult(status=status, elapsed_ms=12.0, request_id="r-1", deployment="blue",
                           model_status=500 if status == 424 else None, model_reason="model_error")
    explanation = explain(result, kubernetes=kubernetes, timeout_ms=7000, max_pending=8)
    assert words in explanation.title + " " + explanation.remedy, explanation
    assert explanation.ok == (status == 200)
    assert str(status) in explanation.title or status == 200


def test_managed_502_and_503_are_the_services_side_and_no_answer_is_the_network() -> None:
    for status in (502, 503):
        assert "Azure ML's side" in explain(ScoringResult(status=status, elapsed_ms=1)).title
    lost = explain(ScoringResult(status=None, elapsed_ms=5, error="ReadTimeout: read timed out"))
    assert "ReadTimeout" in lost.remedy and "proxy" in lost.remedy


def test_the_429_threshold_is_two_requests_per_slot() -> None:
    assert pending_limit(4, 3) == 24 and pending_limit(None, 3) is None and pending_limit(1, 0) is None


def test_a_running_deployment_answers_through_the_real_keys(v2, replay) -> None:
    result = v2.score("taxi-fare/green", '{"data": [[2.5, 1]]}')
    assert (result.status, result.deployment, json.loads(result.body)) == (200, "green", [14.5, 9.6])
    assert result.request_id and "v2-keys" in [c.route for c in replay.calls]
    token_endpoint = v2.score("credit-v2/blue", "{}")  # AML token auth, and the deployment failed
    assert token_endpoint.status == 404 and "No valid deployments" in token_endpoint.body
    assert "v2-token" in [c.route for c in replay.calls]
    for value in (repr(result), repr(token_endpoint)):
        assert not any(secret in value for secret in REPLAY_KEYS)


def test_what_the_container_said_is_read_from_the_headers(v2, replay) -> None:
    replay.set_scoring("taxi-fare/blue", 424, "model failed",
                       {"ms-azureml-model-error-statuscode": "500", "ms-azureml-model-error-reason": "model_error"})
    result = v2.score("taxi-fare/blue", "{}")
    assert (result.status, result.model_status, result.model_reason) == (424, 500, "model_error")


def test_no_answer_is_a_result_not_an_exception(v2, replay) -> None:
    replay.inject("v2-score", "reset")
    result = v2.score("taxi-fare/blue", "{}", timeout_s=2)
    assert result.status is None and "ConnectionError" in result.error


def test_the_panel_sends_explains_and_keeps_no_key(replay) -> None:
    from amlnbtools.sources.workspace import open_workspace
    from amlnbtools.widgets.deployment_logs import DeploymentLogsPanel

    ident = replay.identity
    source = open_workspace(subscription_id=ident.subscription_id, resource_group=ident.resource_group,
                            workspace_name=ident.name, auth=replay.credential)
    panel = DeploymentLogsPanel(source, "taxi-fare/blue")
    panel.wait()
    replay.set_scoring("taxi-fare/blue", 429, {"message": "Too many pending requests. Please retry later."})
    panel.send_request({"data": [[1, 2]]})
    assert panel.wait_request().status == "finished"
    assert panel.scoring.result.status == 429
    assert "at most 4 pending requests" in panel.scoring.explanation.remedy  # 2 × 2 instances × 1 concurrent
    state = tree_state(panel.widget)
    assert "Too many requests at once" in state
    for secret in (*REPLAY_KEYS, *replay.identity.subscription_id.split("-")[:1]):
        assert secret not in state
    panel.send_request("{not json")
    assert "not valid JSON" in panel.scoring._answer.value
    v1 = DeploymentLogsPanel(source, "iris-aci")
    with pytest.raises(RuntimeError, match="online deployments"):
        v1.send_request({})

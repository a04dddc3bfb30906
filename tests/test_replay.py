"""The replay workspace: real azureml-core code answered in-process from recorded payloads."""

from __future__ import annotations

import gc
import http.server
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
import requests
from azureml._restclient import clientbase
from azureml.core import Webservice
from azureml.core.webservice import AciWebservice, AksWebservice
from azureml.exceptions import WebserviceException

import amlnbtools
from amlnbtools.sources.replay import FAULTS, ROUTES, Call, ReplayWorkspace

KEYS = ("RPLYkey0000PrimaryAaaaaaaaaaaaaa", "RPLYkey0000SecondaryBbbbbbbbbbbb")


@pytest.fixture
def replay() -> Iterator[ReplayWorkspace]:
    with ReplayWorkspace() as rw:
        yield rw


@pytest.fixture
def no_retries() -> Iterator[None]:
    """azureml-core retries 429/5xx/connection errors 3 times with sleeps of up to 128 s: not in tests."""
    with mock.patch.object(clientbase, "DEFAULT_RETRIES", 0):
        yield


@pytest.fixture
def instant_retries() -> Iterator[None]:
    """Keep azureml-core's retries but sleep 0 s between them."""
    with (
        mock.patch.object(clientbase, "DEFAULT_SHORT_BACKOFF", 0),
        mock.patch.object(clientbase, "DEFAULT_BACKOFF", 0),
        mock.patch.object(clientbase, "DEFAULT_500_BACKOFF", 0),
        mock.patch.object(clientbase, "DEFAULT_503_BACKOFF", 0),
    ):
        yield


def test_public_names() -> None:
    assert ReplayWorkspace.SERVICES == ("iris-aci", "churn-aks-crashloop", "vision-aks-gpu", "fraud-aks-503")
    assert ROUTES == (
        "arm-workspace",
        "discovery",
        "services-list",
        "service",
        "service-update",
        "service-validate",
        "logs",
        "history-experiment",
        "history-run",
        "listkeys",
        "score",
    )
    assert len(FAULTS) == 16 and {"401-expired", "stall", "truncated-json", "html", "429-short"} <= set(FAULTS)


def test_importing_the_replay_does_not_import_azureml() -> None:
    probe = "import sys, amlnbtools.sources.replay\nprint(sorted({m.split('.')[0] for m in sys.modules}))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert "'azureml'" not in out


def test_building_the_workspace_makes_no_call_and_the_list_has_the_four_services(replay: ReplayWorkspace) -> None:
    ws = replay.workspace
    assert replay.workspace is ws
    assert (ws.subscription_id, ws.resource_group, ws.name) == (
        "6b1f0a5e-3c2d-4e8f-9a71-2f4c5d6e7a8b",
        "rg-ml-prod",
        "mlw-contoso-prod",
    )
    assert replay.calls == []
    services = ws.webservices
    assert list(services) == list(ReplayWorkspace.SERVICES)
    assert type(services["iris-aci"]) is AciWebservice
    assert all(type(services[n]) is AksWebservice for n in ReplayWorkspace.SERVICES[1:])
    routes = [c.route for c in replay.calls]
    assert routes[:3] == ["arm-workspace", "discovery", "services-list"]
    assert routes[3:] == ["history-experiment", "history-run"] * 4  # model expansion, one model each
    listing = replay.calls[2]
    assert isinstance(listing, Call) and listing.method == "GET"
    assert listing.params == {"expand": "true"} and listing.timeout == 80
    with pytest.raises(AttributeError):
        listing.route = "x"  # type: ignore[misc]


def test_each_service_reports_its_state_and_error(replay: ReplayWorkspace) -> None:
    ws = replay.workspace
    iris = Webservice(ws, "iris-aci")
    assert (iris.state, iris.error) == ("Healthy", None)
    churn = Webservice(ws, "churn-aks-crashloop")
    assert churn.state == "Failed" and churn.error["code"] == "KubernetesDeploymentFailed"
    assert churn.error["details"][0]["code"] == "CrashLoopBackOff"
    vision = Webservice(ws, "vision-aks-gpu")
    assert vision.state == "Failed"
    text = json.dumps(vision.error)
    assert "Couldn't Schedule" in text and "0/3 nodes are available: 3 Insufficient nvidia.com/gpu" in text
    assert "insufficient-gpu" in amlnbtools.diagnose(text).rules
    assert Webservice(ws, "fraud-aks-503").state == "Healthy"
    assert [c.route for c in replay.calls if c.route == "service"] == ["service"] * 4
    assert [c.timeout for c in replay.calls if c.route == "service"] == [None] * 4


def test_aks_attributes(replay: ReplayWorkspace) -> None:
    services = replay.workspace.webservices
    fraud = services["fraud-aks-503"]
    scaler = fraud.autoscaler
    assert scaler.autoscale_enabled is True
    assert (scaler.min_replicas, scaler.max_replicas, scaler.target_utilization, scaler.refresh_period_seconds) == (
        1,
        4,
        70,
        1,
    )
    assert (fraud.max_request_wait_time, fraud.scoring_timeout_ms, fraud.num_replicas) == (500, 60000, None)
    for name in ReplayWorkspace.SERVICES[1:]:
        assert services[name].namespace, name
        assert services[name].compute_name
    assert services["vision-aks-gpu"].container_resource_requirements.gpu == 1


def test_logs_tail_init_and_what_the_engine_finds_in_them(replay: ReplayWorkspace) -> None:
    ws = replay.workspace
    churn = Webservice(ws, "churn-aks-crashloop")
    replay.reset_calls()
    logs = churn.get_logs(num_lines=50)
    assert len(logs.splitlines()) == 50
    assert replay.calls[-1].route == "logs" and replay.calls[-1].params == {"tail": "50", "init": "False"}
    rules = amlnbtools.diagnose(churn.get_logs()).rules
    assert "crash-loop" in rules and "model-not-found" in rules
    init = churn.get_logs(init=True)
    assert "amlappinit" in init and replay.calls[-1].params == {"tail": "5000", "init": "True"}

    fraud = Webservice(ws, "fraud-aks-503").get_logs()
    assert "service-unavailable-503" in amlnbtools.diagnose(fraud).rules
    assert "run() took" in fraud
    iris = Webservice(ws, "iris-aci").get_logs()
    assert iris and not amlnbtools.diagnose(iris).errors
    assert Webservice(ws, "vision-aks-gpu").get_logs() == ""  # the pod was never scheduled


def test_set_state_is_seen_after_update_deployment_state(replay: ReplayWorkspace) -> None:
    svc = Webservice(replay.workspace, "fraud-aks-503")
    replay.set_state("fraud-aks-503", "Transitioning")
    assert svc.state == "Healthy"  # a plain attribute: no call until refreshed
    svc.update_deployment_state()
    assert svc.state == "Transitioning" and svc.error is None
    error = {"code": "DeploymentFailed", "message": "boom", "details": []}
    replay.set_state("fraud-aks-503", "Failed", error=error)
    svc.update_deployment_state()
    assert (svc.state, svc.error) == ("Failed", error)
    replay.set_state("fraud-aks-503", "Healthy", error=None)
    svc.update_deployment_state()
    assert (svc.state, svc.error) == ("Healthy", None)
    with pytest.raises(ValueError, match="no service 'nope'"):
        replay.set_state("nope", "Healthy")


def test_404_409_and_truncated_json_raise_what_azureml_raises(replay: ReplayWorkspace) -> None:
    ws = replay.workspace
    churn = Webservice(ws, "churn-aks-crashloop")
    replay.inject("service", "404", service="churn-aks-crashloop")
    with pytest.raises(WebserviceException, match="WebserviceNotFound"):
        Webservice(ws, "churn-aks-crashloop")
    assert Webservice(ws, "iris-aci").state == "Healthy"  # the fault is for one service only
    replay.clear_faults()

    replay.inject("logs", "409", times=1)
    with pytest.raises(WebserviceException, match="Response Code: 409"):
        churn.get_logs()
    assert churn.get_logs(num_lines=1)  # times=1: the next request is answered again

    replay.inject("service", "truncated-json")
    with pytest.raises(json.JSONDecodeError):
        Webservice(ws, "iris-aci")
    with pytest.raises(json.JSONDecodeError):
        churn.update_deployment_state()


def test_401_expired_is_diagnosed_as_an_expired_token(replay: ReplayWorkspace) -> None:
    iris = Webservice(replay.workspace, "iris-aci")
    replay.inject("logs", "401-expired")
    with pytest.raises(WebserviceException, match="Response Code: 401") as caught:
        iris.get_logs()
    assert "auth-token-expired" in amlnbtools.diagnose(str(caught.value)).rules
    assert "WWW-Authenticate" in str(caught.value)


def test_transient_503_recovers_and_a_lasting_one_fails(replay: ReplayWorkspace, instant_retries: None) -> None:
    churn = Webservice(replay.workspace, "churn-aks-crashloop")
    replay.reset_calls()
    replay.inject("logs", "503", times=2)
    assert churn.get_logs(num_lines=3)
    assert [c.route for c in replay.calls] == ["logs"] * 3
    replay.inject("logs", "500")
    with pytest.raises(WebserviceException, match="Response Code: 500"):
        churn.get_logs()


def test_connection_faults_surface_as_raw_requests_exceptions(replay: ReplayWorkspace, no_retries: None) -> None:
    churn = Webservice(replay.workspace, "churn-aks-crashloop")
    for fault, exc in (
        ("read-timeout", requests.exceptions.ReadTimeout),
        ("connect-timeout", requests.exceptions.ConnectTimeout),
        ("reset", requests.exceptions.ConnectionError),
    ):
        replay.inject("logs", fault, times=1)
        with pytest.raises(exc):
            churn.get_logs()


def test_fault_headers_and_bodies_on_the_wire(replay: ReplayWorkspace) -> None:
    base = "https://westeurope.api.azureml.ms/modelmanagement/v1.0" + _arm_id(replay)
    url = "https://management.azure.com" + _arm_id(replay)
    replay.inject("arm-workspace", "429", times=1)
    replay.inject("arm-workspace", "503", times=1)
    replay.inject("arm-workspace", "401-auth-failed", times=1)
    replay.inject("arm-workspace", "html", times=1)
    first = requests.get(url, timeout=5)
    assert first.status_code == 429 and first.headers["Retry-After"] == "30"
    second = requests.get(url, timeout=5)
    assert second.status_code == 503 and second.headers["Retry-After"] == "10"
    third = requests.get(url, timeout=5)
    assert third.status_code == 401 and third.json()["error"]["code"] == "AuthenticationFailed"
    assert requests.get(url, timeout=5).headers["Content-Type"].startswith("text/html")
    assert requests.get(url, timeout=5).json()["properties"]["discoveryUrl"]

    replay.inject("*", "stall")
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(url, timeout=(5, 0.2))  # the read part of a (connect, read) timeout
    assert time.monotonic() - started < 1.5
    replay.clear_faults()
    unknown = requests.get(base + "/no/such/route", timeout=5)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "NotFound"
    assert replay.calls[-1].route == "unmatched"


def test_inject_rejects_what_it_does_not_know(replay: ReplayWorkspace) -> None:
    with pytest.raises(ValueError, match="unknown replay route"):
        replay.inject("services", "404")
    with pytest.raises(ValueError, match="unknown fault"):
        replay.inject("logs", "418")
    with pytest.raises(ValueError, match="times"):
        replay.inject("logs", "404", times=0)
    with pytest.raises(ValueError, match="not about one service"):
        replay.inject("discovery", "404", service="iris-aci")


def test_history_faults_are_swallowed_but_a_404_makes_azureml_try_to_create_the_experiment(
    replay: ReplayWorkspace,
) -> None:
    replay.inject("history-experiment", "404", service="iris-aci")
    services = replay.workspace.webservices
    assert len(services) == 4 and services["iris-aci"].models[0].run is None
    assert services["churn-aks-crashloop"].models[0].run is not None
    assert [(c.method, c.route) for c in replay.calls if c.route == "unmatched"] == [("POST", "unmatched")]


def test_keys_and_scoring(replay: ReplayWorkspace, instant_retries: None) -> None:
    ws = replay.workspace
    fraud = Webservice(ws, "fraud-aks-503")
    assert fraud.get_keys() == KEYS
    assert Webservice(ws, "iris-aci").run('{"data": [[5.1, 3.5, 1.4, 0.2]]}') == [1]
    replay.reset_calls()
    with pytest.raises(WebserviceException, match="Response Code: 503"):
        fraud.run('{"data": [[0.1]]}')
    assert [c.route for c in replay.calls] == ["listkeys"] + ["score"] * 4


def test_list_pages_with_next_link(replay: ReplayWorkspace) -> None:
    replay._server.page_size = 3
    assert sorted(replay.workspace.webservices) == sorted(ReplayWorkspace.SERVICES)
    pages = [c for c in replay.calls if c.route == "services-list"]
    assert [c.params.get("$skipToken") for c in pages] == [None, "3"]


class _Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"local server"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_requests_to_this_machine_reach_the_real_network(replay: ReplayWorkspace) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        for host in ("127.0.0.1", "localhost"):
            answer = requests.get(f"http://{host}:{port}/score", timeout=5)
            assert (answer.status_code, answer.text) == (200, "local server")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    assert replay.calls == []


def test_one_replay_at_a_time_and_close_removes_everything() -> None:
    import responses
    from azureml._base_sdk_common.service_discovery import CachedServiceDiscovery

    defaults = CachedServiceDiscovery.__init__.__defaults__
    first = ReplayWorkspace()
    assert CachedServiceDiscovery.__init__.__defaults__ != defaults
    ws = first.workspace
    assert ws.webservices
    cache = Path(CachedServiceDiscovery.__init__.__defaults__[0])
    assert cache.is_file()
    with pytest.raises(RuntimeError, match="close the other ReplayWorkspace first"):
        ReplayWorkspace()
    first.close()
    first.close()  # idempotent
    assert first.closed and not cache.exists()
    assert requests.adapters.HTTPAdapter.send is responses._real_send  # the mock is gone
    assert CachedServiceDiscovery.__init__.__defaults__ == defaults
    with pytest.raises(RuntimeError, match="closed"):
        _ = first.workspace

    # a leftover Workspace must not send its fake token to Azure: catch anything it would send
    with responses.RequestsMock(assert_all_requests_are_fired=False) as catcher:
        with pytest.raises(Exception, match="ReplayWorkspace that is closed"):
            Webservice(ws, "iris-aci")
        assert all("Authorization" not in c.request.headers for c in catcher.calls)

    with ReplayWorkspace() as second:  # one after the other is fine
        assert len(second.workspace.webservices) == 4
        assert [c.route for c in second.calls][:2] == ["arm-workspace", "discovery"]  # a cold cache again


def test_a_forgotten_replay_is_closed_by_the_garbage_collector() -> None:
    forgotten = ReplayWorkspace()
    assert forgotten.workspace.webservices  # the Workspace refers back to the replay: a cycle
    del forgotten
    with ReplayWorkspace() as rw:  # collects the cycle, which closes the forgotten replay
        assert rw.workspace.webservices
    gc.collect()


def test_the_replay_stays_open_while_its_workspace_is_used() -> None:
    ws = ReplayWorkspace().workspace
    gc.collect()
    with pytest.raises(RuntimeError, match="close the other ReplayWorkspace first"):
        ReplayWorkspace()
    assert len(ws.webservices) == 4  # still answered
    ws._amlnbtools_replay.close()


def test_the_users_home_is_untouched(tmp_path_factory: pytest.TempPathFactory) -> None:
    import os

    home = Path(os.environ["HOME"])
    with ReplayWorkspace() as rw:
        assert rw.workspace.webservices
        assert os.environ["HOME"] == str(home)
    assert not (home / ".azureml").exists()


def _arm_id(replay: ReplayWorkspace) -> str:
    return replay._server.data.identity.arm_id


def test_set_logs_serves_new_text_through_the_sdk(replay) -> None:
    from azureml.core import Webservice

    replay.set_logs("iris-aci", "first line\nsecond <b>line</b>\n")
    replay.set_logs("iris-aci", "init text\n", init=True)
    service = Webservice(replay.workspace, "iris-aci")
    assert service.get_logs() == "first line\nsecond <b>line</b>\n"
    assert service.get_logs(init=True) == "init text\n"
    with pytest.raises(ValueError, match="no service 'nope'"):
        replay.set_logs("nope", "x")


def test_compute_targets_and_the_default_datastore_through_the_sdk(replay: ReplayWorkspace, no_retries: None) -> None:
    from azureml.core import ComputeTarget, Datastore
    from azureml.core.compute import AmlCompute
    from azureml.data.azure_storage_datastore import AzureBlobDatastore
    from azureml.exceptions import ComputeTargetException

    from amlnbtools.sources.replay import ALL_ROUTES, RESOURCE_ROUTES

    assert RESOURCE_ROUTES == ("compute-list", "compute", "datastore-default", "datastore", "arm-subscriptions")
    assert set(RESOURCE_ROUTES) <= set(ALL_ROUTES)
    ws = replay.workspace
    cpu = ComputeTarget(ws, "cpu-cluster")
    assert isinstance(cpu, AmlCompute) and cpu.provisioning_state == "Succeeded"
    assert (cpu.vm_size, cpu.vm_priority, cpu.scale_settings.maximum_node_count) == ("STANDARD_DS3_V2", "Dedicated", 4)
    assert cpu.scale_settings.idle_seconds_before_scaledown == 120 and cpu.status.allocation_state == "Steady"
    assert ComputeTarget(ws, "gpu-cluster").vm_size == "STANDARD_NC6S_V3"
    assert sorted(ws.compute_targets) == ["cpu-cluster", "gpu-cluster"]
    with pytest.raises(ComputeTargetException, match="ComputeTargetNotFound"):
        ComputeTarget(ws, "no-such-cluster")

    store = ws.get_default_datastore()
    assert isinstance(store, AzureBlobDatastore) and store.name == "workspaceblobstore"
    assert store.account_name == replay._server.data.identity.storage_account  # the account of the SAS log links
    assert store.container_name == "azureml-blobstore-" + ws.get_details()["workspaceid"]
    assert store.account_key is None and store.sas_token is None  # no secret in the payload
    assert Datastore.get(ws, "workspaceblobstore").account_name == store.account_name
    assert [c.route for c in replay.calls if c.route in RESOURCE_ROUTES] == [
        "compute", "compute", "compute-list", "compute", "datastore-default", "datastore"]

    replay.inject("compute", "500", times=1)
    with pytest.raises(ComputeTargetException, match="Response Code: 500"):
        ComputeTarget(ws, "cpu-cluster")
    replay.inject("datastore-default", "404", times=1)
    with pytest.raises(Exception, match="(?i)not ?found"):
        ws.get_default_datastore()
    assert ws.get_default_datastore().name == "workspaceblobstore"  # and it works again

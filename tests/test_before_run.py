"""Before a job or deployment runs: build logs read with the user's sign-in, why a job waits, quota pre-flight —
through the real azure-ai-ml, azure-storage-blob and azureml-core, answered by the replay."""

from __future__ import annotations

import time

import pytest

import amlnbtools
from amlnbtools.core.checks.build import BuildLogLink
from amlnbtools.core.checks.quota import needed_vcpus, reserves_extra
from amlnbtools.sources.errors import SourceError

pytest.importorskip("azure.ai.ml", reason="the v2 extra is installed by make test")

V1_RUN = "churn-train_1733329201_5d2c8e0f"


def _until(check, timeout_s: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and not check():
        time.sleep(0.1)
    return check()


# --- build logs -----------------------------------------------------------------------------------------------

def test_a_deployment_build_log_is_read_through_the_datastore_when_anonymous_access_is_off(workspace_v2,
                                                                                              replay) -> None:
    import requests

    panel = amlnbtools.build_logs("churn-v2/blue", workspace_v2)
    assert panel.wait().status == "finished", panel.error
    assert "datastore workspaceartifactstore" in panel.found.how
    primary = panel.findings.primary()
    assert primary.rule == "dependency-error" and "lightgbm==3.3.9" in primary.remedy
    assert panel.log_view.highlighted == primary.line
    routes = [c.route for c in replay.calls]
    assert "v2-datastore-secrets" in routes and routes.count("image-log-blob") >= 1
    # what a user gets from the link itself: the account refuses anonymous reads
    url = ("https://mlwcontosoprod4518203947.blob.core.windows.net/azureml/ImageLogs/"
           "5c8e1a3d-21f4-4b7a-9d3e-0f6a8c2b4e17/build.log")
    answer = requests.get(url, timeout=5)
    assert answer.status_code == 409 and "PublicAccessNotPermitted" in answer.text
    assert replay._server.storage.key not in repr(panel.widget.get_state())


def test_the_deployment_panel_offers_the_build_log(workspace_v2) -> None:
    logs = amlnbtools.deployment_logs("churn-v2/blue", workspace_v2)
    logs.wait()
    assert logs._build_button.layout.display == ""
    build = logs.open_build_log()
    build.wait()
    assert build.findings.primary().rule == "dependency-error"
    other = amlnbtools.deployment_logs("credit-v2/blue", workspace_v2)
    other.wait()
    assert other._build_button.layout.display == "none"  # its error names no build log


def test_a_v1_run_that_failed_in_its_image_build(workspace_v2) -> None:
    panel = amlnbtools.build_logs(V1_RUN, workspace_v2)
    assert panel.wait().status == "finished", panel.error
    assert panel.found.where.endswith("azureml-logs/20_image_build_log.txt")
    assert panel.findings.primary().rule == "conda-solve-failed"


def test_a_job_without_a_build_log_says_so(workspace_v2) -> None:
    panel = amlnbtools.build_logs("iris-train-v2", workspace_v2)
    panel.wait()
    assert panel.error is not None and panel.error.kind == "not-found" and "reused" in panel.error.message


def test_a_wrong_key_a_forbidden_secret_and_a_foreign_account(workspace_v2, replay) -> None:
    from amlnbtools.sources.azureml_v2.buildlog import read_build_log

    v2 = workspace_v2.source.v2
    link = BuildLogLink(account="mlwcontosoprod4518203947", container="azureml",
                        path="ImageLogs/5c8e1a3d-21f4-4b7a-9d3e-0f6a8c2b4e17/build.log")
    replay.inject("v2-datastore-secrets", "403")
    with pytest.raises(SourceError) as caught:
        read_build_log(v2, link)
    assert caught.value.kind == "forbidden" and "AzureML Data Scientist" in str(caught.value)
    replay.clear_faults()
    gone = BuildLogLink(account=link.account, container="azureml", path="ImageLogs/nothing/build.log")
    with pytest.raises(SourceError) as caught:
        read_build_log(v2, gone)
    assert caught.value.kind == "not-found" and "retention" in str(caught.value)
    foreign = BuildLogLink(account="weumanaged317", container="c0", path="logs/cba3/rawtext.log",
                           url="https://weumanaged317.blob.core.windows.net/c0/logs/cba3/rawtext.log")
    with pytest.raises(SourceError) as caught:
        read_build_log(v2, foreign)
    assert caught.value.kind == "forbidden" and "studio" in str(caught.value)


# --- why a job waits -------------------------------------------------------------------------------------------

def test_a_job_queued_on_a_cluster_without_quota(workspace_v2) -> None:
    panel = amlnbtools.explain_wait("queued-gpu-train", workspace_v2)
    try:
        assert panel.wait().status == "finished", panel.error
        e = panel.explanation
        assert (e.status, [c.code for c in e.causes]) == ("queued", ["quota"])
        assert e.cluster.allocation_state.lower() == "resizing" and e.cluster.errors[0][0] == "QuotaExceeded"
        assert "standardNCSv3Family" in e.causes[0].detail and "0/0" in e.causes[0].detail
        assert "quota" in e.causes[0].fix.lower()
        assert panel.refreshing  # read again until it runs
    finally:
        panel.stop()


def test_a_job_preparing_its_image_shows_the_build_log_growing_then_its_failure(workspace_v2, replay) -> None:
    replay.start_image_build(lines_per_s=30, run_s=3)
    panel = amlnbtools.explain_wait("env-build-train", workspace_v2, interval_s=0.5)
    try:
        panel.wait()
        assert panel.explanation.status == "preparing"
        assert [c.code for c in panel.explanation.causes] == ["image-build"]
        assert _until(lambda: not panel.refreshing)  # stops by itself once the job has ended
        e = panel.explanation
        assert e.status == "failed" and [c.code for c in e.causes] == ["image-build-failed"]
        assert "xgboost==1.7.9" in e.causes[0].fix
        assert panel.log_view.line_count > 10
    finally:
        panel.stop()


def test_a_job_whose_compute_is_gone(workspace_v2, replay) -> None:
    del replay._server.data.v2_computes["gpu-cluster"]
    panel = amlnbtools.explain_wait("queued-gpu-train", workspace_v2)
    try:
        panel.wait()
        assert [c.code for c in panel.explanation.causes] == ["compute-missing"]
        assert "ml_client.compute.list()" in panel.explanation.causes[0].fix
    finally:
        panel.stop()


def test_a_running_or_ended_job_has_nothing_to_wait_for(workspace_v2) -> None:
    panel = amlnbtools.explain_wait("iris-train-v2", workspace_v2)
    panel.wait()
    assert panel.explanation.causes == () and not panel.explanation.waiting
    assert _until(lambda: not panel.refreshing, 5)
    with pytest.raises(TypeError, match="workspace"):
        amlnbtools.explain_wait("iris-train-v2")


def test_the_pipeline_panel_says_why_a_job_waits(workspace_v2) -> None:
    panel = amlnbtools.pipeline_logs("queued-gpu-train", workspace_v2)
    try:
        panel.wait()
        assert [c.code for c in panel.wait_explanation.causes] == ["quota"]
        assert "not enough vCPU quota" in panel._wait_box.value
    finally:
        panel.stop_following()


# --- quota -----------------------------------------------------------------------------------------------------

def test_the_reservation_of_managed_online_deployments() -> None:
    assert needed_vcpus("online", 4, 1, "Standard_F4s_v2") == 8  # the service's own "Additional needed: 8"
    assert needed_vcpus("online", 16, 1, "Standard_F16s_v2") == 32
    assert needed_vcpus("online", 4, 10, "Standard_DS3_v2") == 48
    assert needed_vcpus("cluster", 4, 10, "Standard_DS3_v2") == 40
    assert not reserves_extra("Standard_NC24ads_A100_v4") and needed_vcpus("online", 24, 1,
                                                                          "Standard_NC24ads_A100_v4") == 24


def test_quota_of_a_deployment_in_two_requests(workspace_v2, replay) -> None:
    replay.reset_calls()
    report = amlnbtools.check_quota("vision-v2/blue", workspace_v2)
    assert (report.kind, report.instance_type, report.count, report.needed) == ("online", "Standard_NC6s_v3", 1, 12)
    assert report.enough is False and report.family_row.limit == 0
    assert any("Quotas" in a for a in report.advice)
    quota_calls = [c.route for c in replay.calls if c.route in ("v2-usages", "v2-vmsizes")]
    assert sorted(quota_calls) == ["v2-usages", "v2-vmsizes"] and report.requests == 2


def test_quota_of_a_cluster_and_of_a_size_and_count(workspace_v2) -> None:
    fits = amlnbtools.check_quota(None, workspace_v2, instance_type="Standard_DS3_v2", count=2)
    assert (fits.needed, fits.enough, fits.family_row.left) == (8, True, 8)
    short = amlnbtools.check_quota(None, workspace_v2, instance_type="Standard_DS3_v2", count=4, kind="online")
    assert short.needed == 20 and short.enough is False
    unknown = amlnbtools.check_quota(None, workspace_v2, instance_type="Standard_Z99", count=1)
    assert unknown.needed is None and "not offered" in unknown.summary()


def test_quota_the_user_may_not_read(workspace_v2, replay) -> None:
    replay.inject("v2-usages", "403")
    report = amlnbtools.check_quota(None, workspace_v2, instance_type="Standard_DS3_v2", count=2)
    assert report.enough is None and report.needed == 8 and "Reader" in report.advice[0]


# --- resubmit --------------------------------------------------------------------------------------------------

def test_resubmit_asks_first_then_submits_a_new_job_reusing_completed_steps(workspace_v2, replay) -> None:
    panel = amlnbtools.pipeline_logs("sleepy_lemon_7k2m9xq4", workspace_v2)
    panel.wait()
    assert not panel._resubmit_button.disabled
    before = set(replay._server.data.jobs)
    panel.resubmit()
    assert "Submit defects-v2 again" in panel._resubmit._message.value and "lightgbm" in panel._resubmit._message.value
    assert set(replay._server.data.jobs) == before  # nothing submitted before the confirmation
    panel._resubmit.cancel()
    assert set(replay._server.data.jobs) == before and "Nothing was submitted" in panel._resubmit._message.value
    panel.resubmit()
    panel._resubmit.confirm()
    assert panel._resubmit.wait().status == "finished"
    (created,) = set(replay._server.data.jobs) - before
    new = panel._resubmit.new_panel
    try:
        new.wait()
        assert new.summary.run_id == created and new.summary.status == "running"
        steps = {s.name: s for s in new.summary.steps}
        assert steps["prep_data"].reused and steps["train_model"].status == "queued"
    finally:
        new.stop_following()


def test_resubmit_refuses_a_running_job(workspace_v2, replay) -> None:
    from amlnbtools.sources.azureml_v2.jobs import AzureMLJobSource

    before = set(replay._server.data.jobs)
    with AzureMLJobSource(workspace_v2.source.v2, "live-train") as source, pytest.raises(SourceError) as caught:
        source.resubmit()
    assert caught.value.kind == "bad-input" and "Nothing was submitted" in str(caught.value)
    assert set(replay._server.data.jobs) == before


def test_a_v1_run_queued_on_the_same_cluster(workspace_v2, replay) -> None:
    from azureml.core import Run

    by_name = amlnbtools.explain_wait("vision-train_1733412000_9a1b2c3d", workspace_v2)
    try:
        by_name.wait()
        e = by_name.explanation
        assert e is not None, by_name.error
        assert (e.status, [c.code for c in e.causes]) == ("queued", ["quota"])
        assert e.queue_message == "Run requested 1 node(s). Run is in pending status."
        assert e.cluster.errors[0][0] == "QuotaExceeded"
    finally:
        by_name.stop()
    by_object = amlnbtools.explain_wait(Run.get(replay.workspace, "vision-train_1733412000_9a1b2c3d"))
    try:
        by_object.wait()
        assert [c.code for c in by_object.explanation.causes] == ["quota"]
    finally:
        by_object.stop()
    panel = amlnbtools.pipeline_logs("vision-train_1733412000_9a1b2c3d", workspace_v2)
    try:
        panel.wait()
        assert "not enough vCPU quota" in panel._wait_box.value
    finally:
        panel.stop_following()


def test_the_capacity_panel_checks_quota_before_applying(workspace_v2, replay) -> None:
    panel = amlnbtools.replica_calculator("taxi-fare/blue", workspace_v2, target_rps=30, request_seconds=0.1)
    panel.wait()
    panel.set_inputs(instances=5)
    before = replay._server.data.deployments["taxi-fare"]["blue"]["sku"]["capacity"]
    panel.request_apply()
    panel.wait()
    quota = panel.quota
    assert (quota.count, quota.current, quota.needed, quota.enough) == (5, 2, 12, False)  # (6 − 3) × 4 vCPUs more
    assert "needs 12 more vCPUs" in panel._quota_line.value and "8 vCPUs left" in panel._quota_line.value
    assert replay._server.data.deployments["taxi-fare"]["blue"]["sku"]["capacity"] == before  # nothing applied


def test_a_v1_pipeline_run_is_published_then_submitted_again(workspace_v2, replay) -> None:
    from amlnbtools.sources.replay import PIPELINE_RUNS

    panel = amlnbtools.pipeline_logs(PIPELINE_RUNS["defects-pipeline"], workspace_v2)
    panel.wait()
    before = set(replay._server.data.pipeline_runs)
    panel.resubmit()
    assert "published as pipeline defects-pipeline-resubmitted" in panel._resubmit._message.value
    assert set(replay._server.data.pipeline_runs) == before  # nothing before the confirmation
    panel._resubmit.confirm()
    assert panel._resubmit.wait().status == "finished", panel._resubmit._message.value
    (created,) = set(replay._server.data.pipeline_runs) - before
    routes = [c.route for c in replay.calls]
    assert "pipeline-create" in routes and "pipeline-submit" in routes
    new = panel._resubmit.new_panel
    try:
        new.wait()
        assert new.summary.run_id == created and new.summary.status == "running"
        steps = {s.name: s for s in new.summary.steps}
        assert steps["prep-data"].reused and steps["train-model"].status == "queued"
    finally:
        new.stop_following()


def test_findings_of_a_v2_build_log_speak_of_v2(workspace_v2) -> None:
    panel = amlnbtools.build_logs("churn-v2/blue", workspace_v2)
    panel.wait()
    build = next(f for f in panel.findings if f.rule == "image-build-failed")
    assert build.title == "The environment image of the deployment could not be built"  # not the v1 service wording
    v1 = amlnbtools.build_logs("churn-train_1733329201_5d2c8e0f", workspace_v2)
    v1.wait()
    assert v1.found.sdk == "v1"

"""The command line on a workspace (``build-log``, ``wait``, ``quota``): each sample case explained with its fix and
an exit status a script can use — on the embedded sample workspace, through the real SDKs."""

from __future__ import annotations

import io
import json

import pytest

from amlnbtools.cli import main

pytest.importorskip("azure.ai.ml", reason="the v2 extra is installed by make test")


@pytest.fixture(autouse=True)
def _sample(replay, monkeypatch):
    """``--sample`` reads this test's replay (one replay per process at a time)."""
    import amlnbtools.sources.sample as sample

    monkeypatch.setattr(sample, "_replay", replay)


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_a_deployment_build_log_behind_storage_without_anonymous_access() -> None:
    code, out, _err = _run("build-log", "churn-v2/blue", "--sample", "--json")
    report = json.loads(out)
    assert code == 1 and "through datastore" in report["how"]
    first = report["findings"][0]
    assert first["rule"] == "dependency-error" and "lightgbm==3.3.9" in first["remedy"]


def test_a_v1_run_that_failed_in_its_image_build() -> None:
    code, out, _err = _run("build-log", "churn-train_1733329201_5d2c8e0f", "--sample")
    assert code == 1 and "[conda-solve-failed]" in out and "20_image_build_log.txt" in out


def test_an_environment_is_built_only_when_asked() -> None:
    code, out, err = _run("build-log", "azureml:train-env:3", "--sample")
    assert code == 2 and out == "" and "--build" in err
    code, out, err = _run("build-log", "azureml:train-env:3", "--build", "--sample")
    assert code == 1, err
    assert "build Failed" in out and "[dependency-error]" in out and "numpy=1.16.0" in out


def test_a_job_waiting_for_its_image_build_and_one_waiting_for_quota() -> None:
    code, out, _err = _run("wait", "env-build-train", "--sample", "--json")
    report = json.loads(out)
    assert code == 1 and report["status"] == "preparing" and [c["code"] for c in report["causes"]] == ["image-build"]
    code, out, _err = _run("wait", "queued-gpu-train", "--sample")
    assert code == 1 and "[quota]" in out and "standardNCSv3Family" in out


def test_a_v1_run_waiting_for_quota_and_a_job_that_is_not_waiting() -> None:
    code, out, _err = _run("wait", "vision-train_1733412000_9a1b2c3d", "--sample")
    assert code == 1 and "[quota]" in out
    code, out, _err = _run("wait", "iris-train-v2", "--sample", "--json")
    assert code == 0 and json.loads(out)["causes"] == [] and json.loads(out)["waiting"] is False


def test_quota_for_a_size_and_for_a_deployment() -> None:
    code, out, _err = _run("quota", "--instance-type", "Standard_NC6s_v3", "--count", "4", "--sample", "--json")
    report = json.loads(out)
    assert code == 1 and report["enough"] is False and report["needed"] == 24
    code, out, _err = _run("quota", "churn-v2/blue", "--sample")
    assert code == 0 and "enough quota" in out


@pytest.mark.parametrize(("argv", "expected"), [
    (("quota", "--sample"), "--instance-type"),
    (("wait", "no-such-job", "--sample"), "no-such-job"),
    (("build-log", "no-such-thing", "--sample"), "no-such-thing"),
    (("wait", "x", "--config", "/nonexistent/config.json"), "config"),
])
def test_bad_input_is_one_line_naming_the_fix(argv, expected) -> None:
    code, out, err = _run(*argv)
    assert code == 2 and out == "" and expected in err and "Traceback" not in err
    assert err.startswith("amlnbtools: ") and err.count("\n") == 1


def test_an_unknown_sign_in_method_is_a_usage_error(capsys) -> None:
    assert main(["wait", "x", "--sample", "--auth", "password"]) == 2
    assert "--auth" in capsys.readouterr().err


def test_text_in_the_users_language() -> None:
    english = _run("quota", "--instance-type", "Standard_NC6s_v3", "--count", "4", "--sample")[1]
    code, out, _err = _run("quota", "--instance-type", "Standard_NC6s_v3", "--count", "4", "--sample", "--lang", "fr")
    assert code == 1 and "vCPU" in out and out != english and "not enough quota" not in out

"""Wordings of a failure class that the corpus does not hold a whole log for: each is still named."""

from __future__ import annotations

import pytest

from amlnbtools import diagnose

CASES = [
    ("Warning  Failed  12s  kubelet  Back-off pulling image \"ws.azurecr.io/azureml/azureml_0f1e:latest\"",
     "image-pull-failed"),
    ("Kind: Pod, Name: Failed, Type: Warning, Message: Pulling image failed, retrying", "image-pull-failed"),
    ("UserContainerImagePull: Failed", "image-pull-failed"),
    ('"message": "2 replicas are unschedulable: 0/3 nodes are available"', "cannot-schedule"),
    ("2021-06-01 10:01:02,003 - status: Timeout (mini batch 7 of the parallel run)", "parallel-run-timeout"),
    ("2022-08-30T15:18:13,304451669+00:00 - Exit code 3 is not normal. Killing image.", "crash-loop"),
    ("ERROR: Could not find a version that satisfies the requirement torch==2.1.0 (from versions: 1.13.0, 2.0.0)",
     "python-version-unsupported"),
    ("OSError: [Errno 28] No space left on device: '/tmp/model.bin'", "disk-full"),
    ("exec /usr/local/bin/python: exec format error", "image-platform-mismatch"),
    ("(OutOfQuota) Not enough quota available for Standard_NC6s_v3 in SubscriptionId x. Current usage/limit: 0/0.",
     "quota-exceeded"),
    ("Segmentation fault (core dumped)", "native-crash"),
    ("ERROR: (WorkspaceManagedNetworkNotReady) Workspace managed network is not ready.", "managed-network-not-ready"),
    ("requests.exceptions.HTTPError: 429 Client Error: Too Many Requests for url: https://ep.inference.ml.azure.com/score",
     "scoring-throttled-429"),
    ("OSError: [Errno 30] Read-only file system: '/mnt/azureml/cr/j/1/cap/data-capability/wd/INPUT_x/out.csv'",
     "output-not-writable"),
    ("azureml.exceptions._azureml_exception.UserErrorException: Could not find datastore: trainstore",
     "datastore-not-found"),
    ('ValueError: numpy.dtype size changed, may indicate binary incompatibility. Expected 96 from C header',
     "binary-incompatible"),
]


@pytest.mark.parametrize(("line", "rule"), CASES, ids=[c[1] + str(i) for i, c in enumerate(CASES)])
def test_the_wording_is_named(line: str, rule: str) -> None:
    findings = diagnose(line)
    assert rule in {f.rule for f in findings.errors}
    assert findings.primary().rule == rule


def test_a_version_conflict_that_shows_later_as_a_type_error() -> None:
    log = ("Successfully installed mlflow-2.9.2 pandas-2.2.0\n"
           "ERROR: pip's dependency resolver does not currently take into account all the packages that are "
           "installed. This behaviour is the source of the following dependency conflicts.\n"
           "azureml-mlflow 1.50.0 requires mlflow-skinny<=2.3.2, but you have mlflow-skinny 2.9.2 which is "
           "incompatible.\n" + "training...\n" * 40 +
           "TypeError: log_model() got an unexpected keyword argument 'registered_model_name'\n")
    assert diagnose(log).primary().rule == "dependency-conflict"
    # without pip's warning (or a library frame) the same TypeError may be the user's own typo: no claim
    assert "dependency-conflict" not in diagnose(log.split("training...", 1)[1]).rules

"""The build log of an environment by name and version: azureml-core's environment service (image details, a build
on request), the log read with the user's sign-in through the workspace datastore — answered by the replay."""

from __future__ import annotations

import pytest

import amlnbtools
from amlnbtools.sources.azureml_v1.envbuild import environment_build, environment_ref
from amlnbtools.sources.errors import SourceError

pytest.importorskip("azure.ai.ml", reason="the v2 extra is installed by make test")


@pytest.mark.parametrize(("target", "expected"), [
    ("azureml:train-env:3", ("train-env", "3")), ("train-env:3", ("train-env", "3")), (("train-env", 3),
                                                                                        ("train-env", "3")),
    ("train-env", None), ("churn-v2/blue", None), ("churn-train_1733329201_5d2c8e0f", None), (42, None),
])
def test_environment_references(target, expected) -> None:
    ref = environment_ref(target)
    assert (tuple(ref) if ref else None) == expected


def test_environment_objects_of_both_sdks_are_references() -> None:
    from azure.ai.ml.entities import Environment as V2Environment
    from azureml.core import Environment as V1Environment

    v1 = V1Environment("train-env")
    v1.version = "3"
    assert environment_ref(v1).label == "train-env:3"
    assert environment_ref(V2Environment(name="score-env", version="1", image="x")).label == "score-env:1"
    assert environment_ref(V1Environment("unregistered")) is None  # no version: not registered


def test_an_environment_whose_image_is_missing_says_how_to_build_it(workspace_v2, replay) -> None:
    panel = amlnbtools.build_logs("azureml:train-env:3", workspace_v2)
    panel.wait()
    assert panel.error is not None and panel.error.kind == "not-found"
    message = panel.error.message
    assert "build=True" in message and "--build" in message and "not in the workspace registry" in message
    assert "environment-build" not in [c.route for c in replay.calls]  # nothing built without being asked


def test_a_built_environment_has_no_failed_build(workspace_v2) -> None:
    panel = amlnbtools.build_logs(("score-env", "1"), workspace_v2)
    panel.wait()
    assert panel.error is not None and "is built (azureml/azureml_" in panel.error.message


def test_building_it_shows_the_log_of_the_failed_build_read_through_the_datastore(workspace_v2, replay) -> None:
    panel = amlnbtools.build_logs("train-env:3", workspace_v2, build=True)
    assert panel.wait(60).status == "finished", panel.error
    assert "datastore" in panel.found.how and "Failed" in panel.found.how
    primary = panel.findings.primary()
    assert primary.rule == "dependency-error" and "numpy=1.16.0" in primary.remedy
    assert panel.log_view.highlighted == primary.line
    routes = [c.route for c in replay.calls]
    assert routes.count("environment-build") == 1 and "environment-register" in routes
    assert "image-log-blob" in routes and "v2-datastore-secrets" in routes
    assert replay._server.storage.key not in repr(panel.widget.get_state())


def test_an_unknown_environment_names_the_fix(workspace_v2) -> None:
    panel = amlnbtools.build_logs("azureml:no-such-env:9", workspace_v2)
    panel.wait()
    assert panel.error is not None and panel.error.kind == "not-found"
    assert "No environment no-such-env:9" in panel.error.message


def test_a_build_that_does_not_end_stops_waiting_with_a_message(replay) -> None:
    waits: list[float] = []
    ref = environment_ref("train-env:3")
    replay._server.environments.builds["train-env/3"]["run_s"] = 3600.0
    with pytest.raises(SourceError) as caught:
        environment_build(replay.workspace, ref, build=True, poll_s=5.0, timeout_s=12.0, sleep=waits.append)
    assert caught.value.kind == "timeout" and "still Running" in str(caught.value)
    assert waits[:3] == [1.0, 2.0, 4.0] and all(w == 5.0 for w in waits[3:])


def test_a_refused_build_request_is_explained(replay) -> None:
    replay.inject("environment-build", "403")
    with pytest.raises(SourceError) as caught:
        environment_build(replay.workspace, environment_ref("train-env:3"), build=True)
    assert caught.value.kind in ("forbidden", "auth-failed")

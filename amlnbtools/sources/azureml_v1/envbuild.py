"""The image build log of a registered environment (name and version), through azureml-core.

Nothing in SDK v2 tells whether an environment's image is built or where its last build log is
(REFERENCE-BEFORE-RUN §1); azureml-core's environment service does:

- ``Environment.get(ws, name, version)`` → the definition (404: no such environment);
- ``env.get_image_details(ws)`` → ``imageExistsInRegistry`` and the image name: a built image has no failed build
  to read;
- only when asked (``build=True``), ``env.build(ws)`` starts a build on the workspace's image build compute, its
  status is read after 1, 2 and 4 s, then every ``poll_s`` seconds until it ends, and ``logUrl`` of the build
  operation names the log — a blob of the workspace storage, read with the user's sign-in like every build log
  (:func:`amlnbtools.sources.azureml_v2.buildlog.read_build_log`).

Every call is bounded like the rest of the v1 sources; every failure is a ``SourceError`` naming the fix.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from amlnbtools.core.checks.build import BuildLogLink, find_build_log
from amlnbtools.i18n import _
from amlnbtools.sources._limits import Limits
from amlnbtools.sources.azureml_v1._pipeline_bounds import bounded_call
from amlnbtools.sources.errors import SourceError, classify

__all__ = ["BUILDING", "EnvironmentRef", "environment_build", "environment_ref"]

#: Build states azureml-core waits through (``ImageBuildDetails.wait_for_completion``).
BUILDING = ("Running", "GettingOrProvisioningACR", "Queued", "NotStarted")
_REF = re.compile(r"^(?:azureml:)?(?P<name>[A-Za-z0-9][A-Za-z0-9._-]{0,254}):(?P<version>[A-Za-z0-9._-]+)$")


class EnvironmentRef(tuple[str, str]):
    """``(name, version)`` of a registered environment."""

    @property
    def label(self) -> str:
        return f"{self[0]}:{self[1]}"


def environment_ref(target: Any) -> EnvironmentRef | None:
    """``target`` as an environment reference, or None when it is not one.

    Accepted: ``"azureml:name:version"``, ``"name:version"``, a ``(name, version)`` pair, an azureml-core
    ``Environment`` or an azure-ai-ml ``Environment`` with a version.
    """
    if isinstance(target, str):
        found = _REF.match(target.strip())
        return EnvironmentRef((found["name"], found["version"])) if found else None
    if isinstance(target, tuple) and len(target) == 2 and all(isinstance(t, (str, int)) for t in target):
        return EnvironmentRef((str(target[0]), str(target[1])))
    if type(target).__name__ == "Environment":
        name, version = getattr(target, "name", None), getattr(target, "version", None)
        if isinstance(name, str) and version is not None:
            return EnvironmentRef((name, str(version)))
    return None


def _image_state(workspace: Any, ref: EnvironmentRef) -> tuple[Any, dict[str, Any]]:
    from azureml.core import Environment

    try:
        env = Environment.get(workspace, ref[0], ref[1])
    except Exception as exc:
        if "Code: 404" in str(exc):
            raise SourceError("not-found", _(
                "No environment {env} in this workspace: check its name and version (Azure ML studio, Environments; "
                "or Environment.list(ws)).").format(env=ref.label), status=404) from None
        raise
    return env, dict(env.get_image_details(workspace) or {})


def environment_build(workspace: Any, ref: EnvironmentRef, *, build: bool = False, poll_s: float = 5.0,
                      timeout_s: float = 5400.0, limits: Limits = Limits(),
                      sleep: Callable[[float], None] = time.sleep) -> tuple[BuildLogLink, str]:
    """The build log link of ``ref`` and the build's final status; raises ``SourceError`` when there is none.

    Without ``build`` only the image is looked at (two requests). With it, a build is started and waited for up to
    ``timeout_s`` (the ACR build's own limit is 5,400 s).
    """
    what = _("environment {env}").format(env=ref.label)
    try:
        env, details = bounded_call(lambda: _image_state(workspace, ref), limits)
    except SourceError:
        raise
    except Exception as exc:
        raise classify(exc, what, timeout_s=limits.budget_s) from None
    image = (details.get("dockerImage") or {}).get("name") or "?"
    if not build:
        if details.get("imageExistsInRegistry"):
            raise SourceError("not-found", _(
                "The image of {env} is built ({image}) and cached in the workspace registry: there is no failed build "
                "to read. A job or deployment that fails in Preparing with it has a build log of its own: open "
                "build_logs() on that job or deployment.").format(env=ref.label, image=image))
        raise SourceError("not-found", _(
            "The image of {env} is not in the workspace registry: it was never built, or its last build failed. "
            "Build it now to read the log: build_logs(..., build=True), or amlnbtools build-log azureml:{env} "
            "--build (minutes on the workspace's image build compute, billed like any build).").format(env=ref.label))
    try:
        started = bounded_call(lambda: env.build(workspace), limits)
    except Exception as exc:
        raise classify(exc, _("the image build of {env}").format(env=ref.label), timeout_s=limits.budget_s) from None

    def operation() -> dict[str, Any]:
        return dict(started.environment_client._get_lro_response(started._location) or {})

    waited, polls = 0.0, 0
    while True:
        try:
            state = bounded_call(operation, limits)
        except Exception as exc:
            raise classify(exc, _("the image build of {env}").format(env=ref.label),
                           timeout_s=limits.budget_s) from None
        status = str(state.get("status") or "")
        if status not in BUILDING:
            break
        pause = min(poll_s, 2.0 ** min(polls, 16))  # 1, 2, 4 s, then every poll_s: a quick build is seen quickly
        polls += 1
        if waited + pause > timeout_s:
            raise SourceError("timeout", _(
                "The image build of {env} is still {status} after {seconds:.0f} s: open the environment in Azure ML "
                "studio (Build log) to follow it.").format(
                env=ref.label, status=status, seconds=timeout_s))
        sleep(pause)
        waited += pause
    url = state.get("logUrl")
    link = find_build_log(url) if isinstance(url, str) else None
    if link is None:
        if isinstance(url, str) and url.startswith("https://"):
            link = BuildLogLink(url=url)
        else:
            raise SourceError("not-found", _(
                "The image build of {env} ended ({status}) without naming its log: open the environment in Azure ML "
                "studio (Build log).").format(env=ref.label, status=status or "?"))
    return link, status

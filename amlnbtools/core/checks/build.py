"""Where an image build's log is, read from the text of an error, a job's log or a deployment's operation.

Azure ML names the build log in several ways (REFERENCE-BEFORE-RUN §1): a storage account, container and path
(v2 online deployments), the workspace blob store and a path (older v2 messages), a URL (registry environments, v1
``operationLog`` links), a build run id ``imgbldrun_…`` (serverless image builds of jobs), or a log file of the run
itself (``20_image_build_log*``, ``60_control_log*``). Pure functions: nothing is read here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["BuildLogLink", "build_log_files", "find_build_log"]


@dataclass(frozen=True)
class BuildLogLink:
    """Where a build log is: a blob (account, container, path; ``url`` when the text gave one), a datastore and a
    path, or a build run. Unknown parts are None."""

    account: str | None = None
    container: str | None = None
    path: str | None = None
    url: str | None = None
    datastore: str | None = None
    run_id: str | None = None

    @property
    def where(self) -> str:
        """A short description for people (no SAS token)."""
        if self.run_id:
            return f"image build run {self.run_id}"
        if self.account and self.container and self.path:
            return f"{self.account}/{self.container}/{self.path}"
        if self.datastore and self.path:
            return f"datastore {self.datastore}: {self.path}"
        return (self.url or "").split("?", 1)[0]


_ACCOUNT_CONTAINER_PATH = re.compile(
    r"storage account '(?P<account>[a-z0-9]{3,24})' in the container '(?P<container>[^']+)' at the path "
    r"'(?P<path>[^']+)'")
_STORE_PATH = re.compile(r'(?:workspace )?blob ?store "(?P<store>[^"]+)" under the path "/?(?P<path>[^"]+)"')
_BLOB_URL = re.compile(r"(?P<url>https://(?P<account>[a-z0-9]{3,24})\.blob\.core\.windows\.net/(?P<container>[^/\s'\"]+)"
                       r"/(?P<path>[^\s?'\"]+)(?:\?[^\s'\"]*)?)")
_BUILD_RUN = re.compile(r"\b(?P<run>imgbldrun_[0-9a-f]{5,})\b")
_BUILD_WORDS = re.compile(r"(?i)(?:build ?log|image ?log|rawtext\.log|operationLog|More information can be found here)")
_BUILD_FILES = re.compile(r"(?i)(?:^|/)(?:20_image_build_log[^/]*|60_control_log[^/]*|image_build[^/]*\.log|"
                          r"build\.log|rawtext\.log)$")


def find_build_log(text: str) -> BuildLogLink | None:
    """The build log an error or log text names, or None. The first clear naming wins, in the order of the
    module docstring."""
    if not text:
        return None
    found = _ACCOUNT_CONTAINER_PATH.search(text)
    if found:
        return BuildLogLink(account=found["account"], container=found["container"], path=found["path"].lstrip("/"))
    found = _STORE_PATH.search(text)
    if found:
        return BuildLogLink(datastore=found["store"], path=found["path"])
    for found in _BLOB_URL.finditer(text):
        before = text[max(0, found.start() - 80):found.start()]
        if _BUILD_WORDS.search(before) or _BUILD_FILES.search(found["path"]) or "ImageLogs/" in found["path"]:
            return BuildLogLink(account=found["account"], container=found["container"], path=found["path"],
                                url=found["url"])
    found = _BUILD_RUN.search(text)
    if found:
        return BuildLogLink(run_id=found["run"])
    return None


def build_log_files(names: Iterable[str]) -> list[str]:
    """The log files of a run that are image build logs (``20_image_build_log*``, ``60_control_log*`` …)."""
    return [n for n in names if _BUILD_FILES.search(n.replace("\\", "/"))]

"""Diagnostic bundles as a deployment source: reopen what someone exported, offline."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

from amlnbtools.core.logs import split_lines
from amlnbtools.core.services import AutoscaleSettings, ServiceDetails, ServiceSummary, WorkspaceInfo
from amlnbtools.i18n import _
from amlnbtools.sources.errors import SourceError

__all__ = ["BundleSource"]


def _read(path: Path) -> tuple[ServiceDetails, str, str | None]:
    try:
        with zipfile.ZipFile(path) as bundle:
            state = json.loads(bundle.read("state.json"))
            error = bundle.read("error.json").decode("utf-8")
            logs = bundle.read("logs.txt").decode("utf-8", "replace")
            init = bundle.read("init_logs.txt").decode("utf-8", "replace") if "init_logs.txt" in bundle.namelist() \
                else None
        autoscale = AutoscaleSettings(**state["autoscale"]) if state.get("autoscale") else None
        details = ServiceDetails(
            summary=ServiceSummary(**state["summary"]),
            error_json=None if error.strip() == "null" else error,
            autoscale=autoscale,
            **{k: state.get(k) for k in ("namespace", "compute_name", "num_replicas", "scoring_timeout_ms",
                                         "max_request_wait_time_ms", "max_concurrent_requests")},
            resources=state.get("resources") or {},
        )
    except FileNotFoundError:
        raise SourceError("not-found", _("{path}: no such bundle; check the path").format(path=path)) from None
    except (OSError, zipfile.BadZipFile, KeyError, TypeError, ValueError) as exc:
        raise SourceError("bad-response", _("{path} is not a diagnostic bundle written by amlnbtools ({detail})")
                          .format(path=path, detail=exc)) from None
    return details, logs, init


class BundleSource:
    """Services from diagnostic bundles (zip files written by the deployment log panel's export)."""

    def __init__(self, *paths: str | os.PathLike[str]) -> None:
        self._bundles = {}
        for p in paths:
            details, logs, init = _read(Path(p))
            self._bundles[details.name] = (details, logs, init)
        names = ", ".join(Path(p).name for p in paths)
        self._info = WorkspaceInfo(name=_("diagnostic bundles"), subscription_id="-", resource_group="-",
                                   location=None, config_source=names, auth_method=_("none needed (offline)"))

    @property
    def info(self) -> WorkspaceInfo:
        return self._info

    def list_services(self) -> list[ServiceSummary]:
        return sorted((d.summary for d, _l, _i in self._bundles.values()), key=lambda s: s.name)

    def service_details(self, name: str) -> ServiceDetails:
        return self._get(name)[0]

    def service_logs(self, name: str, *, num_lines: int = 5000, init: bool = False) -> str:
        _details, logs, init_logs = self._get(name)
        text = (init_logs or "") if init else logs
        lines = split_lines(text)
        return "\n".join(lines[-num_lines:]) + ("\n" if lines else "")

    def _get(self, name: str) -> tuple[ServiceDetails, str, str | None]:
        if name not in self._bundles:
            raise SourceError("not-found", _("Not found: {what}. It may have been deleted or renamed: refresh, and "
                                             "check the name.").format(what=_("service {name}").format(name=name)))
        return self._bundles[name]

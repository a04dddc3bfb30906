"""The quota pre-flight of a v2 deployment or a compute cluster, from the service's usage and size lists.

Two requests: ``ml_client.compute.list_sizes(location=…)`` and ``ml_client.compute.list_usage(location=…)`` (a third,
the workspace, only when its region is not known). azure-ai-ml 1.35 keeps the values of both under their wire names
(``vCPUs``, ``currentValue``) and leaves the documented attributes ``None`` (REFERENCE-BEFORE-RUN §3): both
spellings are read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from amlnbtools.core.checks.quota import QuotaReport, quota_report
from amlnbtools.i18n import _
from amlnbtools.sources.errors import SourceError

__all__ = ["check_quota", "target_of"]

_WIRE = {"v_cp_us": "vCPUs", "current_value": "currentValue", "memory_gb": "memoryGB"}


def _plain(item: Any) -> dict[str, Any]:
    """An SDK Usage / VmSize as a dict of wire names, whichever spelling the SDK filled."""
    if isinstance(item, dict):
        return dict(item)
    data = {k: v for k, v in vars(item).items() if not k.startswith("_")}
    for snake, wire in _WIRE.items():
        if data.get(wire) is None and data.get(snake) is not None:
            data[wire] = data[snake]
    if "name" in data and not isinstance(data["name"], (dict, str)) and data["name"] is not None:
        name = data["name"]
        data["name"] = {"value": getattr(name, "value", None), "localizedValue": getattr(name, "localized_value", None)}
    return data


def target_of(target: Any, v2: Any) -> tuple[str, str, int]:
    """``(kind, instance type, count)`` of a deployment (object, YAML path, ``endpoint/deployment``) or a cluster."""
    if isinstance(target, (str, Path)) and Path(str(target)).suffix.lower() in (".yml", ".yaml"):
        import yaml

        data = yaml.safe_load(Path(target).read_text(encoding="utf-8")) or {}
        if "instance_type" in data:
            return "online", str(data["instance_type"]), int(data.get("instance_count", 1))
        if "size" in data:
            return "cluster", str(data["size"]), int(data.get("max_instances", 1))
        raise SourceError("bad-input", _("{path} has neither instance_type (a deployment) nor size (a cluster).")
                          .format(path=target))
    if isinstance(target, str) and "/" in target:
        endpoint, name = v2.split(target)
        target = v2.call(_("deployment {name}").format(name=target),
                         lambda: v2.ml_client.online_deployments.get(name, endpoint))
    kind_name = type(target).__name__
    if kind_name.endswith("OnlineDeployment"):
        return "online", str(target.instance_type), int(target.instance_count or 1)
    if kind_name == "AmlCompute":
        return "cluster", str(target.size), int(target.max_instances or 1)
    raise TypeError(_("Expected a v2 online deployment (object, YAML file or endpoint/deployment), a compute cluster "
                      "(AmlCompute or YAML), or instance_type= and count=, not {kind}").format(kind=kind_name))


def check_quota(v2: Any, target: Any = None, *, instance_type: str | None = None, count: int | None = None,
                kind: str = "cluster", location: str | None = None, current: int = 0) -> QuotaReport:
    """Quota needed and left for ``target`` (or ``instance_type`` × ``count`` of ``kind``) in the workspace's region;
    ``current`` instances already exist (an update: only the difference is needed)."""
    if target is not None:
        kind, instance_type, count = target_of(target, v2)
    if not instance_type or not count:
        raise ValueError(_("Give a deployment or cluster, or instance_type= and count="))
    requests = 0
    location = location or v2.info.location
    if not location:
        workspace = v2.call(_("the workspace"), lambda: v2.ml_client.workspaces.get(v2.info.name))
        location, requests = str(workspace.location), 1
    client = v2.ml_client
    sizes = v2.call(_("the VM sizes of {location}").format(location=location),
                    lambda: [_plain(s) for s in client.compute.list_sizes(location=location)])
    try:
        usages = v2.call(_("the quota of {location}").format(location=location),
                         lambda: [_plain(u) for u in client.compute.list_usage(location=location)])
    except SourceError as error:
        if error.kind not in ("forbidden", "auth-failed"):
            raise
        usages = []  # the report says the quota is unknown, and why
        report = quota_report(kind, instance_type, int(count), location, sizes, usages, requests + 2, current)
        return QuotaReport(**{**report.__dict__, "advice": (_(
            "You may not read the quota of this subscription (HTTP 403): ask for the Reader role on the "
            "subscription, or check Quotas in the Azure portal."),)})
    return quota_report(kind, instance_type, int(count), location, sizes, usages, requests + 2, current)

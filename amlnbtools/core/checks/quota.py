"""vCPU quota before a deployment or a cluster is created: what it needs, what the region has left, what to do.

A cluster (or a job on it) needs ``nodes × vCPUs`` of its VM size from the size's family row; a managed online
deployment needs ``ceil(1.2 × instance_count) × vCPUs``: Azure ML reserves 20 % more for upgrades and recovery,
except for a few large GPU sizes (docs ``how-to-manage-quotas``, ``reference-managed-online-endpoints-vm-sku-list``;
``Standard_F4s_v2 × 1`` → 8 matches the service's own "Additional needed: 8"). Pure values; the usage rows and sizes
come from the service (``sources.azureml_v2.quota``).
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from amlnbtools.i18n import _

__all__ = ["QuotaReport", "UsageRow", "needed_vcpus", "quota_report", "reserves_extra"]

# sizes that skip the 20 % reservation of managed online deployments ("Skip 20% Reservation")
_NO_RESERVE = re.compile(r"(?i)^standard_(?:nc\d+ads_a100_v4|nc\d+ads_h100_v5|nd96amsr_a100_v4|nd96asr_v4|nd40rs_v2|"
                         r"nd96isr?_h100_v5)$")


def reserves_extra(instance_type: str) -> bool:
    """Whether a managed online deployment of this size reserves 20 % more quota than its instances use."""
    return not _NO_RESERVE.match(instance_type.strip())


def needed_vcpus(kind: str, vcpus: int, count: int, instance_type: str = "") -> int:
    """vCPUs of quota needed: ``kind`` is ``"online"`` (a managed online deployment) or ``"cluster"``."""
    if count < 1 or vcpus < 1:
        raise ValueError(f"count and vcpus must be at least 1, not {count} and {vcpus}")
    if kind == "online" and reserves_extra(instance_type):
        return math.ceil(1.2 * count) * vcpus
    return count * vcpus


@dataclass(frozen=True)
class UsageRow:
    """One quota row of the region: used and limit (a limit of -1 means no limit)."""

    name: str
    label: str
    used: int
    limit: int

    @property
    def left(self) -> int | None:
        return None if self.limit < 0 else max(0, self.limit - self.used)


@dataclass(frozen=True)
class QuotaReport:
    """What a deployment or cluster needs against what the region has left."""

    kind: str  # "online" | "cluster"
    instance_type: str
    count: int
    location: str
    vcpus_per_instance: int | None
    family: str | None
    needed: int | None
    family_row: UsageRow | None
    regional_row: UsageRow | None
    advice: tuple[str, ...] = field(default_factory=tuple)
    requests: int = 0
    current: int = 0  # instances the deployment (or cluster) already holds: ``needed`` is what comes on top

    @property
    def enough(self) -> bool | None:
        """True when every row the need counts against has room; None when it cannot be told."""
        if self.needed is None or self.family_row is None:
            return None
        rows = [r for r in (self.family_row, self.regional_row) if r is not None]
        return all(r.left is None or r.left >= self.needed for r in rows)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["enough"] = self.enough
        return data

    def summary(self) -> str:
        """One line for people."""
        if self.needed is None:
            return _("{size} is not offered in {location}: choose a size from ml_client.compute.list_sizes().").format(
                size=self.instance_type, location=self.location)
        row = self.family_row
        have = _("unknown") if row is None else (_("no limit") if row.limit < 0 else f"{row.used}/{row.limit}")
        verdict = {True: _("enough quota"), False: _("not enough quota"), None: _("quota unknown")}[self.enough]
        text = _("{count} × {size} needs {needed} vCPUs of {family} in {location} (used/limit {have}): {verdict}.")
        if self.current:
            text = _("{count} × {size} (now {current}) needs {needed} more vCPUs of {family} in {location} (used/limit "
                     "{have}): {verdict}.")
        return text.format(current=self.current,
            count=self.count, size=self.instance_type, needed=self.needed, family=self.family or "?",
            location=self.location, have=have, verdict=verdict)

    def _repr_html_(self) -> str:
        import html

        items = "".join(f"<li>{html.escape(a)}</li>" for a in self.advice)
        return f"<div><b>{html.escape(self.summary())}</b>{'<ul>' + items + '</ul>' if items else ''}</div>"


def _advice(kind: str, instance_type: str, needed: int, family: str, rows: list[UsageRow | None],
            cheaper: list[tuple[str, int, str, int | None]]) -> tuple[str, ...]:
    short = [r for r in rows if r is not None and r.left is not None and r.left < needed]
    if not short:
        return ()
    out = [_("{label}: {left} vCPUs left, {needed} needed. Ask for more: Azure portal, Quotas, Machine Learning, "
             "{family} in this region (a quota request is free and often granted within hours).").format(
                label=r.label, left=r.left, needed=needed, family=family) for r in short]
    for size, vcpus, other_family, left in cheaper[:3]:
        out.append(_("Or use {size} ({vcpus} vCPUs, family {family}, {left} vCPUs left).").format(
            size=size, vcpus=vcpus, family=other_family, left="∞" if left is None else left))
    if kind == "online":
        out.append(_("Managed online deployments reserve 20 % more than their instances use (for upgrades): "
                     "fewer instances need less quota."))
    out.append(_("Or deploy in another region where the family has quota."))
    return tuple(out)


def quota_report(kind: str, instance_type: str, count: int, location: str, sizes: list[dict[str, Any]],
                 usages: list[dict[str, Any]], requests: int = 0, current: int = 0) -> QuotaReport:
    """The report from the region's sizes and usage rows (each a dict with the wire names).

    ``current``: instances that exist already (an update): their quota is in use, so only the difference is needed.
    """
    if kind not in ("online", "cluster"):
        raise ValueError(f"kind must be 'online' or 'cluster', not {kind!r}")
    by_name = {str(s.get("name", "")).lower(): s for s in sizes}
    size = by_name.get(instance_type.strip().lower())
    rows = {str((u.get("name") or {}).get("value", "")).lower(): u for u in usages}

    def row(key: str) -> UsageRow | None:
        raw = rows.get(key.lower())
        if raw is None:
            return None
        name = raw.get("name") or {}
        limit = raw.get("limit")
        return UsageRow(name=str(name.get("value", key)), label=str(name.get("localizedValue") or key),
                        used=int(raw.get("currentValue") or 0), limit=-1 if limit is None else int(limit))

    if size is None:
        return QuotaReport(kind, instance_type, count, location, None, None, None, None, None, requests=requests)
    vcpus, family = int(size.get("vCPUs") or 0), str(size.get("family") or "")
    needed = needed_vcpus(kind, vcpus, count, instance_type)
    if current:
        needed = max(0, needed - needed_vcpus(kind, vcpus, current, instance_type))
    family_row, regional_row = row(family), row("TotalDedicatedCores")
    cheaper = []
    for other in sizes:
        other_family = str(other.get("family") or "")
        other_row = row(other_family)
        other_vcpus = int(other.get("vCPUs") or 0)
        same_gpus = other.get("gpus", 0) == size.get("gpus", 0)
        if other_family == family or other_row is None or other_vcpus < 1 or not same_gpus:
            continue
        if other_row.left is None or other_row.left >= needed_vcpus(kind, other_vcpus, count, str(other["name"])):
            cheaper.append((str(other["name"]), other_vcpus, other_family, other_row.left))
    advice = _advice(kind, instance_type, needed, family, [family_row, regional_row],
                     sorted(cheaper, key=lambda c: c[1]))
    return QuotaReport(kind, instance_type, count, location, vcpus, family, needed, family_row, regional_row, advice,
                       requests, current)

"""More of the sample workspace: copies of its services, endpoints and jobs, for benchmarks of whole-workspace scans.

Copies share their logs with the item they copy (no extra memory per copy for the logs); each gets its own name and
ids. A copied job keeps its steps (their run ids derived from the copy's name), its status and its dates.
"""

from __future__ import annotations

import copy
import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from amlnbtools.sources.replay._data import Payloads

__all__ = ["clone_jobs", "clone_services"]


def clone_services(data: Payloads, name: str, copies: int) -> list[str]:
    """``copies`` web services like ``name`` (``{name}-000`` …) with its logs, scoring answer and keys."""
    source = data.services.get(name)
    if source is None:
        raise ValueError(f"no service {name!r} in the replay workspace: {', '.join(data.services)}")
    made = []
    for i in range(copies):
        clone = f"{name}-{i:03d}"
        service = copy.deepcopy(source)
        service.update(id=clone, name=clone)
        if service.get("scoringUri"):
            service["scoringUri"] = service["scoringUri"].replace(f"/service/{name}/", f"/service/{clone}/")
        data.services[clone] = service
        for init in (False, True):
            if (name, init) in data.logs:
                data.logs[(clone, init)] = data.logs[(name, init)]
        if name in data.scoring:
            data.scoring[clone] = data.scoring[name]
        made.append(clone)
    return made


def _descendants(runs: dict[str, Any], root: str) -> list[str]:
    found, level = [], [root]
    while level:
        level = [rid for rid, run in runs.items() if run.get("parentRunId") in set(level)]
        found += level
    return found


def clone_jobs(data: Payloads, name: str, copies: int) -> list[str]:
    """``copies`` jobs like the top-level job ``name`` (``{name}-0000`` …): its listing, its run and its steps."""
    job, run = data.jobs.get(name), data.runs.get(name)
    if job is None or run is None:
        raise ValueError(f"no job {name!r} in the replay workspace: {', '.join(data.jobs)}")
    steps = _descendants(data.runs, name)
    made = []
    for i in range(copies):
        clone = f"{name}-{i:04d}"
        ids = {name: clone, **{rid: str(uuid.uuid5(uuid.NAMESPACE_URL, f"{clone}/{rid}")) for rid in steps}}
        listing = copy.deepcopy(job)
        listing["id"] = job["id"].rsplit("/", 1)[0] + "/" + clone
        listing["name"] = clone
        data.jobs[clone] = listing
        for old, new in ids.items():
            record = copy.deepcopy(data.runs[old])
            record.update(runId=new, rootRunId=clone, dataContainerId=f"dcid.{new}",
                          runUuid=str(uuid.uuid5(uuid.NAMESPACE_URL, new)))
            if record.get("parentRunId"):
                record["parentRunId"] = ids.get(record["parentRunId"], record["parentRunId"])
            data.runs[new] = record
            if old in data.run_logs:
                data.run_logs[new] = data.run_logs[old]
        made.append(clone)
    return made

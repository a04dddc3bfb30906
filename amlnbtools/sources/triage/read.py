"""Reading one item of a triage: a failed service or deployment (its error and log), a failed job (its root cause), a
job that waits (why). Each is a few sequential requests; the scan runs many items at once."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from amlnbtools.core.diagnosis.findings import Finding
from amlnbtools.core.diagnosis.merge import root_first
from amlnbtools.core.diagnosis.scanner import diagnose
from amlnbtools.core.services import ServiceSummary
from amlnbtools.core.triage.model import TriageItem
from amlnbtools.i18n import _
from amlnbtools.sources.azureml_v2.joblist import JobRow
from amlnbtools.sources.errors import SourceError

__all__ = ["read_failed_job", "read_failed_service", "read_waiting_job", "service_kind"]


def service_kind(summary: ServiceSummary) -> str:
    return "online deployment" if summary.sdk == "v2" else "web service"


def _first_message(error_json: str | None) -> str | None:
    """The first ``message`` of an Azure ML error (JSON text), else its first line."""
    if not error_json:
        return None
    try:
        stack: list[Any] = [json.loads(error_json)]
    except ValueError:
        return error_json.strip().splitlines()[0][:300] if error_json.strip() else None
    while stack:
        node = stack.pop(0)
        if isinstance(node, dict):
            if isinstance(node.get("message"), str) and node["message"].strip():
                return node["message"].strip().splitlines()[0][:300]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return None


def _from_finding(base: dict[str, Any], finding: Finding | None, where: str | None) -> TriageItem:
    if finding is None:
        return TriageItem(**base)
    return TriageItem(**{**base, "rule": finding.rule, "title": finding.title, "fix": finding.remedy,
                         "evidence": finding.evidence, "where": where})


def read_failed_service(source: Any, summary: ServiceSummary, *, tail_lines: int = 1000) -> TriageItem:
    """A failed service or deployment: the cause its error and its log's last lines show, root cause first."""
    details = source.service_details(summary.name)
    base: dict[str, Any] = {"kind": service_kind(summary), "name": summary.name, "sdk": summary.sdk,
                            "state": details.state, "outcome": "failing",
                            "evidence": _first_message(details.error_json), "where": _("Azure ML error")}
    try:
        logs = source.service_logs(summary.name, num_lines=tail_lines)
    except SourceError as error:
        if error.kind in ("throttled", "cancelled", "token-expired", "auth-failed"):
            raise  # the whole item is tried again later, or cannot be read
        logs = ""  # a deployment that never started may have no log: its error still says why
    sdk = summary.sdk
    pairs = root_first([("error", diagnose(details.error_json, sdk=sdk) if details.error_json else ()),
                        ("logs", diagnose(logs, sdk=sdk) if logs else ())])
    if not pairs:
        return TriageItem(**base)
    origin, finding = pairs[0]
    where = _("Azure ML error") if origin == "error" else _("log, line {n}").format(n=finding.line)
    return _from_finding(base, finding, where)


def read_failed_job(v2: Any, row: JobRow) -> TriageItem:
    """A failed job: the first failing step's known error (or its last exception, or the service's error)."""
    from amlnbtools.sources.azureml_v2.jobs import AzureMLJobSource
    from amlnbtools.sources.pipeline.cause import find_root_cause

    base: dict[str, Any] = {"kind": "job", "name": row.name, "sdk": "v2", "state": row.status, "outcome": "failing",
                            "created": row.created, "display_name": row.display_name}
    with AzureMLJobSource(v2, row.name, max_workers=1) as source:
        summary = source.summary()
        cause = find_root_cause(summary, source.fetch_log)
        base["sdk"] = source.sdk
    if cause is None:
        return TriageItem(**base)
    finding = cause.finding
    if finding is None and cause.error:
        finding = diagnose(cause.error, sdk="v2").primary()
        where = _("{step}: Azure ML error").format(step=cause.step)
    else:
        where = (_("{step}: {file}, line {n}").format(step=cause.step, file=cause.file, n=cause.line)
                 if cause.file and cause.line else cause.step)
    if finding is None:
        return TriageItem(**{**base, "evidence": cause.exception or cause.error, "where": where})
    return _from_finding(base, finding, where)


def read_waiting_job(v2: Any, row: JobRow, *, location: str | None, now: datetime) -> TriageItem:
    """A job that has not started after the waiting threshold: the first reason the service's fields give."""
    from amlnbtools.sources.azureml_v2.jobs import AzureMLJobSource
    from amlnbtools.sources.azureml_v2.wait import JobWait

    wait = JobWait(v2, row.name, AzureMLJobSource(v2, row.name, max_workers=1), location=location)
    try:
        explanation = wait.explain()
    finally:
        wait.close()
    minutes = int((now - row.created).total_seconds() // 60) if row.created else None
    base: dict[str, Any] = {"kind": "job", "name": row.name, "sdk": "v2", "state": explanation.raw_status or row.status,
                            "outcome": "waiting", "created": row.created, "display_name": row.display_name,
                            "evidence": explanation.queue_message}
    if not explanation.causes:
        return TriageItem(**base)
    cause = explanation.causes[0]
    waited = _(" (waiting for {minutes} min)").format(minutes=minutes) if minutes is not None and minutes >= 0 else ""
    return TriageItem(**{**base, "rule": f"wait:{cause.code}", "title": cause.title, "fix": cause.fix,
                         "evidence": (cause.detail or explanation.queue_message or "") + waited})

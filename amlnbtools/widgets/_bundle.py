"""The diagnostic bundle: what a user attaches to a support request, with every secret redacted."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

from amlnbtools.core.diagnosis.findings import Finding
from amlnbtools.core.diagnosis.redact import redact
from amlnbtools.core.services import ServiceDetails

__all__ = ["write_bundle"]


def write_bundle(path: Path, details: ServiceDetails, logs: str, init_logs: str | None,
                 findings: Sequence[tuple[str, Finding]]) -> Path:
    """Write a zip with state.json, error.json, logs.txt, init_logs.txt and findings.json (all redacted)."""
    state = asdict(details)
    state.pop("error_json", None)
    state["exported_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("state.json", redact(json.dumps(state, indent=2, default=str)))
        bundle.writestr("error.json", redact(details.error_json or "null"))
        bundle.writestr("logs.txt", redact(logs))
        if init_logs is not None:
            bundle.writestr("init_logs.txt", redact(init_logs))
        rows = [{"origin": origin, **f.to_dict()} for origin, f in findings]
        bundle.writestr("findings.json", redact(json.dumps(rows, indent=2, ensure_ascii=False)))
    return path

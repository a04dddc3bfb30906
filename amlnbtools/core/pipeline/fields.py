"""Reading the fields Azure ML records about a pipeline step: times, error message, kind of step.

Pure functions over the plain values run history and the pipelines service return (strings and
dicts), shared by the sources that build :class:`~amlnbtools.core.pipeline.StepSummary` values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timezone

__all__ = ["error_message", "parse_utc", "step_kind"]

_ISO = re.compile(r"^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:[.,](\d+))?\s*(Z|[+-]\d\d:?\d\d)?$", re.IGNORECASE)
# the step types azureml-pipeline-core records in the run property "StepType" (the step's class name)
_KINDS = {"ParallelRunStep": "parallel-run", "PythonScriptStep": "python-script", "ModuleStep": "module",
          "HyperDriveStep": "hyperdrive", "AutoMLStep": "automl", "CommandStep": "command",
          "DataTransferStep": "data-transfer", "DatabricksStep": "databricks", "EstimatorStep": "estimator",
          "MpiStep": "mpi", "AdlaStep": "adla", "AzureBatchStep": "azure-batch", "KustoStep": "kusto",
          "SynapseSparkStep": "synapse-spark", "HDInsightStep": "hdinsight"}
_PARALLEL_RUN_LOG = re.compile(r"(?:^|/)logs/(?:job_result\.txt|sys/master[^/]*\.txt|overview\.txt|"
                               r"job_progress_overview[^/]*\.txt)$", re.IGNORECASE)


def parse_utc(value: object) -> datetime | None:
    """A timezone-aware datetime from what Azure ML returns for a time; None for anything else.

    Accepts ``datetime`` objects (naive ones are taken as UTC) and ISO 8601 text with ``Z`` or an
    offset and any number of fraction digits (``2026-05-06T10:03:40.11832Z``, ``…0000000Z``).
    """
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if not isinstance(value, str):
        return None
    m = _ISO.match(value.strip())
    if m is None:
        return None
    day, clock, fraction, zone = m.groups()
    micro = (fraction or "0")[:6].ljust(6, "0")
    if zone is None or zone.upper() == "Z":
        zone = "+00:00"
    elif ":" not in zone:
        zone = zone[:3] + ":" + zone[3:]
    try:
        return datetime.fromisoformat(f"{day}T{clock}.{micro}{zone}")
    except ValueError:
        return None


def error_message(error: object) -> str | None:
    """The message of an error payload: ``{"error": {"message": …}}`` (run history), ``{"message": …}``,
    or plain text; None when there is none."""
    for _depth in range(4):
        if isinstance(error, dict):
            message = error.get("message")
            if isinstance(message, str) and message.strip():
                return message.strip()
            error = error.get("error")
        else:
            break
    if isinstance(error, str) and error.strip():
        return error.strip()
    return None


def step_kind(step_type: object, log_names: Iterable[str] = ()) -> str:
    """What kind of step: ``"parallel-run"``, ``"python-script"``, … from the recorded ``StepType``.

    Without a step type, ParallelRunStep's own log files (``logs/job_result.txt``,
    ``logs/sys/master*.txt``, …) still tell a parallel run step; otherwise ``""``.
    """
    if isinstance(step_type, str) and step_type.strip():
        name = step_type.strip()
        if name in _KINDS:
            return _KINDS[name]
        words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", re.sub(r"Step$", "", name))
        return "-".join(w.lower() for w in words) or name.lower()
    if any(_PARALLEL_RUN_LOG.search(n.replace("\\", "/")) for n in log_names):
        return "parallel-run"
    return ""

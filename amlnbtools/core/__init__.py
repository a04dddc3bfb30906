"""Pure values and functions: nothing here talks to Azure, widgets, files or clocks.

Families, one sub-package each: :mod:`~amlnbtools.core.diagnosis` (catalogue, engine, findings,
redaction), :mod:`~amlnbtools.core.logs` (lines, levels, stores), :mod:`~amlnbtools.core.capacity`
(replicas, autoscaler, load, latency), :mod:`~amlnbtools.core.pipeline` (run model, root cause,
lint) and :mod:`~amlnbtools.core.parallel_run` (ParallelRunStep); :mod:`~amlnbtools.core.services`
holds the values of workspaces and web services. The diagnosis names are exported here too.
"""

from amlnbtools.core.diagnosis import (
    SEVERITIES,
    Catalogue,
    CatalogueError,
    Finding,
    Findings,
    Rule,
    Scanner,
    default_catalogue,
    diagnose,
    diagnose_stream,
)

__all__ = [
    "SEVERITIES",
    "Catalogue",
    "CatalogueError",
    "Finding",
    "Findings",
    "Rule",
    "Scanner",
    "default_catalogue",
    "diagnose",
    "diagnose_stream",
]

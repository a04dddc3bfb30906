"""Pure values and functions: diagnosis, the rule catalogue, findings.

Nothing here talks to Azure, widgets, files or clocks.
"""

from amlnbtools.core.catalogue import Catalogue, CatalogueError, Rule, default_catalogue
from amlnbtools.core.findings import SEVERITIES, Finding, Findings
from amlnbtools.core.scanner import Scanner, diagnose, diagnose_stream

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

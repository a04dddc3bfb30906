"""Diagnosis: the rule catalogue (data), the scanning engine, findings, and redaction of secrets."""

from amlnbtools.core.diagnosis.catalogue import Catalogue, CatalogueError, Rule, default_catalogue
from amlnbtools.core.diagnosis.findings import SEVERITIES, Finding, Findings, Severity
from amlnbtools.core.diagnosis.redact import MASK, redact, redact_lines
from amlnbtools.core.diagnosis.scanner import Scanner, diagnose, diagnose_stream

__all__ = ["MASK", "SEVERITIES", "Catalogue", "CatalogueError", "Finding", "Findings", "Rule", "Scanner", "Severity",
           "default_catalogue", "diagnose", "diagnose_stream", "redact", "redact_lines"]

"""A whole workspace at once: every service, online deployment and recent job, what is failing, grouped by cause.

Pure values and functions: :mod:`.model` (items, groups, the window), :mod:`.report` (Markdown / HTML, redacted).
``sources.triage`` reads the workspace.
"""

from amlnbtools.core.triage.model import (
    KINDS,
    OUTCOMES,
    TriageGroup,
    TriageItem,
    TriageResult,
    group_items,
    kind_label,
    parse_duration,
)
from amlnbtools.core.triage.report import report_html, report_markdown

__all__ = ["KINDS", "OUTCOMES", "TriageGroup", "TriageItem", "TriageResult", "group_items", "kind_label",
           "parse_duration", "report_html", "report_markdown"]

"""Checks made before anything is submitted: spec problems with their field path and fix (pure values)."""

from amlnbtools.core.checks.build import BuildLogLink, build_log_files, find_build_log
from amlnbtools.core.checks.spec import SpecProblem, SpecReport, problems_from_schema_errors, problems_from_text

__all__ = ["BuildLogLink", "SpecProblem", "SpecReport", "build_log_files", "find_build_log",
           "problems_from_schema_errors", "problems_from_text"]

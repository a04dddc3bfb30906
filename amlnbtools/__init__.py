"""amlnbtools: notebook panels that take Azure Machine Learning users from "it failed" to the fix.

The public names are loaded on first use, so ``import amlnbtools`` stays light: it never imports
azureml, pandas, plotly or ipywidgets. :data:`PUBLIC` is the one table of them: ``__all__`` and the
loader are made from it, and a test checks the ``TYPE_CHECKING`` imports below against it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from amlnbtools.i18n import LANGUAGES as LANGUAGES
from amlnbtools.i18n import get_language as get_language
from amlnbtools.i18n import set_language as set_language

if TYPE_CHECKING:  # for type checkers and editors; kept equal to PUBLIC by tests/test_public_api.py
    from amlnbtools.core.capacity.replicas import required_replicas as required_replicas
    from amlnbtools.core.diagnosis.findings import Finding as Finding
    from amlnbtools.core.diagnosis.findings import Findings as Findings
    from amlnbtools.core.diagnosis.scanner import Scanner as Scanner
    from amlnbtools.core.diagnosis.scanner import diagnose as diagnose
    from amlnbtools.core.diagnosis.scanner import diagnose_stream as diagnose_stream
    from amlnbtools.core.parallel_run.config import check_parallel_run_config as check_parallel_run_config
    from amlnbtools.sources.azureml_v1.lint import lint_pipeline as lint_pipeline
    from amlnbtools.sources.azureml_v2.spec import check_spec as check_spec
    from amlnbtools.sources.files.export import export_pipeline_logs as export_pipeline_logs
    from amlnbtools.sources.files.logfiles import diagnose_path as diagnose_path
    from amlnbtools.widgets import connect as connect
    from amlnbtools.widgets import debug_locally as debug_locally
    from amlnbtools.widgets import deployment_logs as deployment_logs
    from amlnbtools.widgets import parallel_run_config_panel as parallel_run_config_panel
    from amlnbtools.widgets import pipeline_logs as pipeline_logs
    from amlnbtools.widgets import replica_calculator as replica_calculator
    from amlnbtools.widgets.before_run import build_logs as build_logs
    from amlnbtools.widgets.before_run import check_quota as check_quota
    from amlnbtools.widgets.before_run import explain_wait as explain_wait
    from amlnbtools.widgets.local_step import run_step_locally as run_step_locally
    from amlnbtools.widgets.triage import triage as triage

__version__ = "0.1.0"

#: Every public name loaded on first use → the module that defines it.
PUBLIC: dict[str, str] = {
    # diagnosis
    "diagnose": "amlnbtools.core.diagnosis.scanner",
    "diagnose_stream": "amlnbtools.core.diagnosis.scanner",
    "diagnose_path": "amlnbtools.sources.files.logfiles",
    "Finding": "amlnbtools.core.diagnosis.findings",
    "Findings": "amlnbtools.core.diagnosis.findings",
    "Scanner": "amlnbtools.core.diagnosis.scanner",
    # panels
    "connect": "amlnbtools.widgets",
    "deployment_logs": "amlnbtools.widgets",
    "debug_locally": "amlnbtools.widgets",
    "replica_calculator": "amlnbtools.widgets",
    "pipeline_logs": "amlnbtools.widgets",
    "parallel_run_config_panel": "amlnbtools.widgets",
    "build_logs": "amlnbtools.widgets.before_run",
    "explain_wait": "amlnbtools.widgets.before_run",
    "check_quota": "amlnbtools.widgets.before_run",
    "run_step_locally": "amlnbtools.widgets.local_step",
    "triage": "amlnbtools.widgets.triage",
    # headless tools
    "required_replicas": "amlnbtools.core.capacity.replicas",
    "check_parallel_run_config": "amlnbtools.core.parallel_run.config",
    "export_pipeline_logs": "amlnbtools.sources.files.export",
    "lint_pipeline": "amlnbtools.sources.azureml_v1.lint",
    "check_spec": "amlnbtools.sources.azureml_v2.spec",
}

__all__ = sorted([*PUBLIC, "LANGUAGES", "__version__", "get_language", "set_language"])


def __getattr__(name: str) -> Any:
    module = PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'amlnbtools' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

"""amlnbtools: notebook panels that take Azure Machine Learning users from "it failed" to the fix.

The top-level names are loaded on first use, so ``import amlnbtools`` stays light: it never
imports azureml, pandas, plotly or ipywidgets.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from amlnbtools.i18n import LANGUAGES, get_language, set_language

if TYPE_CHECKING:
    from amlnbtools.core import Finding, Findings, Scanner, diagnose, diagnose_stream
    from amlnbtools.core.parallel_run import check_parallel_run_config
    from amlnbtools.sources.logfiles import diagnose_path
    from amlnbtools.core.replicas import required_replicas
    from amlnbtools.sources.pipeline.export import export_pipeline_logs
    from amlnbtools.sources.pipeline.lint import lint_pipeline
    from amlnbtools.widgets import (
        connect,
        debug_locally,
        deployment_logs,
        parallel_run_config_panel,
        pipeline_logs,
        replica_calculator,
    )

__version__ = "0.1.0"

__all__ = [
    "LANGUAGES",
    "Finding",
    "Findings",
    "Scanner",
    "__version__",
    "check_parallel_run_config",
    "diagnose",
    "diagnose_path",
    "diagnose_stream",
    "connect",
    "debug_locally",
    "deployment_logs",
    "export_pipeline_logs",
    "get_language",
    "lint_pipeline",
    "parallel_run_config_panel",
    "pipeline_logs",
    "replica_calculator",
    "required_replicas",
    "set_language",
]

_LAZY = {
    "Finding": "amlnbtools.core",
    "Findings": "amlnbtools.core",
    "Scanner": "amlnbtools.core",
    "diagnose": "amlnbtools.core",
    "diagnose_stream": "amlnbtools.core",
    "diagnose_path": "amlnbtools.sources.logfiles",
    "check_parallel_run_config": "amlnbtools.core.parallel_run",
    "connect": "amlnbtools.widgets",
    "debug_locally": "amlnbtools.widgets",
    "replica_calculator": "amlnbtools.widgets",
    "required_replicas": "amlnbtools.core.replicas",
    "deployment_logs": "amlnbtools.widgets",
    "pipeline_logs": "amlnbtools.widgets",
    "export_pipeline_logs": "amlnbtools.sources.pipeline.export",
    "lint_pipeline": "amlnbtools.sources.pipeline.lint",
    "parallel_run_config_panel": "amlnbtools.widgets",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'amlnbtools' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

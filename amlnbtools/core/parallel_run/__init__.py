"""ParallelRunStep tools (Azure ML SDK v1): check the configuration and the entry script, read the logs.

- :func:`check_parallel_run_config` checks ParallelRunConfig / ParallelRunStep parameters;
- :func:`snippet` writes the SDK v1 code for them;
- :func:`check_entry_script` checks ``init()`` / ``run(mini_batch)`` in the entry script's source;
- :func:`summarize_parallel_run_logs` reads a step's log folder in any of its three layouts.

Code outside this package imports these names from here, not from the modules.
"""

from amlnbtools.core.parallel_run.config import (
    CONFIG_PARAMETERS,
    LOG_LEVELS,
    OUTPUT_ACTIONS,
    STEP_PARAMETERS,
    ConfigIssue,
    check_parallel_run_config,
    default_value_of,
    suggest_step_name,
)
from amlnbtools.core.parallel_run.form import FIELDS, FORM_DEFAULTS, Named, form_snippet, form_texts, parse_form
from amlnbtools.core.parallel_run.logs import BatchCounts, LogError, ParallelRunSummary, summarize_parallel_run_logs
from amlnbtools.core.parallel_run.script import check_entry_script
from amlnbtools.core.parallel_run.snippet import snippet

__all__ = ["CONFIG_PARAMETERS", "FIELDS", "FORM_DEFAULTS", "LOG_LEVELS", "OUTPUT_ACTIONS", "STEP_PARAMETERS",
           "BatchCounts", "ConfigIssue", "LogError", "Named", "ParallelRunSummary", "check_entry_script",
           "check_parallel_run_config", "default_value_of", "form_snippet", "form_texts", "parse_form", "snippet",
           "suggest_step_name", "summarize_parallel_run_logs"]

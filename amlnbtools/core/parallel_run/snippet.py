"""The SDK v1 code (ParallelRunConfig and ParallelRunStep) for a set of parameter values."""

from __future__ import annotations

import ast

from amlnbtools.core.parallel_run.config import (
    CONFIG_PARAMETERS,
    STEP_PARAMETERS,
    check_parallel_run_config,
    default_value_of,
    suggest_step_name,
)

__all__ = ["snippet"]

_PLACEHOLDERS = {"entry_script": "'score.py'", "error_threshold": "10", "output_action": "'append_row'",
                 "environment": "environment", "compute_target": "compute_target", "node_count": "1",
                 "name": "'parallel-run-step'", "inputs": "[input_dataset]", "output": "output_dir"}
_VARIABLES = {"environment": "environment", "compute_target": "compute_target", "inputs": "inputs",
              "side_inputs": "side_inputs", "output": "output_dir", "arguments": "arguments",
              "partition_keys": "partition_keys", "environment_variables": "environment_variables"}


def _literal(value: object) -> str | None:
    """Python source for a plain value, or None when it has none (objects, NaN)."""
    try:
        text = repr(value)
        return text if ast.literal_eval(text) == value else None
    except Exception:
        return None


def snippet(**params: object) -> str:
    """Ready-to-paste SDK v1 code: ``ParallelRunConfig(...)`` and ``ParallelRunStep(...)`` with the given values.

    Values with an error are left out (the SDK default applies) or, for a required parameter,
    replaced by a placeholder; an invalid step name is replaced by :func:`suggest_step_name`.
    Objects (an ``Environment``, a compute target, datasets) appear as variables of the same name.
    """
    bad = {i.parameter for i in check_parallel_run_config(**params) if i.severity == "error"}
    uses_parameter = False

    def code(parameter: str) -> str | None:
        nonlocal uses_parameter
        given = params.get(parameter)
        if parameter == "name" and "name" in bad:
            return repr(suggest_step_name(default_value_of(given)[0]))
        if given is None or parameter in bad:
            return _PLACEHOLDERS.get(parameter)
        value, wrapped = default_value_of(given)
        text = _literal(value)
        if wrapped:
            label = getattr(given, "name", None)
            if isinstance(label, str) and text is not None:
                uses_parameter = True
                return f"PipelineParameter(name={label!r}, default_value={text})"
        return text if text is not None else _VARIABLES.get(parameter, parameter)

    config = [(p, code(p)) for p in CONFIG_PARAMETERS]
    step = [(p, "parallel_run_config" if p == "parallel_run_config" else code(p)) for p in STEP_PARAMETERS]
    lines = ["from azureml.pipeline.steps import ParallelRunConfig, ParallelRunStep"]
    if uses_parameter:
        lines.append("from azureml.pipeline.core import PipelineParameter")
    lines += ["", "parallel_run_config = ParallelRunConfig("]
    lines += [f"    {p}={c}," for p, c in config if c is not None]
    lines += [")", "", "parallelrun_step = ParallelRunStep("]
    lines += [f"    {p}={c}," for p, c in step if c is not None]
    lines += [")", ""]
    return "\n".join(lines)

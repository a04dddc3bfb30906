"""An SDK v1 ``PythonScriptStep`` or ``ParallelRunStep`` as a step to run locally: its argument list with each data
reference made a named input or output.

azureml-pipeline-steps keeps the step's arguments as given (strings, ``DataReference``, ``PipelineData``,
``PipelineParameter``), and turns an ``OutputFileDatasetConfig`` into ``"DatasetOutputConfig:<name>"`` and a named
dataset input (``dataset.as_named_input("x").as_mount()``) into ``"DatasetConsumptionConfig:<name>"``. Each becomes
``${{inputs.<name>}}`` or ``${{outputs.<name>}}`` of a command ``python <script> …``, so a v1 step runs exactly as a
v2 command does: a ``PipelineData`` the step writes is an output (a fresh folder that does not exist yet), one it
reads is an input the user maps to what the previous step would have written; a ``PipelineParameter`` takes its
default (one without a default must be given).

A ``ParallelRunStep`` is kept by azureml-pipeline-steps as a script step whose arguments are its driver's
(``--mini_batch_size``, ``--error_threshold`` …, then the user's own, then ``--input_fds_0 <name>``); its
``ParallelRunConfig`` and inputs give the rest. Its inputs (datasets, or what an earlier step wrote) are the inputs
the user maps to local files; its output is the folder ``append_row`` writes into.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

from amlnbtools.core.localrun.spec import InputSpec, ParallelSpec, StepSpec
from amlnbtools.i18n import _
from amlnbtools.sources.errors import SourceError

__all__ = ["v1_step"]

_OUTPUT_CONFIG, _DATASET_INPUT = "DatasetOutputConfig:", "DatasetConsumptionConfig:"


def _name_of(value: Any) -> str | None:
    for attr in ("data_reference_name", "name", "_name", "input_name"):
        found = getattr(value, attr, None)
        if isinstance(found, str) and found:
            return found
    return None


def _conda(step: Any) -> dict[str, Any] | None:
    python = getattr(getattr(getattr(step, "_runconfig", None), "environment", None), "python", None)
    if python is None or getattr(python, "user_managed_dependencies", False):
        return None  # the user manages the packages: nothing declared to compare
    conda = getattr(getattr(python, "conda_dependencies", None), "_conda_dependencies", None)
    return dict(conda) if isinstance(conda, dict) else None


def _default(value: Any) -> Any:
    """A ``PipelineParameter``'s default, else the value."""
    return getattr(value, "default_value", value) if type(value).__name__ == "PipelineParameter" else value


def _arguments(args: list[Any], writes: set[str | None], step: str) -> tuple[list[str], dict[str, InputSpec],
                                                                           dict[str, str]]:
    """The command words of a step's arguments, with the inputs and outputs they name."""
    inputs: dict[str, InputSpec] = {}
    outputs: dict[str, str] = {}
    words = []
    for arg in args:
        kind = type(arg).__name__
        if isinstance(arg, str) and arg.startswith(_OUTPUT_CONFIG):
            name = arg[len(_OUTPUT_CONFIG):]
            outputs[name] = "uri_folder"
            words.append(f"${{{{outputs.{name}}}}}")
        elif isinstance(arg, str) and arg.startswith(_DATASET_INPUT):
            name = arg[len(_DATASET_INPUT):]
            inputs[name] = InputSpec(name, "uri_folder")
            words.append(f"${{{{inputs.{name}}}}}")
        elif isinstance(arg, (str, int, float, bool)):
            words.append(shlex.quote(str(arg)))
        elif kind == "PipelineParameter":
            name = str(getattr(arg, "name", "parameter"))
            default = getattr(arg, "default_value", None)
            inputs[name] = InputSpec(name, "string", None if default is None else str(default))
            words.append(f"${{{{inputs.{name}}}}}")
        elif _name_of(arg) is not None:
            name = str(_name_of(arg))
            if name in writes or kind in ("OutputFileDatasetConfig", "OutputTabularDatasetConfig"):
                outputs[name] = "uri_folder"
                words.append(f"${{{{outputs.{name}}}}}")
            else:  # a DataReference, or what an earlier step wrote: the user maps it
                inputs[name] = InputSpec(name, "uri_folder")
                words.append(f"${{{{inputs.{name}}}}}")
        else:
            raise SourceError("bad-input", _("Argument {value!r} of step {step} ({kind}) cannot be given locally: "
                                             "replace it with a string to try the step.").format(
                value=str(arg), step=step, kind=kind))
    return words, inputs, outputs


def _environment_name(step: Any) -> str | None:
    return getattr(getattr(getattr(step, "_runconfig", None), "environment", None), "name", None)


def v1_step(step: Any) -> StepSpec:
    """The :class:`StepSpec` of an azureml-pipeline-steps ``PythonScriptStep`` or ``ParallelRunStep``."""
    kind = type(step).__name__
    if kind == "ParallelRunStep":
        return _parallel_step(step)
    if kind != "PythonScriptStep":
        raise SourceError("bad-input", _("Only PythonScriptStep and ParallelRunStep run locally among SDK v1 steps "
                                         "(this is {kind}): run its script with python, or use one of them.").format(
            kind=kind))
    script = getattr(step, "_script_name", None)
    if not isinstance(script, str) or not script:
        raise SourceError("bad-input", _("The step names no script (script_name=): give the .py file it runs."))
    source = getattr(step, "_source_directory", None)
    writes = {_name_of(o) for o in getattr(step, "_outputs", None) or []}
    words, inputs, outputs = _arguments(list(getattr(step, "_arguments", None) or []), writes,
                                        str(getattr(step, "name", "?")))
    return StepSpec(name=str(getattr(step, "name", None) or script), kind=_("PythonScriptStep"),
                    command=" ".join(["python", shlex.quote(script), *words]),
                    code=Path(source).resolve() if source else None, base=Path(source or ".").resolve(),
                    inputs=inputs, outputs=outputs, conda=_conda(step), environment=_environment_name(step))


# the arguments ParallelRunStep adds around the user's own (azureml-pipeline-core's _generate_main_file_args)
_DRIVER_FLAGS = frozenset({"--client_sdk_version", "--scoring_module_name", "--mini_batch_size", "--error_threshold",
                           "--output_action", "--logging_level", "--run_invocation_timeout", "--run_max_try",
                           "--create_snapshot_at_runtime", "--allowed_failed_count", "--allowed_failed_percent",
                           "--append_row_file_name", "--output", "--process_count_per_node", "--partition_keys"})
_INPUT_FLAG = re.compile(r"^--input(?:_fds_|_ds_|_pipeline_param_)?\d+$")


def _user_arguments(args: list[Any]) -> list[Any]:
    """The step's own ``arguments=`` among those ParallelRunStep passes to its driver."""
    start = 0
    while start + 1 < len(args) and isinstance(args[start], str) and args[start] in _DRIVER_FLAGS:
        start += 2
    end = len(args)
    while end - 2 >= start and isinstance(args[end - 2], str) and _INPUT_FLAG.match(args[end - 2]):
        end -= 2
    return args[start:end]


def _parallel_step(step: Any) -> StepSpec:
    config = getattr(step, "_parallel_run_config", None)
    script = getattr(config, "entry_script", None)
    if not isinstance(script, str) or not script:
        raise SourceError("bad-input", _("The step names no entry script (entry_script=): give the .py file with "
                                         "init() and run(mini_batch)."))
    source = getattr(config, "source_directory", None)
    data: dict[str, InputSpec] = {}
    for item in getattr(step, "_inputs", None) or []:
        name = str(getattr(item, "input_name", None) or _name_of(item) or f"input{len(data)}")
        data[name] = InputSpec(name, "uri_folder")
    out = [o for o in (getattr(step, "_output", None) or []) if o is not None]
    output = _name_of(out[0]) if out else None
    words, inputs, outputs = _arguments(_user_arguments(list(getattr(step, "_arguments", None) or [])),
                                        {output}, str(getattr(step, "name", "?")))
    if output:
        outputs[output] = "uri_folder"
    tabular = getattr(step, "_input_ds_type", None) == "tabular"
    size = _default(getattr(step, "_mini_batch_size", None) or getattr(config, "mini_batch_size", None))
    action = str(_default(getattr(config, "output_action", "append_row")) or "append_row").lower()
    parallel = ParallelSpec(
        data_inputs=tuple(data), kind="tabular" if tabular else "file",
        mini_batch_size=str(size if size is not None else "1MB" if tabular else 10),
        error_threshold=int(_default(getattr(config, "error_threshold", -1)) or 0),
        allowed_failed_count=_optional(getattr(config, "allowed_failed_count", None), int),
        allowed_failed_percent=_optional(getattr(config, "allowed_failed_percent", None), float),
        run_invocation_timeout=float(_default(getattr(config, "run_invocation_timeout", 60)) or 60),
        run_max_try=int(_default(getattr(config, "run_max_try", 3)) or 3), output=output,
        append_row=action == "append_row",
        append_row_file_name=str(getattr(config, "append_row_file_name", None) or "parallel_run_step.txt"),
        logging_level=str(_default(getattr(config, "logging_level", "INFO")) or "INFO"))
    return StepSpec(name=str(getattr(step, "name", None) or script), kind=_("ParallelRunStep"),
                    command=" ".join(["python", shlex.quote(script), *words]),
                    code=Path(source).resolve() if source else None, base=Path(source or ".").resolve(),
                    inputs={**data, **inputs}, outputs=outputs, conda=_conda(step),
                    environment=_environment_name(step), parallel=parallel)


def _optional(value: Any, kind: type) -> Any:
    value = _default(value)
    return None if value is None else kind(value)

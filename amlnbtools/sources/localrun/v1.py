"""An SDK v1 ``PythonScriptStep`` as a step to run locally: its argument list with each data reference made a named
input or output.

azureml-pipeline-steps keeps the step's arguments as given (strings, ``DataReference``, ``PipelineData``,
``PipelineParameter``), and turns an ``OutputFileDatasetConfig`` into ``"DatasetOutputConfig:<name>"`` and a named
dataset input (``dataset.as_named_input("x").as_mount()``) into ``"DatasetConsumptionConfig:<name>"``. Each becomes
``${{inputs.<name>}}`` or ``${{outputs.<name>}}`` of a command ``python <script> …``, so a v1 step runs exactly as a
v2 command does: a ``PipelineData`` the step writes is an output (a fresh folder that does not exist yet), one it
reads is an input the user maps to what the previous step would have written; a ``PipelineParameter`` takes its
default (one without a default must be given).
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from amlnbtools.core.localrun.spec import InputSpec, StepSpec
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


def v1_step(step: Any) -> StepSpec:
    """The :class:`StepSpec` of an azureml-pipeline-steps ``PythonScriptStep``."""
    if type(step).__name__ != "PythonScriptStep":
        raise SourceError("bad-input", _("Only PythonScriptStep runs locally among SDK v1 steps (this is {kind}): "
                                         "run its script with python, or use a PythonScriptStep.").format(
            kind=type(step).__name__))
    script = getattr(step, "_script_name", None)
    if not isinstance(script, str) or not script:
        raise SourceError("bad-input", _("The step names no script (script_name=): give the .py file it runs."))
    source = getattr(step, "_source_directory", None)
    writes = {_name_of(o) for o in getattr(step, "_outputs", None) or []}
    inputs: dict[str, InputSpec] = {}
    outputs: dict[str, str] = {}
    words = ["python", shlex.quote(script)]
    for arg in getattr(step, "_arguments", None) or []:
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
                value=str(arg), step=getattr(step, "name", "?"), kind=kind))
    return StepSpec(name=str(getattr(step, "name", None) or script), kind=_("PythonScriptStep"),
                    command=" ".join(words), code=Path(source).resolve() if source else None,
                    base=Path(source or ".").resolve(), inputs=inputs, outputs=outputs, conda=_conda(step),
                    environment=getattr(getattr(getattr(step, "_runconfig", None), "environment", None), "name",
                                        None))

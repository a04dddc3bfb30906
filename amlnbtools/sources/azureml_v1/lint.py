"""Lint an azureml-pipeline-core pipeline (or a list of its steps) before submitting it.

Builds :class:`~amlnbtools.core.pipeline.lint.StepDescription` values from the SDK's step objects
and runs the rules of :mod:`amlnbtools.core.pipeline.lint`. Where the SDK keeps what the rules need
(azureml-pipeline-core 1.x): ``step._allow_reuse``, ``step._source_directory`` and
``step._script_name`` (``PythonScriptStep`` and its subclasses; a ``ParallelRunStep`` passes its
config's ``source_directory`` and ``entry_script`` down to them; a ``CommandStep`` keeps its
program in ``step._command`` and the rest of the command in ``step._arguments``), the outputs in
``step._outputs``: ``OutputFileDatasetConfig.mode`` (``"mount"`` unless ``as_upload()`` was
called), ``PipelineData._output_mode`` (``"mount"`` by default), ``OutputPortBinding._bind_mode``.
A ``Pipeline`` keeps its steps, including the upstream steps it pulled in, as the keys of
``pipeline._graph_builder._step2node``, in the order it processed them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from amlnbtools.core.diagnosis.findings import Findings
from amlnbtools.core.pipeline.lint import StepDescription, StepOutput, lint_steps

__all__ = ["MAX_SCRIPT_BYTES", "describe_step", "describe_steps", "lint_pipeline"]

#: Scripts larger than this are not read (a step's entry script is a few kilobytes).
MAX_SCRIPT_BYTES = 5 * 1024 * 1024
_ACCEPTED = ("an azureml.pipeline.core.Pipeline, a PipelineStep (PythonScriptStep, ParallelRunStep, …), "
             "or a list of steps")


def _sdk_classes() -> tuple[type, ...]:
    """(Pipeline, PipelineStep, StepSequence), or () when azureml-pipeline-core is not installed."""
    try:
        from azureml.pipeline.core import Pipeline, PipelineStep, StepSequence
    except ImportError:
        return ()
    return Pipeline, PipelineStep, StepSequence


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _output(obj: object) -> StepOutput:
    kind = type(obj).__name__
    data = getattr(obj, "_pipeline_data", None)  # PipelineData.as_dataset(): the mode is its PipelineData's
    target = data if data is not None else obj
    mode = next((m for m in (getattr(target, "mode", None), getattr(target, "_output_mode", None),
                             getattr(target, "_bind_mode", None)) if isinstance(m, str)), "unknown")
    name = next((n for n in (getattr(target, "name", None), getattr(target, "_name", None),
                             getattr(target, "_output_name", None)) if isinstance(n, str)), kind)
    return StepOutput(name=name, mode=mode.lower(), kind=kind)


def _script(step: Any) -> str | None:
    script = _text(getattr(step, "_script_name", None))
    if script is not None:
        return script
    command = _text(getattr(step, "_command", None))  # CommandStep: "python train.py --epochs 3"
    if command is None:
        return None
    if command.lower().endswith(".py"):
        return command
    if os.path.basename(command).lower().startswith("python"):
        arguments = [a for a in getattr(step, "_arguments", None) or [] if isinstance(a, str)]
        return next((a for a in arguments if not a.startswith("-") and a.lower().endswith(".py")), None)
    return None


def describe_step(step: Any) -> StepDescription:
    """A plain description of one azureml-pipeline-core step (see the module docstring)."""
    reuse = getattr(step, "_allow_reuse", None)
    outputs = getattr(step, "_outputs", None) or []
    arguments = getattr(step, "_arguments", None) or []
    name = getattr(step, "name", None)
    return StepDescription(
        name=name if isinstance(name, str) else type(step).__name__,
        kind=type(step).__name__,
        allow_reuse=reuse if isinstance(reuse, bool) else None,
        source_directory=_text(getattr(step, "_source_directory", None)),
        script_name=_script(step),
        outputs=tuple(_output(o) for o in (outputs if isinstance(outputs, (list, tuple)) else [outputs])),
        arguments=tuple(a if isinstance(a, str) else repr(a) for a in arguments),
    )


def _flatten(items: Iterable[Any], classes: tuple[Any, ...]) -> list[Any]:
    _pipeline, step_class, sequence = classes if classes else (None, None, None)
    found: list[Any] = []
    for item in items:
        if isinstance(item, StepDescription) or (step_class is not None and isinstance(item, step_class)):
            found.append(item)
        elif sequence is not None and isinstance(item, sequence):
            found.extend(_flatten(item._steps, classes))
        elif isinstance(item, (list, tuple)):
            found.extend(_flatten(item, classes))
        else:
            raise TypeError(f"lint_pipeline() takes {_ACCEPTED}; the list holds a {type(item).__name__}")
    return found


def describe_steps(pipeline_or_steps: Any) -> tuple[list[StepDescription], str | None]:
    """The steps of a pipeline (or a list of steps) as descriptions, and the pipeline's default source folder.

    Raises
    ------
    TypeError
        When the argument is not a Pipeline, a PipelineStep, or a list of them.
    """
    classes = _sdk_classes()
    default = None
    if classes and isinstance(pipeline_or_steps, classes[0]):
        builder = getattr(pipeline_or_steps, "_graph_builder", None)
        steps = list(getattr(builder, "_step2node", {}) or {})
        context = getattr(pipeline_or_steps, "_graph_context", None)
        default = _text(getattr(context, "_default_source_directory", None))
    elif isinstance(pipeline_or_steps, StepDescription) or (classes and isinstance(pipeline_or_steps, classes[1])):
        steps = [pipeline_or_steps]
    elif (classes and isinstance(pipeline_or_steps, classes[2])) or isinstance(pipeline_or_steps, (list, tuple)):
        steps = _flatten([pipeline_or_steps], classes)
    else:
        raise TypeError(f"lint_pipeline() takes {_ACCEPTED}, not {type(pipeline_or_steps).__name__}")
    unique = list(dict.fromkeys(steps))  # a step listed twice is one step
    return [s if isinstance(s, StepDescription) else describe_step(s) for s in unique], default


def _read_script(path: str) -> str:
    file = Path(path)
    if file.stat().st_size > MAX_SCRIPT_BYTES:
        raise OSError(27, f"larger than {MAX_SCRIPT_BYTES // (1024 * 1024)} MB", path)
    return file.read_text(encoding="utf-8")


def lint_pipeline(pipeline_or_steps: Any, *, base_dir: str | os.PathLike[str] | None = None) -> Findings:
    """Check a pipeline's steps for settings that make it slow or re-run needlessly.

    Parameters
    ----------
    pipeline_or_steps : Pipeline, PipelineStep, or list of steps
        An ``azureml.pipeline.core.Pipeline`` (all its steps, including the upstream steps it pulled
        in), one step, or a list (nested lists and ``StepSequence`` too) of ``PythonScriptStep``,
        ``ParallelRunStep`` or other ``PipelineStep`` objects. Nothing is submitted or uploaded.
    base_dir : path, optional
        The folder that relative ``source_directory`` values are relative to: the working folder
        when the steps were built (the current one by default).

    Returns
    -------
    Findings
        ``step-reuse-disabled``, ``shared-source-directory`` and
        ``output-written-in-loop-through-mount`` warnings, and a ``script-not-checked`` info note for
        each step whose script could not be read. ``line`` is the 1-based position of the step in
        the pipeline (in the order given, or the order the Pipeline processed its steps), ``lines``
        the positions of every step concerned, ``evidence`` one line naming the step and what was
        seen (for the loop rule ``script:line: call``). Scripts are parsed, never run.

    Raises
    ------
    TypeError
        When ``pipeline_or_steps`` is not one of the accepted kinds.
    """
    steps, default = describe_steps(pipeline_or_steps)
    base = os.fspath(base_dir) if base_dir is not None else os.getcwd()
    return lint_steps(steps, read_script=_read_script, base_dir=base, default_source_directory=default)

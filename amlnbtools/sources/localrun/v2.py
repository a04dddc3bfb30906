"""A step as SDK v2 describes it — a command component, a command job, or their YAML — read with azure-ai-ml.

``load_component`` / ``load_job`` read the YAML exactly as ``az ml`` does (relative paths from the file's folder),
so a file that azure-ai-ml refuses is refused here with its own message. From the entity: the command, the code
folder, each input (type, the job's value or path, else the default; optional), each output, and the
environment's inline conda specification when it has one.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from amlnbtools.core.localrun.spec import InputSpec, ParallelSpec, StepSpec
from amlnbtools.i18n import _
from amlnbtools.sources.errors import SourceError

__all__ = ["v2_step"]

_COMPONENTS = ("CommandComponent", "ParallelComponent")


def _load(path: Path) -> Any:
    import yaml

    from amlnbtools.sources.azureml_v2 import import_ml

    import_ml()
    from azure.ai.ml import load_component, load_job

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise SourceError("bad-input", _("{path} is not a readable YAML file ({detail}).").format(
            path=path, detail=exc)) from None
    schema = str(raw.get("$schema", "")) if isinstance(raw, dict) else ""
    job_like = "Job" in schema or (isinstance(raw, dict) and ("compute" in raw or "experiment_name" in raw))
    loaders = (load_job, load_component) if job_like else (load_component, load_job)
    from amlnbtools.core.checks.spec import problems_from_text

    errors = []
    for loader in loaders:
        try:
            return loader(source=str(path))
        except Exception as exc:  # azure-ai-ml's own validation message, field by field
            errors.append(problems_from_text(str(exc) or type(exc).__name__)[0])
    first = errors[0]
    detail = first.message if first.path == "*" else f"{first.path}: {first.message}"
    raise SourceError("bad-input", _("azure-ai-ml cannot read {path} as a command component or job: {detail}. "
                                     "amlnbtools check {path} lists every problem with its field.").format(
        path=path, detail=detail))


def _value(node: Any) -> tuple[str | None, str | None]:
    """(type, value) of a job input: an Input (its path), or a literal."""
    data = getattr(node, "_data", node)
    if hasattr(data, "type") and hasattr(data, "path"):
        return str(data.type), (str(data.path) if data.path is not None else None)
    if data is None or hasattr(data, "_data_binding"):
        return None, None
    return None, str(data).lower() if isinstance(data, bool) else str(data)


def _conda(environment: Any) -> dict[str, Any] | None:
    conda = getattr(environment, "conda_file", None)
    return conda if isinstance(conda, dict) else None


def v2_step(target: Any) -> StepSpec:
    """The :class:`StepSpec` of a command component or job (an azure-ai-ml object, or the path of its YAML)."""
    if isinstance(target, (str, Path)):
        path = Path(target).expanduser()
        if not path.is_file():
            raise SourceError("bad-input", _("{path} does not exist: give the component or job YAML file.").format(
                path=path))
        entity = _load(path.resolve())
    else:
        entity = target
    kind = type(entity).__name__
    command = getattr(entity, "command", None)
    parallel = None
    if kind in ("ParallelComponent", "Parallel", "ParallelJob"):
        command, parallel = _parallel(entity)
    elif not isinstance(command, str) or kind not in ("CommandComponent", "Command", "CommandJob"):
        raise SourceError("bad-input", _("Only command and parallel components and jobs run locally (this is "
                                         "{kind}): run each step of a pipeline on its own.").format(kind=kind))
    base = Path(getattr(entity, "base_path", None) or ".").resolve()
    component = getattr(entity, "component", None) if kind not in _COMPONENTS else entity
    declared = dict(getattr(component, "inputs", None) or {}) if component is not None else {}
    job_inputs = dict(getattr(entity, "inputs", None) or {}) if kind not in _COMPONENTS else {}
    inputs = {}
    for name in {**declared, **job_inputs}:
        spec = declared.get(name)
        kind_of, value = _value(job_inputs[name]) if name in job_inputs else (None, None)
        default = _get(spec, "default")
        inputs[name] = InputSpec(
            name=name, type=str(kind_of or _get(spec, "type") or "string"),
            value=value if value is not None else (str(default).lower() if isinstance(default, bool)
                                                   else str(default) if default is not None else None),
            optional=bool(_get(spec, "optional") or False))
    outputs = {name: str(getattr(getattr(out, "_data", out), "type", None) or getattr(out, "type", None)
                         or "uri_folder") for name, out in (getattr(entity, "outputs", None) or {}).items()}
    code = getattr(entity, "code", None) if parallel is None else _get(getattr(entity, "task", None), "code")
    environment = getattr(entity, "environment", None) if parallel is None else _get(
        getattr(entity, "task", None), "environment")
    if parallel is not None and parallel.output is None:
        parallel = _with_output(parallel, outputs)
    return StepSpec(name=str(getattr(entity, "name", None) or getattr(entity, "display_name", None) or "step"),
                    kind=(_("parallel component") if kind == "ParallelComponent" else _("parallel job")
                          if parallel is not None else _("command component") if kind == "CommandComponent"
                          else _("command job")),
                    command=command, code=(base / str(code)).resolve() if isinstance(code, (str, Path)) else None,
                    base=base, inputs=inputs, outputs=outputs, conda=_conda(environment),
                    environment=environment if isinstance(environment, str) else getattr(environment, "name", None),
                    parallel=parallel)


def _get(node: Any, key: str) -> Any:
    """A field of an azure-ai-ml object or of the dict it sometimes is (``task``, ``retry_settings``)."""
    if node is None:
        return None
    return node.get(key) if isinstance(node, dict) else getattr(node, key, None)


_REFERENCE = re.compile(r"^\$\{\{\s*(inputs|outputs)\.([A-Za-z0-9_.-]+)\s*\}\}$")


def _parallel(entity: Any) -> tuple[str, ParallelSpec]:
    """The command (``python <entry script> <program_arguments>``) and the splitting of a parallel step."""
    task = getattr(entity, "task", None)
    script = _get(task, "entry_script")
    if not isinstance(script, str) or not script:
        raise SourceError("bad-input", _("The parallel step names no entry script (task.entry_script): give the .py "
                                         "file with init() and run(mini_batch)."))
    data = _REFERENCE.match(str(getattr(entity, "input_data", "") or "").strip())
    if data is None or data.group(1) != "inputs":
        raise SourceError("bad-input", _("input_data must name one of the step's inputs, as ${{{{inputs.NAME}}}}, "
                                         "not {value!r}.").format(value=getattr(entity, "input_data", None)))
    name = data.group(2)
    component = entity if type(entity).__name__ == "ParallelComponent" else getattr(entity, "component", None)
    declared = _get((getattr(component, "inputs", None) or {}).get(name), "type")
    given, _value_of = _value((getattr(entity, "inputs", None) or {}).get(name)) if component is not entity else (
        None, None)
    tabular = str(given or declared or "") == "mltable"
    size = getattr(entity, "mini_batch_size", None)  # azure-ai-ml keeps it in bytes or files (0: not given)
    retry = getattr(entity, "retry_settings", None)
    append = _REFERENCE.match(str(_get(task, "append_row_to") or "").strip())

    def number(value: Any, default: float) -> float:
        try:
            return float(value) if value not in (None, "") else default
        except (TypeError, ValueError):
            return default

    mini_batch_error = getattr(entity, "mini_batch_error_threshold", None)
    spec = ParallelSpec(
        data_inputs=(name,), kind="tabular" if tabular else "file",
        mini_batch_size=str(size) if size else "1MB" if tabular else "10",
        error_threshold=int(number(getattr(entity, "error_threshold", None), -1)),
        allowed_failed_count=None if mini_batch_error in (None, -1) else int(number(mini_batch_error, -1)),
        run_invocation_timeout=number(_get(retry, "timeout"), 60.0),
        run_max_try=max(1, int(number(_get(retry, "max_retries"), 3))),
        output=append.group(2) if append and append.group(1) == "outputs" else None,
        append_row=append is not None, logging_level=str(getattr(entity, "logging_level", None) or "INFO"))
    arguments = str(_get(task, "program_arguments") or "").strip()
    return " ".join(["python", script] + ([arguments] if arguments else [])), spec


def _with_output(spec: ParallelSpec, outputs: dict[str, str]) -> ParallelSpec:
    """``summary_only``: the output folder the entry script gets (``EntryScript().output_dir``) is the first one."""
    return replace(spec, output=next(iter(outputs), None))

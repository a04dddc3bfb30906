"""A step as SDK v2 describes it — a command component, a command job, or their YAML — read with azure-ai-ml.

``load_component`` / ``load_job`` read the YAML exactly as ``az ml`` does (relative paths from the file's folder),
so a file that azure-ai-ml refuses is refused here with its own message. From the entity: the command, the code
folder, each input (type, the job's value or path, else the default; optional), each output, and the
environment's inline conda specification when it has one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from amlnbtools.core.localrun.spec import InputSpec, StepSpec
from amlnbtools.i18n import _
from amlnbtools.sources.errors import SourceError

__all__ = ["v2_step"]


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
    if not isinstance(command, str) or kind not in ("CommandComponent", "Command", "CommandJob"):
        raise SourceError("bad-input", _("Only command components and command jobs run locally (this is {kind}): "
                                         "run each command step of a pipeline on its own.").format(kind=kind))
    base = Path(getattr(entity, "base_path", None) or ".").resolve()
    component = getattr(entity, "component", None) if kind != "CommandComponent" else entity
    declared = dict(getattr(component, "inputs", None) or {}) if component is not None else {}
    job_inputs = dict(getattr(entity, "inputs", None) or {}) if kind != "CommandComponent" else {}
    inputs = {}
    for name in {**declared, **job_inputs}:
        spec = declared.get(name)
        kind_of, value = _value(job_inputs[name]) if name in job_inputs else (None, None)
        default = getattr(spec, "default", None)
        inputs[name] = InputSpec(
            name=name, type=str(kind_of or getattr(spec, "type", None) or "string"),
            value=value if value is not None else (str(default).lower() if isinstance(default, bool)
                                                   else str(default) if default is not None else None),
            optional=bool(getattr(spec, "optional", False)))
    outputs = {name: str(getattr(getattr(out, "_data", out), "type", None) or getattr(out, "type", None)
                         or "uri_folder") for name, out in (getattr(entity, "outputs", None) or {}).items()}
    code = getattr(entity, "code", None)
    environment = getattr(entity, "environment", None)
    return StepSpec(name=str(getattr(entity, "name", None) or getattr(entity, "display_name", None) or "step"),
                    kind=_("command component") if kind == "CommandComponent" else _("command job"),
                    command=command, code=(base / str(code)).resolve() if isinstance(code, (str, Path)) else None,
                    base=base, inputs=inputs, outputs=outputs, conda=_conda(environment),
                    environment=environment if isinstance(environment, str) else getattr(environment, "name", None))

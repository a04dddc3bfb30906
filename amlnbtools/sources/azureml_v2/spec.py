"""Checking a v2 job, component or online deployment spec before it is submitted, with azure-ai-ml's own validation.

A YAML file is read in three steps, each stopping at its first kind of problem: the YAML syntax (the line and
column), azure-ai-ml's schema (``load_job`` / ``load_component`` / ``load_online_deployment``: every field error with
its path), then the entity's own validation (``_validate()``; ``ml_client.jobs.validate()`` when a workspace is given:
for pipeline jobs it also checks the computes exist). One more check of ours: a command that uses
``${{inputs.x}}`` for an input the job does not declare (azure-ai-ml only finds it at submission). Nothing is
submitted and nothing is created.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from amlnbtools.core.checks.spec import SpecProblem, SpecReport, fix_for, problems_from_text
from amlnbtools.i18n import _
from amlnbtools.sources.azureml_v2 import import_ml
from amlnbtools.sources.azureml_v2._sdk import quiet_sdk
from amlnbtools.sources.errors import SourceError

__all__ = ["check_spec"]

_REFERENCE = re.compile(r"\$\{\{\s*inputs\.(\w+)\s*\}\}")


def _kind_of(data: dict[str, Any]) -> str:
    schema = str(data.get("$schema", "")).lower()
    kind = str(data.get("type", "")).lower()
    if "onlinedeployment" in schema or ("endpoint_name" in data and "type" not in data) or kind in (
            "managed", "kubernetes") and "endpoint_name" in data:
        return "online-deployment"
    if "component" in schema or (kind in ("command", "parallel", "pipeline") and "inputs" in data
                                 and "jobs" not in data and "compute" not in data and "name" in data
                                 and "version" in data):
        return "component"
    return "job"


def _syntax(path: Path) -> tuple[Any, SpecProblem | None]:
    import yaml

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")), None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        message = f"{exc.problem or exc.context or 'invalid YAML'} ({where})"
        return None, SpecProblem(path="*", message=message, fix=_(
            "Fix the YAML syntax at {where}: check the indentation, colons and brackets there.").format(where=where))
    except yaml.YAMLError as exc:
        return None, SpecProblem(path="*", message=str(exc).splitlines()[0], fix=_(
            "Fix the YAML syntax: the file is not valid YAML."))


def _from_result(result: Any) -> list[SpecProblem]:
    messages = getattr(result, "error_messages", None) or {}
    return [SpecProblem(path=str(where or "*"), message=str(text), fix=fix_for(str(where or "*"), str(text)))
            for where, text in messages.items()]


def _undeclared_inputs(entity: Any) -> list[SpecProblem]:
    command = getattr(entity, "command", None)
    if not isinstance(command, str):
        return []
    declared = set((getattr(entity, "inputs", None) or {}).keys())
    return [SpecProblem(path="command", message=f"${{{{inputs.{name}}}}} is used, but no input {name} is declared",
                        fix=_("Declare the input {name} under inputs, or correct its name in the command.").format(
                            name=name))
            for name in dict.fromkeys(_REFERENCE.findall(command)) if name not in declared]


def _load(kind: str, path: Path) -> Any:
    ml = import_ml()
    loader = {"online-deployment": ml.load_online_deployment, "component": ml.load_component}.get(kind, ml.load_job)
    return loader(source=str(path))


def check_spec(target: Any, workspace: Any = None) -> SpecReport:
    """Check a YAML file (path) or an azure-ai-ml entity; see the module docstring.

    ``workspace`` (a workspace panel from ``amlnbtools.connect()``, or an ``MLClient``) adds the workspace's own
    check of a job (its computes exist); without it only local checks run.

    Raises
    ------
    SourceError
        ``not-found`` for a file that does not exist, ``sdk-missing`` without azure-ai-ml.
    """
    ml_client = None if workspace is None else getattr(workspace, "ml_client", workspace)
    entity, source = target, type(target).__name__
    if isinstance(target, (str, Path)):
        path = Path(target).expanduser()
        source = str(path)
        if not path.is_file():
            raise SourceError("not-found", _("No file at {path}: give the path of the job, component or deployment "
                                             "YAML file.").format(path=path))
        data, problem = _syntax(path)
        if problem is not None:
            return SpecReport(source, "yaml", (problem,))
        if not isinstance(data, dict):
            return SpecReport(source, "yaml", (SpecProblem(path="*", message=_("The file is not a YAML mapping."),
                                                           fix=_("Write the spec as key: value lines.")),))
        kind = _kind_of(data)
        import_ml()  # before quiet_sdk: it quiets the loggers azure-ai-ml has made
        try:
            with quiet_sdk():
                entity = _load(kind, path)
        except SourceError:
            raise
        except Exception as exc:  # schema errors: every field with its path
            return SpecReport(source, kind, problems_from_text(str(exc)))
    else:
        import_ml()
        kind = "online-deployment" if type(target).__name__.endswith("OnlineDeployment") else (
            "component" if "Component" in type(target).__name__ else "job")
    problems: list[SpecProblem] = []
    validate = getattr(entity, "_validate", None)
    if callable(validate):
        with quiet_sdk():
            problems += _from_result(validate())
    if ml_client is not None and kind == "job" and not problems:
        try:
            with quiet_sdk():
                problems += _from_result(ml_client.jobs.validate(entity))
        except Exception as exc:  # the workspace check could not run: say so, keep the local result
            problems.append(SpecProblem(path="*", message=str(exc).splitlines()[0][:300], fix=_(
                "The workspace check could not run (see the message); the local checks above still apply.")))
    problems += _undeclared_inputs(entity)
    return SpecReport(source, f"{type(entity).__name__}", tuple(problems))

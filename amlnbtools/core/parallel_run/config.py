"""ParallelRunConfig and ParallelRunStep parameters (Azure ML SDK v1): checks that name the fix, and a snippet.

The rules are the documented ones (``how-to-debug-parallel-run-step``) and what the SDK itself
enforces: ``mini_batch_size`` follows ``^\\d+([kKmMgG][bB])?$``, ``environment`` must be an
``Environment`` object, ``append_row_file_name`` may not hold any of ``~"#%&*:<>?/\\{|}``.
Only the parameters passed are checked, so a panel can check one field at a time.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from typing import Literal

from amlnbtools.i18n import _

__all__ = ["CONFIG_PARAMETERS", "STEP_PARAMETERS", "ConfigIssue", "check_parallel_run_config", "suggest_step_name"]

#: ParallelRunConfig parameters, in the order the documentation lists them (then the SDK's extras).
CONFIG_PARAMETERS = ("source_directory", "entry_script", "mini_batch_size", "error_threshold", "output_action",
                     "append_row_file_name", "environment", "compute_target", "node_count",
                     "process_count_per_node", "logging_level", "run_invocation_timeout", "run_max_try",
                     "description", "allowed_failed_count", "allowed_failed_percent", "partition_keys",
                     "environment_variables")
#: ParallelRunStep parameters.
STEP_PARAMETERS = ("name", "parallel_run_config", "inputs", "side_inputs", "output", "arguments", "allow_reuse")
#: Hints that are not SDK parameters: ``dataset_type="file" | "tabular"`` picks the mini_batch_size form.
HINTS = ("dataset_type",)
KNOWN = CONFIG_PARAMETERS + STEP_PARAMETERS + HINTS

INT_MAX = 2**31 - 1
NAME_RE = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
SIZE_RE = re.compile(r"^\d+([kKmMgG][bB])?$")
BAD_FILE_CHARS = re.compile(r'[~"#%&*:<>?/\\{|}]')
LOG_LEVELS = ("WARNING", "INFO", "DEBUG")
OUTPUT_ACTIONS = ("summary_only", "append_row")
MANY_PROCESSES = 64
COMPUTE_TYPES = {"AmlCompute", "ComputeTarget"}


@dataclass(frozen=True, slots=True)
class ConfigIssue:
    """One problem with a ParallelRunStep parameter or entry script.

    Attributes
    ----------
    parameter : str
        The parameter (``"mini_batch_size"``), or ``"init"`` / ``"run"`` / ``"entry_script"`` for the script.
    severity : {"error", "warning"}
    message : str
        What is wrong and how to fix it, in the active language.
    value : object
        The value checked (a PipelineParameter's ``default_value``).
    line : int or None
        Line in the entry script, for script checks.
    """

    parameter: str
    severity: Literal["error", "warning"]
    message: str
    value: object = None
    line: int | None = None


def _show(value: object) -> str:
    try:
        text = repr(value)
    except Exception:  # a hostile __repr__ must not break the check
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 60 else text[:59] + "…"


def default_value_of(value: object) -> tuple[object, bool]:
    """A PipelineParameter-like value (anything with ``default_value``) stands for its default."""
    try:
        return value.default_value, True  # type: ignore[attr-defined]
    except Exception:
        return value, False


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def suggest_step_name(name: object) -> str:
    """A valid step name close to ``name``: lower-cased, ``_``/spaces/dots → ``-``, 3–32 characters."""
    text = name.lower() if isinstance(name, str) else ""
    text = re.sub(r"[-_\s.]+", "-", text)
    text = re.sub(r"[^-a-z0-9]", "", text)
    text = re.sub(r"-{2,}", "-", text).strip("-")
    if text[:1].isdigit():
        text = "step-" + text
    text = text[:32].rstrip("-")
    if not text:
        return "parallel-run-step"
    return text if len(text) >= 3 else text + "-step"


def _check_name(value: object) -> list[tuple[str, str]]:
    suggestion = suggest_step_name(value)
    if not isinstance(value, str):
        return [("error", _("The step name must be a string of 3 to 32 characters such as {suggestion}, not "
                            "{value}.").format(suggestion=suggestion, value=_show(value)))]
    out = []
    if not 3 <= len(value) <= 32:
        out.append(_("The step name must be 3 to 32 characters long; {value} has {length}. Try {suggestion}.")
                   .format(value=_show(value), length=len(value), suggestion=suggestion))
    if value and not ("a" <= value[0] <= "z"):
        out.append(_("The step name must start with a lowercase letter (a-z), not {char}. Try {suggestion}.")
                   .format(char=_show(value[0]), suggestion=suggestion))
    bad = sorted({c for c in value if not (c == "-" or "a" <= c <= "z" or "0" <= c <= "9")})
    if bad:
        out.append(_("The step name may contain only lowercase letters, digits and hyphens (regex "
                     "^[a-z]([-a-z0-9]*[a-z0-9])?$); {chars} are not allowed. Try {suggestion}.")
                   .format(chars=" ".join(_show(c) for c in bad[:8]), suggestion=suggestion))
    if len(value) > 1 and value.endswith("-"):
        out.append(_("The step name must not end with a hyphen. Try {suggestion}.").format(suggestion=suggestion))
    return [("error", m) for m in out]


def _whole(parameter: str, value: object, minimum: int) -> list[tuple[str, str]]:
    if _is_int(value) and value >= minimum:  # type: ignore[operator]
        return []
    return [("error", _("{parameter} must be a whole number ≥ {minimum}, not {value}.")
             .format(parameter=parameter, minimum=minimum, value=_show(value)))]


def _check_mini_batch_size(value: object, dataset_type: object) -> list[tuple[str, str]]:
    files_ok = (_is_int(value) and value >= 1) or (  # type: ignore[operator]
        isinstance(value, str) and value.isascii() and value.isdigit() and int(value) >= 1)
    size_ok = (_is_int(value) and value >= 1) or (  # type: ignore[operator]
        isinstance(value, str) and SIZE_RE.match(value) is not None and int(re.sub(r"\D", "", value)) >= 1)
    if dataset_type == "file" and not files_ok:
        return [("error", _("For a FileDataset, mini_batch_size is a number of files: a whole number ≥ 1 such as "
                            "10, not {value}.").format(value=_show(value)))]
    if dataset_type == "tabular" and not size_ok:
        return [("error", _("For a TabularDataset, mini_batch_size is a size such as 1024, 1024KB, 10MB or 1GB "
                            "(digits, then optionally KB, MB or GB, no spaces), not {value}.")
                 .format(value=_show(value)))]
    if dataset_type not in ("file", "tabular") and not (files_ok or size_ok):
        return [("error", _("mini_batch_size must be a number of files (a whole number ≥ 1, for a FileDataset) or "
                            "a size such as 1024, 1024KB, 10MB or 1GB (for a TabularDataset), not {value}.")
                 .format(value=_show(value)))]
    return []


def _check_compute(value: object) -> list[tuple[str, str]]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return [("error", _("compute_target is required: pass an AmlCompute cluster or its name."))]
    if isinstance(value, str):
        return []
    classes = {c.__name__ for c in type(value).__mro__}
    try:
        kind = getattr(value, "type", None)
    except Exception:
        kind = None
    kind = kind if isinstance(kind, str) else type(value).__name__
    if classes & COMPUTE_TYPES and kind in COMPUTE_TYPES:
        return []
    return [("warning", _("compute_target must be an AmlCompute cluster (or its name); ParallelRunStep does not "
                          "run on a {type}.").format(type=kind))]


def _check_one(parameter: str, value: object, params: dict[str, object]) -> list[tuple[str, str]]:
    dataset_type = default_value_of(params.get("dataset_type"))[0]
    if parameter == "name":
        return _check_name(value)
    if parameter == "entry_script":
        if value is None or (isinstance(value, str) and not value.strip()):
            return [("error", _("entry_script is required: the name of the Python file that defines init() and "
                                "run(mini_batch), relative to source_directory."))]
        if not isinstance(value, str) or not value.strip().endswith(".py"):
            return [("error", _("entry_script must be a Python file ending in .py, such as score.py, not {value}.")
                     .format(value=_show(value)))]
        return []
    if parameter == "mini_batch_size":
        return [] if value is None else _check_mini_batch_size(value, dataset_type)
    if parameter in ("error_threshold", "allowed_failed_count"):
        if parameter == "allowed_failed_count" and value is None:
            return []
        if _is_int(value) and -1 <= value <= INT_MAX:  # type: ignore[operator]
            return []
        return [("error", _("{parameter} must be a whole number from -1 to {maximum} (-1 ignores all failures), "
                            "not {value}.").format(parameter=parameter, maximum=INT_MAX, value=_show(value)))]
    if parameter == "allowed_failed_percent":
        if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 100):
            return []
        return [("error", _("{parameter} must be a number from 0 to 100 (100 ignores all failures), not {value}.")
                 .format(parameter=parameter, value=_show(value)))]
    if parameter in ("output_action", "logging_level", "dataset_type"):
        choices = {"output_action": OUTPUT_ACTIONS, "logging_level": LOG_LEVELS, "dataset_type": ("file", "tabular")}
        if value is None and parameter != "output_action":
            return []
        ok = value in choices[parameter] or (
            parameter == "output_action" and isinstance(value, str) and value.lower() in OUTPUT_ACTIONS)
        if ok:
            return []
        if parameter == "logging_level" and isinstance(value, str) and value.strip():
            upper = value.strip().upper()
            too_high = ("ERROR", "CRITICAL", "FATAL", "WARN")
            hint = upper if upper in LOG_LEVELS else "WARNING" if upper in too_high else ""
            if hint:
                return [("error", _("logging_level must be WARNING, INFO or DEBUG, in capitals, not {value}: use "
                                    "{suggestion}.").format(value=_show(value), suggestion=hint))]
        return [("error", _("{parameter} must be one of {choices}, not {value}.").format(
            parameter=parameter, choices=", ".join(choices[parameter]), value=_show(value)))]
    if parameter == "append_row_file_name":
        if value is None:
            return []
        if not isinstance(value, str) or not value.strip() or BAD_FILE_CHARS.search(value):
            return [("error", _("append_row_file_name must be a plain file name such as parallel_run_step.txt, "
                                "with no folder and none of the characters {chars}, not {value}.")
                     .format(chars='~ " # % & * : < > ? / \\ { | }', value=_show(value)))]
        action = default_value_of(params.get("output_action", "append_row"))[0]
        if isinstance(action, str) and action.lower() != "append_row":
            return [("warning", _("append_row_file_name is used only when output_action is 'append_row'; with "
                                  "{output_action} it is ignored.").format(output_action=_show(action)))]
        return []
    if parameter in ("source_directory", "description"):
        if value is None or isinstance(value, str):
            return []
        return [("error", _("{parameter} must be a string, not {value}.").format(parameter=parameter,
                                                                                 value=_show(value)))]
    if parameter == "compute_target":
        return _check_compute(value)
    if parameter == "node_count":
        return _whole(parameter, value, 1)
    if parameter in ("process_count_per_node", "run_max_try"):
        if value is None:
            return []
        found = _whole(parameter, value, 1)
        if not found and parameter == "process_count_per_node" and value > MANY_PROCESSES:  # type: ignore[operator]
            found = [("warning", _("process_count_per_node={value} is unusually high: the best value is the number "
                                   "of GPUs or CPU cores of one node.").format(value=_show(value)))]
        return found
    if parameter == "environment":
        if value is None:
            return [("error", _("environment is required: pass the azureml.core.Environment the entry script runs "
                                "in."))]
        if isinstance(value, str):
            return [("error", _("environment must be an azureml.core.Environment object, not the string {value}: "
                                "use Environment.get(ws, name={value}).").format(value=_show(value)))]
        return []
    if parameter == "run_invocation_timeout":
        if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)
                             and math.isfinite(value) and value > 0):
            return []
        return [("error", _("run_invocation_timeout must be a number of seconds > 0 (default 60), not {value}.")
                 .format(value=_show(value)))]
    if parameter == "allow_reuse":
        if isinstance(value, bool):
            return []
        return [("error", _("{parameter} must be True or False, not {value}.").format(parameter=parameter,
                                                                                      value=_show(value)))]
    if parameter in ("inputs", "side_inputs", "arguments"):
        if value is None and parameter != "inputs":
            return []
        if not isinstance(value, (list, tuple)):
            return [("error", _("{parameter} must be a list, not {value}.").format(parameter=parameter,
                                                                               value=_show(value)))]
        if parameter == "inputs" and not value:
            return [("error", _("inputs must list at least one dataset (all FileDataset or all TabularDataset)."))]
    return []


def check_parallel_run_config(**params: object) -> tuple[ConfigIssue, ...]:
    """Check ParallelRunConfig and ParallelRunStep parameters; returns the problems found, errors first.

    Pass the parameters as you would to the SDK (``entry_script="score.py", node_count=2, name=...``),
    plus optionally ``dataset_type="file" | "tabular"`` to check ``mini_batch_size`` for one kind of
    dataset. PipelineParameter values are checked through their ``default_value``. Unknown names get
    a warning that names the closest known parameter. Never raises.
    """
    issues = []
    for parameter, given in params.items():
        value, _wrapped = default_value_of(given)
        if parameter not in KNOWN:
            close = difflib.get_close_matches(parameter, KNOWN, n=1, cutoff=0.6)
            message = (_("Unknown parameter {parameter}: did you mean {suggestion}?").format(
                parameter=parameter, suggestion=close[0]) if close else _(
                "Unknown parameter {parameter}: ParallelRunConfig and ParallelRunStep do not take it.").format(
                parameter=parameter))
            issues.append(ConfigIssue(parameter, "warning", message, value))
            continue
        try:
            found = _check_one(parameter, value, params)
        except Exception:  # e.g. a comparison a strange type refuses: report it rather than raise
            found = [("error", _("{parameter} has a value of an unexpected type: {value}.").format(
                parameter=parameter, value=_show(value)))]
        issues.extend(ConfigIssue(parameter, sev, msg, value) for sev, msg in found)  # type: ignore[arg-type]
    return tuple(sorted(issues, key=lambda i: i.severity != "error"))

"""The ParallelRunStep form as plain values: field texts → SDK parameters, and the code that defines named objects.

A form holds text (what a person types). :func:`parse_form` turns it into the values
``ParallelRunConfig`` / ``ParallelRunStep`` take: whole numbers, sizes, lists of arguments, and
:class:`Named` references for the objects the form knows only by name (the environment, input
datasets, the output). :func:`form_snippet` writes the SDK v1 code: the lines that define those
objects, then :func:`amlnbtools.core.parallel_run.snippet`.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from amlnbtools.core.parallel_run.config import ConfigIssue, default_value_of
from amlnbtools.core.parallel_run.snippet import snippet
from amlnbtools.i18n import _

__all__ = ["FIELDS", "FORM_DEFAULTS", "Named", "form_snippet", "form_texts", "parse_form"]

#: Form fields in display order: the ParallelRunStep's, then the ParallelRunConfig's (as documented).
FIELDS = ("name", "inputs", "side_inputs", "output", "arguments", "allow_reuse",
          "entry_script", "source_directory", "mini_batch_size", "dataset_type", "error_threshold",
          "output_action", "append_row_file_name", "environment", "compute_target", "node_count",
          "process_count_per_node", "logging_level", "run_invocation_timeout", "run_max_try", "description")
#: What a new form shows: the SDK's documented defaults, empty where the user must choose.
FORM_DEFAULTS: dict[str, object] = {
    "name": "parallel-run-step", "inputs": "", "side_inputs": "", "output": "", "arguments": "", "allow_reuse": True,
    "entry_script": "", "source_directory": "", "mini_batch_size": "", "dataset_type": "file",
    "error_threshold": "10", "output_action": "append_row", "append_row_file_name": "", "environment": "",
    "compute_target": "", "node_count": "1", "process_count_per_node": "", "logging_level": "INFO",
    "run_invocation_timeout": "60", "run_max_try": "3", "description": "",
}
#: Fields the SDK requires: left empty, they are checked (and reported), not dropped.
REQUIRED = ("name", "inputs", "entry_script", "error_threshold", "output_action", "environment", "compute_target",
            "node_count")
_WHOLE = ("error_threshold", "node_count", "process_count_per_node", "run_max_try")
_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_PORT_NAME = re.compile(r"^\w+$", re.ASCII)


@dataclass(frozen=True, slots=True)
class Named:
    """An SDK object the form knows by its name; the snippet defines it in a variable before using it.

    Attributes
    ----------
    kind : {"environment", "dataset", "output"}
    name : str
    """

    kind: Literal["environment", "dataset", "output"]
    name: str

    def __repr__(self) -> str:  # deliberately not a Python literal: snippet() writes the variable instead
        return f"<{self.kind} {self.name!r}>"


def _names(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_names(v) for v in value)
    name = value.name if isinstance(value, Named) else getattr(value, "name", None)
    return name if isinstance(name, str) else ("" if value is None else str(value))


def form_texts(params: Mapping[str, object]) -> tuple[dict[str, object], dict[str, object]]:
    """Field values for the form from SDK-style parameters, and the parameters it has no field for.

    ``environment`` / ``output`` / datasets may be objects (their ``name`` is used) or names;
    ``arguments`` a list; a PipelineParameter stands for its default value.
    """
    texts = dict(FORM_DEFAULTS)
    extras: dict[str, object] = {}
    for parameter, given in params.items():
        if parameter not in FIELDS:
            extras[parameter] = given
            continue
        value = default_value_of(given)[0]
        if parameter == "allow_reuse":
            texts[parameter] = value
        elif parameter in ("environment", "output", "inputs", "side_inputs"):
            texts[parameter] = _names(value)
        elif parameter == "arguments" and isinstance(value, (list, tuple)):
            texts[parameter] = shlex.join(str(v) for v in value)
        else:
            texts[parameter] = "" if value is None else str(value)
    return texts, extras


def _port_name(text: str) -> str:
    """A valid output (port) name close to ``text``."""
    return text if _PORT_NAME.match(text) else re.sub(r"\W+", "_", text, flags=re.ASCII).strip("_") or "output"


def _number(text: str, floats: bool = False) -> object:
    if _INT.match(text):
        return int(text)
    if floats and _FLOAT.match(text):
        return float(text)
    return text


def parse_form(texts: Mapping[str, object]) -> tuple[dict[str, object], tuple[ConfigIssue, ...]]:
    """SDK parameters from field values, and the problems found while reading them.

    Optional fields left empty are left out (the SDK default applies); required ones are passed as
    ``None`` so that :func:`~amlnbtools.core.parallel_run.check_parallel_run_config` reports them.
    """
    values: dict[str, object] = {}
    issues: list[ConfigIssue] = []
    for field in FIELDS:
        raw = texts.get(field, FORM_DEFAULTS[field])
        if field == "allow_reuse":
            values[field] = raw
            continue
        text = raw.strip() if isinstance(raw, str) else raw
        if text in ("", None):
            if field in REQUIRED:
                values[field] = [] if field == "inputs" else None
            continue
        if not isinstance(text, str):
            values[field] = text
        elif field in _WHOLE:
            values[field] = _number(text)
        elif field == "run_invocation_timeout":
            values[field] = _number(text, floats=True)
        elif field == "mini_batch_size":
            tabular = texts.get("dataset_type") == "tabular"
            values[field] = int(text) if text.isascii() and text.isdigit() and not tabular else text
        elif field in ("inputs", "side_inputs"):
            values[field] = [Named("dataset", n.strip()) for n in text.split(",") if n.strip()]
        elif field == "environment":
            values[field] = Named("environment", text)
        elif field == "output":
            values[field] = Named("output", text)
            if not _PORT_NAME.match(text):
                issues.append(ConfigIssue("output", "error", _(
                    "The output name may contain only letters, digits and underscores, not {value}: try {suggestion}."
                ).format(value=repr(text), suggestion=_port_name(text)), text))
        elif field == "arguments":
            try:
                values[field] = shlex.split(text)
            except ValueError as exc:
                issues.append(ConfigIssue("arguments", "error", _(
                    "The arguments could not be split into words ({error}): close every quote you opened."
                ).format(error=str(exc)), text))
        else:
            values[field] = text
    return values, tuple(issues)


def _identifier(name: str) -> str:
    text = re.sub(r"\W+", "_", name, flags=re.ASCII).strip("_") or "dataset"
    return "ds_" + text if text[0].isdigit() else text


def form_snippet(values: Mapping[str, object]) -> str:
    """SDK v1 code for the form: the named objects defined first, then ParallelRunConfig and ParallelRunStep."""
    lines: list[str] = []
    imports: set[str] = set()

    def datasets(parameter: str) -> None:
        items = values.get(parameter)
        if isinstance(items, list) and items and all(isinstance(i, Named) for i in items):
            imports.add("Dataset")
            parts = [f"Dataset.get_by_name(ws, name={i.name!r}).as_named_input({_identifier(i.name)!r})"
                     for i in items]
            lines.append(f"{parameter} = [" + ", ".join(parts) + "]")

    environment = values.get("environment")
    if isinstance(environment, Named):
        imports.add("Environment")
        lines.append(f"environment = Environment.get(ws, name={environment.name!r})")
    datasets("inputs")
    datasets("side_inputs")
    output = values.get("output")
    head = []
    if imports:
        head.append("from azureml.core import " + ", ".join(sorted(imports | {"Workspace"})))
    if isinstance(output, Named):
        head.append("from azureml.data import OutputFileDatasetConfig")
        lines.append(f"output_dir = OutputFileDatasetConfig(name={_port_name(output.name)!r})")
    code = snippet(**values)
    if not head:
        return code
    if imports:
        lines.insert(0, "ws = Workspace.from_config()")
    # the snippet's own imports join the others at the top
    first, _sep, rest = code.partition("\n\n")
    return "\n".join(head + first.splitlines() + [""] + lines + [""]) + "\n" + rest

"""An SDK v2 command (``python train.py --data ${{inputs.data}} $[[--lr ${{inputs.lr}}]]``) made concrete.

Azure ML replaces ``${{inputs.NAME}}`` by the input's local path (data) or value (literals), ``${{outputs.NAME}}``
by a path it creates, and keeps an optional block ``$[[ … ]]`` only when every input inside it has a value. The
same is done here with the user's local paths: each value is shell-quoted, and a reference to anything else
(``${{search_space.…}}``, an unknown input) is an error that names it.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass

from amlnbtools.i18n import _

__all__ = ["CommandError", "Resolved", "references", "resolve_command"]

_REF = re.compile(r"\$\{\{\s*(?P<kind>[A-Za-z_]+)\.(?P<name>[A-Za-z0-9_.-]+)\s*\}\}")
_OPTIONAL = re.compile(r"\$\[\[(?P<body>.*?)\]\]", re.S)


class CommandError(ValueError):
    """The command cannot be made concrete; the message names what is missing and how to give it."""


@dataclass(frozen=True)
class Resolved:
    """The command to run, and what it was given."""

    command: str
    inputs: dict[str, str]  # input name -> value or path used
    outputs: dict[str, str]  # output name -> path given
    dropped: tuple[str, ...] = ()  # optional blocks left out (an input without a value)


def references(command: str) -> list[tuple[str, str]]:
    """Every ``(kind, name)`` the command refers to, in order (``("inputs", "data")`` …)."""
    return [(m["kind"], m["name"]) for m in _REF.finditer(command)]


def resolve_command(command: str, inputs: Mapping[str, str | None], outputs: Mapping[str, str]) -> Resolved:
    """``command`` with every reference replaced (shell-quoted); ``inputs`` maps names to a path or value (None: no
    value — allowed only inside an optional block), ``outputs`` names to a path."""
    if not isinstance(command, str) or not command.strip():
        raise CommandError(_("The step has no command to run: give its command (command: in the YAML)."))
    used_inputs: dict[str, str] = {}
    used_outputs: dict[str, str] = {}
    dropped: list[str] = []

    def value(match: re.Match[str]) -> str:
        kind, name = match["kind"], match["name"]
        if kind == "inputs":
            if name not in inputs:
                raise CommandError(_("The command uses ${{{{inputs.{name}}}}}, which the step does not declare: add "
                                     "it under inputs:, or fix the name.").format(name=name))
            given = inputs[name]
            if given is None:
                raise CommandError(_("Input {name} has no value and no default: map it to a local path or value "
                                     "(inputs={{'{name}': ...}}, or --input {name}=...).").format(name=name))
            used_inputs[name] = str(given)
            return shlex.quote(str(given))
        if kind == "outputs":
            if name not in outputs:
                raise CommandError(_("The command uses ${{{{outputs.{name}}}}}, which the step does not declare: add "
                                     "it under outputs:, or fix the name.").format(name=name))
            used_outputs[name] = outputs[name]
            return shlex.quote(outputs[name])
        raise CommandError(_("The command uses ${{{{{kind}.{name}}}}}, which a local run cannot give (only inputs "
                             "and outputs): replace it with a value to try the step.").format(kind=kind, name=name))

    def optional_block(match: re.Match[str]) -> str:
        body = match["body"]
        if any(r["kind"] == "inputs" and r["name"] in inputs and inputs[r["name"]] is None
               for r in _REF.finditer(body)):
            dropped.append(body.strip())
            return ""
        return _REF.sub(value, body)

    text = _OPTIONAL.sub(optional_block, command)
    text = _REF.sub(value, text)
    return Resolved(text.strip(), used_inputs, used_outputs, tuple(dropped))

"""Problems in a job, component or deployment spec: the field path, the message, and a fix in plain words.

azure-ai-ml reports schema errors as nested JSON inside its message (``{"inputs": {"raw": {"path": ["Field may
not be null."]}}}``, union fields as a list of alternatives, the whole sometimes JSON inside JSON). These
functions turn that into one :class:`SpecProblem` per field (``inputs.raw.path``), each with a fix; nothing
here imports the SDK.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from amlnbtools.i18n import _

__all__ = ["SpecProblem", "SpecReport", "problems_from_schema_errors", "problems_from_text"]


@dataclass(frozen=True)
class SpecProblem:
    """One problem: where (a dotted field path, ``*`` for the whole file), what the SDK said, what to do."""

    path: str
    message: str
    fix: str
    value: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SpecReport:
    """What a check found in one spec: ``kind`` (command job, pipeline job, online deployment …) and problems."""

    source: str
    kind: str
    problems: tuple[SpecProblem, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "kind": self.kind, "passed": self.passed,
                "problems": [p.to_dict() for p in self.problems]}


_NOT_IN_SET = re.compile(r"Value '(?P<got>[^']*)' passed is not in set \[(?P<allowed>[^\]]*)\]")
_NOT_VALID = re.compile(r"Not a valid (?P<kind>[\w ]+)\.")


def fix_for(path: str, message: str) -> str:
    """A fix in plain words for one schema message about ``path``."""
    name = path or "*"
    if message.startswith("Missing data for required field"):
        return _("Add {field}: it is required here.").format(field=name)
    if message.startswith("Unknown field"):
        return _("Remove {field}, or correct its name or indentation: the schema has no such field here.").format(
            field=name)
    if message.startswith("Field may not be null"):
        return _("Give {field} a value: it is empty.").format(field=name)
    found = _NOT_IN_SET.search(message)
    if found:
        return _("Set {field} to one of {allowed} (it is {value}).").format(
            field=name, allowed=found["allowed"], value=repr(found["got"]))
    found = _NOT_VALID.search(message)
    if found:
        return _("{field} must be a {kind}: correct its value.").format(field=name, kind=found["kind"])
    return _("Correct {field} as the message says.").format(field=name)


def _errors_in(message: str) -> Any:
    """The JSON object of field errors a schema message carries (the innermost one), or None."""
    start = message.find("{")
    while start != -1:
        depth = 0
        for end in range(start, len(message)):
            char = message[end]
            depth += char == "{"
            depth -= char == "}"
            if depth == 0:
                try:
                    value = json.loads(message[start:end + 1])
                except ValueError:
                    break
                if isinstance(value, dict) and isinstance(value.get("errors"), list):  # the SDK's wrapper
                    inner = [_errors_in(e.get("message", "")) for e in value["errors"] if isinstance(e, dict)]
                    inner = [i for i in inner if i]
                    return inner[0] if inner else value
                return value
        start = message.find("{", start + 1)
    return None


def _flatten(errors: Any, path: str, out: list[tuple[str, str]]) -> None:
    if isinstance(errors, dict):
        for key, value in errors.items():
            # a union field lists the errors of each alternative under "value": its path is the field itself
            _flatten(value, path if key == "value" and isinstance(value, list) else f"{path}.{key}".lstrip("."), out)
    elif isinstance(errors, list):
        alternatives = [e for e in errors if isinstance(e, dict)]
        if alternatives:  # the alternative with the fewest errors is the one the user meant
            best = min(alternatives, key=lambda a: len(json.dumps(a)))
            _flatten(best, path, out)
        for item in errors:
            if isinstance(item, str):
                out.append((path, item))
    elif isinstance(errors, str):
        out.append((path, errors))


def problems_from_schema_errors(errors: Any) -> tuple[SpecProblem, ...]:
    """Problems from a nested dict/list of field errors (marshmallow's shape)."""
    flat: list[tuple[str, str]] = []
    _flatten(errors, "", flat)
    seen: dict[tuple[str, str], SpecProblem] = {}
    for path, message in flat:
        key = (path or "*", message.strip())
        if key not in seen:
            seen[key] = SpecProblem(path=key[0], message=key[1], fix=fix_for(key[0], key[1]))
    return tuple(seen.values())


def problems_from_text(message: str) -> tuple[SpecProblem, ...]:
    """Problems from the text of an SDK validation error (JSON field errors inside it, else the first line)."""
    errors = _errors_in(message)
    if isinstance(errors, dict) and isinstance(errors.get("errors"), list):  # {"result": "Failed", "errors": [...]}
        listed = [(str(e.get("path") or "*"), str(e["message"]).split("; ")[0].strip())  # alternatives follow ";"
                  for e in errors["errors"] if isinstance(e, dict) and e.get("message")]
        if listed:
            return tuple(SpecProblem(path=p, message=m, fix=fix_for(p, m)) for p, m in dict.fromkeys(listed))
    if isinstance(errors, dict) and errors and "result" not in errors:
        found = problems_from_schema_errors(errors)
        if found:
            return found
    first = next((line.strip() for line in message.splitlines() if line.strip()), message.strip())
    return (SpecProblem(path="*", message=first, fix=fix_for("*", first)),)

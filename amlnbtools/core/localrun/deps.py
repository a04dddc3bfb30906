"""The packages a step's environment asks for, against those installed where it runs locally.

The environment's conda specification lists conda packages (``numpy=1.26``: any 1.26.x; ``numpy==1.26.4``: exactly)
and pip requirements (``pandas==2.2.3``, ``scikit-learn>=1.4``). Each is compared with the installed version; a
package missing, or at a version the specification excludes, is reported — the pipeline troubleshooting guide's
"dependency bugs": a script that works here and fails remotely, or the other way round.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from amlnbtools.i18n import _

__all__ = ["Mismatch", "compare", "wanted"]

_SKIP = {"python", "pip", "setuptools", "wheel"}
_CONDA = re.compile(r"^(?:[\w.-]+::)?(?P<name>[A-Za-z0-9_.-]+)\s*(?P<op>==|=|>=|<=|>|<|!=)?\s*(?P<ver>[^\s=]*)")


@dataclass(frozen=True)
class Mismatch:
    package: str
    wanted: str  # the specification as written
    installed: str | None  # None: not installed
    source: str  # "conda" or "pip"

    @property
    def message(self) -> str:
        """What is wrong, for people."""
        if self.installed is None:
            return _("Package {package}: the environment asks for {wanted}, and it is not installed here.").format(
                package=self.package, wanted=self.wanted)
        return _("Package {package}: the environment asks for {wanted}, and {installed} is installed here.").format(
            package=self.package, wanted=self.wanted, installed=self.installed)


def _conda_spec(text: str) -> tuple[str, SpecifierSet | None] | None:
    found = _CONDA.match(text.strip())
    if found is None:
        return None
    op, ver = found["op"], (found["ver"] or "").rstrip("*").rstrip(".")
    try:
        if not op or not ver:
            return found["name"], None
        if op == "=":  # conda: 1.26 means 1.26.*
            return found["name"], SpecifierSet(f"=={ver}.*") if ver.count(".") < 2 else SpecifierSet(f"=={ver}")
        return found["name"], SpecifierSet(f"{op}{ver}")
    except InvalidSpecifier:
        return found["name"], None


def wanted(conda: Mapping[str, Any]) -> list[tuple[str, str, SpecifierSet | None, str]]:
    """``(name, as written, specifier, "conda" | "pip")`` for every package of a conda specification."""
    found: list[tuple[str, str, SpecifierSet | None, str]] = []
    for entry in conda.get("dependencies") or []:
        if isinstance(entry, str):
            spec = _conda_spec(entry)
            if spec and canonicalize_name(spec[0]) not in _SKIP:
                found.append((spec[0], entry, spec[1], "conda"))
        elif isinstance(entry, Mapping):
            for line in entry.get("pip") or []:
                text = str(line).strip()
                if not text or text.startswith(("-", "#", "git+", "http:", "https:", "file:", ".")):
                    continue  # index options, links and local paths: not a name to compare
                try:
                    req = Requirement(text)
                except InvalidRequirement:
                    continue
                if canonicalize_name(req.name) not in _SKIP:
                    found.append((req.name, text, req.specifier or None, "pip"))
    return found


def compare(conda: Mapping[str, Any], installed: Mapping[str, str]) -> list[Mismatch]:
    """Packages of ``conda`` missing from ``installed`` (name -> version) or at a version it excludes."""
    have = {canonicalize_name(k): v for k, v in installed.items()}
    problems = []
    for name, text, spec, source in wanted(conda):
        version = have.get(canonicalize_name(name))
        if version is None:
            problems.append(Mismatch(name, text, None, source))
            continue
        try:
            if spec is not None and not spec.contains(Version(version), prereleases=True):
                problems.append(Mismatch(name, text, version, source))
        except InvalidVersion:
            continue
    return problems

"""The shape of the package: light import, one-way layers at every edge, no import cycle, small modules."""

from __future__ import annotations

import ast
import subprocess
import sys
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "amlnbtools"
HEAVY = ("azureml", "azure", "pandas", "plotly", "ipywidgets", "IPython", "numpy")

#: Layer → the layers of amlnbtools it may import (a layer is the first name under ``amlnbtools``).
LAYERS: dict[str, set[str]] = {
    "i18n": set(),
    "samples": set(),
    "core": {"core", "i18n"},
    "figures": {"core", "figures", "i18n"},
    "sources": {"core", "sources", "i18n"},
    "widgets": {"core", "figures", "sources", "widgets", "i18n"},
    "cli": {"core", "sources", "i18n", "cli_workspace"},
    "cli_workspace": {"core", "sources", "i18n"},  # the commands that read a workspace
    "__main__": {"cli"},
    "": {"core", "sources", "widgets", "i18n"},  # amlnbtools/__init__.py: the lazy public names
}
#: Layer → libraries it must not import: SDKs and the network stay in sources, widgets stay in widgets.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "core": ("azureml", "azure", "msrest", "requests", "urllib3", "responses", "ipywidgets", "IPython", "plotly"),
    "figures": ("azureml", "azure", "msrest", "requests", "urllib3", "ipywidgets", "IPython"),
    "sources": ("ipywidgets", "IPython", "plotly"),
    "widgets": ("azureml", "azure", "msrest", "requests", "urllib3", "responses"),
    "cli": ("azureml", "azure", "ipywidgets", "IPython", "plotly"),
    "cli_workspace": ("azureml", "azure", "ipywidgets", "IPython", "plotly"),
    "i18n": ("azureml", "azure", "ipywidgets", "plotly", "pandas"),
}
#: Within core, the families each family may use (diagnosis and logs are the base of the others).
CORE_FAMILIES: dict[str, set[str]] = {
    "diagnosis": set(),
    "logs": set(),
    "capacity": set(),
    "services": set(),
    "pipeline": {"diagnosis"},
    "parallel_run": {"diagnosis"},
    "checks": {"pipeline"},  # before a run: build logs, waits (job statuses), quota, spec problems
    "localrun": set(),  # a step run on this machine: its command made concrete, its packages compared
    "triage": {"diagnosis"},  # a whole workspace: items, groups by cause, the report (redacted)
}


def _imported_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_import_amlnbtools_loads_no_heavy_library() -> None:
    loaded = _imported_after("import amlnbtools")
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_diagnosing_loads_no_azureml_and_no_widgets() -> None:
    loaded = _imported_after("import amlnbtools; amlnbtools.diagnose('CrashLoopBackOff')")
    assert not loaded & {"azureml", "azure", "ipywidgets", "plotly", "pandas"}


@cache
def _modules() -> dict[str, Path]:
    """Dotted name → file, for every module of the package (a package is its ``__init__``)."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _own(name: str) -> str | None:
    """The module of ours that ``name`` (a module, or a name inside one) belongs to."""
    modules = _modules()
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


@cache
def _imports(module: str) -> tuple[frozenset[str], frozenset[str]]:
    """(modules of ours, other top-level imports) imported anywhere in ``module``, functions included."""
    ours, others = set(), set()
    for node in ast.walk(ast.parse(_modules()[module].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] == "amlnbtools":
                target = _own(name)
                if target and target != module:
                    ours.add(target)
            else:
                others.add(name)
    return frozenset(ours), frozenset(others)


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_every_layer_imports_only_the_layers_below_it() -> None:
    assert set(LAYERS) >= {_layer(m) for m in _modules()}, "a new layer: give it a row in LAYERS"
    bad = [f"{m} imports {t}" for m in _modules() for t in _imports(m)[0] if _layer(t) not in LAYERS[_layer(m)]]
    assert bad == []


def test_no_layer_imports_an_sdk_or_library_it_must_not() -> None:
    bad = [f"{m} imports {lib}" for m in _modules() for lib in _imports(m)[1]
           if lib.split(".")[0] in FORBIDDEN.get(_layer(m), ())]
    assert bad == []


def test_core_families_depend_only_on_the_base_families() -> None:
    def family(module: str) -> str:
        return module.split(".")[2] if module.count(".") >= 2 else ""

    bad = []
    for m in _modules():
        if _layer(m) != "core" or not family(m):
            continue
        for t in _imports(m)[0]:
            used = family(t) if _layer(t) == "core" else ""
            if used and used != family(m) and used not in CORE_FAMILIES[family(m)]:
                bad.append(f"{m} imports {t}")
    assert set(CORE_FAMILIES) >= {family(m) for m in _modules() if _layer(m) == "core" and family(m)}
    assert bad == []


def _cycles() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), over every import of ours."""
    graph = {m: sorted(_imports(m)[0]) for m in _modules()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_between_modules() -> None:
    assert _cycles() == []


def test_the_cycle_check_finds_a_cycle(monkeypatch) -> None:
    """Control: two modules that import each other (as loglines and logstore once did) are reported."""
    a, b = "amlnbtools.core.logs.lines", "amlnbtools.core.logs.store"
    real = _imports.__wrapped__

    def imports(module: str) -> tuple[frozenset[str], frozenset[str]]:
        ours, others = real(module)
        return (ours | {b}, others) if module == a else (ours, others)

    monkeypatch.setattr(sys.modules[__name__], "_imports", imports)
    assert [a, b] in _cycles()


def test_core_has_only_a_handful_of_loose_modules() -> None:
    loose = sorted(p.name for p in (PACKAGE / "core").glob("*.py"))
    assert loose == ["__init__.py", "services.py"], loose


def test_modules_stay_small() -> None:
    for path in PACKAGE.rglob("*.py"):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= 400, f"{path.relative_to(PACKAGE)} has {lines} lines: split it by concept"

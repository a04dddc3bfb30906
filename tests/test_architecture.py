"""The shape of the package: light import, one-way layers, small modules."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "amlnbtools"
HEAVY = ("azureml", "pandas", "plotly", "ipywidgets", "IPython", "numpy")


def _imported_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_import_amlnbtools_loads_no_heavy_library() -> None:
    loaded = _imported_after("import amlnbtools")
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_diagnosing_loads_no_azureml_and_no_widgets() -> None:
    loaded = _imported_after("import amlnbtools; amlnbtools.diagnose('CrashLoopBackOff')")
    assert not loaded & {"azureml", "ipywidgets", "plotly", "pandas"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_imports_nothing_from_outer_layers_or_sdks() -> None:
    forbidden = ("amlnbtools.sources", "amlnbtools.widgets", "amlnbtools.figures", "amlnbtools.cli", "azureml",
                 "azure", "ipywidgets", "plotly", "requests", "IPython")
    for path in (PACKAGE / "core").rglob("*.py"):
        bad = {m for m in _imports(path) if m.startswith(forbidden)}
        assert not bad, f"{path.name} imports {bad}"


def test_modules_stay_small() -> None:
    for path in PACKAGE.rglob("*.py"):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= 400, f"{path.relative_to(PACKAGE)} has {lines} lines: split it by concept"

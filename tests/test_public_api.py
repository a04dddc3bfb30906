"""The public names of amlnbtools: one table, every name importable, defined where the table says, documented."""

from __future__ import annotations

import ast
import inspect
import typing
from pathlib import Path

import pytest

import amlnbtools

ROOT = Path(__file__).resolve().parents[1]
EAGER = {"LANGUAGES", "__version__", "get_language", "set_language"}


def test_all_is_the_table_plus_the_eager_names() -> None:
    assert sorted(amlnbtools.__all__) == amlnbtools.__all__
    assert set(amlnbtools.__all__) == set(amlnbtools.PUBLIC) | EAGER
    assert set(dir(amlnbtools)) >= set(amlnbtools.__all__)


@pytest.mark.parametrize("name", sorted(amlnbtools.PUBLIC))
def test_every_public_name_imports_from_the_module_the_table_names(name: str) -> None:
    value = getattr(amlnbtools, name)
    assert value.__module__ == amlnbtools.PUBLIC[name]
    from_module = __import__(amlnbtools.PUBLIC[name], fromlist=[name])
    assert getattr(from_module, name) is value


def test_the_type_checking_imports_are_the_table() -> None:
    """Type checkers and editors see the lazy names through a TYPE_CHECKING block: it must list the same."""
    tree = ast.parse((ROOT / "amlnbtools" / "__init__.py").read_text(encoding="utf-8"))
    block = next(n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING")
    imported = {alias.name: node.module for node in block.body if isinstance(node, ast.ImportFrom)
                for alias in node.names}
    assert imported == amlnbtools.PUBLIC
    # `name as name`: an explicit re-export for type checkers (implicit re-exports are off)
    assert all(alias.asname == alias.name for node in block.body for alias in node.names)


def test_an_unknown_name_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'diagnosis'"):
        amlnbtools.diagnosis  # noqa: B018


@pytest.mark.parametrize("name", sorted(amlnbtools.PUBLIC.keys() | {"get_language", "set_language"}))
def test_every_public_callable_is_documented_in_its_docstring_and_the_readme(name: str) -> None:
    value = getattr(amlnbtools, name)
    doc = inspect.getdoc(value) or ""
    assert len(doc.split()) >= 5, f"{name} needs a docstring"
    api = (ROOT / "README.md").read_text(encoding="utf-8").split("## Python API", 1)
    assert len(api) == 2, "README.md has no '## Python API' section"
    assert f"`{name}" in api[1].split("\n## ", 1)[0], f"README's Python API section does not list {name}"


def test_panel_openers_return_their_panel_types() -> None:
    from amlnbtools import widgets
    from amlnbtools.widgets.deployment_logs import DeploymentLogsPanel
    from amlnbtools.widgets.local_debug import LocalDebugPanel
    from amlnbtools.widgets.online_capacity import OnlineCapacityPanel
    from amlnbtools.widgets.parallel_run import ParallelRunConfigPanel
    from amlnbtools.widgets.pipeline import PipelineLogsPanel
    from amlnbtools.widgets.replicas import ReplicaCalculatorPanel
    from amlnbtools.widgets.workspace import WorkspacePanel

    expected = {"connect": WorkspacePanel, "deployment_logs": DeploymentLogsPanel, "debug_locally": LocalDebugPanel,
                "replica_calculator": ReplicaCalculatorPanel | OnlineCapacityPanel, "pipeline_logs": PipelineLogsPanel,
                "parallel_run_config_panel": ParallelRunConfigPanel}
    names = {cls.__name__: cls for panel in expected.values() for cls in typing.get_args(panel) or (panel,)}
    for opener, panel in expected.items():
        hints = typing.get_type_hints(getattr(widgets, opener), localns=names)
        assert hints["return"] == panel, opener
        for cls in typing.get_args(panel) or (panel,):
            assert hasattr(cls, "_repr_mimebundle_"), cls

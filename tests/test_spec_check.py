"""Checking SDK v2 specs before submitting them: azure-ai-ml's own loaders and validation, field paths, fixes,
and the ``amlnbtools check`` command line."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import amlnbtools
from amlnbtools.cli import main
from amlnbtools.core.checks.spec import problems_from_schema_errors, problems_from_text
from amlnbtools.sources.errors import SourceError

pytest.importorskip("azure.ai.ml", reason="the v2 extra is installed by make test")

GOOD = """\
$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json
type: command
command: python train.py --data ${{inputs.raw}}
code: ./src
environment: azureml:sklearn-env:1
compute: azureml:cpu-cluster
inputs:
  raw:
    type: uri_folder
    path: azureml://datastores/workspaceblobstore/paths/raw/
"""


@pytest.fixture()
def specs(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text("print('ok')\n")
    (tmp_path / "good.yml").write_text(GOOD)
    (tmp_path / "unknown_field.yml").write_text(GOOD.replace("command: python", "instance_cnt: 2\ncommand: python")
                                                .replace("command: python train.py --data ${{inputs.raw}}\n", ""))
    (tmp_path / "empty_path.yml").write_text(GOOD.replace(
        "    path: azureml://datastores/workspaceblobstore/paths/raw/\n", "    path:\n"))
    (tmp_path / "undeclared.yml").write_text(GOOD.replace("${{inputs.raw}}", "${{inputs.training_data}}"))
    (tmp_path / "syntax.yml").write_text("type: command\ncommand: [python\n  x: 1\n")
    (tmp_path / "deployment.yml").write_text(
        "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\n"
        "name: blue\nendpoint_name: taxi\nmodel: azureml:taxi-model:1\ninstance_type: Standard_DS3_v2\n"
        "instance_count: one\n")
    return tmp_path


def test_a_good_job_passes(specs: Path) -> None:
    report = amlnbtools.check_spec(specs / "good.yml")
    assert report.passed and report.problems == () and report.kind == "Command"


def test_a_missing_and_an_unknown_field_are_named_with_their_fixes(specs: Path) -> None:
    problems = {p.path: p for p in amlnbtools.check_spec(specs / "unknown_field.yml").problems}
    assert set(problems) == {"command", "instance_cnt"}
    assert problems["command"].fix.startswith("Add command")
    assert "instance_cnt" in problems["instance_cnt"].fix and "Unknown field" in problems["instance_cnt"].message


def test_an_empty_input_path_gives_its_field_path(specs: Path) -> None:
    problems = amlnbtools.check_spec(specs / "empty_path.yml").problems
    assert [p.path for p in problems] == ["inputs.raw.path"]
    assert "Give inputs.raw.path a value" in problems[0].fix


def test_an_input_the_command_uses_but_the_job_lacks(specs: Path) -> None:
    problems = amlnbtools.check_spec(specs / "undeclared.yml").problems
    assert [(p.path, "training_data" in p.message) for p in problems] == [("command", True)]


def test_yaml_syntax_gives_the_line(specs: Path) -> None:
    report = amlnbtools.check_spec(specs / "syntax.yml")
    assert report.kind == "yaml" and not report.passed
    assert "line 3" in report.problems[0].fix


def test_an_online_deployment_is_checked_with_its_own_schema(specs: Path) -> None:
    problems = amlnbtools.check_spec(specs / "deployment.yml").problems
    assert [p.path for p in problems] == ["instance_count"]
    assert "integer" in problems[0].fix


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="No file at"):
        amlnbtools.check_spec(tmp_path / "nope.yml")


def test_an_entity_is_checked_without_a_file(specs: Path) -> None:
    from azure.ai.ml import command

    job = command(command="python train.py ${{inputs.n}}", environment="azureml:env:1", compute="cpu-cluster")
    problems = amlnbtools.check_spec(job).problems
    assert [p.path for p in problems] == ["command"]


def test_the_workspace_check_runs_when_a_workspace_is_given(specs: Path, replay) -> None:
    report = amlnbtools.check_spec(specs / "good.yml", replay.ml_client)
    assert report.kind == "Command"  # a command job: azure-ai-ml checks only pipeline jobs remotely


def test_schema_errors_of_unions_take_the_alternative_meant() -> None:
    errors = {"inputs": {"raw": {"value": [{"path": ["Field may not be null."]},
                                           {"type": ["Value 'x' passed is not in set ['a']"],
                                            "path": ["Field may not be null."]}]}}}
    assert [(p.path, p.message) for p in problems_from_schema_errors(errors)] == [
        ("inputs.raw.path", "Field may not be null.")]
    assert problems_from_text("something else went wrong\nmore")[0].message == "something else went wrong"


def test_the_command_line_exit_codes_and_json(specs: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(["check", str(specs / "good.yml")], out=out, err=err) == 0
    assert "no problem found" in out.getvalue()
    out = io.StringIO()
    assert main(["check", str(specs / "unknown_field.yml"), "--json"], out=out, err=err) == 1
    data = json.loads(out.getvalue())
    assert data[0]["passed"] is False and {p["path"] for p in data[0]["problems"]} == {"command", "instance_cnt"}
    err = io.StringIO()
    assert main(["check", str(specs / "nope.yml")], out=io.StringIO(), err=err) == 2
    assert "No file at" in err.getvalue()
    out = io.StringIO()
    assert main(["check", str(specs / "empty_path.yml"), "--lang", "fr"], out=out, err=err) == 1
    assert "inputs.raw.path" in out.getvalue() and "Donnez une valeur" in out.getvalue()


def test_a_code_folder_that_does_not_exist_is_named_by_its_field(tmp_path: Path) -> None:
    import shutil

    from amlnbtools.samples import sample_step

    step = Path(shutil.copytree(sample_step(), tmp_path / "step"))
    shutil.rmtree(step / "src")
    report = amlnbtools.check_spec(step / "component.yml")
    assert not report.passed and report.problems[0].path == "code"
    assert "Can't find directory or file" in report.problems[0].message and ";" not in report.problems[0].message

"""A pipeline step run on this machine before it is submitted (SDK v2 command components and jobs, read by
azure-ai-ml): the command made concrete, outputs that do not exist yet, the log diagnosed, outputs and packages
checked, the panel and the command line; and what goes wrong on the user's side, each with a message naming the fix."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import amlnbtools
from amlnbtools.cli import main
from amlnbtools.core.localrun.command import CommandError, resolve_command
from amlnbtools.core.localrun.deps import compare
from amlnbtools.samples import sample_step
from amlnbtools.sources.errors import SourceError
from amlnbtools.sources.localrun.run import run_step
from amlnbtools.sources.localrun.v2 import v2_step

pytest.importorskip("azure.ai.ml", reason="the v2 extra is installed by make test")

FIX = ('    # the output folder is given, not created: writing into it without os.makedirs fails on Azure ML too\n',
       '    os.makedirs(args.prepared, exist_ok=True)\n')


@pytest.fixture()
def step(tmp_path: Path) -> Path:
    """A copy of the sample step (its script may be fixed by the test)."""
    return Path(shutil.copytree(sample_step(), tmp_path / "prep_data"))


def _fix(step: Path) -> None:
    script = step / "src" / "prep.py"
    script.write_text(script.read_text().replace(*FIX))


# --- the command -----------------------------------------------------------------------------------------------

def test_the_command_gets_quoted_paths_values_and_optional_blocks() -> None:
    resolved = resolve_command("python a.py --data ${{inputs.data}} $[[--seed ${{inputs.seed}}]] "
                               "--out ${{ outputs.model }}", {"data": "/tmp/my data", "seed": None},
                               {"model": "/tmp/o/model"})
    assert resolved.command == "python a.py --data '/tmp/my data'  --out /tmp/o/model"
    assert resolved.dropped == ("--seed ${{inputs.seed}}",)
    kept = resolve_command("x $[[--seed ${{inputs.seed}}]]", {"seed": "7"}, {})
    assert kept.command == "x --seed 7" and kept.inputs == {"seed": "7"}


@pytest.mark.parametrize(("command", "words"), [
    ("python a.py ${{inputs.nope}}", "inputs.nope"),
    ("python a.py ${{outputs.nope}}", "outputs.nope"),
    ("python a.py ${{search_space.lr}}", "search_space.lr"),
    ("python a.py ${{inputs.data}}", "no value"),
    ("   ", "no command"),
])
def test_a_command_that_cannot_be_made_concrete_says_what_is_missing(command: str, words: str) -> None:
    with pytest.raises(CommandError, match=words.replace(".", r"\.")):
        resolve_command(command, {"data": None}, {})


def test_packages_are_compared_as_conda_and_pip_read_them() -> None:
    conda = {"dependencies": ["python=3.11", "pip", "numpy=1.26", "scipy==1.14.1", "conda-forge::pyarrow>=15",
                              {"pip": ["pandas==2.2.3", "scikit-learn>=1.4,<1.6", "--extra-index-url x", "./local",
                                       "not-a-package==1.0"]}]}
    found = {(m.package, m.installed) for m in compare(conda, {"numpy": "1.26.4", "scipy": "1.14.1",
                                                              "pyarrow": "14.0.2", "pandas": "2.2.3",
                                                              "scikit_learn": "1.6.1"})}
    assert found == {("pyarrow", "14.0.2"), ("scikit-learn", "1.6.1"), ("not-a-package", None)}


# --- reading the step ------------------------------------------------------------------------------------------

def test_a_component_and_a_job_are_read_by_azure_ai_ml(step: Path) -> None:
    component = v2_step(step / "component.yml")
    assert component.kind == "command component" and component.code == (step / "src").resolve()
    assert {n: (i.type, i.value, i.optional) for n, i in component.inputs.items()} == {
        "raw": ("uri_folder", None, False), "test_ratio": ("number", "0.25", False), "seed": ("integer", None, True)}
    assert component.outputs == {"prepared": "uri_folder"} and component.conda is not None
    job = v2_step(step / "job.yml")
    assert job.kind == "command job" and job.inputs["raw"].value == "./sample"
    assert job.inputs["test_ratio"].value == "0.2"
    assert job.environment == "churn-env:3" and job.conda is None


# --- running it --------------------------------------------------------------------------------------------------

def test_writing_into_an_output_that_was_not_created_is_caught_then_the_fix_runs(step: Path) -> None:
    panel = amlnbtools.run_step_locally(step / "component.yml", {"raw": step / "sample"}, timeout_s=60)
    assert panel.wait().status == "finished", panel.error
    assert panel.exit_code == 1 and panel.findings.primary().rule == "output-dir-missing"
    assert [c.problem for c in panel.result.output_checks] == ["not-created"]
    assert panel.outputs == {"prepared": []} and "read 40 rows" in panel.log
    assert panel.log_view.highlighted == panel.findings.primary().line
    _fix(step)
    panel.run()  # Run again, after the fix
    panel.wait()
    assert panel.exit_code == 0 and not [f for f in panel.findings if f.severity == "error"]
    assert sorted(p.name for p in panel.outputs["prepared"]) == ["test.csv", "train.csv"]
    assert (panel.outputs["prepared"][0].read_text().count("\n")) > 1 and panel.seconds < 60
    assert panel.result.output_checks == () and "test.csv" in panel._outputs.value


def test_a_job_uses_its_own_local_input_and_the_packages_of_its_environment_are_checked(step: Path) -> None:
    _fix(step)
    result = run_step(v2_step(step / "job.yml"), timeout_s=60)
    assert result.exit_code == 0 and result.inputs["raw"] == str((step / "sample").resolve())
    assert "--test-ratio 0.2" in result.command
    component = run_step(v2_step(step / "component.yml"), {"raw": str(step / "sample")}, timeout_s=60)
    assert "azureml-mlflow" in {m.package for m in component.packages}  # conda.yml pins a version not installed


def test_the_step_runs_in_a_copy_of_its_code_with_the_python_asked_for(step: Path, tmp_path: Path) -> None:
    _fix(step)
    (step / "src" / "prep.py").write_text((step / "src" / "prep.py").read_text()
                                          + "\nimport sys\nprint('python', sys.executable)\nopen('scratch', 'w')\n")
    result = run_step(v2_step(step / "component.yml"), {"raw": str(step / "sample")}, timeout_s=60,
                      python=sys.executable)
    assert result.exit_code == 0 and f"python {sys.executable}" in result.log_text()
    assert (result.workdir / "scratch").is_file() and not (step / "src" / "scratch").exists()


# --- bad input: a message that names the fix, nothing left running ---------------------------------------------

@pytest.mark.parametrize(("inputs", "words"), [
    ({}, "Give a local path or value for raw"),
    ({"raw": "/no/such/folder"}, "does not exist here"),
    ({"raw": ".", "rows": "3"}, "has no input rows: its inputs are raw, seed, test_ratio"),
])
def test_inputs_that_cannot_be_given_fail_before_the_run(step: Path, inputs: dict, words: str) -> None:
    with pytest.raises(SourceError, match=words):
        amlnbtools.run_step_locally(step / "component.yml", inputs)


def test_a_missing_script_or_code_folder_is_named(step: Path) -> None:
    (step / "src" / "prep.py").unlink()
    with pytest.raises(SourceError, match="prep.py, which is not in the step's code folder"):
        run_step(v2_step(step / "component.yml"), {"raw": str(step / "sample")})
    shutil.rmtree(step / "src")
    with pytest.raises(SourceError, match="code: Can't find directory or file in resolved absolute path"):
        run_step(v2_step(step / "component.yml"), {"raw": str(step / "sample")})


def test_a_file_that_is_not_a_step_is_refused_with_the_check_command(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("type: command\ncommand: [unclosed\n")
    with pytest.raises(SourceError, match="not a readable YAML|amlnbtools check"):
        v2_step(bad)
    with pytest.raises(SourceError, match="does not exist"):
        v2_step(tmp_path / "nothing.yml")


def test_a_script_that_never_ends_is_stopped_with_everything_it_started(step: Path) -> None:
    marker = f"amlnbtools-test-sleeper-{os.getpid()}"
    (step / "src" / "prep.py").write_text(
        "import subprocess, sys, time\n"
        f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)', '{marker}'])\n"
        "print('started', flush=True)\ntime.sleep(300)\n")
    started = time.monotonic()
    result = run_step(v2_step(step / "component.yml"), {"raw": str(step / "sample")}, timeout_s=2)
    assert result.timed_out and result.exit_code is None and time.monotonic() - started < 30
    assert "started" in result.log_text()  # the partial log is kept
    left = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout.split()
    assert left == []


def test_hostile_markup_and_a_flood_of_output_stay_text_and_bounded(step: Path) -> None:
    (step / "src" / "prep.py").write_text(
        "import sys\nprint('<img src=x onerror=alert(1)><script>alert(2)</script>')\n"
        "line = 'y' * 999 + '\\n'\nfor _ in range(110_000):\n    sys.stdout.write(line)\n")
    panel = amlnbtools.run_step_locally(step / "component.yml", {"raw": step / "sample"}, timeout_s=120)
    panel.wait()
    assert panel.exit_code == 0 and panel.result.log.stat().st_size < 12 * 1024 * 1024  # 110 MB written
    assert "bytes of output not kept" in panel.result.log.read_text()
    shown = panel.log_view.html
    assert "<img" not in shown and "<script>" not in shown and "&lt;img src=x" in shown


# --- the command line --------------------------------------------------------------------------------------------

def test_the_command_line_runs_a_step_and_says_what_went_wrong(step: Path, monkeypatch) -> None:
    monkeypatch.chdir(step)
    out, err = io.StringIO(), io.StringIO()
    assert main(["run-step", "component.yml", "--input", "raw=sample", "--json"], out=out, err=err) == 1
    report = json.loads(out.getvalue())
    assert report["exit_code"] == 1 and report["findings"][0]["rule"] == "output-dir-missing"
    assert report["output_checks"][0]["problem"] == "not-created"
    _fix(step)
    out = io.StringIO()
    assert main(["run-step", "component.yml", "--input", "raw=sample"], out=out, err=err) == 0
    assert "wrote 30 rows to train.csv" in out.getvalue() and "train.csv" in out.getvalue().splitlines()[-1]
    out, err = io.StringIO(), io.StringIO()
    assert main(["run-step", "component.yml", "--input", "raw"], out=out, err=err) == 2
    assert "NAME=VALUE" in err.getvalue()


# --- SDK v1 PythonScriptStep ---------------------------------------------------------------------------------------

def _v1_step(replay, folder: Path, *arguments, **kwargs):
    from azureml.core import RunConfiguration
    from azureml.pipeline.steps import PythonScriptStep

    return PythonScriptStep(name="prep", script_name="prep.py", source_directory=str(folder), arguments=list(arguments),
                            compute_target="cpu-cluster", runconfig=RunConfiguration(), **kwargs)


def test_a_python_script_step_gets_its_data_references_and_parameters_as_local_paths(replay, step: Path) -> None:
    from azureml.data.data_reference import DataReference
    from azureml.pipeline.core import PipelineData, PipelineParameter

    store = replay.workspace.get_default_datastore()
    raw = DataReference(store, data_reference_name="raw_data", path_on_datastore="raw/")
    prepared = PipelineData("prepared", datastore=store)
    ratio = PipelineParameter(name="test_ratio", default_value=0.3)
    v1 = _v1_step(replay, step / "src", "--raw", raw, "--test-ratio", ratio, "--prepared", prepared,
                  inputs=[raw], outputs=[prepared])
    panel = amlnbtools.run_step_locally(v1, {"raw_data": step / "sample"}, timeout_s=60)
    panel.wait()
    assert panel.step.kind == "PythonScriptStep" and set(panel.step.inputs) == {"raw_data", "test_ratio"}
    assert "--test-ratio 0.3" in panel.result.command and panel.step.outputs == {"prepared": "uri_folder"}
    assert panel.exit_code == 1 and panel.findings.primary().rule == "output-dir-missing"
    _fix(step)
    panel.run()
    panel.wait()
    assert panel.exit_code == 0 and sorted(p.name for p in panel.outputs["prepared"]) == ["test.csv", "train.csv"]
    assert "azureml-defaults" in {m.package for m in panel.result.packages}  # the step's default environment


def test_output_configs_named_datasets_and_parameters_given_by_the_user(replay, step: Path) -> None:
    from azureml.core import Dataset
    from azureml.data import OutputFileDatasetConfig
    from azureml.pipeline.core import PipelineParameter

    store = replay.workspace.get_default_datastore()
    customers = Dataset.File.from_files(path=[(store, "raw/")]).as_named_input("customers").as_mount()
    v1 = _v1_step(replay, step / "src", "--raw", customers, "--prepared", OutputFileDatasetConfig(name="prepared"),
                  "--test-ratio", PipelineParameter(name="ratio", default_value=0.2), inputs=[customers])
    from amlnbtools.sources.localrun.v1 import v1_step

    spec = v1_step(v1)
    assert set(spec.inputs) == {"customers", "ratio"} and spec.outputs == {"prepared": "uri_folder"}
    with pytest.raises(SourceError, match="Give a local path or value for customers"):  # what an earlier step wrote
        amlnbtools.run_step_locally(v1, {"ratio": "0.5"})
    panel = amlnbtools.run_step_locally(v1, {"customers": step / "sample", "ratio": "0.5"}, timeout_s=60)
    panel.wait()
    assert "--test-ratio 0.5" in panel.result.command and panel.findings.primary().rule == "output-dir-missing"


def test_a_step_kind_that_does_not_run_locally_says_which_do() -> None:
    class HyperDriveStep:  # what azureml-pipeline-steps calls it
        pass

    HyperDriveStep.__module__ = "azureml.pipeline.steps.hyper_drive_step"
    with pytest.raises(SourceError, match="Only PythonScriptStep and ParallelRunStep run locally"):
        amlnbtools.run_step_locally(HyperDriveStep())


def test_an_azure_ai_ml_object_runs_like_its_yaml(step: Path) -> None:
    from azure.ai.ml import load_component

    _fix(step)
    component = load_component(source=str(step / "component.yml"))
    panel = amlnbtools.run_step_locally(component, {"raw": step / "sample", "seed": 3}, timeout_s=60)
    panel.wait()
    assert panel.exit_code == 0 and "--seed 3" in panel.result.command

"""Pipeline lint on real azureml-pipeline-steps objects: reuse off, shared source folders, writes in loops."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amlnbtools.core.diagnosis.findings import Findings
from amlnbtools.core.pipeline.lint import StepDescription, StepOutput, lint_steps
from amlnbtools.core.pipeline.lint_writes import find_loop_writes
from amlnbtools.sources.azureml_v1.lint import describe_steps, lint_pipeline

pytest.importorskip("azureml.pipeline.steps")

from azureml.core import Environment
from azureml.data import OutputFileDatasetConfig
from azureml.pipeline.core import PipelineData, StepSequence
from azureml.pipeline.steps import ParallelRunConfig, ParallelRunStep, PythonScriptStep

LOOP_WRITER = """\
import argparse, os
import pandas as pd

parser = argparse.ArgumentParser()
parser.add_argument("--output")
args = parser.parse_args()
os.makedirs(args.output, exist_ok=True)
for epoch in range(20):
    metrics = pd.DataFrame({"epoch": [epoch]})
    metrics.to_csv(os.path.join(args.output, f"metrics_{epoch}.csv"))
"""
WRITES_ONCE = """\
import argparse, os
import pandas as pd

parser = argparse.ArgumentParser()
parser.add_argument("--output")
args = parser.parse_args()
rows = []
for epoch in range(20):
    rows.append({"epoch": epoch})
with open("local_log.txt", "a") as log:   # a relative constant path: the local folder, not the output
    for row in rows:
        log.write(str(row))
pd.DataFrame(rows).to_csv(os.path.join(args.output, "metrics.csv"))
"""
HELPER_IN_LOOP = """\
import sys
import numpy as np

def save_checkpoint(folder, step):
    np.save(f"{folder}/weights_{step}.npy", np.zeros(3))

def train(folder):
    step = 0
    while step < 100:
        step += 1
        save_checkpoint(folder, step)

train(sys.argv[2])
"""
SCORE_WRITES_PER_BATCH = """\
import os

def init():
    global out
    out = os.environ["AZUREML_BI_OUTPUT_PATH"]

def run(mini_batch):
    with open(os.path.join(out, "scored.txt"), "a") as handle:
        handle.write("x")
    return mini_batch
"""
SCORE_CLEAN = """\
def init():
    pass

def run(mini_batch):
    return [len(item) for item in mini_batch]
"""


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder, the working folder: one source folder per step, scripts written by each test.

    The SDK checks some paths when a step is built (ParallelRunStep's source_directory) and others
    when a Pipeline is built (every script), relative to the working folder.
    """
    monkeypatch.chdir(tmp_path)
    for folder in ("prep", "train", "score"):
        (tmp_path / folder).mkdir()
    (tmp_path / "prep" / "prep.py").write_text(WRITES_ONCE)
    (tmp_path / "train" / "train.py").write_text(WRITES_ONCE)
    (tmp_path / "score" / "score.py").write_text(SCORE_CLEAN)
    return tmp_path


def _script_step(script: str, folder: str | None, output: object = None, **kwargs: object) -> PythonScriptStep:
    arguments = ["--output", output] if output is not None else []
    return PythonScriptStep(script_name=script, source_directory=folder, compute_target="cpu-cluster",
                            arguments=arguments, **kwargs)


def _parallel_step(folder: str, output: object, allow_reuse: bool = True) -> ParallelRunStep:
    config = ParallelRunConfig(source_directory=folder, entry_script="score.py", mini_batch_size="5",
                               error_threshold=10, output_action="summary_only", environment=Environment("env"),
                               compute_target="cpu-cluster", node_count=1)
    return ParallelRunStep(name="score-step", parallel_run_config=config,
                           inputs=[OutputFileDatasetConfig(name="prepared").as_input()], output=output,
                           allow_reuse=allow_reuse)


def _clean_steps() -> list[object]:
    prepared = OutputFileDatasetConfig(name="prepared")
    return [_script_step("prep.py", "prep", prepared),
            _script_step("train.py", "train", OutputFileDatasetConfig(name="model")),
            _parallel_step("score", OutputFileDatasetConfig(name="scores"))]


# --- clean pipelines ----------------------------------------------------------------------------------

def test_clean_steps_give_no_finding(project: Path) -> None:
    findings = lint_pipeline(_clean_steps(), base_dir=project)
    assert isinstance(findings, Findings)
    assert findings == ()


def test_what_the_adapter_reads_from_the_sdk_objects(project: Path) -> None:
    upload = OutputFileDatasetConfig(name="model").as_upload()
    steps = [_script_step("train.py", "train", upload, allow_reuse=False), PythonScriptStep(
        name="stage", script_name="prep.py", source_directory="prep", compute_target="cpu-cluster",
        outputs=[PipelineData("staged")]), _parallel_step("score", OutputFileDatasetConfig(name="scores"))]
    described, default = describe_steps(steps)
    assert default is None
    train, stage, score = described
    assert (train.name, train.kind, train.allow_reuse, train.source_directory, train.script_name) == (
        "train.py", "PythonScriptStep", False, "train", "train.py")
    assert train.outputs == (StepOutput("model", "upload", "OutputFileDatasetConfig"),)
    assert train.arguments[0] == "--output"
    assert stage.outputs == (StepOutput("staged", "mount", "PipelineData"),)
    assert (score.kind, score.name, score.source_directory, score.script_name, score.allow_reuse) == (
        "ParallelRunStep", "score-step", "score", "score.py", True)
    assert score.outputs[0].mode == "mount"


# --- step-reuse-disabled ------------------------------------------------------------------------------

def test_reuse_disabled_is_reported_for_each_such_step(project: Path) -> None:
    steps = _clean_steps()
    steps[1] = _script_step("train.py", "train", OutputFileDatasetConfig(name="model"), allow_reuse=False)
    steps[2] = _parallel_step("score", OutputFileDatasetConfig(name="scores"), allow_reuse=False)
    findings = lint_pipeline(steps, base_dir=project)
    assert findings.rules == ("step-reuse-disabled", "step-reuse-disabled")
    train, score = findings
    assert (train.severity, train.line, score.line) == ("warning", 2, 3)
    assert "train.py" in train.evidence and "allow_reuse=False" in train.evidence
    assert "score-step" in score.title and "allow_reuse" in score.remedy and score.docs.startswith("https://")


# --- shared-source-directory --------------------------------------------------------------------------

def test_steps_sharing_a_source_directory_are_reported_once(project: Path) -> None:
    (project / "prep" / "train.py").write_text(WRITES_ONCE)
    steps = _clean_steps()
    steps[1] = _script_step("train.py", "./prep/", OutputFileDatasetConfig(name="model"))  # same folder, other spelling
    findings = lint_pipeline(steps, base_dir=project)
    assert findings.rules == ("shared-source-directory",)
    shared = findings[0]
    assert (shared.line, shared.lines, shared.count) == (1, (1, 2), 2)
    assert "prep.py" in shared.evidence and "train.py" in shared.evidence
    assert "source_directory" in shared.remedy


def test_steps_without_source_directory_share_the_working_folder(project: Path) -> None:
    (project / "a.py").write_text(SCORE_CLEAN)
    (project / "b.py").write_text(SCORE_CLEAN)
    findings = lint_pipeline([_script_step("a.py", None), _script_step("b.py", None)], base_dir=project)
    assert findings.rules == ("shared-source-directory",)
    assert findings[0].evidence.startswith("source_directory=None")


# --- output-written-in-loop-through-mount -------------------------------------------------------------

def test_loop_writes_through_a_mounted_output_are_reported(project: Path) -> None:
    (project / "train" / "train.py").write_text(LOOP_WRITER)
    steps = _clean_steps()
    findings = lint_pipeline(steps, base_dir=project)
    assert findings.rules == ("output-written-in-loop-through-mount",)
    found = findings[0]
    assert found.line == 2 and found.severity == "warning"
    assert found.evidence.startswith("train/train.py:10: metrics.to_csv(")
    assert "model" in found.title and "as_upload()" in found.remedy


def test_the_same_script_with_an_uploaded_output_is_fine(project: Path) -> None:
    (project / "train" / "train.py").write_text(LOOP_WRITER)
    steps = _clean_steps()
    steps[1] = _script_step("train.py", "train", OutputFileDatasetConfig(name="model").as_upload())
    assert lint_pipeline(steps, base_dir=project) == ()
    steps[1] = PythonScriptStep(script_name="train.py", source_directory="train", compute_target="cpu-cluster",
                                outputs=[PipelineData("model", output_mode="upload")])
    assert lint_pipeline(steps, base_dir=project) == ()


def test_pipeline_data_is_mounted_by_default(project: Path) -> None:
    (project / "train" / "train.py").write_text(LOOP_WRITER)
    step = PythonScriptStep(script_name="train.py", source_directory="train", compute_target="cpu-cluster",
                            outputs=[PipelineData("model")])
    assert lint_pipeline(step, base_dir=project).rules == ("output-written-in-loop-through-mount",)


def test_a_write_in_a_function_called_from_a_loop_counts(project: Path) -> None:
    (project / "train" / "train.py").write_text(HELPER_IN_LOOP)
    findings = lint_pipeline(_script_step("train.py", "train", OutputFileDatasetConfig(name="model")),
                             base_dir=project)
    assert findings.rules == ("output-written-in-loop-through-mount",)
    assert "train.py:11: save_checkpoint(folder, step)" in findings[0].evidence
    assert "save_checkpoint() writes" in findings[0].evidence


def test_parallel_run_entry_script_writing_in_run_counts(project: Path) -> None:
    (project / "score" / "score.py").write_text(SCORE_WRITES_PER_BATCH)
    findings = lint_pipeline(_parallel_step("score", OutputFileDatasetConfig(name="scores")), base_dir=project)
    assert findings.rules == ("output-written-in-loop-through-mount",)
    assert "score/score.py:8:" in findings[0].evidence and "mini-batch" in findings[0].remedy
    # the same script run by a PythonScriptStep calls run() once: not a loop
    step = _script_step("score.py", "score", OutputFileDatasetConfig(name="scores"))
    assert lint_pipeline(step, base_dir=project) == ()


def test_missing_or_broken_script_skips_the_rule_with_a_note(project: Path) -> None:
    (project / "train" / "broken.py").write_text("for x in range(3)\n    pass\n")
    steps = [_script_step("gone.py", "prep", OutputFileDatasetConfig(name="a")),
             _script_step("broken.py", "train", OutputFileDatasetConfig(name="b"))]
    findings = lint_pipeline(steps, base_dir=project)
    assert findings.rules == ("script-not-checked", "script-not-checked")
    missing, broken = findings
    assert missing.severity == "info" and str(project / "prep" / "gone.py") in missing.remedy
    assert "does not compile" in broken.evidence and "(line 1)" in broken.evidence


# --- the Pipeline object and bad input ----------------------------------------------------------------

def test_a_pipeline_built_on_the_replay_workspace_is_linted_with_its_upstream_steps(
        project: Path, replay) -> None:
    from azureml.data.azure_storage_datastore import AzureBlobDatastore
    from azureml.pipeline.core import Pipeline

    (project / "train" / "train.py").write_text(LOOP_WRITER)
    ws = replay.workspace
    store = AzureBlobDatastore(ws, "workspaceblobstore", "azureml", "mlwcontosoprod")
    cluster = ("cpu-cluster", "AmlCompute")  # a (name, type) pair: no compute lookup
    model = OutputFileDatasetConfig(name="model", destination=(store, "model/{run-id}"))
    # the producer of `model`: not listed in the Pipeline, found through evaluate's input
    PythonScriptStep(script_name="train.py", source_directory="train", compute_target=cluster,
                     arguments=["--output", model], allow_reuse=False)
    evaluate = PythonScriptStep(script_name="prep.py", source_directory="prep", compute_target=cluster,
                                arguments=["--model", model.as_input()])
    pipeline = Pipeline(ws, [evaluate])  # train is pulled in as the producer of evaluate's input
    findings = lint_pipeline(pipeline)
    assert set(findings.rules) == {"step-reuse-disabled", "output-written-in-loop-through-mount"}
    assert {f.line for f in findings} == {2}  # evaluate first, then the step it depends on
    assert [s.name for s in describe_steps(pipeline)[0]] == ["prep.py", "train.py"]


def test_step_sequences_and_nested_lists_are_accepted(project: Path) -> None:
    first, second, third = _clean_steps()
    assert lint_pipeline(StepSequence(steps=[first, [second, third]]), base_dir=project) == ()
    assert [s.name for s in describe_steps([first, [second, first]])[0]] == ["prep.py", "train.py"]


@pytest.mark.parametrize("bad", ["pipeline.yml", 3, None, {"steps": []}, [object()]])
def test_bad_input_names_what_is_accepted(bad: object) -> None:
    with pytest.raises(TypeError, match="Pipeline, a PipelineStep"):
        lint_pipeline(bad)


# --- the pure rules and the AST search ----------------------------------------------------------------

def test_pure_rules_on_descriptions() -> None:
    scripts = {"/p/a/a.py": LOOP_WRITER}
    steps = [StepDescription("a", "PythonScriptStep", True, "a", "a.py", (StepOutput("o", "mount"),)),
             StepDescription("b", "DataTransferStep", None, None, None, (StepOutput("p", "mount"),)),
             StepDescription("c", "DataTransferStep", None, None, None)]
    findings = lint_steps(steps, read_script=scripts.__getitem__, base_dir="/p")
    assert findings.rules == ("output-written-in-loop-through-mount",)  # steps that run no script are skipped
    assert findings.to_frame()["rule"].tolist() == ["output-written-in-loop-through-mount"]
    with pytest.raises(TypeError, match="StepDescription"):
        lint_steps(["a"])  # type: ignore[list-item]


@pytest.mark.parametrize(("code", "counted"), [
    ("for f in files:\n    open(os.path.join(out, f), 'w')", True),
    ("for f in files:\n    open(path, mode='ab')", True),
    ("for f in files:\n    open(path)", False),  # reading
    ("for f in files:\n    open('local.txt', 'a')", False),  # the local folder
    ("for f in files:\n    Path(out, f).write_text('x')", True),
    ("for f in files:\n    (Path(out) / f).open('w')", True),
    ("for f in files:\n    df.to_parquet(out + f)", True),
    ("for f in files:\n    df.to_csv()", False),  # returns text
    ("for f in files:\n    shutil.copy(f, out)", True),
    ("for f in files:\n    items.copy()", False),
    ("for f in files:\n    torch.save(model, out + f)", True),
    ("for f in files:\n    joblib.dump(model, out + f)", True),
    ("for f in files:\n    model.save(out + f)", True),
    ("[df.to_csv(p) for p in paths]", True),
    ("while busy:\n    np.savetxt(out + 'x', a)", True),
    ("df.to_csv(out)\nfor f in files:\n    print(f)", False),
    ("def f():\n    for x in y:\n        open(p, 'w')", True),
])
def test_what_counts_as_a_write_in_a_loop(code: str, counted: bool) -> None:
    assert bool(find_loop_writes(code)) is counted


@given(st.lists(st.sampled_from([
    "for x in y:\n", "while z:\n", "def f(a):\n", "    ", "open(p, 'w')\n", "df.to_csv(p)\n", "f()\n",
    "shutil.copy(a, b)\n", "[g(p) for p in q]\n", "pass\n", "return 1\n", "x = open\n"]), max_size=12))
def test_the_write_search_never_fails_on_code_that_parses(parts: list[str]) -> None:
    code = "".join(parts)
    try:
        compile(code, "x", "exec", flags=0x400)  # PyCF_ONLY_AST
    except SyntaxError:
        return
    for write in find_loop_writes(code, per_call="f"):
        assert 1 <= write.line <= code.count("\n") + 1 and write.code


def test_a_pipeline_written_the_usual_way_is_built_on_the_replay_and_linted(project: Path, replay) -> None:
    """Compute named by a string and outputs without a datastore: Pipeline() looks both up in the workspace."""
    from azureml.pipeline.core import Pipeline

    (project / "train" / "train.py").write_text(LOOP_WRITER)
    prepared = OutputFileDatasetConfig(name="prepared").as_mount()
    model = OutputFileDatasetConfig(name="model").as_mount()
    prep = PythonScriptStep(script_name="prep.py", source_directory="prep", compute_target="cpu-cluster",
                            arguments=["--output", prepared])
    train = PythonScriptStep(script_name="train.py", source_directory="train", compute_target="cpu-cluster",
                             arguments=["--input", prepared.as_input(), "--output", model])
    replay.reset_calls()
    pipeline = Pipeline(replay.workspace, [prep, train])
    routes = {call.route for call in replay.calls}
    assert {"compute-list", "datastore-default"} <= routes and "unmatched" not in routes
    findings = lint_pipeline(pipeline)
    assert findings.rules == ("output-written-in-loop-through-mount",)
    found = findings[0]
    assert found.line == 2 and "model" in found.title
    assert found.evidence.startswith("train/train.py:10: metrics.to_csv(")
    assert [s.name for s in describe_steps(pipeline)[0]] == ["prep.py", "train.py"]

"""A parallel step run on this machine: an SDK v2 parallel component (read by azure-ai-ml) and an SDK v1
ParallelRunStep (built with azureml-pipeline-steps), their entry scripts called as the service calls them — init()
once, run(mini_batch) over local files or rows, timeouts, tries and error thresholds — and the summary of the logs
they leave, the same the pipeline panel gives for a run on Azure ML."""

from __future__ import annotations

import io
import json
import shutil
import textwrap
from pathlib import Path

import pytest

import amlnbtools
from amlnbtools.cli import main
from amlnbtools.samples import sample_step
from amlnbtools.sources.errors import SourceError
from amlnbtools.sources.localrun.run import run_step
from amlnbtools.sources.localrun.v2 import v2_step

pytest.importorskip("azure.ai.ml", reason="the v2 extra is installed by make test")

FIX = ("""        with open(path, newline="") as f:
            values = [float(row["value"]) for row in csv.DictReader(f)]
""", """        try:
            with open(path, newline="") as f:
                values = [float(row["value"]) for row in csv.DictReader(f)]
        except ValueError as exc:  # one bad file fails alone, not its whole mini-batch
            logger.warning("%s skipped: %s", os.path.basename(path), exc)
            continue
""")


@pytest.fixture()
def step(tmp_path: Path) -> Path:
    return Path(shutil.copytree(sample_step("score_readings"), tmp_path / "score_readings"))


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


# --- SDK v2 parallel component ---------------------------------------------------------------------------------

def test_the_sample_parallel_component_stops_over_its_error_threshold_then_passes_once_fixed(step: Path) -> None:
    spec = v2_step(step / "parallel.yml")
    assert spec.kind == "parallel component" and spec.parallel is not None
    assert (spec.parallel.mini_batch_size, spec.parallel.error_threshold, spec.parallel.run_max_try) == ("4", 2, 2)
    result = run_step(spec, {"readings": step / "sample"}, timeout_s=120)
    assert result.exit_code == 1 and result.findings.primary().rule == "parallel-run-error-threshold"
    summary = result.parallel
    assert summary is not None and summary.status == "failed" and summary.open_first == "logs/user/error.txt"
    batches, items = summary.mini_batches, summary.items
    # 10 files by 4: the second mini-batch holds the bad file, fails both tries (4 items > 2), the third never runs
    assert (batches.total, batches.succeeded, batches.failed, batches.remaining) == (3, 1, 1, 1)
    assert (items.total, items.succeeded, items.failed) == (10, 4, 4)
    assert any("could not convert string to float" in e.text for e in summary.errors)
    assert "try 2 of 2" in result.log_text() and "--limit 80" in result.command
    assert [p.name for p in result.outputs["scores"]] == ["parallel_run_step.txt"]
    assert len(_lines(result.outputs["scores"][0])) == 4  # what the first mini-batch returned

    script = step / "src" / "score.py"
    script.write_text(script.read_text().replace(*FIX))
    fixed = run_step(spec, {"readings": step / "sample", "limit": "60"}, timeout_s=120)
    assert fixed.exit_code == 0 and fixed.parallel is not None and fixed.parallel.status == "succeeded"
    assert (fixed.parallel.items.succeeded, fixed.parallel.items.failed) == (9, 1)  # within error_threshold 2
    scores = _lines(fixed.outputs["scores"][0])
    assert len(scores) == 9 and not any(s.startswith("sensor-07") for s in scores)
    assert any(s.endswith(" over") for s in scores) and "--limit 60" in fixed.command
    logged = (fixed.workdir.parent / "logs" / "user" / "entry_script_log" / "0" / "process000.log.txt").read_text()
    assert "scoring with limit 60.0" in logged and "sensor-07.csv skipped" in logged  # EntryScript().logger


def _component(folder: Path, script: str, **fields: object) -> Path:
    (folder / "src").mkdir(parents=True, exist_ok=True)
    (folder / "src" / "entry.py").write_text(textwrap.dedent(script))
    data = folder / "data"
    data.mkdir(exist_ok=True)
    for i in range(6):
        (data / f"f{i}.txt").write_text(str(i))
    extra = "".join(f"{k}: {v}\n" for k, v in fields.items())
    (folder / "parallel.yml").write_text(textwrap.dedent("""\
        type: parallel
        name: entry
        inputs:
          files: {type: uri_folder}
        outputs:
          out: {type: uri_folder}
        input_data: ${{inputs.files}}
        """) + extra + textwrap.dedent("""\
        task:
          type: run_function
          code: ./src
          entry_script: entry.py
          environment: azureml:AzureML-sklearn-1.5@latest
          append_row_to: ${{outputs.out}}
        """))
    return folder / "parallel.yml"


def test_a_run_that_outlives_run_invocation_timeout_is_stopped_and_tried_again(tmp_path: Path) -> None:
    yml = _component(tmp_path, """\
        import os, time
        def init():
            pass
        def run(mini_batch):
            if any(os.path.basename(p) == "f2.txt" for p in mini_batch):
                time.sleep(30)
            return mini_batch
        """, mini_batch_size='"3"', retry_settings="{max_retries: 2, timeout: 1}")
    result = run_step(v2_step(yml), {"files": tmp_path / "data"}, timeout_s=60)
    assert result.seconds < 20  # two tries of one second, not thirty
    assert result.findings.primary().rule == "parallel-run-timeout"
    assert result.log_text().count("did not finish in 1 seconds") == 2
    summary = result.parallel
    assert summary is not None and (summary.items.succeeded, summary.items.failed) == (3, 3)
    assert summary.status == "succeeded" and result.exit_code == 0  # error_threshold -1: failures are ignored


@pytest.mark.parametrize(("body", "rule"), [
    ("def init():\n    pass\ndef run(mini_batch):\n    print(len(mini_batch))\n", "parallel-run-entry-script"),
    ("def init():\n    pass\n", "parallel-run-entry-script"),
    ("import not_a_module_anywhere\ndef init():\n    pass\ndef run(b):\n    return b\n", "dependency-error"),
])
def test_entry_script_mistakes_are_named(tmp_path: Path, body: str, rule: str) -> None:
    yml = _component(tmp_path, body, mini_batch_size='"2"')
    result = run_step(v2_step(yml), {"files": tmp_path / "data"}, timeout_s=60)
    assert result.exit_code == 1
    assert rule in {f.rule for f in result.findings.errors}
    assert result.parallel is not None and result.parallel.status == "failed"


def test_mini_batch_error_threshold_stops_on_failed_mini_batches(tmp_path: Path) -> None:
    yml = _component(tmp_path, """\
        def init():
            pass
        def run(mini_batch):
            raise RuntimeError("bad batch <script>alert(1)</script>")
        """, mini_batch_size='"1"', mini_batch_error_threshold=1, retry_settings="{max_retries: 1}")
    panel = amlnbtools.run_step_locally(yml, {"files": tmp_path / "data"}, timeout_s=60)
    panel.wait()
    summary = panel.result.parallel
    assert panel.exit_code == 1 and summary.mini_batches.failed == 2 and summary.mini_batches.remaining == 4
    assert "allowed_failed_count" in (summary.reason or "")
    shown = panel._parallel.value  # the summary in the panel, as the pipeline panel shows it
    assert "Mini-batches: 6 in total" in shown and "<script>" not in shown and "&lt;script&gt;" in shown


def test_an_empty_input_or_an_unmapped_one_says_what_to_give(tmp_path: Path) -> None:
    yml = _component(tmp_path, "def init():\n    pass\ndef run(b):\n    return b\n")
    with pytest.raises(SourceError, match="Give a local path or value for files"):
        run_step(v2_step(yml), {}, timeout_s=60)
    (tmp_path / "empty").mkdir()
    result = run_step(v2_step(yml), {"files": tmp_path / "empty"}, timeout_s=60)
    assert result.exit_code == 1 and "no mini batch" in (result.parallel.reason or "")


def test_the_command_line_runs_a_parallel_component_with_its_summary(step: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(["run-step", str(step / "parallel.yml"), "--input", f"readings={step / 'sample'}", "--json"],
                out=out, err=err)
    report = json.loads(out.getvalue())
    assert code == 1 and report["parallel"]["status"] == "failed"
    assert report["parallel"]["items"] == {"total": 10, "succeeded": 4, "failed": 4, "remaining": None}
    assert "parallel-run-error-threshold" in report["parallel"]["error_rules"]
    text = io.StringIO()
    assert main(["run-step", str(step / "parallel.yml"), "--input", f"readings={step / 'sample'}"], out=text,
                err=err) == 1
    assert "Mini-batches: 3 in total, 1 succeeded, 1 failed, 1 not processed" in text.getvalue()


# --- SDK v1 ParallelRunStep ------------------------------------------------------------------------------------

def _v1(folder: Path, script: str, dataset: object, output: object, **config: object) -> object:
    from azureml.core import Environment
    from azureml.pipeline.steps import ParallelRunConfig, ParallelRunStep

    (folder / "src").mkdir(parents=True, exist_ok=True)
    (folder / "src" / "batch.py").write_text(textwrap.dedent(script))
    arguments = config.pop("arguments", [])
    settings = {"error_threshold": -1, "output_action": "append_row", "node_count": 1, **config}
    prc = ParallelRunConfig(source_directory=str(folder / "src"), entry_script="batch.py", environment=Environment("e"),
                            compute_target="cpu-cluster", **settings)
    return ParallelRunStep(name="batch-score", parallel_run_config=prc, inputs=[dataset], output=output,
                           arguments=arguments)


def test_a_parallel_run_step_over_files_gets_its_arguments_and_parameters(tmp_path: Path) -> None:
    from azureml.pipeline.core import PipelineData, PipelineParameter

    files = PipelineData("images").as_dataset().as_named_input("images")
    v1 = _v1(tmp_path, """\
        import argparse, os
        from azureml_user.parallel_run import EntryScript
        def init():
            global prefix, out
            parser = argparse.ArgumentParser()
            parser.add_argument("--prefix")
            prefix = parser.parse_known_args()[0].prefix
            out = EntryScript().output_dir
        def run(mini_batch):
            return [prefix + os.path.basename(p) for p in mini_batch]
        """, files, PipelineData("scores"), mini_batch_size="4", run_max_try=2,
             arguments=["--prefix", PipelineParameter(name="prefix", default_value="img:")])
    data = tmp_path / "data"
    data.mkdir()
    for i in range(10):
        (data / f"{i:02d}.png").write_bytes(b"x")
    panel = amlnbtools.run_step_locally(v1, {"images": data}, timeout_s=60)
    panel.wait()
    spec = panel.step
    assert spec.kind == "ParallelRunStep" and set(spec.inputs) == {"images", "prefix"}
    assert spec.parallel.kind == "file" and spec.parallel.output == "scores" and spec.parallel.run_max_try == 2
    assert "--client_sdk_version" not in panel.result.command  # the driver's own arguments are not the script's
    assert panel.exit_code == 0 and panel.result.parallel.mini_batches.total == 3
    assert _lines(panel.outputs["scores"][0]) == [f"img:{i:02d}.png" for i in range(10)]


def test_a_parallel_run_step_over_a_table_splits_rows_by_size_and_writes_a_header_once(tmp_path: Path) -> None:
    from azureml.pipeline.core import PipelineData

    rows = PipelineData("rows").as_dataset().parse_delimited_files().as_named_input("rows")
    v1 = _v1(tmp_path, """\
        def init():
            pass
        def run(mini_batch):
            mini_batch["double"] = mini_batch["value"] * 2
            return mini_batch[["id", "double"]]
        """, rows, PipelineData("scores"), mini_batch_size="1KB",
             arguments=["--append_row_dataframe_header", True])
    table = tmp_path / "rows.csv"
    table.write_text("id,value\n" + "".join(f"{i},{i * 1.5:.1f}\n" for i in range(300)))
    result = amlnbtools.run_step_locally(v1, {"rows": table}, timeout_s=60)
    result.wait()
    per_batch = 1024 // (table.stat().st_size / 300)
    assert result.exit_code == 0 and result.step.parallel.kind == "tabular"
    assert result.result.parallel.mini_batches.total == -(-300 // per_batch)
    written = _lines(result.outputs["scores"][0])
    assert written[0] == "id double" and len(written) == 301 and written[1:3] == ["0 0.0", "1 3.0"]

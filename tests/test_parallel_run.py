"""ParallelRunStep tools: parameter checks, the snippet, entry-script checks, log summaries."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import amlnbtools
from amlnbtools.core.parallel_run import (
    CONFIG_PARAMETERS,
    STEP_PARAMETERS,
    ConfigIssue,
    check_entry_script,
    check_parallel_run_config,
    snippet,
    suggest_step_name,
    summarize_parallel_run_logs,
)
from amlnbtools.i18n import set_language

SAMPLES = Path(amlnbtools.__file__).with_name("samples") / "logs"


class PipelineParameter:
    """Stands in for azureml.pipeline.core.PipelineParameter: a name and a default_value."""

    def __init__(self, name: str, default_value: object) -> None:
        self.name, self.default_value = name, default_value


class AmlCompute:
    type = "AmlCompute"
    name = "cpu-cluster"


class ComputeInstance:
    type = "ComputeInstance"


def _issues(**params: object) -> tuple[ConfigIssue, ...]:
    return check_parallel_run_config(**params)


VALID = [
    ("name", "predict-digits-mnist"), ("name", "abc"), ("name", "a" * 32),
    ("entry_script", "digit_identification.py"), ("entry_script", "scripts/score.py"),
    ("mini_batch_size", 10), ("mini_batch_size", "10"), ("mini_batch_size", "1024KB"), ("mini_batch_size", "10mb"),
    ("mini_batch_size", "1GB"), ("mini_batch_size", None),
    ("error_threshold", -1), ("error_threshold", 0), ("error_threshold", 2**31 - 1),
    ("output_action", "summary_only"), ("output_action", "append_row"),
    ("append_row_file_name", "parallel_run_step.txt"), ("source_directory", "scripts"), ("source_directory", None),
    ("compute_target", "cpu-cluster"), ("compute_target", AmlCompute()),
    ("node_count", 1), ("node_count", 10), ("process_count_per_node", 1), ("process_count_per_node", 64),
    ("environment", object()), ("logging_level", "WARNING"), ("logging_level", "INFO"), ("logging_level", "DEBUG"),
    ("run_invocation_timeout", 60), ("run_invocation_timeout", 0.5), ("run_max_try", 3), ("allow_reuse", True),
    ("allow_reuse", False), ("inputs", [object()]), ("arguments", ["--model", "x"]), ("side_inputs", None),
    ("allowed_failed_count", -1), ("allowed_failed_percent", 12.5), ("description", "nightly scoring"),
    ("output", object()), ("parallel_run_config", object()), ("dataset_type", "file"),
]


@pytest.mark.parametrize(("parameter", "value"), VALID)
def test_valid_values_give_no_issue(parameter: str, value: object) -> None:
    assert _issues(**{parameter: value}) == ()


INVALID = [
    # parameter, value, words the message must contain (besides the parameter's name)
    ("name", "ab", ["3 to 32", "ab-step"]),
    ("name", "x" * 33, ["3 to 32", "x" * 32]),
    ("name", "1-score", ["lowercase letter", "step-1-score"]),
    ("name", "Score_Step", ["hyphens", "score-step"]),
    ("name", "score-", ["hyphen", "score"]),
    ("name", 42, ["string", "parallel-run-step"]),
    ("entry_script", "", ["required", "init()"]),
    ("entry_script", None, ["required"]),
    ("entry_script", "score.ipynb", [".py", "score.py"]),
    ("mini_batch_size", 0, ["1024KB", "whole number"]),
    ("mini_batch_size", "-5", ["1024KB"]),
    ("mini_batch_size", "10 MB ", ["1024KB"]),
    ("mini_batch_size", "1.5GB", ["1024KB"]),
    ("mini_batch_size", 2.5, ["1024KB"]),
    ("error_threshold", -2, ["-1", "2147483647"]),
    ("error_threshold", 2**31, ["2147483647"]),
    ("error_threshold", "10", ["whole number"]),
    ("error_threshold", None, ["whole number"]),
    ("output_action", "summary", ["summary_only", "append_row"]),
    ("output_action", None, ["summary_only"]),
    ("append_row_file_name", "out/result.txt", ["parallel_run_step.txt", "folder"]),
    ("append_row_file_name", "", ["file name"]),
    ("compute_target", "", ["required", "AmlCompute"]),
    ("compute_target", None, ["required"]),
    ("node_count", 0, ["≥ 1"]),
    ("node_count", 1.5, ["whole number"]),
    ("node_count", None, ["whole number"]),
    ("process_count_per_node", 0, ["≥ 1"]),
    ("process_count_per_node", True, ["whole number"]),
    ("environment", None, ["required", "Environment"]),
    ("environment", "my-env", ["Environment.get", "'my-env'"]),
    ("logging_level", "info", ["INFO", "capitals"]),
    ("logging_level", "ERROR", ["use WARNING"]),
    ("logging_level", "LOUD", ["WARNING, INFO, DEBUG"]),
    ("run_invocation_timeout", 0, ["seconds", "> 0"]),
    ("run_invocation_timeout", -3, ["> 0"]),
    ("run_invocation_timeout", float("nan"), ["> 0"]),
    ("run_invocation_timeout", "60", ["seconds"]),
    ("run_max_try", 0, ["≥ 1"]),
    ("allow_reuse", "yes", ["True or False"]),
    ("allow_reuse", 1, ["True or False"]),
    ("inputs", [], ["at least one dataset"]),
    ("inputs", "dataset", ["list"]),
    ("arguments", "--x 1", ["list"]),
    ("allowed_failed_count", -5, ["-1"]),
    ("allowed_failed_percent", 150, ["0 to 100"]),
    ("source_directory", 5, ["string"]),
    ("dataset_type", "csv", ["file", "tabular"]),
]


@pytest.mark.parametrize(("parameter", "value", "words"), INVALID)
def test_invalid_values_are_errors_that_name_the_parameter_and_the_fix(parameter: str, value: object,
                                                                        words: list[str]) -> None:
    issues = _issues(**{parameter: value})
    assert issues, (parameter, value)
    assert {i.parameter for i in issues} == {parameter}
    assert all(i.severity == "error" for i in issues)
    text = " ".join(i.message for i in issues)
    assert (parameter if parameter != "name" else "step name") in text
    for word in words:
        assert word in text, (word, text)


@pytest.mark.parametrize(
    ("params", "parameter", "word"),
    [({"process_count_per_node": 65}, "process_count_per_node", "GPUs"),
     ({"compute_target": ComputeInstance()}, "compute_target", "ComputeInstance"),
     ({"compute_target": 3}, "compute_target", "AmlCompute"),
     ({"append_row_file_name": "out.txt", "output_action": "summary_only"}, "append_row_file_name", "ignored")],
)
def test_warnings(params: dict[str, object], parameter: str, word: str) -> None:
    (issue,) = _issues(**params)
    assert (issue.parameter, issue.severity) == (parameter, "warning")
    assert word in issue.message and parameter in issue.message


@pytest.mark.parametrize(
    ("value", "dataset_type", "ok"),
    [(10, "file", True), ("10", "file", True), ("10MB", "file", False), (0, "file", False),
     ("10MB", "tabular", True), ("1024", "tabular", True), (1024, "tabular", True), ("0KB", "tabular", False),
     ("10 MB", "tabular", False), ("10TB", "tabular", False), ("10MB", None, True), (10, None, True)],
)
def test_mini_batch_size_follows_the_dataset_type_hint(value: object, dataset_type: str | None, ok: bool) -> None:
    issues = [i for i in _issues(mini_batch_size=value, dataset_type=dataset_type) if i.parameter == "mini_batch_size"]
    assert (issues == []) is ok
    if issues and dataset_type:
        assert ("FileDataset" if dataset_type == "file" else "TabularDataset") in issues[0].message


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [("Score_Images", "score-images"), ("my step.v2", "my-step-v2"), ("__x__", "x-step"), ("", "parallel-run-step"),
     ("9lives", "step-9lives"), ("a" * 40, "a" * 32), ("Ünïcode_Name", "ncode-name"), ("ok-name", "ok-name")],
)
def test_name_suggestion_is_always_valid(name: str, suggestion: str) -> None:
    assert suggest_step_name(name) == suggestion
    assert _issues(name=suggestion) == ()


def test_name_errors_say_which_rule_failed() -> None:
    messages = [i.message for i in _issues(name="Bad_Name-")]
    assert any("lowercase letter" in m for m in messages)
    assert any("'_'" in m and "'B'" in m for m in messages)
    assert any("end with a hyphen" in m for m in messages)
    assert all("Try bad-name." in m for m in messages)


def test_pipeline_parameters_are_checked_through_their_default() -> None:
    assert _issues(mini_batch_size=PipelineParameter("batch_size", "5"), node_count=PipelineParameter("n", 2)) == ()
    (issue,) = _issues(process_count_per_node=PipelineParameter("procs", 0))
    assert issue.parameter == "process_count_per_node" and issue.value == 0


def test_unknown_parameters_name_the_closest_known_one() -> None:
    (issue,) = _issues(node_cout=2)
    assert issue.severity == "warning" and "did you mean node_count?" in issue.message
    (issue,) = _issues(mini_batch=5)
    assert "mini_batch_size" in issue.message
    (issue,) = _issues(frobnicate=1)
    assert "frobnicate" in issue.message and "do not take it" in issue.message


def test_errors_come_before_warnings_and_messages_are_translated() -> None:
    issues = _issues(node_cout=2, node_count=0)
    assert [i.severity for i in issues] == ["error", "warning"]
    english = issues[0].message
    set_language("fr")
    assert _issues(node_count=0)[0].message != english


def _parsed_call_keywords(code: str) -> dict[str, set[str]]:
    calls = {}
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            calls[node.func.id] = {k.arg for k in node.keywords}
    return calls


def test_snippet_is_valid_python_with_the_given_values() -> None:
    code = snippet(name="score-xray", entry_script="score.py", source_directory="scripts", mini_batch_size="5MB",
                   error_threshold=10, output_action="append_row", environment=object(), compute_target="gpu-cluster",
                   node_count=2, process_count_per_node=4, logging_level="DEBUG", run_invocation_timeout=120,
                   run_max_try=2, allow_reuse=False, arguments=["--threshold", "0.5"])
    calls = _parsed_call_keywords(code)
    assert {"entry_script", "mini_batch_size", "node_count", "logging_level"} <= calls["ParallelRunConfig"]
    assert {"name", "parallel_run_config", "allow_reuse", "arguments"} <= calls["ParallelRunStep"]
    assert "compute_target='gpu-cluster'" in code and "environment=environment" in code
    assert "run_invocation_timeout=120" in code and "['--threshold', '0.5']" in code


def test_snippet_drops_invalid_values_and_fixes_the_name() -> None:
    code = snippet(name="Bad_Name", node_count=0, logging_level="loud", mini_batch_size=PipelineParameter("mb", "10"))
    ast.parse(code)
    assert "name='bad-name'" in code and "node_count=1" in code and "logging_level" not in code
    assert "PipelineParameter(name='mb', default_value='10')" in code
    assert "from azureml.pipeline.core import PipelineParameter" in code
    ast.parse(snippet())


# --- entry script --------------------------------------------------------------------------------------

GOOD = """
import os
model = None

def init():
    global model
    model = object()

def run(mini_batch):
    results = []
    for path in mini_batch:
        results.append(os.path.basename(path))
    return results
"""


def test_good_entry_script_has_no_issue() -> None:
    assert check_entry_script(GOOD) == ()


def _script_issues(source: str) -> list[tuple[str, str]]:
    return [(i.parameter, i.severity) for i in check_entry_script(source)]


def test_missing_init_and_run() -> None:
    issues = check_entry_script("def run(mini_batch):\n    return mini_batch\n")
    assert [(i.parameter, i.severity) for i in issues] == [("init", "error")]
    assert "init()" in issues[0].message
    assert ("run", "error") in _script_issues("def init():\n    pass\n")


def test_names_bound_otherwise_are_trusted() -> None:
    assert check_entry_script("from helpers import init, run\n") == ()


def test_init_with_required_arguments() -> None:
    issues = check_entry_script("def init(model):\n    pass\ndef run(mini_batch):\n    return mini_batch\n")
    assert issues[0].parameter == "init" and "model" in issues[0].message


@pytest.mark.parametrize(("signature", "ok"), [("mini_batch", True), ("mini_batch, extra=1", True), ("*args", True),
                                               ("", False), ("a, b", False), ("mini_batch, *, key", False)])
def test_run_takes_exactly_one_required_argument(signature: str, ok: bool) -> None:
    issues = check_entry_script(f"def init():\n    pass\ndef run({signature}):\n    return []\n")
    assert (issues == ()) is ok
    if not ok:
        assert issues[0].parameter == "run" and "mini_batch" in issues[0].message and issues[0].line == 3


@pytest.mark.parametrize(
    ("body", "expected", "word"),
    [("    print(mini_batch)\n", ("run", "error"), "one success"),
     ("    if mini_batch:\n        return mini_batch\n    return\n", ("run", "error"), "bare return at line 7"),
     ("    if mini_batch:\n        return mini_batch\n", ("run", "error"), "every path"),
     ("    for x in mini_batch:\n        return [x]\n", ("run", "error"), "every path"),
     ("    return None\n", ("run", "warning"), "constant None"),
     ("    return True\n", ("run", "warning"), "constant True")],
)
def test_run_must_return_a_value(body: str, expected: tuple[str, str], word: str) -> None:
    issues = check_entry_script("def init():\n    pass\n\ndef run(mini_batch):\n" + body)
    assert (issues[0].parameter, issues[0].severity) == expected
    assert word in issues[0].message


@pytest.mark.parametrize(
    "body",
    ["    try:\n        return [1]\n    except Exception:\n        raise\n",
     "    if mini_batch:\n        return [1]\n    else:\n        return []\n",
     "    with open('x') as f:\n        return [f.read()]\n",
     "    while True:\n        return []\n",
     "    def helper():\n        return\n    return [helper()]\n",
     "    match mini_batch:\n        case []:\n            return []\n"
     "        case _:\n            return mini_batch\n"],
)
def test_run_paths_that_all_return(body: str) -> None:
    assert check_entry_script("def init():\n    pass\n\ndef run(mini_batch):\n" + body) == ()


def test_syntax_error_reports_its_line() -> None:
    (issue,) = check_entry_script("def init():\n    pass\n\ndef run(mini_batch)\n    return []\n")
    assert (issue.parameter, issue.severity, issue.line) == ("entry_script", "error", 4)
    assert "line 4" in issue.message
    (issue,) = check_entry_script("x = 1\0")
    assert issue.severity == "error"


# --- logs ------------------------------------------------------------------------------------------------

def _folder(relative: str) -> dict[str, str]:
    root = SAMPLES / relative
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    ("folder", "layout", "status", "rule", "open_first"),
    [("pipeline/prs_2020_early", "early", "failed", "parallel-run-entry-script", "logs/user/10.0.0.4/Process-1.txt"),
     ("pipeline/prs_2020_late", "late-2020", "failed", "parallel-run-timeout", "logs/user/error.txt"),
     ("pipeline/prs_2021", "2021", "failed", "parallel-run-error-threshold", "logs/user/error.txt"),
     ("pipeline/prs_2021_bad_return", "2021", "failed", "parallel-run-entry-script", "logs/user/error.txt")],
)
def test_failed_sample_folders(folder: str, layout: str, status: str, rule: str, open_first: str) -> None:
    summary = summarize_parallel_run_logs(_folder(folder))
    assert (summary.layout, summary.status, summary.open_first) == (layout, status, open_first)
    assert rule in summary.error_rules
    assert summary.result_line and summary.errors
    assert all(e.file in summary.files and e.line >= 1 and e.text for e in summary.errors)


def test_counts_from_the_progress_and_result_files() -> None:
    s2021 = summarize_parallel_run_logs(_folder("pipeline/prs_2021"))
    assert (s2021.mini_batches.total, s2021.mini_batches.succeeded, s2021.mini_batches.failed,
            s2021.mini_batches.remaining) == (96, 61, 7, 28)
    assert (s2021.items.total, s2021.items.failed) == (4812, 14)
    assert "error_threshold" in (s2021.reason or "")
    late = summarize_parallel_run_logs(_folder("pipeline/prs_2020_late"))
    assert (late.mini_batches.total, late.mini_batches.succeeded, late.mini_batches.failed) == (240, 181, 4)
    assert (late.items.succeeded, late.items.total) == (926720, 1225600)
    early = summarize_parallel_run_logs(_folder("pipeline/prs_2020_early"))
    assert early.mini_batches.total == 121 and "has no attribute 'init'" in (early.reason or "")
    assert early.errors[0].file == "logs/user/10.0.0.4/Process-1.txt"


def test_healthy_folder_has_no_error_findings() -> None:
    summary = summarize_parallel_run_logs(_folder("healthy/prs_2021_ok"))
    assert (summary.layout, summary.status, summary.error_rules) == ("2021", "succeeded", ())
    assert summary.errors == () and summary.open_first == "logs/job_result.txt"
    assert (summary.mini_batches.succeeded, summary.items.failed) == (96, 3)


def test_paths_are_matched_by_pattern() -> None:
    files = {"run\\logs\\job_progress_overview.20210101.txt": "Scheduled 10, processed 3, failed 0.",
             "C:/x/logs/sys/node/10.0.0.4/process000.txt": "ok"}
    summary = summarize_parallel_run_logs(files)
    assert summary.layout == "late-2020" and summary.mini_batches.succeeded == 3
    assert summarize_parallel_run_logs({}).layout == "unknown"
    assert summarize_parallel_run_logs({"logs/perf/node/cpu.csv": ""}).layout == "2021"


# --- never raises -----------------------------------------------------------------------------------------

VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=40),
                   st.binary(max_size=10), st.lists(st.integers(), max_size=3), st.builds(object),
                   st.builds(PipelineParameter, st.text(max_size=5), st.one_of(st.integers(), st.text(max_size=8))))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(CONFIG_PARAMETERS + STEP_PARAMETERS + ("dataset_type", "nodes")), VALUES,
                       max_size=8))
def test_check_never_raises_and_snippet_always_parses(params: dict[str, object]) -> None:
    issues = check_parallel_run_config(**params)
    assert all(isinstance(i, ConfigIssue) and i.message for i in issues)
    ast.parse(snippet(**params))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_entry_script_check_never_raises(source: str) -> None:
    assert isinstance(check_entry_script(source), tuple)


def test_top_level_export() -> None:
    assert amlnbtools.check_parallel_run_config is check_parallel_run_config
    assert "check_parallel_run_config" in amlnbtools.__all__


def test_times_at_line_starts_are_not_counts_and_succeeded_beats_processed() -> None:
    from amlnbtools.core.parallel_run import summarize_parallel_run_logs

    summary = summarize_parallel_run_logs({
        "logs/job_progress_overview.txt":
            "2026-05-06 10:09:41,550 Processed 71 mini batches: 57 succeeded, 14 failed.\n",
        "logs/job_result.txt": "2026-05-06 10:09:41,552 The job failed. 57 of 120 mini batches succeeded, 14 failed, "
                               "49 were not processed.\n"})
    assert (summary.mini_batches.total, summary.mini_batches.succeeded, summary.mini_batches.failed,
            summary.mini_batches.remaining) == (120, 57, 14, 49)

"""The ParallelRunStep form panel, headless: a field per parameter, live checks with fixes, the code, the script."""

from __future__ import annotations

import ast
from pathlib import Path

import ipywidgets as w
import pytest

from amlnbtools.core.parallel_run import Named
from amlnbtools.widgets._theme import fg
from amlnbtools.widgets.parallel_run import ParallelRunConfigPanel

# every parameter the ParallelRunStep documentation lists (the step's, then ParallelRunConfig's)
DOCUMENTED = ("name", "inputs", "side_inputs", "output", "arguments", "allow_reuse", "entry_script",
              "mini_batch_size", "error_threshold", "output_action", "append_row_file_name", "source_directory",
              "compute_target", "node_count", "process_count_per_node", "environment", "logging_level",
              "run_invocation_timeout", "run_max_try")
COMPLETE = {"name": "score-mnist", "entry_script": "score.py", "source_directory": "scripts",
            "inputs": ["mnist-images"], "environment": "tf-env", "compute_target": "cpu-cluster",
            "output": "inferences"}

GOOD_SCRIPT = "def init():\n    pass\n\ndef run(mini_batch):\n    return [len(x) for x in mini_batch]\n"
NO_RETURN = "def init():\n    pass\n\ndef run(mini_batch):\n    print(mini_batch)\n"


def _messages(panel: ParallelRunConfigPanel, parameter: str) -> list[str]:
    return [i.message for i in panel.issues if i.parameter == parameter]


def _html(widget: w.Widget) -> list[str]:
    """Every HTML value under a widget."""
    found = [widget.value] if isinstance(widget, w.HTML) else []
    for child in getattr(widget, "children", ()):
        found += _html(child)
    return found


def _calls(code: str) -> dict[str, dict[str, ast.expr]]:
    calls = {}
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            calls[node.func.id] = {k.arg: k.value for k in node.keywords}
    return calls


def test_every_documented_parameter_has_a_labelled_control() -> None:
    panel = ParallelRunConfigPanel()
    for parameter in DOCUMENTED:
        control = panel._controls[parameter]
        assert isinstance(control, w.ValueWidget) and control.description, parameter
        assert control in panel.widget.children[1].children[0].children + panel.widget.children[1].children[1].children
    assert set(panel._controls) - set(DOCUMENTED) == {"dataset_type", "description"}


def test_a_new_form_asks_for_what_the_sdk_requires_and_a_complete_one_is_clean() -> None:
    panel = ParallelRunConfigPanel()
    assert {i.parameter for i in panel.issues} == {"entry_script", "inputs", "environment", "compute_target"}
    assert "required" in panel._messages["entry_script"].value
    panel.set_values(**COMPLETE)
    assert panel.issues == ()
    assert "no problem found" in panel._summary.value


@pytest.mark.parametrize(("parameter", "bad", "fix_words", "good"), [
    ("name", "Score_Step", ["score-step", "hyphens"], "score-step"),
    ("name", "ab", ["3 to 32", "ab-step"], "abc"),
    ("error_threshold", "-2", ["-1", "2147483647"], "-1"),
    ("error_threshold", "ten", ["whole number"], "10"),
    ("node_count", "0", ["≥ 1"], "2"),
    ("run_invocation_timeout", "0", ["> 0", "default 60"], "90.5"),
    ("run_invocation_timeout", "1 minute", ["seconds"], "60"),
    ("run_max_try", "-3", ["≥ 1"], "5"),
])
def test_an_invalid_field_shows_its_fix_and_fixing_it_clears_the_message(
        parameter: str, bad: str, fix_words: list[str], good: str) -> None:
    panel = ParallelRunConfigPanel(**COMPLETE)
    panel._controls[parameter].value = bad  # as if typed
    panel._refresh_soon.flush()
    messages = _messages(panel, parameter)
    assert messages and all(any(word in m for m in messages) for word in fix_words), messages
    shown = panel._messages[parameter].value
    assert all(word in shown for word in fix_words if "<" not in word and "&" not in word and ">" not in word)
    assert "error" in panel._summary.value and fg("error") in panel._summary.value
    panel.set_values(**{parameter: good})
    assert _messages(panel, parameter) == [] and panel._messages[parameter].value == ""


@pytest.mark.parametrize(("dataset_type", "bad", "hint", "good", "expected"), [
    ("tabular", "10 MB", "1024KB", "10MB", "10MB"),
    ("tabular", "1TB", "1GB", "1024", "1024"),
    ("file", "1GB", "number of files", "25", 25),
])
def test_mini_batch_size_follows_the_input_kind(dataset_type: str, bad: str, hint: str, good: str,
                                                expected: object) -> None:
    panel = ParallelRunConfigPanel(**COMPLETE, dataset_type=dataset_type, mini_batch_size=bad)
    assert any(hint in m for m in _messages(panel, "mini_batch_size"))
    panel.set_values(mini_batch_size=good)
    assert _messages(panel, "mini_batch_size") == []
    assert panel.values["mini_batch_size"] == expected
    assert f"mini_batch_size={expected!r}," in panel.snippet


def test_the_snippet_is_python_and_round_trips_the_values() -> None:
    panel = ParallelRunConfigPanel(**COMPLETE, mini_batch_size="5", error_threshold=-1, output_action="summary_only",
                                   node_count=3, process_count_per_node=4, logging_level="DEBUG",
                                   run_invocation_timeout=120, run_max_try=2, allow_reuse=False,
                                   arguments=["--model", "mnist v2"], side_inputs=["labels"])
    code = panel.snippet
    calls = _calls(code)
    values = panel.values
    for call in ("ParallelRunConfig", "ParallelRunStep"):
        for parameter, node in calls[call].items():
            value = values.get(parameter)
            if isinstance(value, Named) or (isinstance(value, list) and value and isinstance(value[0], Named)):
                assert isinstance(node, ast.Name), parameter  # defined above, by name
            elif parameter != "parallel_run_config":
                assert ast.literal_eval(node) == value, parameter
    assert "Environment.get(ws, name='tf-env')" in code and "name='mnist-images'" in code
    assert "OutputFileDatasetConfig(name='inferences')" in code and "name='labels'" in code
    assert values["arguments"] == ["--model", "mnist v2"] and values["allow_reuse"] is False
    before = code
    panel.set_values(node_count=5)
    assert panel.snippet != before and "node_count=5," in panel.snippet
    assert panel.snippet in panel._code.value.replace("&#x27;", "'").replace("&quot;", '"')


def test_the_snippet_builds_real_sdk_objects(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pytest.importorskip("azureml.pipeline.steps")
    from azureml.core import Dataset, Environment, Workspace
    from azureml.data import OutputFileDatasetConfig

    monkeypatch.chdir(tmp_path)  # ParallelRunStep checks that source_directory/entry_script exists
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "score.py").write_text(GOOD_SCRIPT)
    monkeypatch.setattr(Workspace, "from_config", staticmethod(lambda *a, **k: "ws"))
    monkeypatch.setattr(Environment, "get", staticmethod(lambda ws, name: Environment(name)))

    class Found:
        def __init__(self, name: str) -> None:
            self.name = name

        def as_named_input(self, name: str):
            return OutputFileDatasetConfig(name=name).as_input()

    monkeypatch.setattr(Dataset, "get_by_name", staticmethod(lambda ws, name: Found(name)))
    panel = ParallelRunConfigPanel(**COMPLETE, mini_batch_size="5", run_invocation_timeout=90, run_max_try=4,
                                   allow_reuse=False, logging_level="WARNING", error_threshold=3)
    scope: dict[str, object] = {}
    exec(compile(panel.snippet, "snippet", "exec"), scope)
    config, step = scope["parallel_run_config"], scope["parallelrun_step"]
    assert (config.entry_script, config.source_directory, config.mini_batch_size, config.error_threshold) == (
        "score.py", "scripts", 5, 3)
    assert (config.run_invocation_timeout, config.run_max_try, config.logging_level) == (90, 4, "WARNING")
    assert config.environment.name == "tf-env"
    assert step.name == "score-mnist" and step._allow_reuse is False


def test_field_values_are_escaped_everywhere() -> None:
    attack = "<img src=x onerror=alert(1)>"
    panel = ParallelRunConfigPanel(name="<script>alert(1)</script>", entry_script=attack + ".py",
                                   compute_target=attack, description=attack, source_directory="<b>src</b>",
                                   output="<svg onload=alert(1)>", logging_level="<i>loud</i>")
    shown = "".join(_html(panel.widget))
    assert "<script>" not in shown and "<img" not in shown and "<svg" not in shown and "<i>" not in shown
    assert "&lt;img src=x onerror=alert(1)&gt;.py" in panel._code.value
    assert "&lt;" in panel._messages["name"].value and "Try scriptalert1script" in panel._messages["name"].value
    assert "&lt;i&gt;loud&lt;/i&gt;" in panel._messages["logging_level"].value


def test_object_fields_take_names_or_objects_and_bad_names_get_a_suggestion() -> None:
    class Env:
        name = "sklearn-env"

    panel = ParallelRunConfigPanel(**{**COMPLETE, "environment": Env(), "output": "my-results"})
    assert panel.values["environment"] == Named("environment", "sklearn-env")
    assert any("my_results" in m for m in _messages(panel, "output"))
    assert "OutputFileDatasetConfig(name='my_results')" in panel.snippet
    panel.set_values(arguments='--label "unclosed')
    assert any("quote" in m for m in _messages(panel, "arguments"))


def test_values_outside_the_choices_and_extra_parameters_are_kept_and_checked() -> None:
    panel = ParallelRunConfigPanel(**COMPLETE, logging_level="loud", allowed_failed_count=5, node_cont=2)
    assert any("WARNING, INFO, DEBUG" in m for m in _messages(panel, "logging_level"))
    assert panel.values["allowed_failed_count"] == 5 and "allowed_failed_count=5," in panel.snippet
    assert "did you mean node_count" in panel._other.value
    panel.set_values(logging_level="DEBUG")
    assert _messages(panel, "logging_level") == []
    with pytest.raises(ValueError, match="True or False"):
        ParallelRunConfigPanel(allow_reuse="yes")


def test_entry_script_file_is_checked(tmp_path: Path) -> None:
    good = tmp_path / "score.py"
    good.write_text(GOOD_SCRIPT)
    panel = ParallelRunConfigPanel(**COMPLETE, script_path=good)
    assert panel.wait().status == "finished"
    assert panel.issues == () and "script looks right" in panel._script_result.value
    broken = tmp_path / "broken.py"
    broken.write_text(NO_RETURN)
    panel._script_path.value = str(broken)  # as if typed and submitted
    panel.wait()
    assert [i.parameter for i in panel.issues] == ["run"]
    assert "never returns a value" in panel._script_result.value and "line 4" in panel._script_result.value


def test_entry_script_bad_paths_say_why(tmp_path: Path) -> None:
    panel = ParallelRunConfigPanel(**COMPLETE)
    panel.check_script(tmp_path / "missing.py")
    panel.wait()
    assert "Cannot read the entry script" in panel._script_result.value
    assert "No such file" in _messages(panel, "entry_script")[0]
    panel.check_script(tmp_path)
    panel.wait()
    assert "it is a folder" in _messages(panel, "entry_script")[0]


def test_without_a_path_the_entry_script_in_the_source_directory_is_checked(tmp_path: Path) -> None:
    (tmp_path / "score.py").write_text(NO_RETURN)
    panel = ParallelRunConfigPanel(**{**COMPLETE, "source_directory": str(tmp_path)})
    panel._script_button.click()
    panel.wait()
    assert [i.parameter for i in panel.issues] == ["run"]
    empty = ParallelRunConfigPanel()
    empty.check_script()
    assert any("fill in Entry script" in m for m in _messages(empty, "entry_script"))


def test_text_form_is_short_and_plain() -> None:
    panel = ParallelRunConfigPanel(**COMPLETE)
    assert repr(panel) == "ParallelRunConfigPanel(name='score-mnist', errors=0, warnings=0)"
    assert panel._repr_mimebundle_()["text/plain"] == repr(panel)
    panel.set_values(name="X")
    assert "errors=0" not in repr(panel) and "name='X'" in repr(panel)

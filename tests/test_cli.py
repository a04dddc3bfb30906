"""The command line, end to end through the installed entry point, and in-process for the details."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from amlnbtools.cli import main

CRASH = "2021-03-08 12:58:41,120 | root | ERROR | CrashLoopBackOff\n"
HEALTHY = "2021-03-08 12:58:41,120 | root | INFO | processed 503 rows, errors=0, timeout=60\n"
JSON_KEYS = {"file", "rule", "severity", "line", "evidence", "title", "remedy"}


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    """A downloaded pipeline run: two steps, logs at several depths, and files that are not logs."""
    (tmp_path / "prep" / "azureml-logs").mkdir(parents=True)
    (tmp_path / "prep" / "azureml-logs" / "70_driver_log.txt").write_text("start\n[stderr]ModuleNotFoundError: "
                                                                           "No module named 'lightgbm'\n")
    (tmp_path / "train" / "user_logs").mkdir(parents=True)
    (tmp_path / "train" / "user_logs" / "std_log.txt").write_text(HEALTHY)
    (tmp_path / "train" / "model.pkl").write_bytes(b"\x80\x04CrashLoopBackOff")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.log").write_text(CRASH)
    return tmp_path


def test_entry_point_runs_and_reports_errors_with_exit_1(tmp_path: Path) -> None:
    log = tmp_path / "svc.log"
    log.write_text("ok\n" + CRASH)
    exe = shutil.which("amlnbtools", path=str(Path(sys.executable).parent))
    assert exe, "the amlnbtools script is installed next to the interpreter"
    proc = subprocess.run([exe, "diagnose", str(log), "--json"], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    (finding,) = json.loads(proc.stdout)
    assert set(finding) == JSON_KEYS
    assert (finding["file"], finding["rule"], finding["line"]) == (str(log), "crash-loop", 2)
    module = subprocess.run([sys.executable, "-m", "amlnbtools", "diagnose", str(log)], capture_output=True, text=True)
    assert module.returncode == 1 and "crash-loop" in module.stdout


def test_healthy_file_exits_0(tmp_path: Path) -> None:
    log = tmp_path / "ok.txt"
    log.write_text(HEALTHY)
    code, out, err = run("diagnose", str(log), "--json")
    assert (code, json.loads(out), err) == (0, [], "")


def test_folder_is_walked_with_relative_names(tree: Path) -> None:
    code, out, _ = run("diagnose", str(tree), "--json")
    assert code == 1
    records = json.loads(out)
    assert [(r["file"], r["rule"], r["line"]) for r in records] == [
        ("prep/azureml-logs/70_driver_log.txt", "dependency-error", 2)]


def test_text_output_names_file_line_rule_and_fix(tree: Path) -> None:
    code, out, _ = run("diagnose", str(tree))
    assert code == 1
    assert "prep/azureml-logs/70_driver_log.txt:2: error [dependency-error]" in out
    assert "Fix: " in out and "Files read: 2, errors found: 1" in out


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(("x\n" + CRASH).encode())))
    code, out, _ = run("diagnose", "-", "--json")
    assert code == 1 and json.loads(out)[0]["file"] == "-"


def test_language_option(tmp_path: Path) -> None:
    log = tmp_path / "svc.log"
    log.write_text(CRASH)
    _, english, _ = run("diagnose", str(log), "--json")
    code, french, _ = run("diagnose", str(log), "--json", "--lang", "fr")
    assert code == 1
    assert json.loads(french)[0]["remedy"] != json.loads(english)[0]["remedy"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["diagnose", "/no/such/path.txt"], "/no/such/path.txt: no such file or folder"),
        (["diagnose"], "the following arguments are required"),
        (["diagnose", "x", "--lang", "klingon"], "unsupported language 'klingon'"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_usage_and_io_errors_exit_2_with_one_line(args: list[str], needle: str, capsys: pytest.CaptureFixture) -> None:
    code, _, err = run(*args)
    err += capsys.readouterr().err  # argparse writes to sys.stderr itself
    assert code == 2
    assert needle in err


def test_empty_folder_is_an_error_that_says_what_was_looked_for(tmp_path: Path) -> None:
    code, _, err = run("diagnose", str(tmp_path))
    assert code == 2
    assert err.strip().count("\n") == 0 and "no log files (*.txt, *.log" in err


def test_unreadable_file_is_reported_and_the_rest_still_read(tree: Path, tmp_path: Path) -> None:
    code, out, err = run("diagnose", str(tree / "no-such.log"), str(tree), "--json")
    assert code == 2 and "no-such.log: no such file or folder" in err
    assert [r["rule"] for r in json.loads(out)] == ["dependency-error"]

"""Running a step on this machine before submitting it: inputs mapped to local paths, outputs as Azure ML gives them.

- **Inputs**: each declared input takes the user's mapping (``inputs={"raw": "./sample"}``), else the job's own
  value when it is local (a path next to the YAML, a literal), else its default. A data input must be an existing
  local path; an input without any value fails before the run with the names to map.
- **Outputs**: fresh locations under a new folder that *do not exist yet*, as on the remote side: a script that
  writes into its output without ``os.makedirs`` fails here exactly as it would there.
- **Working folder**: a copy of the step's code folder (the script may write next to itself; the user's files stay
  as they are); ``python`` at the start of the command is the Python the user names (default: this one).
- **After the run**: the log diagnosed (``output-dir-missing``, ``dependency-error`` …), outputs never created or
  left empty, and the environment's packages against those installed for that Python.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amlnbtools.core.diagnosis.findings import Findings
from amlnbtools.core.localrun.command import CommandError, resolve_command
from amlnbtools.core.localrun.deps import Mismatch, compare
from amlnbtools.core.localrun.spec import StepSpec
from amlnbtools.core.parallel_run import ParallelRunSummary
from amlnbtools.i18n import _
from amlnbtools.sources.errors import SourceError
from amlnbtools.sources.localrun.process import ProcessResult, run_process

__all__ = ["OutputCheck", "StepResult", "map_inputs", "run_step"]

_IGNORE = shutil.ignore_patterns(".git", "__pycache__", ".ipynb_checkpoints", ".venv", "node_modules", "outputs",
                                 "mlruns")
LISTED_FILES = 200


@dataclass(frozen=True)
class OutputCheck:
    output: str
    problem: str  # "not-created" | "empty"
    message: str


@dataclass(frozen=True)
class StepResult:
    """What a local run did: ``exit_code`` (None when stopped or out of time), the log and its ``findings``, each
    output's files, the checks after the run, and the time it took."""

    step: StepSpec
    command: str
    exit_code: int | None
    timed_out: bool
    stopped: bool
    seconds: float
    log: Path
    findings: Findings
    outputs: dict[str, list[Path]]
    output_checks: tuple[OutputCheck, ...] = ()
    packages: tuple[Mismatch, ...] = ()
    inputs: dict[str, str] = field(default_factory=dict)
    workdir: Path = Path(".")
    parallel: ParallelRunSummary | None = None  # a parallel step: what its logs say, as for a run on Azure ML

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def log_text(self, limit: int = 100_000) -> str:
        """The log's last ``limit`` characters."""
        return self.log.read_text(encoding="utf-8", errors="replace")[-limit:]


def map_inputs(step: StepSpec, given: Mapping[str, Any] | None) -> dict[str, str | None]:
    """Every input's local value (None: no value; allowed only for optional inputs); see the module docstring."""
    given = dict(given or {})
    unknown = sorted(set(given) - set(step.inputs))
    if unknown:
        raise SourceError("bad-input", _("{step} has no input {names}: its inputs are {declared}.").format(
            step=step.name, names=", ".join(unknown), declared=", ".join(sorted(step.inputs)) or "-"))
    values: dict[str, str | None] = {}
    missing = []
    for name, spec in step.inputs.items():
        value = given.get(name)
        if value is None and spec.value is not None:
            local = not spec.is_data or not str(spec.value).startswith(("azureml:", "http:", "https:", "wasbs:",
                                                                         "abfss:", "adl:"))
            value = spec.value if local else None
            if value is not None and spec.is_data and not Path(str(value)).is_absolute():
                value = str((step.base / str(value)).resolve())
        if value is not None and spec.is_data:
            path = Path(str(value)).expanduser().resolve()
            if not path.exists():
                raise SourceError("bad-input", _("Input {name} is {path}, which does not exist here: map it to a "
                                                 "local file or folder with a sample of the data.").format(
                    name=name, path=path))
            value = str(path)
        if value is None and not spec.optional:
            missing.append(name)
        values[name] = None if value is None else str(value)
    if missing:
        raise SourceError("bad-input", _("Give a local path or value for {names} (inputs={{'{first}': ...}}, or "
                                         "--input {first}=...): the step's inputs are {declared}.").format(
            names=", ".join(missing), first=missing[0], declared=", ".join(sorted(step.inputs))))
    return values


def _installed(python: str) -> dict[str, str]:
    probe = ("import json, importlib.metadata as m\n"
             "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions() if d.metadata['Name']}))")
    try:
        out = subprocess.run([python, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
        return dict(json.loads(out.stdout))
    except (OSError, subprocess.SubprocessError, ValueError):
        return {}


def _outputs(root: Path, step: StepSpec) -> tuple[dict[str, list[Path]], list[OutputCheck]]:
    files: dict[str, list[Path]] = {}
    checks = []
    for name in step.outputs:
        path = root / name
        if not path.exists():
            files[name] = []
            checks.append(OutputCheck(name, "not-created", _(
                "Output {name} was never created: the script did not write to the path it was given "
                "(${{{{outputs.{name}}}}}). Write its results there, creating the folder first "
                "(os.makedirs(path, exist_ok=True)).").format(name=name)))
            continue
        found = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())[:LISTED_FILES]
        files[name] = found
        if not found:
            checks.append(OutputCheck(name, "empty", _(
                "Output {name} is an empty folder: the next step would get nothing. Check that the script writes "
                "its results into it.").format(name=name)))
    return files, checks


def run_step(step: StepSpec, inputs: Mapping[str, Any] | None = None, *, timeout_s: float = 600.0,
             python: str | None = None, stop: threading.Event | None = None,
             on_output: Callable[[bytes], object] | None = None, folder: Path | None = None) -> StepResult:
    """Run ``step`` here; see the module docstring. Raises ``SourceError`` before running when it cannot start."""
    if isinstance(timeout_s, bool) or not isinstance(timeout_s, (int, float)) or not 0 < timeout_s <= 86_400:
        raise ValueError(_("timeout_s must be a number of seconds from 1 to 86400, not {value!r}").format(
            value=timeout_s))
    values = map_inputs(step, inputs)
    folder = Path(folder or tempfile.mkdtemp(prefix=f"amlnbtools-step-{step.name}-"))
    outputs_root = folder / "outputs"
    outputs_root.mkdir(parents=True, exist_ok=True)
    try:
        resolved = resolve_command(step.command, values, {n: str(outputs_root / n) for n in step.outputs})
    except CommandError as exc:
        raise SourceError("bad-input", str(exc)) from None
    workdir = folder / "code"
    if step.code is not None:
        if not step.code.is_dir():
            raise SourceError("bad-input", _("The step's code folder {path} does not exist: fix code: in the YAML, "
                                             "or run from the folder it is relative to.").format(path=step.code))
        shutil.copytree(step.code, workdir, ignore=_IGNORE, symlinks=True)
    else:
        workdir.mkdir()
    python = python or sys.executable
    command = resolved.command
    words = command.split(None, 1)
    if words and words[0] in ("python", "python3"):
        command = shlex.quote(python) + (" " + words[1] if len(words) > 1 else "")
    script = _script(command, workdir)
    if script is not None and not script.is_file():
        raise SourceError("bad-input", _("The command runs {script}, which is not in the step's code folder {code}: "
                                         "check the file name and code:.").format(script=script.name,
                                                                                  code=step.code or workdir))
    if step.parallel is not None:
        from amlnbtools.sources.localrun.parallel import driver_command

        command = driver_command(step, command, values, {n: str(outputs_root / n) for n in step.outputs},
                                 folder, python)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "AZUREML_AMLNBTOOLS_LOCAL_RUN": "1"}
    env.pop("AZUREML_RUN_TOKEN", None)  # Run.get_context() is an offline run here, as in any local script
    # the first line names the outputs' paths: the catalogue's output-dir-missing knows them by it
    header = ("amlnbtools: outputs of this local run: "
              + " ".join(f"{n}={p}" for n, p in resolved.outputs.items()) + "\n") if resolved.outputs else ""
    result: ProcessResult = run_process(command, workdir, folder / "std_log.txt", timeout_s=float(timeout_s),
                                        env=env, stop=stop, on_output=on_output, header=header)
    from amlnbtools.sources.files.logfiles import diagnose_file

    findings = diagnose_file(result.log, sdk="v2")
    files, checks = _outputs(outputs_root, step)
    packages = tuple(compare(step.conda, _installed(python))) if step.conda else ()
    parallel = None
    if step.parallel is not None:
        from amlnbtools.sources.localrun.parallel import summary

        parallel = summary(folder)
    return StepResult(step=step, command=command, exit_code=result.exit_code, timed_out=result.timed_out,
                      stopped=result.stopped, seconds=result.seconds, log=result.log, findings=findings,
                      outputs=files, output_checks=tuple(checks), packages=packages, inputs=resolved.inputs,
                      workdir=workdir, parallel=parallel)


def _script(command: str, workdir: Path) -> Path | None:
    """The ``.py`` file a ``python script.py …`` command runs, when it names one relative to the code folder."""
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    if len(words) >= 2 and words[1].endswith(".py") and not words[1].startswith(("-", "/")):
        return workdir / words[1]
    return None

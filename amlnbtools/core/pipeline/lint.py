"""Pipeline lint: warnings about how a pipeline's steps are set up, before it is submitted.

The rules come from the troubleshooting tips for ML pipelines:

- ``step-reuse-disabled``: a step with ``allow_reuse=False`` runs again on every submission;
- ``shared-source-directory``: steps that share one ``source_directory`` invalidate each
  other's reuse, and each uploads the whole folder in its snapshot;
- ``output-written-in-loop-through-mount``: a step whose output is mounted and whose script
  writes files once per loop iteration (each write goes through the remote file system);
- ``script-not-checked`` (info): the previous rule could not read or parse a step's script.

The rules work on :class:`StepDescription` values, plain descriptions of steps; the adapter in
:mod:`amlnbtools.sources.azureml_v1.lint` builds them from azureml-pipeline-core objects. Nothing
here reads files: scripts are read through the ``read_script`` function the caller passes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from amlnbtools.core.diagnosis.findings import SEVERITIES, Finding, Findings, Severity
from amlnbtools.core.pipeline.lint_writes import LoopWrite, find_loop_writes
from amlnbtools.i18n import _

__all__ = ["LINT_RULES", "StepDescription", "StepOutput", "lint_steps", "script_path"]

DOCS = "https://learn.microsoft.com/azure/machine-learning/v1/how-to-debug-pipelines#troubleshooting-tips"
#: Rule ids, in the order they are checked.
LINT_RULES = ("step-reuse-disabled", "shared-source-directory", "output-written-in-loop-through-mount",
              "script-not-checked")
#: Steps whose ``run()`` the service calls once per mini-batch.
PER_ITEM_STEPS = {"ParallelRunStep": "run"}


@dataclass(frozen=True, slots=True)
class StepOutput:
    """One output of a step.

    Attributes
    ----------
    name : str
        The output's name.
    mode : str
        How the step's files reach storage: ``"mount"`` (written through a remote file system as
        they are written), ``"upload"`` (copied once when the step ends), ``"hdfs"``, ``"link"``,
        ``"direct"``, or ``"unknown"``.
    kind : str
        The class of the SDK object (``"OutputFileDatasetConfig"``, ``"PipelineData"``, …).
    """

    name: str
    mode: str
    kind: str = ""


@dataclass(frozen=True, slots=True)
class StepDescription:
    """What the lint rules need to know about one pipeline step.

    Attributes
    ----------
    name : str
        The step's name.
    kind : str
        The step's class (``"PythonScriptStep"``, ``"ParallelRunStep"``, …).
    allow_reuse : bool or None
        ``None`` when the step has no such setting.
    source_directory : str or None
        As given to the step; ``None`` when not set (the pipeline's default folder is used).
    script_name : str or None
        The script the step runs, relative to ``source_directory``; ``None`` when it runs none.
    outputs : tuple of StepOutput
    arguments : tuple of str
        The script's command-line arguments, as text.
    """

    name: str
    kind: str
    allow_reuse: bool | None = True
    source_directory: str | None = None
    script_name: str | None = None
    outputs: tuple[StepOutput, ...] = ()
    arguments: tuple[str, ...] = ()


def _folder(step: StepDescription, base_dir: str, default_source_directory: str | None) -> str:
    """The folder the step's snapshot is taken from, as an absolute, normalized path."""
    folder = step.source_directory if step.source_directory else (default_source_directory or base_dir)
    return os.path.normcase(os.path.normpath(os.path.join(base_dir, folder)))


def script_path(step: StepDescription, base_dir: str = os.curdir, default_source_directory: str | None = None) -> str:
    """Where the step's script is: ``source_directory/script_name``, relative paths joined to ``base_dir``."""
    if not step.script_name:
        raise ValueError(f"step {step.name!r} runs no script")
    folder = step.source_directory if step.source_directory else (default_source_directory or base_dir)
    return os.path.normpath(os.path.join(base_dir, folder, step.script_name))


def _finding(rule: str, severity: Severity, position: int, evidence: str, title: str, remedy: str, *,
             count: int = 1, positions: Sequence[int] = ()) -> Finding:
    return Finding(rule=rule, severity=severity, line=position, evidence=evidence, title=title, remedy=remedy,
                   docs=DOCS, count=count, lines=tuple(positions) or (position,))


def _reuse(steps: Sequence[StepDescription]) -> list[Finding]:
    found = []
    for position, step in enumerate(steps, 1):
        if step.allow_reuse is False:
            found.append(_finding(
                "step-reuse-disabled", "warning", position,
                f"{step.name} ({step.kind}): allow_reuse=False",
                _("Step {step} never reuses its results (allow_reuse=False)").format(step=step.name),
                _("Every submission runs this step again, even when its script, settings and inputs have not "
                  "changed. Keep allow_reuse=False only for a step that reads data which changes between runs "
                  "without its inputs changing; otherwise remove it (the default is True) so that an unchanged "
                  "step is reused.")))
    return found


def _shared(steps: Sequence[StepDescription], base_dir: str, default: str | None) -> list[Finding]:
    groups: dict[str, list[int]] = {}
    for position, step in enumerate(steps, 1):
        if step.script_name or step.source_directory:  # steps that run no code of theirs take no snapshot
            groups.setdefault(_folder(step, base_dir, default), []).append(position)
    found = []
    for positions in groups.values():
        if len(positions) < 2:
            continue
        first = steps[positions[0] - 1]
        shown = first.source_directory or _("(not set: the pipeline's default folder)")
        names = ", ".join(steps[p - 1].name for p in positions)
        found.append(_finding(
            "shared-source-directory", "warning", positions[0], f"source_directory={first.source_directory}: {names}",
            _("{count} steps share the source directory {folder}").format(count=len(positions), folder=shown),
            _("A change to any file in a shared source directory changes the snapshot of every step that uses it, "
              "so none of them is reused, and each step uploads the whole folder. Give each step its own "
              "folder holding only its script and what it imports, and pass it as source_directory."),
            count=len(positions), positions=positions))
    return found


def _loop_writes(steps: Sequence[StepDescription], read_script: Callable[[str], str | bytes], base_dir: str,
                 default: str | None) -> list[Finding]:
    found = []
    for position, step in enumerate(steps, 1):
        mounted = [o.name for o in step.outputs if o.mode == "mount"]
        if not mounted or not step.script_name or not step.script_name.lower().endswith(".py"):
            continue
        path = script_path(step, base_dir, default)
        shown = os.path.join(step.source_directory, step.script_name) if step.source_directory else step.script_name
        try:
            writes = find_loop_writes(read_script(path), per_call=PER_ITEM_STEPS.get(step.kind))
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            found.append(_not_checked(position, step, path, reason))
            continue
        except (SyntaxError, ValueError, RecursionError) as exc:
            reason = _("it does not compile: {error} (line {line})").format(
                error=getattr(exc, "msg", str(exc)), line=getattr(exc, "lineno", None) or 0)
            found.append(_not_checked(position, step, path, reason))
            continue
        if writes:
            found.append(_loop_finding(position, step, shown, mounted, writes))
    return found


def _not_checked(position: int, step: StepDescription, path: str, reason: str) -> Finding:
    return _finding(
        "script-not-checked", "info", position, f"{step.name}: {path}: {reason}",
        _("The script of step {step} was not checked for writes in loops").format(step=step.name),
        _("The script {path} could not be read ({reason}), so this check was skipped for this step. Run the "
          "check from the folder the pipeline is built in, or pass base_dir= the folder its paths are relative "
          "to.").format(path=path, reason=reason))


def _loop_finding(position: int, step: StepDescription, shown: str, mounted: list[str],
                  writes: tuple[LoopWrite, ...]) -> Finding:
    first = writes[0]
    via = f" [{first.via}() writes]" if first.via else ""
    per_item = step.kind in PER_ITEM_STEPS
    return _finding(
        "output-written-in-loop-through-mount", "warning", position, f"{shown}:{first.line}: {first.code}{via}",
        _("Step {step} writes files in a loop while its output {outputs} is mounted").format(
            step=step.name, outputs=", ".join(mounted)),
        (_("A mounted output is a remote file system: every file written or appended in a loop (here once per "
           "mini-batch, since run() is called for each) goes over the network, which is slow and can fail. Call "
           ".as_upload() on the output so files are copied once when the step ends, or write to a local folder "
           "and copy the result to the output once.") if per_item else
         _("A mounted output is a remote file system: every file written or appended in a loop (each epoch, each "
           "item) goes over the network and re-sends the whole file, which is slow and can fail. Call "
           ".as_upload() on the output so files are copied once when the step ends, or write to a local folder "
           "and copy the result to the output once after the loop.")),
        count=len(writes), positions=(position,))


def _read_nothing(path: str) -> str:
    raise FileNotFoundError(2, os.strerror(2), path)


def lint_steps(steps: Sequence[StepDescription], *, read_script: Callable[[str], str | bytes] | None = None,
               base_dir: str = os.curdir, default_source_directory: str | None = None) -> Findings:
    """Check pipeline steps; returns warnings (and info notes) as :class:`~amlnbtools.core.diagnosis.findings.Findings`.

    Parameters
    ----------
    steps : sequence of StepDescription
        In the order the pipeline lists them.
    read_script : callable, optional
        ``read_script(path) -> source`` reads a step's script for the loop rule; it raises
        :class:`OSError` when it cannot. Without it, every script counts as unreadable.
    base_dir : str
        The folder relative ``source_directory`` values are relative to.
    default_source_directory : str, optional
        The folder used by steps without ``source_directory`` (the pipeline's default; ``base_dir``
        when not given).

    Returns
    -------
    Findings
        Warnings first, then info notes; within a severity, by step position. Each finding's
        ``line`` is the 1-based position of the step in ``steps`` (for ``shared-source-directory``,
        of the first step sharing the folder) and ``lines`` the positions of every step concerned;
        ``evidence`` is one line naming the step and what was seen (for the loop rule,
        ``script:line: call``); ``count`` is the number of steps sharing a folder, or of writes found
        in loops.
    """
    steps = list(steps)
    for step in steps:
        if not isinstance(step, StepDescription):
            raise TypeError(f"lint_steps() takes StepDescription values, not {type(step).__name__}")
    reader = read_script or _read_nothing
    found = (_reuse(steps) + _shared(steps, base_dir, default_source_directory)
             + _loop_writes(steps, reader, base_dir, default_source_directory))
    order = {rule: i for i, rule in enumerate(LINT_RULES)}
    return Findings(sorted(found, key=lambda f: (SEVERITIES.index(f.severity), f.line, order[f.rule])))

"""Command line.

``amlnbtools diagnose PATH... [--json] [--lang L]``: exit status 0 when no finding is an error, 1 when
one is, 2 on a usage or I/O error (a one-line message on standard error names the problem).

``amlnbtools replicas --rps R --request-seconds S [--max-concurrent C] [--target-utilization U] [--json]``:
the replica formula done exactly, with the queueing view; exit status 0, or 2 on invalid input.

``amlnbtools check FILE.yml... [--json] [--lang L]``: an SDK v2 job, component or online deployment spec checked
with azure-ai-ml's validation, nothing submitted; every problem with its field path and fix. Exit status 0 when
every file passes, 1 when one has a problem, 2 on a usage error (a missing file, no azure-ai-ml).

``amlnbtools run-step FILE.yml [--input NAME=VALUE]... [--timeout S] [--python P] [--json]``: an SDK v2 command
or parallel component, or a command job, run on this machine (see :mod:`amlnbtools.sources.localrun.run`); exit
status 0 when it ended with 0 and no error was found in its log, 1 otherwise, 2 when it cannot start (the message
names the fix).

``amlnbtools build-log``, ``wait``, ``quota`` and ``triage`` read a workspace (``--config`` or ``--sample``): see
:mod:`amlnbtools.cli_workspace`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from amlnbtools.cli_workspace import FINDING_KEYS, print_findings
from amlnbtools.i18n import LANGUAGES, _, normalize_language, set_language

if TYPE_CHECKING:
    from amlnbtools.core.diagnosis.findings import Findings

__all__ = ["main"]

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def _language(value: str) -> str:
    lang = normalize_language(value)
    if lang is None:
        raise argparse.ArgumentTypeError(f"unsupported language {value!r}: use one of {', '.join(LANGUAGES)}")
    return lang


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="amlnbtools", description="Azure Machine Learning troubleshooting tools.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    diag = sub.add_parser("diagnose", help="find known failures in logs and error texts",
                          description="Find known Azure ML failures in log files, folders of logs, or stdin.")
    diag.add_argument("paths", nargs="+", metavar="PATH",
                      help="a log file, a folder (every log file below it is read), or - for standard input")
    diag.add_argument("--json", action="store_true", help="print one JSON array of findings")
    diag.add_argument("--lang", type=_language, metavar="L",
                      help=f"language of titles and remedies: {', '.join(LANGUAGES)}")
    rep = sub.add_parser("replicas", help="replicas an AKS service needs for a request rate",
                         description="The Azure ML replica formula, computed exactly, with the 503 rate of the "
                                     "M/M/c queueing view.")
    rep.add_argument("--rps", type=float, required=True, metavar="R", help="target requests per second")
    rep.add_argument("--request-seconds", type=float, required=True, metavar="S", help="time per request, seconds")
    rep.add_argument("--max-concurrent", type=int, default=1, metavar="C",
                     help="max concurrent requests per replica (default 1)")
    rep.add_argument("--target-utilization", type=float, default=0.7, metavar="U",
                     help="autoscale target utilization as a fraction (default 0.7, the SDK's 70)")
    rep.add_argument("--max-wait-ms", type=float, default=500.0, metavar="MS",
                     help="max_request_wait_time in ms (default 500); longer waits are answered 503")
    rep.add_argument("--json", action="store_true", help="print one JSON object")
    rep.add_argument("--lang", type=_language, metavar="L", help=f"language of the text: {', '.join(LANGUAGES)}")
    chk = sub.add_parser("check", help="check a v2 job, component or deployment YAML before you submit it",
                         description="Check SDK v2 job, component or online deployment YAML files with azure-ai-ml's "
                                     "validation (nothing is submitted): each problem with its field path and fix.")
    chk.add_argument("files", nargs="+", metavar="FILE", help="a YAML spec file")
    chk.add_argument("--json", action="store_true", help="print one JSON array, one report per file")
    chk.add_argument("--lang", type=_language, metavar="L", help=f"language of the fixes: {', '.join(LANGUAGES)}")
    run = sub.add_parser("run-step", help="run a v2 command or parallel component, or a command job, on this machine "
                              "before submitting it",
                         description="Run a command component's or job's command (or a parallel component's entry "
                                     "script, mini-batch by mini-batch) here: inputs mapped to local paths, "
                                     "outputs as fresh folders that do not exist yet (as on Azure ML), the log "
                                     "diagnosed, outputs and packages checked.")
    run.add_argument("file", metavar="FILE", help="the component or job YAML file")
    run.add_argument("--input", action="append", default=[], metavar="NAME=VALUE",
                     help="a local path or value for an input (repeat for each input)")
    run.add_argument("--timeout", type=float, default=600.0, metavar="S", help="stop the step after S seconds")
    run.add_argument("--python", metavar="PATH", help="the Python that runs the script (default: this one)")
    run.add_argument("--json", action="store_true", help="print one JSON object instead of the step's output")
    run.add_argument("--lang", type=_language, metavar="L", help=f"language of the text: {', '.join(LANGUAGES)}")
    from amlnbtools.cli_workspace import add_parsers

    add_parsers(sub, _language)
    return parser


def _run_step(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``amlnbtools run-step``: the step's output as it comes, then what the checks found; 1 when it failed."""
    from amlnbtools.core.parallel_run.text import summary_json, summary_lines
    from amlnbtools.sources.errors import SourceError
    from amlnbtools.sources.localrun.run import run_step
    from amlnbtools.sources.localrun.v2 import v2_step

    if args.lang:
        set_language(args.lang)
    inputs = {}
    for item in args.input:
        name, sep, value = item.partition("=")
        if not sep or not name:
            print("amlnbtools: " + _("--input takes NAME=VALUE, not {item!r}").format(item=item), file=err)
            return EXIT_USAGE
        inputs[name] = value
    def live(chunk: bytes) -> None:
        out.write(chunk.decode("utf-8", errors="replace"))
        out.flush()

    try:
        result = run_step(v2_step(args.file), inputs, timeout_s=args.timeout, python=args.python,
                          on_output=None if args.json else live)
    except (SourceError, ValueError) as exc:
        print(f"amlnbtools: {exc}", file=err)
        return EXIT_USAGE
    failed = not result.ok or any(f.severity == "error" for f in result.findings)
    if args.json:
        json.dump({"exit_code": result.exit_code, "timed_out": result.timed_out, "seconds": round(result.seconds, 3),
                   "command": result.command, "log": str(result.log),
                   "findings": [{k: getattr(f, k) for k in FINDING_KEYS} for f in result.findings],
                   "outputs": {k: [str(p) for p in v] for k, v in result.outputs.items()},
                   "output_checks": [{"output": c.output, "problem": c.problem, "message": c.message}
                                     for c in result.output_checks],
                   "packages": [{"package": m.package, "wanted": m.wanted, "installed": m.installed}
                                for m in result.packages],
                   "parallel": summary_json(result.parallel) if result.parallel else None},
                  out, ensure_ascii=False, indent=2)
        out.write("\n")
        return EXIT_ERRORS if failed else EXIT_OK
    print("", file=out)
    if result.timed_out:
        print(_("Stopped after {seconds:.0f} s (--timeout): the step and what it started were ended.").format(
            seconds=result.seconds), file=out)
    else:
        print(_("Exit code {code} after {seconds:.1f} s; log: {log}").format(
            code=result.exit_code, seconds=result.seconds, log=result.log), file=out)
    print_findings("std_log.txt", result.findings, out)
    for line in summary_lines(result.parallel) if result.parallel else []:
        print(line, file=out)
    for check in result.output_checks:
        print("⚠ " + check.message, file=out)
    for m in result.packages:
        print("⚠ " + m.message, file=out)
    for name, files in result.outputs.items():
        print(_("Output {name}: {files}").format(name=name, files=", ".join(str(f) for f in files) or "-"),
              file=out)
    return EXIT_ERRORS if failed else EXIT_OK


def _check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``amlnbtools check``: each file's problems (text or JSON); 1 when any, 2 when a file cannot be checked."""
    from amlnbtools.sources.azureml_v2.spec import check_spec
    from amlnbtools.sources.errors import SourceError

    if args.lang:
        set_language(args.lang)
    reports, unusable = [], 0
    for name in args.files:
        try:
            reports.append(check_spec(name))
        except SourceError as exc:
            unusable += 1
            print(f"amlnbtools: {exc}", file=err)
    if args.json:
        json.dump([r.to_dict() for r in reports], out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        for report in reports:
            if report.passed:
                # TRANSLATORS: a checked spec file without problems; {kind} is e.g. "Command" or "PipelineJob"
                print(_("{file}: no problem found ({kind})").format(file=report.source, kind=report.kind), file=out)
            for problem in report.problems:
                print(f"{report.source}: {problem.path}: {problem.message}", file=out)
                print("    " + _("Fix: {remedy}").format(remedy=problem.fix), file=out)
    if unusable:
        return EXIT_USAGE
    return EXIT_ERRORS if any(not r.passed for r in reports) else EXIT_OK


class _Problems:
    """I/O problems met while reading; reported on stderr, one line each."""

    def __init__(self, stream: TextIO) -> None:
        self.count = 0
        self._stream = stream

    def report(self, message: str) -> None:
        self.count += 1
        print(f"amlnbtools: {message}", file=self._stream)


def _inputs(paths: Sequence[str], problems: _Problems) -> Iterator[tuple[str, Findings]]:
    """Yield (display name, findings) per readable input, reporting the unreadable."""
    from amlnbtools.core import diagnose_stream
    from amlnbtools.sources.files.logfiles import LogPathError, diagnose_file, iter_log_files

    for raw in paths:
        if raw == "-":
            yield "-", diagnose_stream(sys.stdin.buffer)
            continue
        path = Path(raw)
        if not path.exists():
            problems.report(_("{path}: no such file or folder; check the path").format(path=raw))
            continue
        files = [(raw, path)]
        if path.is_dir():
            try:
                files = [(f.relative_to(path).as_posix(), f) for f in iter_log_files(path)]
            except LogPathError as exc:
                problems.report(str(exc))
                continue
            if not files:
                problems.report(_("{path}: no log files (*.txt, *.log, *.out, *.err) in this folder").format(path=raw))
        for name, file in files:
            try:
                yield name, diagnose_file(file)
            except LogPathError as exc:
                problems.report(str(exc))


def _diagnose(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.lang:
        set_language(args.lang)
    problems = _Problems(err)
    records: list[dict[str, object]] = []
    errors = files = 0
    for name, findings in _inputs(args.paths, problems):
        files += 1
        errors += sum(1 for f in findings if f.severity == "error")
        if args.json:
            records += [{"file": name, **{k: getattr(f, k) for k in FINDING_KEYS}} for f in findings]
        else:
            print_findings(name, findings, out)
    if args.json:
        json.dump(records, out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif files:
        # TRANSLATORS: summary at the end of the text output; both values are numbers
        print(_("Files read: {files}, errors found: {errors}").format(files=files, errors=errors), file=out)
    if problems.count:
        return EXIT_USAGE
    return EXIT_ERRORS if errors else EXIT_OK


def _replicas(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``amlnbtools replicas``: print the report (text or JSON); exit 2 with one line on invalid input."""
    from dataclasses import asdict

    from amlnbtools.core.capacity.report import deploy_code, formula_lines, queueing_lines, replica_report

    if args.lang:
        set_language(args.lang)
    try:
        rep = replica_report(args.rps, args.request_seconds, args.max_concurrent, args.target_utilization,
                             args.max_wait_ms)
    except ValueError as exc:
        print(f"amlnbtools: {exc}", file=err)
        return 2
    if args.json:
        json.dump(asdict(rep), out, indent=2)
        out.write("\n")
        return 0
    for line in formula_lines(rep) + [""] + queueing_lines(rep) + ["", deploy_code(rep)]:
        print(line, file=out)
    return 0


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command line; returns the exit status."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed its usage message
        return int(exc.code or 0) and EXIT_USAGE
    try:
        if args.command == "replicas":
            return _replicas(args, out, err)
        if args.command == "check":
            return _check(args, out, err)
        if args.command == "run-step":
            return _run_step(args, out, err)
        from amlnbtools.cli_workspace import COMMANDS, run

        if args.command in COMMANDS:
            return run(args, out, err)
        return _diagnose(args, out, err)
    except BrokenPipeError:  # e.g. piped into head
        return EXIT_OK
    except KeyboardInterrupt:
        # TRANSLATORS: status shown after "amlnbtools: " when the user pressed Ctrl+C
        print("amlnbtools: " + _("interrupted"), file=err)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())

"""Command-line commands that read a workspace: what happens before a job or deployment runs.

``amlnbtools build-log TARGET [--build]``: the image build log of a deployment (``endpoint/deployment``), a v1 web
service, a job or run, or an environment (``azureml:name:version``), read with your sign-in, and its findings. Exit 1
when a finding is an error.

``amlnbtools wait JOB``: why a job (v2 name or v1 run id) is not running yet, each cause with its fix. Exit 1 when
the job waits for a cause that needs you.

``amlnbtools quota [TARGET] [--instance-type T --count N --kind online|cluster]``: the vCPU quota a deployment or
cluster needs against what its region has left. Exit 1 when there is not enough.

``amlnbtools triage [--since 7d] [--report FILE]``: every web service, online deployment and recent job of the
workspace, what is failing grouped by cause with the fix (``--json``: ``{"items": [...], "groups": [...]}``; a Markdown
or HTML report, redacted). Exit 1 when anything is failing or waiting too long.

Each takes the workspace from ``--config`` (default: the config.json found from the working folder up, as
``amlnbtools.connect()`` does) or ``--sample`` (the embedded sample workspace, offline). Exit 2 on a usage error or
when the workspace cannot answer; one line on standard error names the fix.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import asdict
from typing import Any, TextIO

from amlnbtools.i18n import LANGUAGES, _, set_language
from amlnbtools.sources.signin import AUTH_METHODS

__all__ = ["COMMANDS", "FINDING_KEYS", "add_parsers", "print_findings", "run"]

COMMANDS = ("build-log", "wait", "quota", "triage")
#: The fields of a finding in the JSON of every command.
FINDING_KEYS = ("rule", "severity", "line", "evidence", "title", "remedy")


def print_findings(name: str, findings: Any, out: TextIO) -> None:
    """Findings as lines a terminal and an editor read: ``name:line: severity [rule] title``, evidence, fix."""
    for f in findings:
        print(f"{name}:{f.line}: {f.severity} [{f.rule}] {f.title}", file=out)
        print(f"    {f.evidence}", file=out)
        # TRANSLATORS: a label (noun) before the remedy of a finding, as in "Solution: ..."
        print("    " + _("Fix: {remedy}").format(remedy=f.remedy), file=out)


def _workspace_arguments(parser: argparse.ArgumentParser, language: Callable[[str], str]) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--config", metavar="PATH", help="the workspace's config.json (default: found from here up)")
    where.add_argument("--sample", action="store_true", help="the embedded sample workspace (offline, no account)")
    parser.add_argument("--auth", default="default", choices=AUTH_METHODS, metavar="METHOD",
                        help=f"how to sign in: {', '.join(AUTH_METHODS)} (default: default)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--lang", type=language, metavar="L", help=f"language of the text: {', '.join(LANGUAGES)}")


def add_parsers(sub: Any, language: Callable[[str], str]) -> None:
    """Add ``build-log``, ``wait`` and ``quota`` to the subcommands ``sub``."""
    build = sub.add_parser("build-log", help="the image build log of a deployment, job or environment, diagnosed",
                           description="Find the image build log of a deployment, web service, job, run or "
                                       "environment, read it with your sign-in, and name the known failures in it.")
    build.add_argument("target", metavar="TARGET",
                       help="endpoint/deployment, a v1 web service, a job name or run id, or azureml:NAME:VERSION")
    build.add_argument("--build", action="store_true",
                       help="for an environment: build its image now and read that build's log (minutes, billed)")
    _workspace_arguments(build, language)
    wait = sub.add_parser("wait", help="why a job is not running yet, and what to do",
                          description="Why a job waits (image build, cluster scaling, quota, a compute that is gone), "
                                      "each cause with its fix.")
    wait.add_argument("job", metavar="JOB", help="a v2 job name or a v1 run id")
    _workspace_arguments(wait, language)
    quota = sub.add_parser("quota", help="the vCPU quota a deployment or cluster needs, against what is left",
                           description="vCPUs a v2 online deployment or compute cluster needs per VM family, against "
                                       "the quota left in the workspace's region, and what to do.")
    quota.add_argument("target", nargs="?", metavar="TARGET",
                       help="endpoint/deployment, or a deployment or cluster YAML file")
    quota.add_argument("--instance-type", metavar="SIZE", help="a VM size, e.g. Standard_DS3_v2 (with --count)")
    quota.add_argument("--count", type=int, metavar="N", help="instances (with --instance-type)")
    quota.add_argument("--kind", choices=("online", "cluster"), default="cluster",
                       help="what the instances are for (default cluster; online reserves extra for upgrades)")
    _workspace_arguments(quota, language)
    triage = sub.add_parser("triage", help="what is failing in the workspace, grouped by cause",
                            description="Read every web service, online deployment and recent job of the workspace "
                                        "at once and group what is failing by cause, each cause with its fix.")
    triage.add_argument("--since", default="7d", metavar="D", help="jobs created in the last D (30m, 12h, 7d, 2w; "
                                                                   "default 7d)")
    triage.add_argument("--waiting-after", default="15m", metavar="D",
                        help="list a job not started after D (default 15m)")
    triage.add_argument("--running-after", default="24h", metavar="D",
                        help="list a job still running after D (default 24h)")
    triage.add_argument("--workers", type=int, default=8, metavar="N", help="items read at once (default 8)")
    triage.add_argument("--report", metavar="FILE", help="also write a redacted report (.md or .html)")
    _workspace_arguments(triage, language)


def _sources(args: argparse.Namespace) -> Any:
    if args.sample:
        from amlnbtools.sources.sample import sample_source

        return sample_source()
    from amlnbtools.sources.workspace import open_workspace

    return open_workspace(args.config, auth=args.auth)


def _build_log(args: argparse.Namespace, sources: Any, out: TextIO) -> int:
    from amlnbtools.sources.files.logfiles import diagnose_file
    from amlnbtools.sources.targets import build_log_by_name

    found = build_log_by_name(sources, args.target, build=args.build)
    findings = diagnose_file(found.path, sdk=found.sdk)
    if args.json:
        json.dump({"target": found.target, "where": found.where, "how": found.how,
                   "findings": [{k: getattr(f, k) for k in FINDING_KEYS} for f in findings]},
                  out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        # TRANSLATORS: first line of `amlnbtools build-log`; {where} is a storage path, {how} how it was read
        print(_("Image build log of {target}: {where} ({how})").format(target=found.target, where=found.where,
                                                                       how=found.how), file=out)
        print_findings(found.where, findings, out)
        if not findings:
            print(_("No known failure found."), file=out)
    return 1 if any(f.severity == "error" for f in findings) else 0


def _wait(args: argparse.Namespace, sources: Any, out: TextIO) -> int:
    from amlnbtools.sources.targets import wait_by_name

    explained = wait_by_name(sources, args.job).explain()
    if args.json:
        json.dump({"job": explained.job, "status": explained.status, "raw_status": explained.raw_status,
                   "waiting": explained.waiting, "queue_message": explained.queue_message,
                   "causes": [asdict(c) for c in explained.causes],
                   "cluster": asdict(explained.cluster) if explained.cluster is not None else None,
                   "quota": explained.quota.to_dict() if explained.quota is not None else None},
                  out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
    else:
        print(_("Job {job}: {status}").format(job=explained.job, status=explained.raw_status), file=out)
        if explained.queue_message:
            print("    " + explained.queue_message, file=out)
        for cause in explained.causes:
            print(f"- [{cause.code}] {cause.title}: {cause.detail}", file=out)
            print("    " + _("Fix: {remedy}").format(remedy=cause.fix), file=out)
        if not explained.causes:
            print(_("It is not waiting: open its logs (amlnbtools.pipeline_logs).") if not explained.waiting else
                  _("No cause known yet: look again in a minute."), file=out)
    return 1 if explained.waiting and explained.causes else 0


def _quota(args: argparse.Namespace, sources: Any, out: TextIO) -> int:
    from amlnbtools.sources.azureml_v2.quota import check_quota
    from amlnbtools.sources.buildlogs import v2_side

    if args.target is None and not (args.instance_type and args.count):
        raise ValueError(_("Give a deployment (endpoint/deployment or YAML) or a cluster YAML, or --instance-type "
                           "and --count"))
    location = getattr(getattr(sources, "info", None), "location", None)
    report = check_quota(v2_side(sources), args.target, instance_type=args.instance_type, count=args.count,
                         kind=args.kind, location=location)
    if args.json:
        json.dump({**report.to_dict(), "enough": report.enough}, out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        print(report.summary(), file=out)
        for advice in report.advice:
            print("- " + advice, file=out)
    return 1 if report.enough is False else 0


def _triage(args: argparse.Namespace, sources: Any, out: TextIO) -> int:
    from amlnbtools.core.triage import parse_duration
    from amlnbtools.sources.triage import ScanSettings, scan_workspace

    waiting = parse_duration(args.waiting_after, "--waiting-after")
    running = parse_duration(args.running_after, "--running-after")
    assert waiting is not None and running is not None
    settings = ScanSettings(since=parse_duration(args.since, "--since"), max_workers=args.workers,
                            waiting_after=waiting, running_after=running)
    result = scan_workspace(sources, settings)
    if not result.items and result.problems:
        raise ValueError(result.problems[0])
    if args.report:
        from pathlib import Path

        from amlnbtools.core.triage import report_html, report_markdown

        path = Path(args.report)
        path.write_text(report_html(result) if path.suffix.lower() in (".html", ".htm") else report_markdown(result),
                        encoding="utf-8")
    if args.json:
        json.dump(result.to_dict(), out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        _print_triage(result, out)
    return 1 if any(i.outcome in ("failing", "waiting", "running-long") for i in result.items) else 0


def _print_triage(result: Any, out: TextIO) -> None:
    counts = result.counts()
    print(_("Workspace {name}, as of {when} UTC: {failing} failing, {waiting} waiting too long, {healthy} healthy, "
            "{busy} in progress, {unread} not read.").format(
        name=result.workspace, when=result.as_of.strftime("%Y-%m-%d %H:%M"), failing=counts["failing"],
        waiting=counts["waiting"] + counts["running-long"], healthy=counts["healthy"], busy=counts["in-progress"],
        unread=counts["unreadable"]), file=out)
    for problem in result.problems:
        print("⚠ " + problem, file=out)
    for group in result.groups:
        print(f"\n[{group.key}] {group.title} ({group.count})", file=out)
        if group.fix:
            print("    " + _("Fix: {remedy}").format(remedy=group.fix), file=out)
        for item in group.items:
            shown = f"{item.name} ({item.display_name})" if item.display_name else item.name
            print(f"  - {item.kind} {shown}: {item.state or '?'}" + (f" — {item.evidence}" if item.evidence else ""),
                  file=out)
    if not result.groups:
        print(_("Nothing is failing."), file=out)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run one of :data:`COMMANDS`; the exit status (2 with one line on ``err`` when it cannot answer)."""
    from amlnbtools.sources.errors import SourceError

    if args.lang:
        set_language(args.lang)
    command = {"build-log": _build_log, "wait": _wait, "quota": _quota, "triage": _triage}[args.command]
    try:
        return command(args, _sources(args), out)
    except (SourceError, ValueError, TypeError) as exc:
        print(f"amlnbtools: {exc}", file=err)
        return 2

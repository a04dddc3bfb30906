"""A triage as a report to keep or attach to a support ticket: Markdown or a standalone HTML page.

Every text is redacted (keys, tokens, SAS signatures) and, in HTML, escaped; nothing links out but the docs.
"""

from __future__ import annotations

import html

from amlnbtools.core.diagnosis.redact import redact
from amlnbtools.core.triage.model import OUTCOMES, TriageResult, kind_label
from amlnbtools.i18n import _

__all__ = ["report_html", "report_markdown"]


def _outcome_label(outcome: str) -> str:
    return {"failing": _("failing"), "waiting": _("waiting too long"), "running-long": _("running too long"),
            "unreadable": _("could not be read"), "in-progress": _("in progress"), "healthy": _("healthy"),
            "canceled": _("canceled")}[outcome]


def _since(result: TriageResult) -> str:
    if result.since is None:
        return _("all jobs")
    hours = result.since.total_seconds() / 3600
    return (_("jobs of the last {days:g} days").format(days=hours / 24) if hours >= 24
            else _("jobs of the last {hours:g} hours").format(hours=hours))


def _counts_line(result: TriageResult) -> str:
    counts = result.counts()
    return ", ".join(f"{counts[o]} {_outcome_label(o)}" for o in OUTCOMES if counts[o])


def _md(text: str | None) -> str:
    return redact(text or "").replace("|", "\\|").replace("\n", " ").strip()


def report_markdown(result: TriageResult) -> str:
    """The report as Markdown: the counts, one section per cause with its fix and items, then what was not read."""
    lines = ["# " + _("Triage of workspace {name}").format(name=result.workspace), "",
             _("As of {when} UTC; services and online deployments, and {jobs}.").format(
                 when=result.as_of.strftime("%Y-%m-%d %H:%M"), jobs=_since(result)), "",
             "**" + (_counts_line(result) or _("nothing found")) + "**", ""]
    if result.cancelled:
        lines += [_("The scan was stopped before it ended: the counts are partial."), ""]
    lines += [f"- {_md(p)}" for p in result.problems] + ([""] if result.problems else [])
    if not result.groups:
        lines += [_("Nothing is failing."), ""]
    for group in result.groups:
        lines += [f"## {_md(group.title)} ({group.count})", ""]
        if group.rule:
            lines += [f"`{group.rule}`", ""]
        if group.fix:
            lines += ["**" + _("Fix") + ":** " + _md(group.fix), ""]
        lines += ["| " + " | ".join((_("Kind"), _("Name"), _("State"), _("Evidence"))) + " |", "|---|---|---|---|"]
        lines += [f"| {_md(kind_label(i.kind))} | {_md(i.name)} | {_md(i.state)} | {_md(i.evidence)[:300]} |"
                  for i in group.items]
        if not group.fix:
            lines += [""] + [f"- {_md(i.name)}: {_md(i.fix)}" for i in group.items if i.fix]
        lines.append("")
    return "\n".join(lines)


def report_html(result: TriageResult) -> str:
    """The same report as one HTML page (no script, no external resource)."""
    def esc(text: str | None) -> str:
        return html.escape(redact(text or ""))

    title = esc(_("Triage of workspace {name}").format(name=result.workspace))
    parts = [f"<h1>{title}</h1>",
             "<p>" + esc(_("As of {when} UTC; services and online deployments, and {jobs}.").format(
                 when=result.as_of.strftime("%Y-%m-%d %H:%M"), jobs=_since(result))) + "</p>",
             "<p><b>" + esc(_counts_line(result) or _("nothing found")) + "</b></p>"]
    if result.cancelled:
        parts.append("<p>" + esc(_("The scan was stopped before it ended: the counts are partial.")) + "</p>")
    parts += [f"<p>{esc(p)}</p>" for p in result.problems]
    if not result.groups:
        parts.append("<p>" + esc(_("Nothing is failing.")) + "</p>")
    for group in result.groups:
        parts.append(f"<h2>{esc(group.title)} ({group.count})</h2>")
        if group.rule:
            parts.append(f"<p><code>{esc(group.rule)}</code></p>")
        if group.fix:
            parts.append("<p><b>" + esc(_("Fix")) + ":</b> " + esc(group.fix) + "</p>")
        head = "".join(f"<th>{esc(h)}</th>" for h in (_("Kind"), _("Name"), _("State"), _("Evidence")))
        rows = "".join(f"<tr><td>{esc(kind_label(i.kind))}</td><td>{esc(i.name)}</td><td>{esc(i.state)}</td>"
                       f"<td>{esc((i.evidence or '')[:300])}</td></tr>" for i in group.items)
        parts.append(f"<table border='1' cellspacing='0' cellpadding='4'><tr>{head}</tr>{rows}</table>")
        if not group.fix:
            parts.append("<ul>" + "".join(f"<li>{esc(i.name)}: {esc(i.fix)}</li>" for i in group.items if i.fix)
                         + "</ul>")
    body = "\n".join(parts)
    return (f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>{title}</title></head>\n"
            f"<body style='font-family:sans-serif'>\n{body}\n</body></html>\n")

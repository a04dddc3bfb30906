"""A findings list tied to a log view: pick a finding (mouse or keyboard), its line is highlighted and its fix shown."""

from __future__ import annotations

import ipywidgets as w

from amlnbtools.core.diagnosis.findings import Finding, Findings
from amlnbtools.i18n import _
from amlnbtools.widgets._html import findings_tip, remedy

__all__ = ["FindingsList"]


class FindingsList:
    """``box`` (the list) and ``remedy`` (the chosen finding's fix) to lay out; :meth:`show` fills the list and
    chooses the primary finding, :meth:`select` chooses one."""

    def __init__(self, log_view: object, rows: int = 4) -> None:
        self._log_view = log_view
        self.findings = Findings()
        self.box = w.Select(options=[], rows=rows, layout=w.Layout(width="100%"), tooltip=findings_tip())
        self.remedy = w.HTML()
        self.box.observe(lambda c: self.select(c["new"]) if c["new"] is not None else None, names="value")

    def show(self, findings: Findings) -> None:
        self.findings = findings
        self.box.options = [(_("line {n}").format(n=f.line) + f" · {f.rule} · {f.title}", i)
                            for i, f in enumerate(findings)] or [(_("No known failure found."), None)]
        primary = findings.primary() if findings else None
        if primary is not None:
            self.select(list(findings).index(primary))
        else:
            self.remedy.value = ""

    def clear(self) -> None:
        self.findings = Findings()
        self.box.options, self.remedy.value = [], ""

    def select(self, index: int) -> Finding:
        finding = self.findings[index]
        if self.box.value != index:
            self.box.value = index
        self._log_view.jump_to(finding.line)  # type: ignore[attr-defined]
        self.remedy.value = remedy(finding)
        return finding

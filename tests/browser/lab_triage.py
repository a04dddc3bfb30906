"""The triage panel (notebook 10): its causes and chart, and an item opened from it."""

from __future__ import annotations

import re

from lab_page import NotebookPage
from lab_panels import TIMEOUT_MS, Interaction, _button
from playwright.sync_api import Locator, expect

__all__ = ["triage_opens"]


def triage_opens(cause: str, item: str) -> Interaction:
    """The triage panel lists ``cause`` and draws its chart; picking ``item`` and pressing Open shows the item's
    deployment log panel below, read and diagnosed."""

    def run(nb: NotebookPage) -> Locator:
        title = nb.page.locator("h4").filter(has_text=re.compile(r"What is failing in workspace"))
        panel = nb.page.locator(".widget-vbox").filter(has=title).first
        expect(panel).to_contain_text(cause, timeout=TIMEOUT_MS)
        expect(panel).to_contain_text(re.compile(r"\d+ failing · \d+ waiting too long"), timeout=TIMEOUT_MS)
        expect(panel.locator(".js-plotly-plot .main-svg").first).to_be_visible(timeout=TIMEOUT_MS)
        picker = panel.locator(".widget-dropdown select").first
        option = picker.locator("option").filter(has_text=item).first
        expect(option).to_be_attached(timeout=TIMEOUT_MS)
        picker.select_option(option.get_attribute("value"))
        _button(panel, "Open").click()
        expect(panel).to_contain_text(re.compile(r"\d+ log lines? · \d+ findings?"), timeout=TIMEOUT_MS)
        return panel

    return Interaction(f"triage-open-{item.replace('/', '-')}", run)

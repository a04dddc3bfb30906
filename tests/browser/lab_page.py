"""One notebook open in a browser page (JupyterLab 4 or Notebook 7), driven through the front end.

The front end is reached through ``window.jupyterapp`` (the server runs with
``expose_app_in_browser``): its commands run all cells and save, its notebook model tells what each
cell output is. Everything a user sees is checked in the DOM.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

__all__ = ["XSS_MARKER_SCRIPT", "NotebookPage", "Outputs"]

#: Installed in every page before any of its scripts: hostile log text that runs sets the marker,
#: and a dialog (``alert``) is recorded by the page's dialog handler.
XSS_MARKER_SCRIPT = "window.__xss = 0;"

_CURRENT = "window.jupyterapp && window.jupyterapp.shell.currentWidget"

_KERNEL_IDLE = f"""() => {{
  const w = {_CURRENT};
  if (!w || !w.sessionContext || !w.content || !w.sessionContext.isReady) return false;
  const k = w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle';
}}"""

# Done when the kernel is idle, no cell waits ([*]) and every code cell ran, or one failed (Run All stops there).
_RUN_DONE = f"""() => {{
  const w = {_CURRENT};
  const k = w && w.sessionContext.session && w.sessionContext.session.kernel;
  if (!k || k.status !== 'idle') return false;
  const cells = w.content.widgets.filter(c => c.model.type === 'code');
  const waiting = [...w.content.node.querySelectorAll('.jp-InputPrompt')].some(p => p.textContent.includes('*'));
  if (waiting) return false;
  const failed = cells.some(c => c.model.outputs.toJSON().some(o => o.output_type === 'error'));
  return failed || cells.every(c => c.model.executionCount !== null);
}}"""

_OUTPUTS = f"""() => {{
  const w = {_CURRENT};
  return w.content.widgets.filter(c => c.model.type === 'code').map(c => ({{
    count: c.model.executionCount, source: c.model.sharedModel.getSource(), outputs: c.model.outputs.toJSON()}}));
}}"""

_RENDERED_WIDGETS = """() => [...document.querySelectorAll('.jp-OutputArea-output')]
  .filter(o => o.querySelector('.jupyter-widgets.widget-box')).length"""
_PLOTLY = "() => [...document.querySelectorAll('.js-plotly-plot')].filter(p => p.querySelector('.main-svg')).length"

_WIDGET_ERRORS = re.compile(r"Error displaying widget|Loading widget\.\.\.|Failed to load model class|"
                            r"Could not (create|find) (a )?(view|model)", re.I)


@dataclass
class Outputs:
    """What the cells of the open notebook hold, read from the front end's notebook model."""

    cells: list[dict[str, Any]] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        """Error outputs and standard-error text, each with the start of its cell."""
        found = []
        for cell in self.cells:
            for out in cell["outputs"]:
                if out.get("output_type") == "error":
                    found.append(f"{cell['source'][:60]!r}: {out.get('ename')}: {out.get('evalue')}")
                elif out.get("output_type") == "stream" and out.get("name") == "stderr":
                    found.append(f"{cell['source'][:60]!r}: stderr: {''.join(out.get('text', ''))[:300]}")
        return found

    @property
    def widget_views(self) -> int:
        """How many outputs are widget views (each must render as a widget)."""
        return sum("application/vnd.jupyter.widget-view+json" in out.get("data", {})
                   for cell in self.cells for out in cell["outputs"])

    @property
    def unexecuted(self) -> list[str]:
        return [cell["source"][:60] for cell in self.cells if cell["count"] is None]


class NotebookPage:
    """A notebook opened in ``page`` from a server (see lab_server.JupyterServer)."""

    def __init__(self, page: Page, server: Any, name: str) -> None:
        self.page = page
        self.server = server
        self.name = name
        self.dialogs: list[str] = []
        page.on("dialog", self._on_dialog)

    def _on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    # --- opening and running ---------------------------------------------------------------

    def open(self, timeout_ms: float = 90_000) -> NotebookPage:
        """Open the notebook and wait until its kernel is idle."""
        self.page.goto(self.server.notebook_url(self.name), wait_until="domcontentloaded", timeout=timeout_ms)
        self.page.wait_for_selector(".jp-Notebook", state="visible", timeout=timeout_ms)
        self.page.wait_for_function(_KERNEL_IDLE, timeout=timeout_ms, polling=200)
        self.page.wait_for_selector(".jp-Spinner", state="detached", timeout=timeout_ms)
        self.page.locator(".jp-Notebook:visible").first.click(position={"x": 5, "y": 5})
        return self

    def run_all(self, timeout_ms: float = 240_000) -> Outputs:
        """Clear every output, run every cell ("Run All Cells") and wait until it is done; return the outputs.

        Clearing first makes sure that everything checked afterwards comes from this run, not from the
        outputs stored in the file.
        """
        self.command("notebook:clear-all-cell-outputs")
        self.page.wait_for_function(f"() => ({_CURRENT}).content.widgets.every(c => c.model.type !== 'code' "
                                    "|| (c.model.outputs.length === 0 && c.model.executionCount === null))",
                                    timeout=30_000)
        self.command("notebook:run-all-cells", wait=False)
        self.page.wait_for_timeout(500)
        self.page.wait_for_function(_RUN_DONE, timeout=timeout_ms, polling=250)
        self.page.wait_for_timeout(300)  # done must stay done (a cell may have queued more output)
        self.page.wait_for_function(_RUN_DONE, timeout=timeout_ms, polling=250)
        return self.outputs()

    def outputs(self) -> Outputs:
        return Outputs(self.page.evaluate(_OUTPUTS))

    def command(self, command_id: str, args: dict[str, Any] | None = None, *, wait: bool = True) -> Any:
        """Run a front-end command (the same ones as the menus and the command palette).

        With ``wait=False`` the command is started and not awaited (for commands that run cells).
        """
        if wait:
            return self.page.evaluate("([id, args]) => window.jupyterapp.commands.execute(id, args)",
                                      [command_id, args or {}])
        self.page.evaluate("([id, args]) => { window.jupyterapp.commands.execute(id, args); }",
                           [command_id, args or {}])
        return None

    def save(self) -> Path:
        """Save the notebook (with widget state: the test servers turn that setting on); return its file."""
        self.command("docmanager:save")
        self.page.wait_for_function(f"() => !({_CURRENT}).context.model.dirty", timeout=30_000)
        return self.server.root / self.name

    def execute_in_kernel(self, code: str, timeout_ms: float = 60_000) -> str:
        """Run ``code`` in the notebook's kernel without a cell (nothing is added to the notebook); return stdout.

        Raises
        ------
        AssertionError
            If the code raises.
        """
        result = self.page.evaluate("""async (code) => {
          const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
          const future = k.requestExecute({code, silent: false, store_history: false});
          let out = '', error = null;
          future.onIOPub = (msg) => {
            if (msg.header.msg_type === 'stream') out += msg.content.text;
            if (msg.header.msg_type === 'error') error = msg.content.ename + ': ' + msg.content.evalue;
          };
          await future.done;
          return {out, error};
        }""", code)
        assert result["error"] is None, f"kernel code failed: {result['error']}\n{code}"
        return result["out"]

    # --- checks ------------------------------------------------------------------------------

    def widget_problems(self) -> list[str]:
        """Widget outputs that did not render (placeholders or error messages in the output area)."""
        texts = self.page.locator(".jp-OutputArea-output").all_inner_texts()
        return [t[:200] for t in texts if _WIDGET_ERRORS.search(t)]

    def rendered_widgets(self) -> int:
        """Widget outputs on the page (an output area holding a widget box: every panel's root is one)."""
        return self.page.evaluate(_RENDERED_WIDGETS)

    def wait_for_widgets(self, count: int, timeout_ms: float = 60_000) -> None:
        self.page.wait_for_function(f"n => ({_RENDERED_WIDGETS})() >= n", arg=count, timeout=timeout_ms)

    def wait_for_plotly(self, count: int, timeout_ms: float = 60_000) -> None:
        self.page.wait_for_function(f"n => ({_PLOTLY})() >= n", arg=count, timeout=timeout_ms)

    def plotly_figures(self) -> int:
        """Plotly figures drawn on the page (a plot container with its SVG)."""
        return self.page.evaluate(_PLOTLY)

    def xss_marker(self) -> Any:
        return self.page.evaluate("() => window.__xss")

    def active_markup(self) -> list[str]:
        """Markup in the outputs that could run script: inline event handlers, javascript: links, script,
        iframes, and the ``<img src=x>`` / ``<svg>`` of the test payloads."""
        return self.page.evaluate("""() => {
          const found = [];
          for (const area of document.querySelectorAll('.jp-OutputArea')) {
            for (const el of area.querySelectorAll('*')) {
              for (const a of el.attributes) {
                if (/^on/i.test(a.name)) found.push(`${el.tagName} ${a.name}=${a.value.slice(0, 60)}`);
                if (/^(href|src|xlink:href|action|formaction)$/i.test(a.name) && /^\\s*javascript:/i.test(a.value))
                  found.push(`${el.tagName} ${a.name}=${a.value.slice(0, 60)}`);
              }
              const tag = el.tagName.toLowerCase();
              if (tag === 'script' || tag === 'iframe' || tag === 'object' || tag === 'embed')
                found.push(`<${tag}> element`);
              if (tag === 'img' && el.getAttribute('src') === 'x') found.push('<img src=x> element');
            }
          }
          return found;
        }""")

    def screenshot(self, path: Path, target: Any = None) -> Path:
        """Save a screenshot of ``target`` (a locator: its top, as far as the window shows it), or of the page."""
        path.parent.mkdir(parents=True, exist_ok=True)
        clip = None
        if target is not None:
            target.evaluate("e => e.scrollIntoView({block: 'start'})")
            box, size = target.bounding_box(), self.page.viewport_size
            if box is not None and size is not None:
                top, left = max(box["y"], 0), max(box["x"], 0)
                clip = {"x": left, "y": top, "width": max(1, min(box["x"] + box["width"], size["width"]) - left),
                        "height": max(1, min(box["y"] + box["height"], size["height"]) - top)}
        self.page.screenshot(path=str(path), animations="disabled", clip=clip)
        return path

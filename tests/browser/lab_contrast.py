"""WCAG contrast of every text in the notebook's widget and HTML outputs, as the browser draws it, in the current
theme.

For each element that shows text (a direct text node, a field's value, a drop-down's choice, an SVG text of a
chart) inside a widget output: its colour (``color``, or ``fill`` for SVG) with the opacity of its ancestors, and
its effective background (the background colours from it up to the first opaque one, composited: translucent tints
included), both read from the computed style. Contrast ratio per WCAG 2 (relative luminance); the threshold is
4.5:1, or 3:1 for large text (24 px, or 18.66 px bold). Disabled controls are exempt (WCAG 1.4.3), as are texts not
drawn (no box, ``visibility: hidden``). Charts' texts are read over the chart's own background.
"""

from __future__ import annotations

from typing import Any

__all__ = ["CONTRAST_JS", "DARK", "HIGH_CONTRAST", "LIGHT", "contrast_report", "set_theme"]

LIGHT, DARK, HIGH_CONTRAST = "JupyterLab Light", "JupyterLab Dark", "JupyterLab Dark High Contrast"

CONTRAST_JS = r"""() => {
  const canvas = document.createElement('canvas').getContext('2d');
  const parse = (c) => {
    let m = /^rgba?\(([^)]*)\)$/.exec(c);
    if (m) {
      const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    }
    m = /^color\(srgb ([^)]*)\)$/.exec(c);
    if (m) {
      const [rgb, alpha] = m[1].split('/');
      const p = rgb.trim().split(/\s+/).map(Number);
      return [p[0] * 255, p[1] * 255, p[2] * 255, alpha === undefined ? 1 : Number(alpha)];
    }
    if (c === 'transparent' || !c || c === 'none') return [0, 0, 0, 0];
    canvas.clearRect(0, 0, 1, 1); canvas.fillStyle = c; canvas.fillRect(0, 0, 1, 1);
    const d = canvas.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], d[3] / 255];
  };
  const over = (top, bottom) => {
    const a = top[3] + bottom[3] * (1 - top[3]);
    if (a === 0) return [0, 0, 0, 0];
    return [0, 1, 2].map(i => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a).concat([a]);
  };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let bg = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return bg;
  };
  const opacity = (el) => {
    let o = 1;
    for (let e = el; e; e = e.parentElement) o *= Number(getComputedStyle(e).opacity);
    return o;
  };
  const lum = (c) => {
    const f = v => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const disabled = (el) => !!el.closest('[disabled], .mod-disabled');
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const ownText = (el) => {
    const tag = el.tagName.toLowerCase();
    if (tag === 'input' && !['checkbox', 'radio', 'range', 'color', 'hidden'].includes(el.type)) return el.value;
    if (tag === 'textarea') return el.value;
    if (tag === 'select') return el.size > 1 || el.multiple ? '' : (el.selectedOptions[0] || {}).text || '';
    const list = el.parentElement && (el.parentElement.size > 1 || el.parentElement.multiple);
    if (tag === 'option') return list ? el.text : '';
    if (tag === 'style' || tag === 'script') return '';
    return [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('');
  };
  // widget outputs (the panels), and HTML outputs of cells (reports, tables); not streams, not markdown
  const roots = [...document.querySelectorAll(
    '.jp-OutputArea-output .jupyter-widgets, .jp-OutputArea-output.jp-RenderedHTMLCommon')].filter(
    r => !r.parentElement.closest('.jupyter-widgets, .jp-RenderedHTMLCommon'));
  const seen = new Set(), failures = [];
  let checked = 0;
  for (const root of roots) {
    for (const el of [root, ...root.querySelectorAll('*')]) {
      if (seen.has(el)) continue;
      seen.add(el);
      const text = ownText(el).trim();
      if (!text || !shown(el) || disabled(el)) continue;
      const style = getComputedStyle(el);
      const svg = el instanceof SVGElement;
      const bg = svg ? background(el.closest('.js-plotly-plot') || el.ownerSVGElement || el) : background(el);
      const raw = parse(svg ? style.fill : style.color);
      const fg = over([raw[0], raw[1], raw[2], raw[3] * Number(svg ? style.fillOpacity || 1 : 1) * opacity(el)], bg);
      const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
      const ratio = (hi + 0.05) / (lo + 0.05);
      const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
      const need = size >= 24 || (size >= 18.66 && bold) ? 3 : 4.5;
      checked += 1;
      if (ratio + 1e-6 < need) {
        const where = [];
        for (let e = el; e && e !== root && where.length < 4; e = e.parentElement)
          where.push(e.tagName.toLowerCase() + [...e.classList].slice(0, 2).map(c => '.' + c).join(''));
        const rounded = bg.map(v => Math.round(v * 100) / 100).join(', ');
        failures.push({text: text.slice(0, 60), ratio: Math.round(ratio * 100) / 100, need,
                       color: svg ? style.fill : style.color, background: `rgba(${rounded})`,
                       where: where.join(' < ')});
      }
    }
  }
  return {checked, failures};
}"""


def set_theme(page: Any, theme: str, timeout_ms: float = 30_000) -> None:
    """Switch JupyterLab's theme (its own command) and wait until the page has it."""
    page.evaluate("t => window.jupyterapp.commands.execute('apputils:change-theme', {theme: t})", theme)
    page.wait_for_function("t => document.body.dataset.jpThemeName === t", arg=theme, timeout=timeout_ms)
    page.wait_for_timeout(600)  # the theme's style sheet applied and the page repainted


def contrast_report(page: Any) -> dict[str, Any]:
    """``{"checked": n, "failures": [...]}`` for the page as it is drawn now."""
    return page.evaluate(CONTRAST_JS)

"""The log view on a 1M-line driver log: open to the first page, page fetch and render, search, level scan,
the largest widget message and the redraw rate, against one widget value holding the whole log.

The log is the one of ``bench_bigfile`` (~120 MB, 1,000,000 lines: levels, tracebacks, very long
lines) plus 400 hostile lines (2,000 ``"`` or ``<`` each, 6x bigger once escaped). Every widget
message (comm opens and updates) is captured and measured as the kernel sends it (UTF-8 JSON). The
reference, measured in the same run on the same file: the message of an ``HTML`` value holding the
whole escaped log, and the time to build it.
"""

from __future__ import annotations

import html
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

import comm
import ipywidgets as w
from bench_bigfile import make_log

from amlnbtools.sources.files.bigfile import IndexedLog
from amlnbtools.widgets.logview import LogView

PAGE_LINES = 200
GOALS = {"open_first_page_s": 2.0, "page_fetch_ms": 1.0, "message_mb": 1.0, "updates_per_s": 20.0}


class Recorder:
    """Every widget message: (time, bytes, widget class)."""

    def __init__(self) -> None:
        self.messages: list[tuple[float, int, str]] = []
        self._send, self._create = w.Widget._send, comm.create_comm

    def __enter__(self) -> Recorder:
        send, create, out = self._send, self._create, self.messages

        def record(widget: w.Widget, msg: dict, buffers: list | None = None) -> None:
            out.append((time.perf_counter(), _size(msg), type(widget).__name__))
            send(widget, msg, buffers)

        def record_open(**kwargs: object) -> object:
            out.append((time.perf_counter(), _size(kwargs.get("data")), "open"))
            return create(**kwargs)

        w.Widget._send, comm.create_comm = record, record_open
        return self

    def __exit__(self, *exc: object) -> None:
        w.Widget._send, comm.create_comm = self._send, self._create

    def mark(self) -> int:
        return len(self.messages)

    def largest(self, since: int = 0) -> int:
        return max((size for _t, size, _k in self.messages[since:]), default=0)


def _size(payload: object) -> int:
    return len(json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8"))


def _ms(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return 1000 * statistics.fmean(ordered), 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def _timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _render_ms(view: LogView, rng: random.Random, count: int) -> list[float]:
    times = []
    for _ in range(count):
        view._pages.page = rng.randrange(view.page_count)
        times.append(_timed(view._render)[0])
    return times


def _burst(view: LogView, rec: Recorder, calls: int, pause_s: float) -> tuple[int, int, float]:
    """Page turns as fast as ``pause_s`` allows; returns (redraws, body messages, seconds)."""
    view.jump_to(1)
    _ = view.html  # the first page drawn
    draws, since = view._render_soon.calls, rec.mark()
    start = time.perf_counter()
    for _ in range(calls):
        view.next_page()
        if pause_s:
            time.sleep(pause_s)
    time.sleep(0.06)  # the last page turn arrives by the throttle's timer
    elapsed = time.perf_counter() - start
    bodies = sum(1 for _t, _s, kind in rec.messages[since:] if kind == "HTML")
    return view._render_soon.calls - draws, bodies, elapsed


def main(lines: int = 1_000_000) -> dict[str, float]:
    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as tmp, Recorder() as rec:
        path = Path(tmp) / "70_driver_log.txt"
        make_log(path, lines)
        with path.open("a", encoding="utf-8") as fh:
            fh.writelines(('"' if i % 2 else "<") * 2000 + "\n" for i in range(400))
        size = path.stat().st_size
        path.read_bytes()  # warm the page cache

        view = LogView(page_lines=PAGE_LINES)
        start = time.perf_counter()
        view.set_file(path)
        view._open_task.wait()
        first_page = view.html
        open_s = time.perf_counter() - start
        during_scan = _render_ms(view, rng, 20)  # the level scan runs in the background meanwhile
        view.wait(None)
        view_ready_s = time.perf_counter() - start
        n = view.line_count

        with IndexedLog(path) as log:
            fetch = [_timed(lambda k=k: log.lines(k, k + PAGE_LINES))[0]
                     for k in (rng.randrange(n - PAGE_LINES) for _ in range(500))]
            scan_s, _codes = _timed(log.level_codes)
            full_search_s, all_hits = _timed(lambda: log.search("cuda out of memory", limit=1_000_000))
            dump = log.search("dump 0", case_sensitive=True, limit=1)  # 200 lines of 3,000 'é'
        render = _render_ms(view, rng, 300)
        heavy = [_timed(lambda p=p: (view.jump_to(p), view.html))[0] for p in dump + [n - 399, n - 199]]
        search_s, hits = _timed(lambda: view.search("cuda out of memory"))
        view.jump_to(hits[len(hits) // 2])
        view.set_level("error")
        _ = view.html
        view.set_folding(False)
        view.set_level("all")
        view.search('"')
        _ = view.html
        redraws, bodies, burst_s = _burst(view, rec, 500, 0.0)
        paced_redraws, paced_bodies, paced_s = _burst(view, rec, 500, 0.002)
        largest = rec.largest()
        view.close()

        ref_s, ref_bytes = _timed(lambda: _size({"method": "update", "state": {
            "value": "<pre>" + html.escape(path.read_text(encoding="utf-8", errors="replace")) + "</pre>"}}))

    fetch_mean, fetch_p99 = _ms(fetch)
    render_mean, render_p99 = _ms(render)
    scan_mean, scan_p99 = _ms(during_scan)
    r = {
        "size_mb": size / 1e6, "lines": n, "open_first_page_s": open_s, "view_ready_s": view_ready_s,
        "page_fetch_ms": fetch_mean, "page_fetch_p99_ms": fetch_p99, "page_render_ms": render_mean,
        "page_render_p99_ms": render_p99, "render_during_scan_p99_ms": scan_p99,
        "heaviest_page_ms": 1000 * max(heavy), "search_1000_hits_s": search_s, "search_all_s": full_search_s,
        "level_scan_s": scan_s, "message_mb": largest / 1e6, "first_page_kb": len(first_page.encode()) / 1e3,
        "burst_redraws": redraws, "burst_s": burst_s, "paced_updates_per_s": paced_bodies / paced_s,
        "paced_redraws_per_s": paced_redraws / paced_s, "reference_s": ref_s, "reference_mb": ref_bytes / 1e6,
    }
    print(f"viewer: {size / 1e6:.0f} MB, {n:,} lines")
    print(f"  open -> first page  {open_s:.3f} s ({open_s / GOALS['open_first_page_s']:.2f}x the 2 s goal); "
          f"levels of every line known after {view_ready_s:.2f} s (background)")
    print(f"  page fetch ({PAGE_LINES} lines)  mean {fetch_mean:.3f} ms, p99 {fetch_p99:.3f} ms "
          f"({fetch_mean / GOALS['page_fetch_ms']:.2f}x the 1 ms goal)")
    print(f"  page render  mean {render_mean:.2f} ms, p99 {render_p99:.2f} ms; heaviest pages (hostile) "
          f"{r['heaviest_page_ms']:.1f} ms; p99 while the level scan runs {scan_p99:.1f} ms (mean {scan_mean:.1f})")
    print(f"  search 'cuda out of memory'  first 1000 hits listed in {search_s:.3f} s; "
          f"whole file ({len(all_hits)} hits) {full_search_s:.3f} s")
    print(f"  level codes of every line  {scan_s:.2f} s ({n / scan_s / 1e6:.2f} M lines/s, 1 byte a line)")
    goal_share = largest / 1e6 / GOALS["message_mb"]
    print(f"  largest widget message  {largest / 1e3:.0f} kB ({goal_share:.2f}x the 1 MB goal);"
          f" first page {r['first_page_kb']:.0f} kB")
    print(f"  500 page turns at once: {redraws} redraws in {burst_s:.3f} s; at 500/s: "
          f"{r['paced_redraws_per_s']:.1f} redraws/s, {r['paced_updates_per_s']:.1f} page messages/s "
          f"({r['paced_updates_per_s'] / GOALS['updates_per_s']:.2f}x the 20/s goal)")
    print(f"  reference: one HTML value with the whole escaped log = {ref_bytes / 1e6:.0f} MB in one message "
          f"({ref_bytes / max(largest, 1):.0f}x the largest view message), built in {ref_s:.2f} s "
          f"({ref_s / open_s:.1f}x the view's open -> first page)")
    return r


if __name__ == "__main__":
    main()

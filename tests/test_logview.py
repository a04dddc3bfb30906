"""The log view on logs of any size: pages of a file, bounded comm messages, escaping, redaction, search
hits, the level filter after the background scan, folded tracebacks, findings, the throttle, errors."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import comm
import ipywidgets as w
import pytest
from hypothesis import given
from hypothesis import strategies as st

from amlnbtools.core import Finding, diagnose
from amlnbtools.core.logs import (
    FRAME,
    LevelScanner,
    TextLog,
    levels_from_codes,
    levels_of,
    scan_level_codes,
    split_lines,
)
from amlnbtools.sources.files.bigfile import IndexedLog
from amlnbtools.widgets.logview import LogView
from amlnbtools.widgets.logview._render import _HIGHLIGHT as HIGHLIGHT
from amlnbtools.widgets.logview._render import _MARKED as MARKED

MB = 1_000_000
XSS = [
    "<img src=x onerror=\"window.__amln_xss=1\">",
    "<svg onload=window.__amln_xss=1>",
    "<script>window.__amln_xss=1</script>",
    "</script><script>window.__amln_xss=1</script>",
    "<a href=\"javascript:window.__amln_xss=1\">click</a>",
    "' onmouseover='window.__amln_xss=1",
]
TRACEBACK = ["Traceback (most recent call last):", '  File "/var/azureml-app/score.py", line 41, in run',
             "    result = model.predict(data)", '  File "/envs/sklearn/base.py", line 706, in predict',
             "    X = self._validate_data(X)", "ValueError: X has 12 features, but StandardScaler expects 14"]


@pytest.fixture()
def sent(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Size in bytes (UTF-8 JSON, as the kernel sends it) of every widget message: comm opens and updates."""
    sizes: list[int] = []
    send, create = w.Widget._send, comm.create_comm

    def record(self: w.Widget, msg: dict, buffers: list | None = None) -> None:
        sizes.append(len(json.dumps(msg, ensure_ascii=False, default=str).encode("utf-8")))
        send(self, msg, buffers)

    def record_open(**kwargs: object) -> object:
        sizes.append(len(json.dumps(kwargs.get("data"), ensure_ascii=False, default=str).encode("utf-8")))
        return create(**kwargs)

    monkeypatch.setattr(w.Widget, "_send", record)
    monkeypatch.setattr(comm, "create_comm", record_open)
    return sizes


@pytest.fixture(autouse=True)
def thread_errors(monkeypatch: pytest.MonkeyPatch):
    """Fail the test if any thread (throttle timers, background tasks) let an exception escape."""
    errors: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(args.exc_value))
    yield errors
    assert not errors, errors


def write_log(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def driver_lines(count: int) -> list[str]:
    """A driver log: timestamps and levels, a traceback every 997 lines, a CUDA error every 1,499."""
    out: list[str] = []
    while len(out) < count:
        i = len(out) + 1
        if i % 997 == 0:
            out += TRACEBACK
        elif i % 1499 == 0:
            out.append(f"[stderr]RuntimeError: CUDA out of memory at step {i}")
        elif i % 11 == 0:
            out.append(f"2021-03-08 12:58:41,120 | root | WARNING | slow batch {i}")
        else:
            out.append(f"2026-11-22 10:08:19,351 I [11298] azmlinfsrv - line {i} " + "x" * (i % 90))
    return out[:count]


def test_a_multi_mb_file_opens_to_page_one_with_correct_line_numbers(tmp_path: Path) -> None:
    lines = driver_lines(60_000)
    path = write_log(tmp_path / "70_driver_log.txt", lines)
    assert path.stat().st_size > 5 * MB
    view = LogView()
    view.set_file(path)
    assert view.wait().status == "finished" and view.levels_ready and view.error == ""
    assert view.line_count == 60_000 and view.page_count == 300
    assert view.visible_lines == list(range(1, 201))
    page = view.html
    assert f"data-line='1'><span class='amlnlv-n'>1</span><span>{lines[0]}</span>" in page
    assert "data-line='200'" in page and "data-line='201'" not in page
    assert "lines 1–200 of 60000" in page
    view.jump_to(45_123)
    assert view.visible_lines[0] == 45_001 and view.highlighted == 45_123
    assert lines[45_122].split(" - ")[1] in view.html  # the text of that very line
    state = json.dumps(w.Widget.get_manager_state(drop_defaults=False), default=str)
    assert lines[30_000].split(" - ")[1] not in state  # never the whole log in a widget
    view.close()


def hostile_lines() -> list[str]:
    worst = ['"' * 2000, "<" * 2000, "&" * 2000, "\U0001F600" * 2000, "\\" * 2000, "\x1b" * 2000, "'" * 2000]
    return ['"' + worst[i % len(worst)] for i in range(1200)] + XSS * 20


def test_every_message_stays_under_1_mb_even_for_hostile_lines(tmp_path: Path, sent: list[int]) -> None:
    path = write_log(tmp_path / "hostile.log", hostile_lines())
    view = LogView()
    view.set_file(path, findings=[(n, "<b>" + '"' * 500 + "</b>") for n in range(1, 1200)])
    view.wait()
    assert view.html.count("data-line=") == 200  # every row is there, cut to its share
    assert "more characters]" in view.html
    for _ in range(5):
        view.next_page()
    assert len(view.search('"')) == 1000 and len(view._hit_list.box.options) == 1000
    view.jump_to(3)
    view.set_level("error")
    view.set_level("all")
    view.set_folding(False)
    view.search("<")
    view.next_hit()
    assert view.html
    widest = LogView(page_lines=500)  # the most rows a page may have: each gets a smaller share
    widest.set_file(path)
    widest.wait()
    assert widest.html.count("data-line=") == 500
    assert sent and max(sent) <= MB, max(sent)
    view.close()
    widest.close()


def test_xss_corpus_is_escaped_in_a_file_and_in_text(tmp_path: Path) -> None:
    path = write_log(tmp_path / "xss.txt", XSS + TRACEBACK)
    file_view, text_view = LogView(), LogView()
    file_view.set_file(path)
    file_view.wait()
    text_view.set_text("\n".join(XSS + TRACEBACK))
    for view in (file_view, text_view):
        assert "&lt;img src=x onerror=" in view.html and "&#x27; onmouseover=&#x27;" in view.html
        view.search("onerror")
        out = view.html
        for raw in ("<img", "<svg", "<script", "</script", "<a href", "' onmouseover"):
            assert raw not in out
        assert "&lt;img src=x <mark>onerror</mark>=" in out
    file_view.close()


def test_secrets_are_redacted_on_pages_and_in_the_hit_list(tmp_path: Path) -> None:
    lines = ["GET https://acct.blob.core.windows.net/c/x.txt?sv=1&sig=SECRETSIGNATURE123&se=2",
             "Authorization: Bearer abcdefghSECRETTOKEN42", "plain line"] * 3
    path = write_log(tmp_path / "secrets.txt", lines)
    view = LogView()
    view.set_file(path)
    view.wait()
    assert view.search("acct.blob") == [1, 4, 7]
    view.search("Bearer")
    state = json.dumps(w.Widget.get_manager_state(drop_defaults=False), default=str) + view.html
    assert "SECRETSIGNATURE123" not in state and "SECRETTOKEN42" not in state
    assert "sig=[REDACTED]" in view.html
    assert "<mark>Bearer</mark> [REDACTED]" in view.html, view.html[view.html.find("data-line='2'"):][:400]
    view.close()


def test_search_hit_list_jumps_to_the_line_and_steps_through_hits(tmp_path: Path) -> None:
    lines = driver_lines(12_000)
    path = write_log(tmp_path / "driver.txt", lines)
    view = LogView(page_lines=100)
    view.set_file(path)
    view.wait()
    expected = [i + 1 for i, line in enumerate(lines) if "cuda out of memory" in line.lower()]
    assert view.search("CUDA OUT OF MEMORY") == expected and len(expected) >= 5
    assert view.highlighted == expected[0] and expected[0] in view.visible_lines
    labels = [label for label, _line in view._hit_list.box.options]
    assert labels[0].startswith(f"line {expected[0]} · ") and "CUDA out of memory" in labels[0]
    view._hit_list.box.value = expected[3]  # the user picks a hit in the list
    assert view.highlighted == expected[3] and expected[3] in view.visible_lines
    assert f"data-line='{expected[3]}'{HIGHLIGHT}" in view.html
    assert view.next_hit() == expected[4] and view.previous_hit() == expected[3]
    view._controls.search.value = "StandardScaler expects"  # typed: searched in the background
    view.wait()
    assert view.hits == [i + 1 for i, line in enumerate(lines) if "StandardScaler expects" in line]
    assert view.highlighted == view.hits[0]
    view.close()


def test_level_filter_after_the_background_scan_equals_levels_of(tmp_path: Path) -> None:
    lines = driver_lines(20_005)  # the scan reads 20,000 lines a batch: a traceback spans the boundary
    lines[19_998:19_998] = TRACEBACK
    path = write_log(tmp_path / "driver.txt", lines)
    view = LogView(page_lines=500)
    view.set_file(path)
    assert view.wait().status == "finished"
    levels = levels_of(lines)
    for level, shown in (("error", {"ERROR", "CRITICAL"}), ("warning", {"WARNING", "ERROR", "CRITICAL"})):
        view.set_level(level)
        seen: list[int] = []
        for _ in range(view.page_count):
            seen += view.visible_lines
            view.next_page()
        assert seen == [i + 1 for i, lv in enumerate(levels) if lv in shown]
    assert 20_000 in seen and 20_003 in seen  # frame lines of the traceback across the batch boundary
    view.jump_to(2)  # hidden by the filter: all levels again
    assert view.level == "all" and 2 in view.visible_lines
    view.close()


class SlowStore(TextLog):
    """A store whose big reads (the level scan) wait for a gate, or fail."""

    def __init__(self, text: str, gate: threading.Event, fail: bool = False) -> None:
        super().__init__(text)
        self.gate, self.fail = gate, fail

    def lines(self, start: int, stop: int) -> list[str]:
        if stop - start > 1000:
            self.gate.wait(10)
            if self.fail:
                raise OSError(5, "Input/output error")
        return super().lines(start, stop)


def test_filter_waits_for_the_level_scan_and_says_so() -> None:
    text = "\n".join(driver_lines(150_000))  # more than is scanned at once: the scan runs in the background
    gate = threading.Event()
    store = SlowStore(text, gate)
    view = LogView()
    view.set_file(store)
    view.set_level("error")
    assert not view.levels_ready and view.visible_lines == list(range(1, 201))
    assert "Finding the level of each line" in view._status.value
    gate.set()
    view.wait()
    assert view.levels_ready and view._status.value == ""
    assert view.visible_lines[0] == 997 and len(view.visible_lines) == 200


def test_a_failing_scan_is_shown_and_nothing_is_raised(thread_errors: list) -> None:
    gate = threading.Event()
    gate.set()
    view = LogView()
    view.set_file(SlowStore("\n".join(driver_lines(150_000)), gate, fail=True))
    assert view.wait().status == "error"
    assert "Cannot read the levels of this log" in view._status.value
    assert "data-line='1'" in view.html  # the pages are still there
    view.set_level("error")
    assert view.visible_lines[0] == 1


def test_tracebacks_are_folded_keeping_the_first_and_the_exception_line() -> None:
    lines = ["start"] + TRACEBACK + ["", "During handling of the above exception, another exception occurred:", ""]
    lines += TRACEBACK[:3] + ["KeyError: 'model'", "after"]
    view = LogView()
    view.set_text("\n".join(lines))
    out = view.html
    assert out.count("<details>") == 2 and "4 traceback lines" in out and "2 traceback lines" in out
    folded = out.split("<details>")[1].split("</details>")[0]
    assert "score.py" in folded and "Traceback (most recent" not in folded and "ValueError" not in folded
    outside = out.replace(folded, "")
    assert "Traceback (most recent call last):" in outside and "ValueError: X has 12 features" in outside
    assert "KeyError: &#x27;model&#x27;" in outside
    view.jump_to(3)  # a frame line: its fold opens
    assert "<details open>" in view.html
    view.set_folding(False)
    assert "<details" not in view.html and view._controls.fold.value is False


def test_scanner_by_batches_equals_levels_of_and_marks_frames() -> None:
    codes = LevelScanner().feed(TRACEBACK + ["next"])
    assert [bool(c & FRAME) for c in codes] == [False, True, True, True, True, False, False]


PIECES = TRACEBACK + ["During handling of the above exception, another exception occurred:",
                      "[stderr]  File \"x.py\"", "    continued", "\tindented", "ERROR:root:boom", "[stderr]oops",
                      "2021-03-08 12:58:41,120 | root | WARNING | slow", "plain", "StopIteration", ""]


@given(lines=st.lists(st.sampled_from(PIECES), max_size=60), cuts=st.lists(st.integers(0, 60), max_size=5),
       batch=st.integers(1, 9))
def test_level_codes_equal_levels_of_whatever_the_batches(lines: list[str], cuts: list[int], batch: int) -> None:
    scanner, codes, start = LevelScanner(), bytearray(), 0
    for cut in sorted(cuts) + [len(lines)]:
        codes += scanner.feed(lines[start:max(start, cut)])
        start = max(start, cut)
    assert levels_from_codes(codes) == levels_of(lines)
    text = "\n".join(lines)
    whole = scan_level_codes(TextLog(text), batch_lines=batch)
    assert whole is not None and levels_from_codes(whole) == levels_of(split_lines(text))


def test_findings_lines_are_highlighted_with_escaped_titles(tmp_path: Path) -> None:
    lines = ["boot", "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB", "ok", "fine"]
    path = write_log(tmp_path / "std_log.txt", lines)
    findings = diagnose("\n".join(lines))
    view = LogView()
    view.set_file(path, findings=findings)
    view.wait()
    oom = next(f for f in findings if f.rule == "out-of-memory")
    assert f"data-line='{oom.line}'{MARKED} title='{oom.title}'" in view.html
    hostile = Finding("x", "error", 4, "fine", "<img src=x onerror=alert(1)> 'quoted'", "r", "d")
    view.mark([hostile, (3, "second")])
    out = view.html
    assert "title='&lt;img src=x onerror=alert(1)&gt; &#x27;quoted&#x27;'" in out and "<img" not in out
    assert f"data-line='3'{MARKED} title='second'" in out
    assert f"data-line='{oom.line}' style" not in out  # marks replaced
    view.jump_to(4)
    assert f"data-line='4'{HIGHLIGHT} title='&lt;img" in view.html
    with pytest.raises(TypeError):
        view.mark(["not a line"])
    view.close()


def test_deployment_panel_passes_its_findings_with_titles(sample_source) -> None:
    from amlnbtools.widgets.deployment_logs import DeploymentLogsPanel

    panel = DeploymentLogsPanel(sample_source, "churn-aks-crashloop")
    assert panel.wait().status == "finished"
    origin, finding = next((o, f) for o, f in panel.findings if o == "logs")
    view = panel.log_view
    view.jump_to(finding.line)
    assert f"title='{finding.title}" in view.html.replace("&#x27;", "'")


def test_a_burst_of_page_turns_is_drawn_at_most_20_times_a_second(tmp_path: Path) -> None:
    path = write_log(tmp_path / "driver.txt", driver_lines(120_000))
    view = LogView()
    view.set_file(path)
    view.wait()
    bodies: list[str] = []
    view._body.observe(lambda c: bodies.append(c["new"]), names="value")
    draws = view._render_soon.calls
    start = time.monotonic()
    for _ in range(500):
        view.next_page()
    elapsed = time.monotonic() - start
    drawn = view._render_soon.calls - draws
    assert drawn <= elapsed * 20 + 2 and len(bodies) <= drawn
    assert view.visible_lines[0] == 500 * 200 + 1
    assert "data-line='100001'" in view.html  # the last page turn is never lost
    view.close()


def test_missing_folder_and_unreadable_paths_are_shown_in_the_view(tmp_path: Path, monkeypatch) -> None:
    view = LogView()
    view.set_file(tmp_path / "nope.txt")
    assert view.wait().status == "error"
    assert "nope.txt: no such file or folder; check the path" in view.error
    assert "⚠" in view.html and "check the path" in view.html and view.line_count == 0
    view.set_file(tmp_path)
    view.wait()
    assert "is a folder; open one log file in it" in view.html
    locked = write_log(tmp_path / "locked.txt", ["secret"])
    real_open = Path.open

    def refuse(self: Path, *args: object, **kwargs: object):
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    view.set_file(locked)
    view.wait()
    assert "locked.txt: cannot read it (Permission denied); check its permissions" in view.html
    with pytest.raises(ValueError, match="between 1 and 0"):
        view.jump_to(1)


def test_close_releases_the_file_it_opened_but_not_one_passed_in(tmp_path: Path) -> None:
    path = write_log(tmp_path / "a.txt", ["one", "two"])
    view = LogView()
    view.set_file(path)
    view.wait()
    opened = view._pages.store
    assert isinstance(opened, IndexedLog)
    view.set_text("other")  # replacing the log closes the file the view opened
    assert opened._fh.closed and view.visible_lines == [1]
    with IndexedLog(path) as mine:
        view.set_file(mine)
        view.wait()
        assert view.visible_lines == [1, 2]
        view.close()
        assert not mine._fh.closed and mine.lines(0, 1) == ["one"]
    assert view.line_count == 0 and "No lines to show." in view.html


def test_from_a_background_thread_the_file_is_opened_at_once(tmp_path: Path) -> None:
    path = write_log(tmp_path / "std_log.txt", driver_lines(3000))
    view = LogView()
    seen: list[int] = []

    def panel_task() -> None:  # what a panel does in its own BackgroundTask
        view.set_file(path)
        seen.append(view.line_count)
        view.set_file(tmp_path / "gone.txt")
        seen.append(view.line_count)

    worker = threading.Thread(target=panel_task)
    worker.start()
    worker.join(30)
    assert seen == [3000, 0] and "gone.txt: no such file or folder" in view.error
    view.set_file(path, background=False)  # or asked for on the kernel's thread
    assert view.line_count == 3000 and view.wait().status == "finished" and view.levels_ready
    view.close()


def test_reading_the_view_waits_for_a_redraw_a_timer_is_delivering() -> None:
    view = LogView(page_lines=10)
    view.set_text("\n".join(f"line {i}" for i in range(1, 101)))
    assert view.html
    draw = view._render_soon._fn

    def slow_timer_draw() -> None:  # the throttle's timer thread, descheduled on a busy machine
        if threading.current_thread() is not threading.main_thread():
            time.sleep(0.2)
        draw()

    view._render_soon._fn = slow_timer_draw
    view.next_page()
    view.next_page()  # too soon: the throttle's timer delivers it
    time.sleep(0.08)  # the timer has taken the request and is drawing
    assert view.visible_lines[0] == 21 and "data-line='21'" in view.html

"""Widget building blocks: the log view (escaping, paging, search, jumps), the throttle, background tasks."""

from __future__ import annotations

import threading
import time

import pytest

from amlnbtools.widgets._tasks import BackgroundTask, TaskState
from amlnbtools.widgets._throttle import Throttle
from amlnbtools.widgets.logview import LogView
from amlnbtools.widgets.logview._render import _HIGHLIGHT

XSS = [
    "<img src=x onerror=\"window.__amln_xss=1\">",
    "<svg onload=window.__amln_xss=1>",
    "<script>window.__amln_xss=1</script>",
    "</script><script>window.__amln_xss=1</script>",
    "<a href=\"javascript:window.__amln_xss=1\">click</a>",
]


def test_log_text_is_escaped_never_markup() -> None:
    view = LogView()
    view.set_text("\n".join(XSS))
    out = view.html
    for raw in ("<img", "<svg", "<script", "</script", "<a href"):
        assert raw not in out
    assert "&lt;img src=x onerror=" in out
    view.search("onerror")
    assert "<img" not in view.html and "<mark>onerror</mark>" in view.html


def test_secrets_in_logs_are_redacted_in_the_view() -> None:
    view = LogView()
    view.set_text("GET https://acct.blob.core.windows.net/c/x.txt?sv=1&sig=SECRETSIGNATURE123&se=2\nok")
    assert "SECRETSIGNATURE123" not in view.html and "[REDACTED]" in view.html


def test_pages_and_jump_to_a_line() -> None:
    view = LogView(page_lines=100)
    view.set_text("\n".join(f"line {i}" for i in range(1, 1001)))
    assert view.page_count == 10 and view.visible_lines[0] == 1
    view.jump_to(457)
    assert view.highlighted == 457 and 457 in view.visible_lines and view.visible_lines[0] == 401
    assert f"data-line='457'{_HIGHLIGHT}" in view.html
    view.next_page()
    assert view.visible_lines[0] == 501
    with pytest.raises(ValueError, match="between 1 and 1000"):
        view.jump_to(1001)


def test_one_page_holds_at_most_page_lines_whatever_the_log_size() -> None:
    view = LogView(page_lines=200)
    view.set_text("x" * 50 + "\n" * 1 + "\n".join("y" * 80 for _ in range(100_000)))
    assert len(view.visible_lines) == 200
    assert len(view.html) < 200 * 400


def test_level_filter_and_jump_back_to_a_hidden_line() -> None:
    text = "\n".join([
        "2021-03-08 12:58:41,120 | root | INFO | starting",
        "2021-03-08 12:58:42,120 | root | WARNING | slow",
        "2021-03-08 12:58:43,120 | root | ERROR | failed",
        "plain output",
    ])
    view = LogView()
    view.set_text(text)
    view.set_level("error")
    assert view.visible_lines == [3]
    view.set_level("warning")
    assert view.visible_lines == [2, 3]
    view.jump_to(1)  # hidden by the filter: the view shows all levels again
    assert view.visible_lines == [1, 2, 3, 4] and view.highlighted == 1
    with pytest.raises(ValueError):
        view.set_level("verbose")


def test_search_lists_hits_and_goes_to_the_first() -> None:
    view = LogView(page_lines=10)
    view.set_text("\n".join(["noise"] * 50 + ["Model not found here"] + ["noise"] * 20 + ["model again"]))
    assert view.search("MODEL") == [51, 72]
    assert view.highlighted == 51 and 51 in view.visible_lines
    assert view.search("absent") == []


def test_long_lines_are_cut_with_a_marker() -> None:
    view = LogView(max_line_chars=100)
    view.set_text("a" * 5000)
    assert "4900 more characters" in view.html and "a" * 101 not in view.html


def test_throttle_limits_the_rate_and_delivers_the_last_value() -> None:
    seen: list[int] = []
    throttle = Throttle(seen.append, rate_hz=20)
    start = time.monotonic()
    for i in range(2000):
        throttle(i)
        time.sleep(0.0002)
    elapsed = time.monotonic() - start
    time.sleep(0.1)  # the timer delivers the last request
    assert seen[-1] == 1999
    assert len(seen) <= elapsed * 20 + 2


def test_background_task_latest_call_wins_and_errors_are_kept() -> None:
    states: list[TaskState] = []
    task = BackgroundTask(states.append)
    gate = threading.Event()
    task.run(lambda: (gate.wait(5), "old")[1])
    task.run(lambda: "new")
    assert task.wait().value == "new"
    gate.set()
    time.sleep(0.05)
    assert task.state.value == "new" and [s.value for s in states if s.status == "finished"] == ["new"]
    task.run(lambda: 1 / 0)
    state = task.wait()
    assert state.status == "error" and isinstance(state.error, ZeroDivisionError)

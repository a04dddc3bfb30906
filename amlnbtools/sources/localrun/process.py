"""Running a step's command on this machine: a process group, a deadline, a bounded log, nothing left running.

The command runs through ``/bin/sh -c`` (Azure ML runs a command job's command through a shell too) in its own
process group, with standard output and error merged into one log as they come. The log keeps its first
``head_bytes`` and its last ``tail_bytes``; what lies between is dropped and the log says how much. On the deadline,
or when ``stop`` is set, the whole group gets SIGTERM, then SIGKILL after ``grace_s`` seconds: children the script
started end with it.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import cast

__all__ = ["ProcessResult", "run_process"]

HEAD_BYTES = 8 * 1024 * 1024
TAIL_BYTES = 1024 * 1024


@dataclass(frozen=True)
class ProcessResult:
    exit_code: int | None  # None: stopped (deadline or stop) before it ended
    timed_out: bool
    stopped: bool
    seconds: float
    log: Path
    dropped_bytes: int


class _BoundedLog:
    """Writes the first ``head`` bytes to ``path``, keeps the last ``tail`` bytes in memory, appends them at the end."""

    def __init__(self, path: Path, head: int, tail: int) -> None:
        self._out = path.open("wb")
        self._head_left, self._tail = head, deque[bytes]()
        self._tail_size, self._tail_max = 0, tail
        self.dropped = 0

    def write(self, chunk: bytes) -> None:
        if self._head_left > 0:
            kept = chunk[: self._head_left]
            self._out.write(kept)
            self._out.flush()
            self._head_left -= len(kept)
            chunk = chunk[len(kept):]
        if not chunk:
            return
        self._tail.append(chunk)
        self._tail_size += len(chunk)
        while self._tail_size - len(self._tail[0]) >= self._tail_max:
            self.dropped += len(self._tail[0])
            self._tail_size -= len(self._tail.popleft())

    def close(self) -> None:
        if self.dropped:
            self._out.write(f"\n… [{self.dropped} bytes of output not kept] …\n".encode())
        for chunk in self._tail:
            self._out.write(chunk)
        self._out.close()


def _kill(process: subprocess.Popen[bytes], grace_s: float) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(grace_s)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # the group: children that ignored SIGTERM too
    process.wait()


def run_process(command: str, cwd: Path, log: Path, *, timeout_s: float, env: Mapping[str, str] | None = None,
                stop: threading.Event | None = None, on_output: Callable[[bytes], object] | None = None,
                grace_s: float = 5.0, head_bytes: int = HEAD_BYTES, tail_bytes: int = TAIL_BYTES,
                header: str = "") -> ProcessResult:
    """Run ``command`` in ``cwd``, its output into ``log`` (after ``header``); see the module docstring."""
    started = time.monotonic()
    sink = _BoundedLog(log, head_bytes, tail_bytes)
    if header:
        sink.write(header.encode("utf-8"))
    process = subprocess.Popen(["/bin/sh", "-c", command], cwd=cwd, env=dict(env) if env is not None else None,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True)
    assert process.stdout is not None

    stream = cast(io.BufferedReader, process.stdout)  # read1: what has arrived, without waiting for a full chunk

    def pump() -> None:
        for chunk in iter(lambda: stream.read1(64 * 1024), b""):
            sink.write(chunk)
            if on_output is not None:
                on_output(chunk)

    reader = threading.Thread(target=pump, name="amlnbtools-step-output", daemon=True)
    reader.start()
    timed_out = stopped = False
    try:
        while process.poll() is None:
            if time.monotonic() - started > timeout_s:
                timed_out = True
                break
            if stop is not None and stop.is_set():
                stopped = True
                break
            time.sleep(0.05)
    finally:
        if process.poll() is None:
            _kill(process, grace_s)
        else:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)  # the shell ended; what it left in its group ends too
        reader.join(10)
        process.stdout.close()
        sink.close()
    code = None if (timed_out or stopped) else process.returncode
    return ProcessResult(code, timed_out, stopped, time.monotonic() - started, log, sink.dropped)

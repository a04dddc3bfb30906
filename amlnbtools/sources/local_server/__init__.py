"""The real local inference server (``azmlinfsrv``) on a user's entry script, as a source for panels.

:class:`LocalInferenceServer` starts azmlinfsrv in a subprocess that answers on 127.0.0.1 only, waits
until it is alive, keeps its log in a bounded buffer, scores requests with their latency, and stops
it — also when the interpreter exits or the owning kernel is killed (see ``_supervisor``).
Requests go through :mod:`urllib`, so a replay workspace (which intercepts ``requests``) never sees them.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import weakref
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amlnbtools.core import Findings, diagnose
from amlnbtools.i18n import _
from amlnbtools.sources.errors import SourceError

__all__ = ["LocalInferenceServer", "LocalServerError", "ScoreResult"]

PORT_IN_USE_EXIT = 98
_running: weakref.WeakSet[LocalInferenceServer] = weakref.WeakSet()


class LocalServerError(SourceError):
    """Raised when the local server cannot start or answer; ``findings`` diagnose its log."""

    def __init__(self, kind: str, message: str, *, findings: Findings = Findings(), exit_code: int | None = None):
        super().__init__(kind, message)
        self.findings = findings
        self.exit_code = exit_code


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """One scoring request: HTTP status, latency in milliseconds, and the response body."""

    status: int
    latency_ms: float
    body: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        return json.loads(self.body)


class LocalInferenceServer:
    """azmlinfsrv on ``entry_script``, reachable at ``http://127.0.0.1:<port>`` only.

    Parameters
    ----------
    entry_script : path
        The score.py to serve (``init()`` and ``run()``).
    model_dir : path, optional
        Becomes ``AZUREML_MODEL_DIR`` for the script.
    port : int
        0 (default) picks a free port.
    scoring_timeout_ms : int
        ``SCORING_TIMEOUT_MS``: like a deployed service's ``scoring_timeout_ms`` (60,000 by default),
        not the server's own default of one hour, so slow ``run()`` calls time out as in the cloud.
    log_lines : int
        How many of the last log lines to keep.
    startup_timeout_s : float
        How long to wait for the server to answer its liveness probe.
    """

    def __init__(self, entry_script: str | os.PathLike[str], model_dir: str | os.PathLike[str] | None = None, *,
                 port: int = 0, scoring_timeout_ms: int = 60_000, log_lines: int = 5000,
                 startup_timeout_s: float = 60.0, env: dict[str, str] | None = None) -> None:
        self.entry_script = Path(entry_script).resolve()
        self.model_dir = Path(model_dir).resolve() if model_dir is not None else None
        if not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError(f"port must be 0 (any free port) or 1–65535, not {port!r}")
        if not isinstance(scoring_timeout_ms, int) or scoring_timeout_ms <= 0:
            raise ValueError(f"scoring_timeout_ms must be a positive integer, not {scoring_timeout_ms!r}")
        self.requested_port = port
        self.scoring_timeout_ms = scoring_timeout_ms
        self.startup_timeout_s = startup_timeout_s
        self.port: int | None = None
        self._env = dict(env or {})
        self._log: deque[str] = deque(maxlen=log_lines)
        self._log_lock = threading.Lock()
        self._log_version = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._runtime_dir: tempfile.TemporaryDirectory[str] | None = None
        self._reader: threading.Thread | None = None
        self.startup_s: float | None = None

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        """Start the server and wait until it is alive; raises :class:`LocalServerError` if it cannot."""
        if self.running:
            return
        self._check_inputs()
        self._runtime_dir = tempfile.TemporaryDirectory(prefix="amlnbtools-azmlinfsrv-")
        env = {**os.environ, **self._env, "SCORING_TIMEOUT_MS": str(self.scoring_timeout_ms),
               "XDG_RUNTIME_DIR": self._runtime_dir.name, "PYTHONUNBUFFERED": "1"}
        command = [sys.executable, "-m", "azureml_inference_server_http.amlserver", "--entry_script",
                   str(self.entry_script)]
        if self.model_dir is not None:
            command += ["--model_dir", str(self.model_dir)]
        started = time.monotonic()
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "amlnbtools.sources.local_server._supervisor", "--port", str(self.requested_port),
             "--", *command],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
            cwd=str(self.entry_script.parent))
        _running.add(self)
        port_known = threading.Event()
        self._reader = threading.Thread(target=self._read_output, args=(self._proc, port_known), daemon=True)
        self._reader.start()
        self._wait_alive(port_known, started)
        self.startup_s = time.monotonic() - started

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop the server and everything it started; safe to call more than once."""
        proc, self._proc = self._proc, None
        _running.discard(self)
        if proc is not None:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                proc.stdin.close()  # type: ignore[union-attr]  # the supervisor stops the server group at EOF
            try:
                proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if self._reader is not None:
                self._reader.join(timeout=2.0)  # its last lines reach the log; it closes the pipe at EOF
            with contextlib.suppress(OSError, ValueError, AttributeError):
                proc.stdout.close()  # type: ignore[union-attr]  # in case a leftover process still holds it
        if self._runtime_dir is not None:
            self._runtime_dir.cleanup()
            self._runtime_dir = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        """Process id of the supervisor (the server runs in its own process group below it)."""
        return self._proc.pid if self._proc is not None else None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LocalInferenceServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"LocalInferenceServer({self.entry_script.name!r}, running={self.running})"

    # --- use ------------------------------------------------------------------------------

    def score(self, payload: Any, *, timeout_s: float | None = None) -> ScoreResult:
        """POST ``payload`` (JSON-serialisable, or a str/bytes body) to ``/score``."""
        if not self.running:
            raise LocalServerError("not-running", _("The local server is not running: start it first."))
        body = payload if isinstance(payload, bytes) else (
            payload.encode() if isinstance(payload, str) else json.dumps(payload).encode())
        request = urllib.request.Request(f"{self.url}/score", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        limit = timeout_s if timeout_s is not None else self.scoring_timeout_ms / 1000 + 30
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=limit) as response:
                status, text = response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode("utf-8", "replace")
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise LocalServerError("no-answer", _("The local server did not answer ({detail}). Look at its log; "
                                                  "restart it if it stopped.").format(detail=exc)) from None
        return ScoreResult(status=status, latency_ms=(time.perf_counter() - started) * 1000, body=text)

    @property
    def log(self) -> str:
        """The kept log lines (the last ``log_lines``), as text."""
        with self._log_lock:
            return "\n".join(self._log) + ("\n" if self._log else "")

    @property
    def log_version(self) -> int:
        """Grows with every new log line (panels poll it to refresh at a bounded rate)."""
        return self._log_version

    def findings(self) -> Findings:
        """The diagnosis of the kept log."""
        return diagnose(self.log)

    # --- internals ------------------------------------------------------------------------

    def _check_inputs(self) -> None:
        if not self.entry_script.is_file():
            raise LocalServerError("bad-input", _("Entry script {path} does not exist: check the path.")
                                   .format(path=self.entry_script))
        if self.model_dir is not None and not self.model_dir.is_dir():
            raise LocalServerError("bad-input", _("Model folder {path} does not exist: check the path, or leave "
                                                  "model_dir out.").format(path=self.model_dir))
        if importlib.util.find_spec("azureml_inference_server_http") is None:
            raise LocalServerError("sdk-missing", _("The local inference server is not installed: run "
                                                    "pip install \"amlnbtools[local]\""))

    def _read_output(self, proc: subprocess.Popen[bytes], port_known: threading.Event) -> None:
        assert proc.stdout is not None
        try:
            for raw in proc.stdout:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                if line.startswith("AMLNBTOOLS_PORT=") and not port_known.is_set():
                    self.port = int(line.split("=", 1)[1])
                    port_known.set()
                    continue
                with self._log_lock:
                    self._log.append(line)
                    self._log_version += 1
        except (OSError, ValueError):  # closed by stop() while a leftover process kept it open
            pass
        finally:
            port_known.set()
            with contextlib.suppress(OSError, ValueError):
                proc.stdout.close()

    def _wait_alive(self, port_known: threading.Event, started: float) -> None:
        proc = self._proc
        assert proc is not None
        deadline = started + self.startup_timeout_s
        port_known.wait(timeout=self.startup_timeout_s)
        while time.monotonic() < deadline:
            code = proc.poll()
            if code is not None:
                self._raise_exited(code)
            if self.port is not None and self._alive():
                return
            time.sleep(0.1)
        self.stop()
        raise LocalServerError("start-timeout", _("The local server did not answer within {seconds} s: look at its "
                                                  "log (init() may be slow or stuck).").format(
                                                      seconds=int(self.startup_timeout_s)), findings=self.findings())

    def _alive(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/", timeout=1.0) as response:
                return response.status == 200
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError):
            return False

    def _raise_exited(self, code: int) -> None:
        time.sleep(0.2)  # let the reader drain the last lines
        self.stop()
        if code == PORT_IN_USE_EXIT:
            raise LocalServerError("port-taken", _("Port {port} is in use by another program: choose another port, or "
                                                   "pass port=0 for a free one.").format(port=self.requested_port),
                                   exit_code=code)
        findings = self.findings()
        cause = findings.primary()
        if cause is None:
            message = _("The local server stopped during start-up (exit code {code}): look at its log.").format(
                code=code)
        else:
            message = _("The local server stopped during start-up (exit code {code}): {cause}. {remedy}").format(
                code=code, cause=cause.title, remedy=cause.remedy)
        raise LocalServerError("boot-failed", message, findings=findings, exit_code=code)


@atexit.register
def _stop_all() -> None:
    for server in list(_running):
        server.stop(timeout_s=5.0)

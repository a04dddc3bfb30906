"""The real local inference server (azmlinfsrv): lifecycle, loopback-only binding, each failure kind."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from amlnbtools.sources.local_server import LocalInferenceServer, LocalServerError

pytest.importorskip("azureml_inference_server_http", reason="the 'local' extra is not installed")




def processes_running(marker: str) -> list[int]:
    """Pids whose command line mentions ``marker`` (the server master, its workers, the supervisor)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if marker in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def wait_until_gone(marker: str, timeout_s: float = 15.0) -> list[int]:
    deadline = time.monotonic() + timeout_s
    while (left := processes_running(marker)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def listening_addresses(port: int) -> set[str]:
    """Local addresses of listening TCP sockets on ``port``, from the kernel's table."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                found.add(address)
    return found


def connects(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def test_healthy_script_serves_predictions_and_stops_without_orphans(scripts: Path) -> None:
    server = LocalInferenceServer(scripts / "healthy.py", scripts / "model")
    server.start()
    proc = server._proc
    try:
        assert server.running and server.startup_s < 30
        result = server.score({"data": [[80, 3, 10]]})
        assert (result.status, result.json()) == (200, {"predictions": [196500.0]})
        assert result.latency_ms > 0
        assert "Scoring timeout is set to 60000" in server.log  # as a deployed service, not 1 hour
        assert server.findings().errors == ()
        assert len(processes_running(str(scripts))) >= 2  # supervisor and server
    finally:
        server.stop()
    assert not server.running
    assert proc is not None and proc.stdin.closed and proc.stdout.closed  # no file left for the GC to warn about
    assert wait_until_gone(str(scripts)) == []
    server.stop()  # twice is fine


def test_only_loopback_answers(scripts: Path) -> None:
    with LocalInferenceServer(scripts / "healthy.py", scripts / "model") as server:
        addresses = listening_addresses(server.port)
        assert addresses == {"0100007F"}, addresses  # 127.0.0.1, and no 0.0.0.0 / :: listener
        assert connects("127.0.0.1", server.port)
        assert not connects("127.0.0.2", server.port)  # another address of this host: refused


def test_a_taken_port_is_reported_with_the_fix(scripts: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(LocalServerError) as info:
            LocalInferenceServer(scripts / "healthy.py", scripts / "model", port=port).start()
    assert info.value.kind == "port-taken" and str(port) in str(info.value) and "port=0" in str(info.value)


@pytest.mark.parametrize(("script", "rules"), [
    ("init_model_path.py", {"crash-loop", "model-not-found"}),
    ("missing_package.py", {"crash-loop", "dependency-error"}),
])
def test_a_script_that_cannot_boot_reports_the_diagnosis(scripts: Path, script: str, rules: set[str]) -> None:
    started = time.monotonic()
    with pytest.raises(LocalServerError) as info:
        LocalInferenceServer(scripts / script, scripts / "model").start()
    assert time.monotonic() - started < 30
    error = info.value
    assert (error.kind, error.exit_code) == ("boot-failed", 3) and "exit code 3" in str(error)
    assert set(error.findings.errors.rules) == rules
    assert error.findings.primary().title in str(error) and error.findings.primary().rule != "crash-loop"
    assert wait_until_gone(str(scripts)) == []


def test_run_raising_gives_500_and_a_scoring_error_finding(scripts: Path) -> None:
    with LocalInferenceServer(scripts / "run_raises.py", scripts / "model") as server:
        assert server.score({"data": [[80, 3, 10]]}).status == 200
        result = server.score({"data": [[80, 3]]})
        assert result.status == 500
        time.sleep(0.3)
        assert "scoring-error" in server.findings().rules


def test_slow_run_times_out_like_the_deployed_service(scripts: Path) -> None:
    with LocalInferenceServer(scripts / "slow_run.py", scoring_timeout_ms=1000) as server:
        result = server.score({"data": [[1]]})
        assert result.status == 500 and "Scoring timeout after 1000 ms" in result.body
        assert 900 < result.latency_ms < 2900
        time.sleep(0.3)
        assert "gateway-timeout-504" in server.findings().rules


OWNER = textwrap.dedent("""
    import sys, time
    from amlnbtools.sources.local_server import LocalInferenceServer
    server = LocalInferenceServer(sys.argv[1], sys.argv[2])
    server.start()
    print(server.port, flush=True)
    if sys.argv[3] == "wait":
        time.sleep(600)
""")


@pytest.mark.parametrize("ending", ["killed", "exits"])
def test_no_orphan_when_the_owning_process_is_killed_or_exits(scripts: Path, ending: str) -> None:
    owner = subprocess.Popen([sys.executable, "-c", OWNER, str(scripts / "healthy.py"), str(scripts / "model"),
                              "wait" if ending == "killed" else "exit"], stdout=subprocess.PIPE, text=True)
    port = int(owner.stdout.readline())
    if ending == "killed":
        assert connects("127.0.0.1", port)
        owner.send_signal(signal.SIGKILL)  # like a kernel that dies: no atexit, no cleanup
    owner.wait(timeout=30)
    assert wait_until_gone(str(scripts)) == []
    assert not connects("127.0.0.1", port)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"entry_script": "nope.py"}, "does not exist"),
    ({"model_dir": "no-such-folder"}, "Model folder"),
])
def test_bad_inputs_name_the_fix(scripts: Path, kwargs: dict, message: str) -> None:
    args = {"entry_script": scripts / "healthy.py", "model_dir": scripts / "model", **kwargs}
    with pytest.raises(LocalServerError, match=message) as info:
        LocalInferenceServer(**args).start()
    assert info.value.kind == "bad-input"


def test_wrong_parameters_are_value_errors(scripts: Path) -> None:
    with pytest.raises(ValueError, match="port"):
        LocalInferenceServer(scripts / "healthy.py", port=70000)
    with pytest.raises(ValueError, match="scoring_timeout_ms"):
        LocalInferenceServer(scripts / "healthy.py", scoring_timeout_ms=0)
    with pytest.raises(LocalServerError, match="not running"):
        LocalInferenceServer(scripts / "healthy.py").score({})

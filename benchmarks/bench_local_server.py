"""Start-up of the local inference server: amlnbtools' supervised start against azmlinfsrv started directly.

Both are measured the same way, in this run: from process start until the liveness probe (GET /)
answers 200. The ratio is the cost of the supervisor (loopback socket, owner watch) over the bare server.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from amlnbtools.samples import sample_score
from amlnbtools.sources.local_server import LocalInferenceServer

ROUNDS = 5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def alive(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=0.5) as r:
            return r.status == 200
    except OSError:
        return False


def plain_start() -> float:
    port = free_port()
    with tempfile.TemporaryDirectory() as runtime:
        env = {**os.environ, "XDG_RUNTIME_DIR": runtime}
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "azureml_inference_server_http.amlserver", "--entry_script",
                                 str(sample_score("healthy.py")), "--model_dir", str(sample_score("model")),
                                 "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        try:
            while not alive(port):
                time.sleep(0.02)
            return time.perf_counter() - started
        finally:
            proc.terminate()
            proc.wait()


def supervised_start() -> float:
    server = LocalInferenceServer(sample_score("healthy.py"), sample_score("model"))
    started = time.perf_counter()
    server.start()
    elapsed = time.perf_counter() - started
    server.stop()
    return elapsed


def main() -> dict[str, float]:
    plain = statistics.median(plain_start() for _ in range(ROUNDS))
    ours = statistics.median(supervised_start() for _ in range(ROUNDS))
    result = {"plain_start_s": plain, "supervised_start_s": ours, "ratio": ours / plain}
    print(f"local server start-up (median of {ROUNDS}): azmlinfsrv alone {plain:.2f} s, "
          f"amlnbtools LocalInferenceServer {ours:.2f} s -> {ours / plain:.2f}x")
    return result


if __name__ == "__main__":
    main()

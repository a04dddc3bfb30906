"""A throw-away Jupyter server for one browser test: JupyterLab 4 or Notebook 7 on 127.0.0.1.

Everything the server reads or writes lives in one temporary folder: the notebooks it serves, its
configuration, data, runtime, user settings and workspaces. Nothing is shared between tests, so a
kernel, a restored workspace or a setting of one test never reaches the next one. The server and
everything it started (kernels, and what they started, such as a local inference server) are
stopped by PID when the test ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

__all__ = ["JupyterServer"]

#: JupyterLab settings for tests: every cell attached to the page (widget outputs of cells below the
#: fold exist in the DOM), and widget state saved into the notebook on save (the worst case for
#: secrets: every live widget model's values are written into the file).
USER_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyter-widgets/jupyterlab-manager/plugin.jupyterlab-settings": {"saveState": True},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                        "checkForUpdates": False},
}
#: No "news" announcement pop-up over the notebook.
PAGE_CONFIG = {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (read from /proc), deepest last."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class JupyterServer:
    """One Jupyter server (``app`` is ``"lab"`` or ``"notebook"``) serving a copy of some files.

    Parameters
    ----------
    home : Path
        An empty folder that becomes the server's world: ``notebooks/`` (the root folder it serves),
        ``config/``, ``data/``, ``runtime/``, ``settings/``, ``workspaces/`` and ``server.log``.
    app : {"lab", "notebook"}
        JupyterLab 4 or Notebook 7.
    env : dict, optional
        Extra environment variables for the server and its kernels.
    """

    def __init__(self, home: Path, app: str = "lab", env: dict[str, str] | None = None) -> None:
        if app not in ("lab", "notebook"):
            raise ValueError(f"app must be 'lab' or 'notebook', not {app!r}")
        self.home = home
        self.app = app
        self.root = home / "notebooks"
        self.token = secrets.token_hex(16)
        self.port = 0
        self.extra_env = dict(env or {})
        self._proc: subprocess.Popen[bytes] | None = None
        for name in ("notebooks", "config/labconfig", "data", "runtime", "settings", "workspaces"):
            (home / name).mkdir(parents=True, exist_ok=True)
        (home / "config/labconfig/page_config.json").write_text(json.dumps(PAGE_CONFIG))
        for relative, values in USER_SETTINGS.items():
            path = home / "settings" / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.home / "server.log"

    def url(self, path: str, **query: str) -> str:
        """An address on the server with the token (and ``query``) appended."""
        params = "&".join([f"token={self.token}"] + [f"{k}={v}" if v else k for k, v in query.items()])
        return f"{self.base_url}/{path.lstrip('/')}?{params}"

    def notebook_url(self, name: str) -> str:
        """Where the front end opens the notebook ``name`` (a path inside the root folder)."""
        if self.app == "notebook":
            return self.url(f"notebooks/{name}")
        # a workspace of its own, reset: nothing restored from an earlier page
        return self.url(f"lab/workspaces/t{secrets.token_hex(4)}/tree/{name}", reset="")

    def start(self, timeout_s: float = 90.0) -> JupyterServer:
        """Start the server and wait until it answers."""
        self.port = _free_port()
        env = {**os.environ, **self.extra_env,
               "JUPYTER_CONFIG_DIR": str(self.home / "config"), "JUPYTER_DATA_DIR": str(self.home / "data"),
               "JUPYTER_RUNTIME_DIR": str(self.home / "runtime"),
               "JUPYTERLAB_SETTINGS_DIR": str(self.home / "settings"),
               "JUPYTERLAB_WORKSPACES_DIR": str(self.home / "workspaces"), "PYTHONUNBUFFERED": "1"}
        env.pop("JUPYTER_PATH", None)
        klass = "LabApp" if self.app == "lab" else "JupyterNotebookApp"
        command = [sys.executable, "-m", "jupyter", self.app, "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
                   "--port-retries=0", f"--ServerApp.token={self.token}", f"--ServerApp.root_dir={self.root}",
                   f"--{klass}.expose_app_in_browser=True", "--ServerApp.open_browser=False",
                   "--LanguageServerManager.autodetect=False"]
        if hasattr(os, "getuid") and os.getuid() == 0:
            command.append("--allow-root")  # containers and CI machines often run as root
        log = self.log_path.open("wb")
        self._proc = subprocess.Popen(command, cwd=self.root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"jupyter {self.app} exited with {self._proc.returncode}:\n{self.server_log()}")
            try:
                with urllib.request.urlopen(self.url("api/status"), timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"jupyter {self.app} did not answer within {timeout_s:.0f} s:\n{self.server_log()}")

    def server_log(self, tail_chars: int = 6000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-tail_chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop the server and every process it started (kernels and their children), by PID."""
        proc = self._proc
        if proc is None:
            return
        self._proc = None
        descendants = _children(proc.pid)
        if proc.poll() is None:
            try:  # a clean shutdown first: the server shuts its kernels down, the kernels their servers
                request = urllib.request.Request(self.url("api/shutdown"), method="POST")
                urllib.request.urlopen(request, timeout=5).close()
            except (urllib.error.URLError, OSError):
                pass
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        for pid in descendants:  # kernels run in sessions of their own: whatever is left goes by PID
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            if _alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    def __enter__(self) -> JupyterServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"

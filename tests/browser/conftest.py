"""Browser tests: Playwright drives the system's Chromium against a throw-away Jupyter server per test.

Without Chromium (``/usr/bin/chromium``, or the path in ``AMLNBTOOLS_CHROMIUM``) the browser tests
skip and say why; in CI (``CI=true``) they fail instead, so a machine without the browser never
passes them silently. ``.ci/run`` installs Chromium. Screenshots go to ``test-artifacts/screenshots/``
(or ``$AMLNBTOOLS_TEST_ARTIFACTS/screenshots``), one folder per test.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest
from lab_page import XSS_MARKER_SCRIPT
from lab_server import JupyterServer

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("AMLNBTOOLS_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
ARTIFACTS = Path(os.environ.get("AMLNBTOOLS_TEST_ARTIFACTS", REPO / "test-artifacts"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives a real browser (Chromium) against a Jupyter server")
    config.addinivalue_line("markers", "slow: takes minutes (builds an environment)")


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        return (f"Chromium not found at {CHROMIUM}: install it (apt-get install chromium, as .ci/run does) "
                "or set AMLNBTOOLS_CHROMIUM to its path")
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Chromium, headless (one per test module: Playwright's loop never outlives the browser tests)."""
    reason = browser_missing()
    if reason is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the browser tests must run in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser):
    """A fresh page with the XSS marker installed before any script of the page runs."""
    context = browser.new_context(viewport={"width": 1400, "height": 1600})
    context.add_init_script(XSS_MARKER_SCRIPT)
    yield context.new_page()
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    item.stash.setdefault(_FAILED, False)
    if report.failed:
        item.stash[_FAILED] = True
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture()
def jupyter(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Callable[..., JupyterServer]]:
    """Start a Jupyter server ("lab" or "notebook") serving copies of ``files``; stopped (by PID) after the test."""
    servers: list[JupyterServer] = []

    def start(app: str = "lab", files: Iterable[Path] = ()) -> JupyterServer:
        server = JupyterServer(tmp_path / f"jupyter-{len(servers)}", app, env={"AMLNBTOOLS_LANG": "en"})
        for path in files:
            (shutil.copytree if path.is_dir() else shutil.copy)(path, server.root / path.name)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()
        if request.node.stash.get(_FAILED, False):
            print(f"--- jupyter {server.app} log ({server.log_path}) ---\n{server.server_log()}")


@pytest.fixture()
def shots(request: pytest.FixtureRequest) -> Path:
    """This test's screenshot folder (emptied first)."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    folder = ARTIFACTS / "screenshots" / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder

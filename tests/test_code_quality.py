"""The lint and type gate: ruff and mypy, configured in pyproject.toml, find nothing.

They run on the project as it is on disk, with no cache (a stale cache once hid errors), so a fresh
clone and a developer's checkout get the same answer.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing() -> None:
    done = _run("ruff", "check", "--no-cache", "--output-format", "concise", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_finds_nothing() -> None:
    done = _run("mypy", "--cache-dir", "/dev/null" if sys.platform != "win32" else "nul")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success" in done.stdout


def test_the_package_says_it_is_typed() -> None:
    assert (ROOT / "amlnbtools" / "py.typed").is_file()

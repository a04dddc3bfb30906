"""Binder: ``binder/`` is in repo2docker's layout, and an environment built only from it runs the tour.

The slow test does what repo2docker does, without Docker: a clean virtual environment with the
Python of ``runtime.txt``, ``pip install -r binder/requirements.txt`` from the repository's root, then
``binder/postBuild`` run there with that environment first on PATH and an empty HOME. The tour is then
executed headless in that environment (``jupyter nbconvert --execute``) and must show no error. It
takes minutes (it installs everything from the package index configured for pip); skip it with
``-m "not slow"``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]
BINDER = REPO / "binder"
TOUR = "notebooks/00_tour.ipynb"
# pip's own configuration and cache belong to the real user (the tests give every test its own HOME)
_REAL_HOME = Path(os.environ.get("HOME", str(Path.home())))
PIP_ENV = {"XDG_CONFIG_HOME": os.environ.get("XDG_CONFIG_HOME", str(_REAL_HOME / ".config")),
           "XDG_CACHE_HOME": os.environ.get("XDG_CACHE_HOME", str(_REAL_HOME / ".cache"))}


def _runtime_python() -> str:
    text = (BINDER / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(3\.\d+)", text)
    assert match, f"binder/runtime.txt must read python-3.X, not {text!r}"
    return match[1]


def _requirements() -> list[Requirement]:
    lines = [ln.split("#", 1)[0].strip() for ln in (BINDER / "requirements.txt").read_text().splitlines()]
    return [Requirement(ln) for ln in lines if ln]


def test_binder_is_in_repo2docker_layout() -> None:
    assert sorted(p.name for p in BINDER.iterdir()) == ["postBuild", "requirements.txt", "runtime.txt"]
    assert _runtime_python() == "3.11"
    names = {r.name for r in _requirements()}
    assert {"jupyterlab", "ipykernel"} <= names
    post_build = BINDER / "postBuild"
    assert os.access(post_build, os.X_OK), "binder/postBuild must be executable (git update-index --chmod=+x)"
    text = post_build.read_text()
    assert text.startswith("#!/usr/bin/env bash\n") and "set -euo pipefail" in text
    assert re.search(r'pip install (--no-cache-dir )?"?\.\[local,v2\]"?', text), \
        "postBuild installs the package with the local and v2 extras"
    assert (REPO / TOUR).is_file()


def _clean_env(venv: Path, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "JUPYTER", "VIRTUAL_ENV", "PIP_REQUIRE", "CONDA"))}
    env.update(PIP_ENV, HOME=str(home), VIRTUAL_ENV=str(venv), PATH=f"{venv / 'bin'}{os.pathsep}{env['PATH']}",
               AMLNBTOOLS_LANG="en", PIP_DISABLE_PIP_VERSION_CHECK="1")
    return env


def _run(command: list[str], env: dict[str, str], cwd: Path, timeout_s: float) -> str:
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout_s,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout[-4000:]}\n" \
                                 f"{done.stderr[-4000:]}"
    return done.stdout


@pytest.mark.slow
def test_a_clean_environment_from_binder_runs_the_tour(tmp_path: Path) -> None:
    version = _runtime_python()
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    python = sys.executable if here == version else shutil.which(f"python{version}")
    if python is None:
        pytest.skip(f"binder/runtime.txt asks for Python {version}, which this machine does not have")
    venv, home = tmp_path / "env", tmp_path / "home"
    home.mkdir()
    subprocess.run([python, "-m", "venv", str(venv)], check=True, timeout=300)
    env = _clean_env(venv, home)
    # what repo2docker does: requirements.txt, then postBuild, both from the repository's root
    _run([str(venv / "bin/python"), "-m", "pip", "install", "--quiet", "-r", str(BINDER / "requirements.txt")],
         env, REPO, 1800)
    _run(["bash", str(BINDER / "postBuild")], env, REPO, 1800)

    # the environment: JupyterLab 4, amlnbtools from a built wheel with the local server, no news pop-up, the tour
    lab_version = _run([str(venv / "bin/jupyter-lab"), "--version"], env, home, 120).strip()
    assert lab_version.startswith("4."), lab_version
    assert (venv / "bin/azmlinfsrv").is_file()
    page_config = json.loads((home / ".jupyter/labconfig/page_config.json").read_text())
    assert page_config["disabledExtensions"]["@jupyterlab/apputils-extension:announcements"] is True
    assert '"/lab/tree/notebooks/00_tour.ipynb"' in (home / ".jupyter/jupyter_server_config.py").read_text()

    # the tour, headless, in that environment (a last cell says which Python ran it)
    work = tmp_path / "work"
    work.mkdir()
    tour = nbformat.read(REPO / TOUR, as_version=4)
    tour.cells.append(nbformat.v4.new_code_cell("import sys, amlnbtools\nprint(sys.prefix)\n"
                                                "print(amlnbtools.__file__)"))
    nbformat.write(tour, work / "tour.ipynb")
    _run([str(venv / "bin/jupyter"), "nbconvert", "--to", "notebook", "--execute", "tour.ipynb",
          "--output", "executed.ipynb", "--ExecutePreprocessor.timeout=600",
          "--ExecutePreprocessor.kernel_name=python3"], env, work, 1200)
    executed = nbformat.read(work / "executed.ipynb", as_version=4)
    errors = [f"{o.get('ename')}: {o.get('evalue')}" for c in executed.cells if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"]
    assert errors == []
    assert all(c.execution_count for c in executed.cells if c.cell_type == "code")
    text = "\n".join(o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.outputs)
    assert '200 {"predictions"' in text and "stopped" in text  # the real local inference server ran
    prefix, module = text.strip().splitlines()[-2:]
    assert Path(prefix).resolve() == venv.resolve()
    assert Path(module).resolve().is_relative_to(venv.resolve()), "amlnbtools must come from the environment"

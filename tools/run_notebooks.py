"""Execute tutorial notebooks in place so their stored outputs are real (a developer tool).

    python tools/run_notebooks.py notebooks/01_diagnose_logs.ipynb [...]

Runs each notebook with this interpreter's kernel from the notebooks folder, with the settings the
tests use (English, plotly's mimetype renderer), then removes saved widget state: it can carry
values and differs on every run.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def run(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    os.environ.setdefault("PLOTLY_RENDERER", "plotly_mimetype")
    os.environ["AMLNBTOOLS_LANG"] = "en"
    NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)  # timestamps: churn in every diff
    nbformat.write(nb, path)
    print(f"executed {path}")


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        run(Path(arg))

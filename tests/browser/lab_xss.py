"""Hostile log text for the browser security test: an XSS corpus shown through every panel that shows logs.

:func:`write_workspace` writes, into the folder a test server serves:

- ``payloads.json``: the corpus (markup that runs script if a panel puts log text into the page as HTML);
- ``hostile.log``: a container log whose lines carry the corpus where the diagnosis quotes them as evidence;
- ``hostile_score.py``: an entry script that prints the corpus while the local inference server starts
  and answers with it;
- ``xss_panels.ipynb``: a notebook that shows that text through the log view, the diagnosis table, the
  workspace panel, the deployment log panel (the sample workspace serves the log, and reports the
  corpus as a service state and as the service's error; the same for an SDK v2 online deployment), the
  local debugging panel, the pipeline log panel (a folder of step logs written by the notebook: hostile
  run, folder and step names, statuses, errors, log text and a traceback whose exception line carries a
  payload) and the ParallelRunStep form.

Every payload that runs sets ``window.__xss`` (installed as 0 before the page loads) or opens a
dialog. The notebook also puts the sample workspace's service keys and sign-in token into the log it
shows, so the saved notebook (with widget state) proves they are redacted everywhere.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

__all__ = ["CONTROL", "NOTEBOOK", "PAYLOADS", "SCRIPT", "write_workspace"]

NOTEBOOK = "xss_panels.ipynb"
CONTROL = "xss_control.ipynb"  # markup put into a widget unescaped: proves the checks see it
SCRIPT = "hostile_score.py"

PAYLOADS: tuple[str, ...] = (
    '<img src=x onerror="window.__xss=1;alert(\'img\')">',
    '<svg onload="window.__xss=1;alert(\'svg\')"></svg>',
    "<svg/onload=window.__xss=1>",
    '<script>window.__xss=1;alert("script")</script>',
    '</script><script>window.__xss=1;alert("breakout")</script>',
    '"></pre></div><img src=x onerror=window.__xss=1>',
    "'><img src=x onerror=window.__xss=1>",
    '<a href="javascript:window.__xss=1;alert(\'link\')">open the run report</a>',
    "[open the run report](javascript:window.__xss=1)",
    '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    '<details open ontoggle="window.__xss=1"><summary>details</summary></details>',
    '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=1">',
    '<body onload="window.__xss=1">',
    '<input autofocus onfocus="window.__xss=1">',
    "{{constructor.constructor('window.__xss=1')()}}",
    "${window.__xss=1}",
)


def hostile_log() -> str:
    """A container log in Azure ML's shape whose error lines quote the corpus (so findings quote it too)."""
    lines = ["2026-05-14 09:30:20,004 | root | INFO | Starting up app insights client",
             "Starting gunicorn 20.1.0"]
    for i, payload in enumerate(PAYLOADS):
        stamp = f"2026-05-14 09:30:{21 + i:02d},{100 + i:03d}"
        lines.append(f"{stamp} | root | INFO | request body: {payload}")
        lines.append(f"{stamp} | root | ERROR | ModuleNotFoundError: No module named '{payload}'")
    lines += ["Traceback (most recent call last):",
              '  File "/var/azureml-app/score.py", line 7, in init',
              f"    model = joblib.load('{PAYLOADS[0]}')",
              f"FileNotFoundError: [Errno 2] No such file or directory: '{PAYLOADS[1]}'",
              f"2026-05-14 09:31:02,000 | root | ERROR | User's init function failed {PAYLOADS[5]}",
              "Worker exiting (pid: 98)",
              "Back-off restarting failed container: CrashLoopBackOff"]
    return "\n".join(lines) + "\n"


_SCORE = '''"""Prints hostile text while the server starts, and answers with it."""
import json
import sys
from pathlib import Path

PAYLOADS = json.loads((Path(__file__).parent / "payloads.json").read_text())


def init():
    for payload in PAYLOADS:
        print("init:", payload, flush=True)
        print(f"ERROR ModuleNotFoundError: No module named '{payload}'", file=sys.stderr, flush=True)


def run(raw_data):
    for payload in PAYLOADS:
        print("run:", payload, flush=True)
    return {"echo": PAYLOADS, "request": json.loads(raw_data)}
'''

_SETUP = '''import json
from pathlib import Path

import amlnbtools
from amlnbtools.sources.sample import sample_replay
from amlnbtools.widgets import LogView
from azureml.core import Webservice

PAYLOADS = json.loads(Path("payloads.json").read_text())
replay = sample_replay()
# secrets of the sample workspace, read the way a user would, then shown as log text: none may be saved
_keys = Webservice(replay.workspace, "iris-aci").get_keys()
_header = replay.workspace._auth.get_authentication_header()["Authorization"]
_secret_lines = [
    f"2026-05-14 09:31:05,000 | root | DEBUG | Authorization: {_header}",
    f'2026-05-14 09:31:05,001 | root | DEBUG | {{"primaryKey": "{_keys[0]}", "secondaryKey": "{_keys[1]}"}}',
    f"2026-05-14 09:31:05,002 | root | DEBUG | GET https://mlw.blob.core.windows.net/m.pkl?sv=2019&sig={_keys[0]}",
    f"2026-05-14 09:31:05,003 | root | DEBUG | AccountKey={_keys[1]}; api_key={_keys[0]}",
]
hostile = Path("hostile.log").read_text() + "\\n".join(_secret_lines) + "\\n"
del _keys, _header, _secret_lines'''

_SERVE = '''# the sample workspace serves the hostile log, reports a hostile state and a hostile error
replay.set_logs("churn-aks-crashloop", hostile)
replay.set_state("iris-aci", PAYLOADS[0])
replay.set_state("churn-aks-crashloop", "Failed", error={
    "code": PAYLOADS[1], "message": "\\n".join(PAYLOADS),
    "details": [{"code": "CrashLoopBackOff", "message": p} for p in PAYLOADS]})
# and an online deployment (SDK v2): its inference server's and storage initializer's logs, the error of its
# last operation, and another deployment's provisioning state in the workspace table
replay.set_logs("credit-v2/blue", hostile)
replay.set_logs("credit-v2/blue", hostile, init=True)
replay.set_state("credit-v2/blue", "Failed", error={
    "code": PAYLOADS[2], "message": "\\n".join(PAYLOADS),
    "details": [{"code": "ResourceNotReady", "message": p} for p in PAYLOADS]})
replay.set_state("taxi-fare/green", PAYLOADS[3])
replay.set_scoring("taxi-fare/blue", 424, "\\n".join(PAYLOADS), {"ms-azureml-model-error-reason": PAYLOADS[4]})
workspace = amlnbtools.connect(sample=True)
workspace'''


_PIPELINE = '''# a pipeline run as a folder of logs (amlnbtools-pipeline/1): hostile run folder, step folder, names,
# statuses, errors and log text, and a traceback whose last exception line carries a payload
run_dir = Path("hostile-pipeline").resolve() / PAYLOADS[0]
tail = "\\n".join(["Traceback (most recent call last):", '  File "train.py", line 9, in <module>',
                  f"    save(model, '{PAYLOADS[2]}')", f"ValueError: cannot save the model: {PAYLOADS[5]}"])
failed, parallel = PAYLOADS[6], "score-batch"
files = {failed: {"azureml-logs/70_driver_log.txt": hostile + tail},
         parallel: {"azureml-logs/70_driver_log.txt": hostile, "logs/job_result.txt": "\\n".join(PAYLOADS),
                    "logs/user/error.txt": hostile + tail}}
for folder, step_files in files.items():
    for name, text in step_files.items():
        (run_dir / folder / name).parent.mkdir(parents=True, exist_ok=True)
        (run_dir / folder / name).write_text(text + "\\n", encoding="utf-8")


def _step(folder, name, raw_status, kind, started="2026-05-06T10:03:40+00:00"):
    return {"folder": folder, "run_id": folder, "name": name, "raw_status": raw_status, "kind": kind,
            "queued": "2026-05-06T10:02:11+00:00", "started": started, "ended": "2026-05-06T10:09:38+00:00",
            "reused": False, "error": "\\n".join(PAYLOADS)}


meta = {"format": "amlnbtools-pipeline/1", "run_id": PAYLOADS[3], "name": PAYLOADS[1], "raw_status": PAYLOADS[5],
        "started": "2026-05-06T10:02:07+00:00", "ended": "2026-05-06T10:10:14+00:00", "error": "\\n".join(PAYLOADS),
        "steps": [_step(failed, PAYLOADS[2], "Failed", PAYLOADS[7]),
                  _step(parallel, PAYLOADS[9], "Failed", "parallel-run"),
                  _step(PAYLOADS[10], PAYLOADS[11], PAYLOADS[12], PAYLOADS[13], started=None)]}
(run_dir / "amlnbtools-pipeline.json").write_text(json.dumps(meta), encoding="utf-8")
pipeline = amlnbtools.pipeline_logs(run_dir)
pipeline.wait()
pipeline'''

_JOB = '''# an SDK v2 pipeline job: hostile job and step names, warnings, errors and log text
_data = replay._server.data
_data.jobs["sleepy_lemon_7k2m9xq4"]["properties"]["displayName"] = PAYLOADS[8]
for _k, _run in enumerate(r for r in list(_data.runs.values()) if r.get("rootRunId") == "sleepy_lemon_7k2m9xq4"):
    if _run.get("parentRunId"):
        _run["displayName"] = PAYLOADS[_k % len(PAYLOADS)] + f" {_k}"
    _run["warnings"] = [{"source": "x", "message": p} for p in PAYLOADS[:3]]
    if _run["status"] == "Failed":
        _run["error"] = {"error": {"code": "UserError", "message": "\\n".join(PAYLOADS)}}
    for _path in list(_data.run_logs.get(_run["runId"], {})):
        _data.run_logs[_run["runId"]][_path] = (hostile + "ModuleNotFoundError: No module named 'x'\\n").encode()
job = amlnbtools.pipeline_logs("sleepy_lemon_7k2m9xq4", workspace)
job.wait()
job'''

_BEFORE = '''# before it runs: a hostile image build log, a hostile queueing message and cluster error
_image = next(iter(replay._server.storage.logs))
replay._server.storage.logs[_image] = (hostile + "ERROR: No matching distribution found for x==0\\n").encode()
_data.runs["queued-gpu-train"]["queueingInfo"]["message"] = "\\n".join(PAYLOADS)
_data.v2_computes["gpu-cluster"]["properties"]["properties"]["errors"] = [
    {"error": {"code": "QuotaExceeded", "message": p}} for p in PAYLOADS[:4]] + [
    {"error": {"code": PAYLOADS[5], "message": PAYLOADS[6]}}]
build = amlnbtools.build_logs("churn-v2/blue", workspace)
waiting = amlnbtools.explain_wait("queued-gpu-train", workspace)
build.wait()
waiting.wait()
waiting.stop()
display(build, waiting)'''

_FORM = '''# the ParallelRunStep form, given hostile values (the test types more into it)
form = amlnbtools.parallel_run_config_panel(name=PAYLOADS[0], entry_script=PAYLOADS[3], mini_batch_size=PAYLOADS[1],
                                           compute_target=PAYLOADS[5], environment=PAYLOADS[7],
                                           node_count=PAYLOADS[4])
form'''


def notebook() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell("# Hostile log text through every panel\n\nNothing here may run as script."),
        new_code_cell(_SETUP),
        new_code_cell("view = LogView()\nview.set_text(hostile)\nview.widget"),
        new_code_cell("findings = amlnbtools.diagnose(hostile)\nfindings.to_frame()"),
        new_code_cell(_SERVE),
        new_code_cell('logs = amlnbtools.deployment_logs("churn-aks-crashloop", workspace)\nlogs.wait()\nlogs'),
        new_code_cell('v2logs = amlnbtools.deployment_logs("credit-v2/blue", workspace)\nv2logs.wait()\nv2logs'),
        new_code_cell('scored = amlnbtools.deployment_logs("taxi-fare/blue", workspace)\nscored.wait()\n'
                      'scored.send_request()\nscored.wait_request()\nscored'),
        new_code_cell("local = amlnbtools.debug_locally(Path(\"hostile_score.py\").resolve(), "
                      "payload=json.dumps({\"data\": PAYLOADS}))\nlocal.wait()\nlocal.send()\nlocal.wait()\nlocal"),
        new_code_cell(_JOB),
        new_code_cell(_BEFORE),
        new_code_cell(_PIPELINE),
        new_code_cell(_FORM),
        new_code_cell("print(len(findings), len(logs.findings), len(v2logs.findings), local.last_result.status, "
                      "pipeline.root_cause.step, len(form.issues))"),
    ]
    return new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}})


def control_notebook() -> nbformat.NotebookNode:
    """What a panel that forgot html.escape would do: the checks must catch it."""
    code = ("import ipywidgets as w\n"
            f"w.VBox([w.HTML({PAYLOADS[0]!r}), w.HTML({PAYLOADS[7]!r})])")
    return new_notebook(cells=[new_code_cell(code)], metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}})


def write_workspace(folder: Path) -> Path:
    """Write the corpus, the hostile log and script and the notebook into ``folder``; return the notebook."""
    (folder / "payloads.json").write_text(json.dumps(PAYLOADS, indent=1), encoding="utf-8")
    (folder / "hostile.log").write_text(hostile_log(), encoding="utf-8")
    (folder / SCRIPT).write_text(_SCORE, encoding="utf-8")
    nbformat.write(control_notebook(), folder / CONTROL)
    path = folder / NOTEBOOK
    nbformat.write(notebook(), path)
    return path

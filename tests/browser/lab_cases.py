"""What the browser tests check in each notebook: one entry per notebook in ``notebooks/``.

Every notebook must have an entry (a notebook without one fails its browser test and
``test_every_notebook_has_a_browser_case``). An entry says how many plotly figures must be drawn after
"Run All Cells" and what a user does with each panel (see lab_panels). Every widget output of the
notebook must render, whatever the entry says, and no cell may show an error.
"""

from __future__ import annotations

from dataclasses import dataclass

from lab_jobs import (
    JOB_LOG,
    build_log_grows,
    build_log_root_cause,
    live_tail,
    resubmit_confirmed,
    wait_causes,
)
from lab_panels import (
    Interaction,
    findings_by_keyboard,
    findings_table,
    move_slider,
    online_capacity_instances,
    open_service,
    parallel_run_form,
    pick_finding,
    pipeline_step,
    refresh_logs,
    root_cause_in_log,
    send_scoring_request,
    show_service_log,
    start_stop_local_server,
)
from lab_steps import local_parallel_run, local_step_runs
from lab_triage import triage_opens

__all__ = ["CASES", "NotebookCase"]


@dataclass(frozen=True)
class NotebookCase:
    """What to check in one notebook after running all its cells."""

    interactions: tuple[Interaction, ...]
    plotly_figures: int = 0  # at least this many figures drawn


CASES: dict[str, NotebookCase] = {
    "00_tour.ipynb": NotebookCase(
        plotly_figures=4,  # the calculator's two charts, the local server's latency histogram, the pipeline timeline
        interactions=(
            findings_table("dependency-error"),
            pick_finding("churn-aks-crashloop", line=36),
            refresh_logs("churn-aks-crashloop"),
            open_service("iris-aci"),
            move_slider("Target utilization"),
            start_stop_local_server("healthy.py"),
            pipeline_step("score-batch", parallel=True),
            root_cause_in_log(),
        )),
    "01_diagnose_logs.ipynb": NotebookCase(
        interactions=(findings_table("dependency-error"), findings_table("insufficient-gpu"))),
    "02_deployment_logs.ipynb": NotebookCase(
        interactions=(
            show_service_log("churn-aks-crashloop"),
            pick_finding("churn-aks-crashloop", line=24),
            findings_by_keyboard("churn-aks-crashloop"),
            refresh_logs("vision-aks-gpu"),
            open_service("fraud-aks-503"),
        )),
    "03_local_debugging.ipynb": NotebookCase(
        plotly_figures=1,  # the latency histogram
        interactions=(start_stop_local_server("healthy.py"),)),
    "04_replicas.ipynb": NotebookCase(
        plotly_figures=2,
        interactions=(move_slider("Target utilization"),)),
    "06_online_endpoints.ipynb": NotebookCase(
        plotly_figures=1,  # the online capacity panel's trace
        interactions=(
            show_service_log("credit-v2/blue", init_label="Storage initializer"),
            pick_finding("credit-v2/blue", line=45),
            refresh_logs("credit-v2/blue", new_state="Updating"),
            open_service("taxi-fare/green"),
            send_scoring_request("taxi-fare/green", "HTTP 424"),
            online_capacity_instances(6),
        )),
    "05_pipeline_logs.ipynb": NotebookCase(
        plotly_figures=1,  # the pipeline timeline
        interactions=(
            pipeline_step("prep-data"),  # the notebook leaves the panel on score-batch
            root_cause_in_log(),
            parallel_run_form(),
        )),
    "07_jobs.ipynb": NotebookCase(
        plotly_figures=2,  # the timelines of the failed pipeline job and of the running job
        interactions=(
            pipeline_step("prep_data", "user_logs/std_log.txt", title="defects-v2", lines_code=JOB_LOG),
            root_cause_in_log(title="defects-v2"),
            live_tail("live-train"),
        )),
    "08_before_it_runs.ipynb": NotebookCase(
        plotly_figures=1,  # the timeline of the failed pipeline job (the resubmitted job draws another)
        interactions=(
            build_log_root_cause("churn-v2/blue", "dependency-error", "lightgbm==3.3.9"),
            build_log_root_cause("train-env:3", "dependency-error", "ResolvePackageNotFound"),
            wait_causes("queued-gpu-train", "not enough vCPU quota"),
            build_log_grows("env-build-train"),
            resubmit_confirmed("defects-v2"),
        )),
    "09_run_a_step_locally.ipynb": NotebookCase(
        interactions=(local_step_runs("prep_data", ("exit code 1", "output-dir-missing"),
                                      ("exit code 0", "train.csv")),
                      local_parallel_run("score_readings", ("exit code 1", "parallel-run-error-threshold"),
                                         "Mini-batches: 3 in total, 1 succeeded, 1 failed, 1 not processed"))),
    "10_triage_workspace.ipynb": NotebookCase(
        plotly_figures=1,  # the causes
        interactions=(triage_opens("A Python package is missing or has the wrong version", "churn-v2/blue"),)),
}

"""Before it runs: a 50,000-line image build log against a 50,000-line deployment log (time to the first findings),
the requests of the quota pre-flight, and the time of one "why is it waiting?" refresh — all on the replay.

1. The build log panel (``build_logs``: the datastore, its secret, the blob read with the signed key, then the
   diagnosis) on ``churn-v2/blue`` whose build log is made 50,000 lines long, against the deployment log panel on the
   same deployment whose container log is made 50,000 lines long, in the same run: time from opening each panel to its
   findings shown (median of 5). Goal: build ≤ deployment (ratio ≤ 1).
2. ``check_quota`` of a deployment: the requests it sends (goal ≤ 2).
3. ``explain_wait`` of a queued job and of a job whose image is being built: one refresh (median of 5; goal ≤ 1 s).
"""

from __future__ import annotations

import statistics
import time

from amlnbtools.sources.replay import ReplayWorkspace

LINES = 50_000
GOALS = {"ratio": 1.0, "quota_requests": 2, "refresh_s": 1.0}


def _noise(k: int) -> str:
    return (f"2026-11-24 13:{k // 3600 % 60:02d}:{k // 60 % 60:02d},{k % 1000:03d} INFO step {k}: collecting and "
            f"installing dependency {k % 97} of the environment, cache hit ratio {k % 100} %")


def _panel_time(open_panel) -> tuple[float, int]:
    start = time.perf_counter()
    panel = open_panel()
    panel.wait()
    findings = panel.findings
    return time.perf_counter() - start, len(findings)


def main(repeats: int = 5) -> dict[str, float]:
    import amlnbtools
    from amlnbtools.sources.azureml_v2.jobs import AzureMLJobSource
    from amlnbtools.sources.azureml_v2.wait import JobWait
    from amlnbtools.sources.workspace import open_workspace
    from amlnbtools.widgets.workspace import WorkspacePanel

    with ReplayWorkspace() as replay:
        ident = replay.identity
        workspace = WorkspacePanel(lambda: open_workspace(
            subscription_id=ident.subscription_id, resource_group=ident.resource_group, workspace_name=ident.name,
            auth=replay.credential), label="replay")
        workspace.wait()
        image = next(iter(replay._server.storage.logs))
        tail = replay._server.storage.logs[image].decode().splitlines()[-12:]
        body = [_noise(k) for k in range(LINES - len(tail))] + tail
        replay._server.storage.logs[image] = ("\n".join(body) + "\n").encode()
        replay.set_logs("churn-v2/blue", "\n".join(body[:-len(tail)] + [
            "2026-11-24 13:31:40,118 E [12] azmlinfsrv - Encountered Exception: ModuleNotFoundError: No module named "
            "'lightgbm'"] + ["2026-11-24 13:31:41,000 I [12] azmlinfsrv - worker exiting"] * (len(tail) - 1)) + "\n")
        amlnbtools.build_logs("churn-v2/blue", workspace).wait()  # warm-up: imports, clients
        amlnbtools.deployment_logs("churn-v2/blue", workspace, tail_lines=LINES).wait()
        build = [_panel_time(lambda: amlnbtools.build_logs("churn-v2/blue", workspace)) for _ in range(repeats)]
        deploy = [_panel_time(lambda: amlnbtools.deployment_logs("churn-v2/blue", workspace, tail_lines=LINES))
                  for _ in range(repeats)]
        replay.reset_calls()
        report = amlnbtools.check_quota("vision-v2/blue", workspace)
        quota_requests = len([c for c in replay.calls if c.route in ("v2-usages", "v2-vmsizes", "arm-workspace")])
        v2 = workspace.source.v2
        refresh = {}
        for job in ("queued-gpu-train", "env-build-train"):
            wait = JobWait(v2, job, AzureMLJobSource(v2, job), location=ident.location)
            wait.explain()
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                wait.explain()
                times.append(time.perf_counter() - start)
            refresh[job] = statistics.median(times)
            wait.close()
    build_s, deploy_s = statistics.median(t for t, _ in build), statistics.median(t for t, _ in deploy)
    ratio = build_s / deploy_s
    print(f"before it runs: {LINES:,} lines in a build log and in a deployment log (median of {repeats})")
    print(f"  build log panel to its findings      {build_s:.3f} s ({build[0][1]} findings)")
    print(f"  deployment log panel to its findings {deploy_s:.3f} s ({deploy[0][1]} findings)")
    print(f"  ratio build/deployment {ratio:.2f} (goal ≤ {GOALS['ratio']:.0f}: {'met' if ratio <= 1 else 'NOT met'})")
    print(f"  check_quota: {quota_requests} requests (goal ≤ {GOALS['quota_requests']}): {report.summary()}")
    for job, seconds in refresh.items():
        print(f"  explain_wait refresh of {job}: {seconds:.3f} s (goal ≤ {GOALS['refresh_s']:.0f} s)")
    return {"build_s": build_s, "deployment_s": deploy_s, "ratio": ratio, "quota_requests": quota_requests,
            **{f"refresh_{k}": v for k, v in refresh.items()}}


if __name__ == "__main__":
    main()

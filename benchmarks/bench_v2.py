"""SDK v2: what opening amlnbtools costs next to azure-ai-ml, a v2 panel next to a v1 panel, and listing many endpoints.

1. ``import amlnbtools`` against ``import azure.ai.ml``, each in fresh interpreters (median of runs, the bare
   interpreter's start-up subtracted). Goal: ≤ 0.3.
2. Opening a deployment log panel on the sample workspace until its first finding, in a fresh interpreter
   (imports of amlnbtools, the SDK and the widgets included): the v2 panel (``credit-v2/blue``, azure-ai-ml)
   next to the v1 panel (``churn-aks-crashloop``, azureml-core), same run. Reported, no goal.
3. The workspace listing of 50 online endpoints (two deployments each; every deployments request waits
   50 ms, as over the internet): the v2 source's concurrent listing against one endpoint at a time, same run.
   Goal: ≤ 1/4.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

IMPORT_GOAL = 0.3
LIST_GOAL = 0.25

_OPEN = """
import time
start = time.perf_counter()
import amlnbtools
from amlnbtools.sources.sample import sample_source
from amlnbtools.widgets.deployment_logs import DeploymentLogsPanel
panel = DeploymentLogsPanel(sample_source(), {name!r})
state = panel.wait()
assert state.status == "finished" and panel.findings, (state, panel.error)
print(time.perf_counter() - start)
"""


def _seconds(code: str, runs: int) -> float:
    """Median wall time of ``python -c code`` in fresh interpreters."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def imports(runs: int = 7) -> dict[str, float]:
    base = _seconds("pass", runs)
    ours = _seconds("import amlnbtools", runs) - base
    sdk = _seconds("import azure.ai.ml", runs) - base
    ratio = ours / sdk
    print(f"import: amlnbtools {1000 * ours:.0f} ms, azure.ai.ml {1000 * sdk:.0f} ms (interpreter start-up "
          f"{1000 * base:.0f} ms subtracted, median of {runs})")
    print(f"  ratio {ratio:.3f} (goal ≤ {IMPORT_GOAL}: {'met' if ratio <= IMPORT_GOAL else 'NOT met'})")
    return {"import_amlnbtools_s": ours, "import_azure_ai_ml_s": sdk, "import_ratio": ratio}


def first_finding(runs: int = 3) -> dict[str, float]:
    def measured(name: str) -> float:
        values = []
        for _ in range(runs):
            out = subprocess.run([sys.executable, "-c", _OPEN.format(name=name)], check=True, capture_output=True,
                                 text=True).stdout
            values.append(float(out.strip().splitlines()[-1]))
        return statistics.median(values)

    v1, v2 = measured("churn-aks-crashloop"), measured("credit-v2/blue")
    print(f"deployment log panel to its first finding, fresh interpreter, imports included (median of {runs}):")
    print(f"  v1 churn-aks-crashloop (azureml-core) {v1:.2f} s;  v2 credit-v2/blue (azure-ai-ml) {v2:.2f} s "
          f"({v2 / v1:.2f}x)")
    return {"panel_v1_s": v1, "panel_v2_s": v2}


def listing(endpoints: int = 50, latency_s: float = 0.05) -> dict[str, float]:
    import amlnbtools.sources.azureml_v2 as v2
    from amlnbtools.sources.replay import ReplayWorkspace

    with ReplayWorkspace() as replay:
        replay.clone_endpoint("taxi-fare", endpoints - 5)  # the sample has five
        ident = replay.identity
        source = v2.AzureMLV2Source(replay.credential, ident.subscription_id, ident.resource_group, ident.name,
                                    info=v2.AzureMLV2Source.from_ml_client(replay.ml_client).info)
        source.list_services()  # warm-up: imports, the client
        replay.set_latency(latency_s, "v2-deployments")
        results = {}
        for workers in (1, v2.LIST_WORKERS):
            v2.LIST_WORKERS, saved = workers, v2.LIST_WORKERS
            try:
                start = time.perf_counter()
                rows = source.list_services()
                results[workers] = time.perf_counter() - start
            finally:
                v2.LIST_WORKERS = saved
        workers = v2.LIST_WORKERS
    ratio = results[workers] / results[1]
    print(f"v2 listing: {endpoints} endpoints, {len(rows)} deployments, {1000 * latency_s:.0f} ms per deployments "
          f"request")
    print(f"  one endpoint at a time {results[1]:.2f} s; {workers} at once {results[workers]:.2f} s; ratio "
          f"{ratio:.3f} (goal ≤ {LIST_GOAL}: {'met' if ratio <= LIST_GOAL else 'NOT met'})")
    return {"list_serial_s": results[1], "list_concurrent_s": results[workers], "list_ratio": ratio,
            "deployments": len(rows)}


def main() -> dict[str, float]:
    return {**imports(), **first_finding(), **listing()}


if __name__ == "__main__":
    main()

"""The replay workspace: a real ``azureml.core.Workspace`` answered from recorded REST payloads.

azureml-core runs unchanged; its HTTP requests are answered in-process by the ``responses`` library
from the payloads in ``data/`` (ARM workspace, discovery, four web services with their logs, run
history, and pipeline runs with their step logs served as SAS-linked blobs). It is the embedded sample
workspace of amlnbtools, for demos, tests and Binder: no Azure subscription and no network are needed.

Importing this module does not import azureml; constructing :class:`ReplayWorkspace` does.

Examples
--------
>>> from amlnbtools.sources.replay import ReplayWorkspace
>>> with ReplayWorkspace() as replay:                      # doctest: +SKIP
...     ws = replay.workspace
...     sorted(ws.webservices)
...     replay.inject("logs", "503", times=1)              # the next log request fails with 503
...     run = Run.get(ws, PIPELINE_RUNS["defects-pipeline"])  # a PipelineRun (azureml-pipeline-core)
...     replay.set_latency(0.05, "blob")                   # every log download waits 50 ms
"""

from __future__ import annotations

import gc
import threading
import weakref
from types import TracebackType
from typing import TYPE_CHECKING, Any

from amlnbtools.sources.replay import _data
from amlnbtools.sources.replay._data import PIPELINE_RUNS, WIDE_STEPS
from amlnbtools.sources.replay._faults import FAULTS
from amlnbtools.sources.replay._server import (
    ALL_ROUTES,
    ENDPOINT_ROUTES,
    PIPELINE_ROUTES,
    RESOURCE_ROUTES,
    ROUTES,
    Call,
    ReplayServer,
)

if TYPE_CHECKING:
    import azureml.core
    from typing_extensions import Self

__all__ = ["ALL_ROUTES", "ENDPOINT_ROUTES", "FAULTS", "PIPELINE_ROUTES", "PIPELINE_RUNS", "RESOURCE_ROUTES", "ROUTES",
           "WIDE_STEPS", "Call", "ReplayWorkspace"]

_open_lock = threading.Lock()
_open: weakref.finalize | None = None  # the finalizer of the ReplayWorkspace that is open, if any


class _Guard:
    """Shared by a replay and its authentication: whether the replay is closed."""

    closed = False


def _shutdown(mock: Any, cache: Any, guard: _Guard) -> None:
    guard.closed = True
    try:
        mock.stop(allow_assert=False)
        mock.reset()
    finally:
        cache.stop()


class ReplayWorkspace:
    """The embedded sample workspace: a real azureml.core.Workspace answered from recorded REST payloads.

    Constructing it starts the ``responses`` mock and points azureml-core's discovery cache at a
    temporary folder; :meth:`close` (or leaving a ``with`` block) undoes both. Only one may be open
    at a time in a process, because the mock answers *every* ``requests`` call of the process, from
    any thread, except those to this machine (127.0.0.1, localhost), which reach the real network.
    Requests no route knows are answered 404 at once.

    Attributes
    ----------
    SERVICES : tuple of str
        The web services of the workspace: ``iris-aci`` (ACI, Healthy), ``churn-aks-crashloop``
        (AKS, Failed: init() cannot find the model), ``vision-aks-gpu`` (AKS, Failed: no GPU node)
        and ``fraud-aks-503`` (AKS, Healthy, autoscaled, overloaded: 503s).
    PIPELINE_RUNS : dict of str to str
        Experiment name → pipeline run id: ``defects-pipeline`` (Failed: a reused step, a step whose
        output folder is missing, a ParallelRunStep over its error threshold, a canceled step),
        ``iris-pipeline`` (Completed, common runtime logs) and ``wide-pipeline`` (Completed, 50 steps).

    Raises
    ------
    RuntimeError
        If another ReplayWorkspace is still open.

    Notes
    -----
    The replay is closed when the object is garbage-collected. The Workspace it builds refers back
    to it, so the replay stays open while the Workspace (or any service object made from it) is in
    use. After ``close()`` that Workspace refuses to authenticate, so it never sends its fake token
    to the real Azure endpoints.
    """

    SERVICES: tuple[str, ...] = _data.SERVICES
    PIPELINE_RUNS: dict[str, str] = PIPELINE_RUNS

    def __new__(cls) -> Self:
        from amlnbtools.sources.replay._sdk import import_azureml

        import_azureml()  # before the object exists: the first import of azureml pins the frames on the stack
        return super().__new__(cls)

    def __init__(self) -> None:
        global _open
        from amlnbtools.sources.replay._sdk import DiscoveryCache
        from amlnbtools.sources.replay._server import start_mock

        with _open_lock:
            if _open is not None and _open.alive:
                gc.collect()  # an unreachable replay that only waits for the collector does not count
            if _open is not None and _open.alive:
                raise RuntimeError(
                    "a ReplayWorkspace is already open in this process: close the other ReplayWorkspace first "
                    "(call its .close(), or use it in a `with` block)"
                )
            self._server = ReplayServer(_data.load())
            self._guard = _Guard()
            self._workspace: Any = None
            self._ws_lock = threading.Lock()
            cache = DiscoveryCache()
            try:
                cache.start()
                mock = start_mock(self._server)
            except BaseException:
                cache.stop()
                raise
            self._finalizer = weakref.finalize(self, _shutdown, mock, cache, self._guard)
            _open = self._finalizer

    @property
    def workspace(self) -> azureml.core.Workspace:
        """The ``azureml.core.Workspace``, built on first use (building it makes no HTTP call).

        Raises
        ------
        RuntimeError
            If the replay is closed.
        """
        if self.closed:
            raise RuntimeError("this ReplayWorkspace is closed: create a new one")
        with self._ws_lock:
            if self._workspace is None:
                from amlnbtools.sources.replay._auth import make_authentication
                from amlnbtools.sources.replay._sdk import build_workspace

                ident = self._server.data.identity
                auth = make_authentication(ident.subscription_id, ident.tenant_id, self._guard)
                workspace = build_workspace(ident, auth)
                workspace._amlnbtools_replay = self  # keeps the replay open while the Workspace is used
                self._workspace = workspace
            return self._workspace

    @property
    def ml_client(self) -> Any:
        """An ``azure.ai.ml.MLClient`` on the replay workspace (SDK v2), built on first use.

        Its requests are answered by the replay like azureml-core's; telemetry is off (the real client
        would start exporting to Application Insights), and azure-core's retries are kept to two.

        Raises
        ------
        RuntimeError
            If the replay is closed.
        ImportError
            If azure-ai-ml is not installed (``pip install "amlnbtools[v2]"``).
        """
        if self.closed:
            raise RuntimeError("this ReplayWorkspace is closed: create a new one")
        with self._ws_lock:
            if getattr(self, "_ml_client", None) is None:
                from azure.ai.ml import MLClient

                ident = self._server.data.identity
                self._ml_client = MLClient(self.credential, ident.subscription_id, ident.resource_group, ident.name,
                                           enable_telemetry=False, retry_total=2)
            return self._ml_client

    @property
    def identity(self) -> Any:
        """The workspace's ids: ``name``, ``subscription_id``, ``resource_group``, ``location``, ``tenant_id``."""
        return self._server.data.identity

    @property
    def credential(self) -> Any:
        """An azure-core token credential for the replay (what ``MLClient`` takes); it fails once closed."""
        from amlnbtools.sources.replay._auth import ReplayCredential

        return ReplayCredential(self._server.data.identity.tenant_id, self._guard)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has run (or the constructor failed)."""
        finalizer = getattr(self, "_finalizer", None)
        return finalizer is None or not finalizer.alive

    def inject(self, route: str, fault: str, times: int | None = None, service: str | None = None) -> None:
        """Make requests to ``route`` fail with ``fault``.

        Parameters
        ----------
        route
            One of :data:`ALL_ROUTES` (:data:`ROUTES` for web services, :data:`PIPELINE_ROUTES` for
            pipeline runs and their logs, :data:`RESOURCE_ROUTES` for compute targets and datastores), or
            ``"*"`` for every route.
        fault
            One of :data:`FAULTS`: an HTTP error (``"401-expired"``, ``"401-auth-failed"``, ``"403"``,
            ``"404"``, ``"409"``, ``"429"``, ``"500"``, ``"502"``, ``"503"``), a broken connection
            (``"connect-timeout"``, ``"read-timeout"``, ``"reset"``, ``"stall"``) or a broken 200 body
            (``"truncated-json"``, ``"html"``). A ``"stall"`` holds the request for its own read timeout,
            at most 3 s, then raises ``ReadTimeout`` (or ``ConnectionError`` when it had no timeout).
        times
            How many of the next matching requests fail; None (default) means all of them, until
            :meth:`clear_faults`.
        service
            Only requests about this service (for the ``service``, ``logs``, ``listkeys``, ``score``
            and history routes; history requests count for the services whose models they belong to).

        Raises
        ------
        ValueError
            For an unknown route or fault, a ``times`` below 1, or a ``service`` on a route that is not
            about one service.

        Notes
        -----
        Faults stack: the first registered one that matches a request answers it.
        """
        self._server.inject(route, fault, times, service)

    def clear_faults(self) -> None:
        """Remove every injected fault."""
        self._server.clear_faults()

    def set_logs(self, name: str, text: str, *, init: bool = False) -> None:
        """Serve ``text`` as the log (or, with ``init``, the init container's log) of service ``name`` from now on.

        ``name`` may be an online deployment, ``"endpoint/deployment"`` (``init``: the storage initializer).

        Raises
        ------
        ValueError
            For a service the replay workspace does not have.
        """
        self._server.set_logs(name, text, init)

    def clone_endpoint(self, name: str, copies: int) -> list[str]:
        """Add ``copies`` online endpoints like ``name`` (named ``{name}-000``, ``{name}-001`` …) with its
        deployments, logs and keys: a workspace with many endpoints, for benchmarks and demos. Returns their names.

        Raises
        ------
        ValueError
            For an endpoint the replay workspace does not have.
        """
        return self._server.clone_endpoint(name, copies)

    def scale(self, *, services: int = 0, endpoints: int = 0, jobs: int = 0, failing: float = 0.1) -> dict[str, int]:
        """Add copies of the sample's items, ``failing`` of each kind copies of a failed one: ``services`` web
        services (of ``churn-aks-crashloop`` / ``iris-aci``), ``endpoints`` online endpoints (``churn-v2`` /
        ``taxi-fare``, two deployments), ``jobs`` jobs (the failed v1 run ``churn-train_…`` and pipeline job
        ``defects-v2`` / the completed ``iris-train-v2``). Returns how many of each were added."""
        if not 0 <= failing <= 1 or min(services, endpoints, jobs) < 0:
            raise ValueError("counts must be >= 0 and failing between 0 and 1")
        bad = {k: round(n * failing) for k, n in (("s", services), ("e", endpoints), ("j", jobs))}
        self._server.clone("service", "churn-aks-crashloop", bad["s"])
        self._server.clone("service", "iris-aci", services - bad["s"])
        self._server.clone_endpoint("churn-v2", bad["e"])
        self._server.clone_endpoint("taxi-fare", endpoints - bad["e"])
        failed_run = next(n for n in self._server.data.jobs if n.startswith("churn-train_"))
        self._server.clone("job", failed_run, bad["j"] - bad["j"] // 2)
        self._server.clone("job", "sleepy_lemon_7k2m9xq4", bad["j"] // 2)
        self._server.clone("job", "iris-train-v2", jobs - bad["j"])
        return {"services": services, "endpoints": endpoints, "jobs": jobs}

    @property
    def recorded_at(self) -> Any:
        """When the sample was recorded (a UTC datetime): its jobs' ages are measured from then."""
        from amlnbtools.sources.replay._jobs_data import RECORDED_AT

        return RECORDED_AT

    def start_live_job(self, *, lines_per_s: float = 2.0, run_s: float = 600.0, processes: int = 2) -> str:
        """Start the running SDK v2 job ``live-train`` again now: each process writes ``lines_per_s`` lines a
        second to ``user_logs/std_log_process_<n>.txt``, and the job fails (CUDA out of memory) after ``run_s``
        seconds. Returns its name."""
        return self._server.jobs.start_live_job(lines_per_s, run_s, processes)

    def start_image_build(self, *, lines_per_s: float = 2.0, run_s: float = 600.0) -> str:
        """Start the SDK v2 job ``env-build-train`` again now: Preparing while its environment image is built (its
        ``azureml-logs/20_image_build_log.txt`` grows by ``lines_per_s`` lines a second), then failing on a pip
        error after ``run_s`` seconds. Returns its name."""
        return self._server.jobs.start_image_build(lines_per_s, run_s)

    def clone_pipeline_job(self, name: str, steps: int) -> str:
        """Add a completed SDK v2 pipeline job ``name`` of ``steps`` command steps (the logs of ``iris-train-v2``
        each): a wide job for benchmarks. Returns its name."""
        return self._server.jobs.clone_pipeline_job(name, steps)

    def set_scoring(self, name: str, status: int, body: object = "", headers: dict[str, str] | None = None) -> None:
        """Make the online deployment ``name`` (``"endpoint/deployment"``) answer scoring requests with ``status``,
        ``body`` (text, or a value sent as JSON) and extra ``headers`` from now on, e.g. a 424 with
        ``{"ms-azureml-model-error-statuscode": "500"}``.

        Raises
        ------
        ValueError
            For a deployment the replay workspace does not have.
        """
        self._server.set_scoring(name, status, body, headers)

    def set_latency(self, seconds: float, route: str = "*") -> None:
        """Make every request to ``route`` wait ``seconds`` before it is answered (0 removes the latency).

        The wait holds no lock, so concurrent requests overlap as they would over a network; each
        :class:`Call` records when it began and ended. A wait longer than the caller's read timeout ends
        with ``ReadTimeout`` at that timeout. A route's own latency wins over the ``"*"`` one.

        Parameters
        ----------
        seconds
            From 0 to 60.
        route
            One of :data:`ALL_ROUTES`, or ``"*"`` (default) for every route.

        Raises
        ------
        ValueError
            For an unknown route or a number of seconds out of range.
        """
        self._server.set_latency(seconds, route)

    def set_state(self, name: str, state: str, error: object = "keep") -> None:
        """Change what the service ``name`` reports from now on.

        Objects already made see it after ``service.update_deployment_state()``.

        Parameters
        ----------
        name
            One of :attr:`SERVICES`, or an online deployment ``"endpoint/deployment"``.
        state
            The new ``state``, e.g. ``"Transitioning"``, ``"Healthy"``, ``"Unhealthy"``, ``"Failed"``; for a
            deployment its ``provisioningState`` (``"Creating"``, ``"Updating"``, ``"Succeeded"``, ``"Failed"``).
        error
            The new ``error`` payload (a dict, or None for no error; for a deployment, the error of its last
            operation); ``"keep"`` (default) leaves it.

        Raises
        ------
        ValueError
            If there is no service ``name``.
        """
        self._server.set_state(name, state, error)

    @property
    def calls(self) -> list[Call]:
        """The requests answered so far, in the order their answers were ready (the last 10,000); local passthrough
        excluded. Each :class:`Call` records when the replay began and finished answering it."""
        return self._server.calls

    def reset_calls(self) -> None:
        """Forget the requests answered so far."""
        self._server.reset_calls()

    def close(self) -> None:
        """Stop answering requests and restore azureml-core's discovery cache path; idempotent."""
        self._finalizer()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<ReplayWorkspace ({'closed' if self.closed else 'open'})>"

"""The replay's HTTP side: route table, dispatcher, fault switch and call log.

One ``responses`` callback per HTTP method sends every request to :meth:`ReplayServer.dispatch`,
which walks the ordered route table below (regexes on host and path). Requests to this machine
(127.0.0.1, localhost, [::1]) never reach it: they go to the real network stack.
"""

from __future__ import annotations

import collections
import json
import re
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from amlnbtools.sources.replay import _faults
from amlnbtools.sources.replay._auth import USER
from amlnbtools.sources.replay._data import Payloads
from amlnbtools.sources.replay._endpoints import ENDPOINT_ROUTES, EndpointRoutes
from amlnbtools.sources.replay._environments import ENVIRONMENT_ROUTES, EnvironmentRoutes
from amlnbtools.sources.replay._jobs import JOB_ROUTES, JobRoutes
from amlnbtools.sources.replay._pipelines import PIPELINE_ROUTES, PipelineRoutes
from amlnbtools.sources.replay._publish import PUBLISH_ROUTES, PublishRoutes
from amlnbtools.sources.replay._quota import QUOTA_ROUTES, QuotaRoutes
from amlnbtools.sources.replay._resources import RESOURCE_ROUTES, ResourceRoutes
from amlnbtools.sources.replay._routes import JSON, Answer, Call, Route
from amlnbtools.sources.replay._routes import Fault as _Fault
from amlnbtools.sources.replay._storage import STORAGE_ROUTES, StorageRoutes

__all__ = ["ALL_ROUTES", "CALL_LOG_SIZE", "ENDPOINT_ROUTES", "ENVIRONMENT_ROUTES", "JOB_ROUTES", "LOCAL",
           "PIPELINE_ROUTES", "QUOTA_ROUTES", "RESOURCE_ROUTES", "ROUTES", "STORAGE_ROUTES", "Call", "ReplayServer",
           "start_mock"]

ROUTES: tuple[str, ...] = (
    "arm-workspace",
    "discovery",
    "services-list",
    "service",
    "service-update",
    "service-validate",
    "logs",
    "history-experiment",
    "history-run",
    "listkeys",
    "score",
)
#: Every route: the web service routes, the pipeline routes (:mod:`._pipelines`), then computes and datastores
#: (:mod:`._resources`).
ALL_ROUTES: tuple[str, ...] = (ROUTES + PIPELINE_ROUTES + RESOURCE_ROUTES + ENDPOINT_ROUTES + JOB_ROUTES
                              + STORAGE_ROUTES + QUOTA_ROUTES + PUBLISH_ROUTES + ENVIRONMENT_ROUTES)
_NO_SERVICE = frozenset({"arm-workspace", "discovery", "services-list", *PIPELINE_ROUTES, *RESOURCE_ROUTES,
                         "v2-endpoints", "v2-operation", *JOB_ROUTES, *STORAGE_ROUTES, *QUOTA_ROUTES, *PUBLISH_ROUTES,
                         *ENVIRONMENT_ROUTES})

#: URLs of this machine: passed through to the real network (the local inference server runs there).
LOCAL = re.compile(r"^https?://(?:127\.0\.0\.1|localhost|\[::1\])(?::\d+)?(?:[/?#]|$)", re.IGNORECASE)
_NOT_LOCAL = re.compile(r"^(?!https?://(?:127\.0\.0\.1|localhost|\[::1\])(?::\d+)?(?:[/?#]|$))", re.IGNORECASE)
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")

#: How many calls the log keeps (the oldest are dropped): a notebook may keep a replay open for hours.
CALL_LOG_SIZE = 10_000


class ReplayServer:
    """Answers requests from :class:`Payloads`; thread-safe."""

    def __init__(self, payloads: Payloads) -> None:
        self.data = payloads
        self.page_size: int | None = None  # e.g. 2: the list endpoint pages with nextLink
        self._calls: collections.deque[Call] = collections.deque(maxlen=CALL_LOG_SIZE)
        self._faults: list[_Fault] = []
        self._latency: dict[str, float] = {}  # route (or "*") -> seconds every matching request waits
        self._lock = threading.Lock()
        self.pipelines = PipelineRoutes(payloads)
        self.resources = ResourceRoutes(payloads)
        self.endpoints = EndpointRoutes(payloads)
        self.jobs = JobRoutes(payloads, self.pipelines.sas_url, self._lock)
        self.storage = StorageRoutes(payloads)
        self.quota = QuotaRoutes(payloads)
        self.publish = PublishRoutes(payloads)
        self.environments = EnvironmentRoutes(payloads)
        self._routes = self._route_table()
        ident = payloads.identity
        self._ctx = {"location": ident.location, "tenant_id": ident.tenant_id, "arm_id": ident.arm_id, **USER}

    # ---- call log and fault switch --------------------------------------------------------------
    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def reset_calls(self) -> None:
        with self._lock:
            self._calls.clear()

    def inject(self, route: str, fault: str, times: int | None, service: str | None) -> None:
        if route != "*" and route not in ALL_ROUTES:
            raise ValueError(f"unknown replay route {route!r}: use one of {', '.join(ALL_ROUTES)} (or '*')")
        if fault not in _faults.FAULTS:
            raise ValueError(f"unknown fault {fault!r}: use one of {', '.join(_faults.FAULTS)}")
        if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
            raise ValueError(f"times must be a positive int or None (every request), not {times!r}")
        if service is not None and route in _NO_SERVICE:
            raise ValueError(f"route {route!r} is not about one service: inject it without service=")
        with self._lock:
            self._faults.append(_Fault(route, fault, times, service))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def set_latency(self, seconds: float, route: str) -> None:
        if route != "*" and route not in ALL_ROUTES:
            raise ValueError(f"unknown replay route {route!r}: use one of {', '.join(ALL_ROUTES)} (or '*')")
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds <= 60:
            raise ValueError(f"seconds must be a number from 0 to 60, not {seconds!r}")
        with self._lock:
            if seconds == 0:
                self._latency.pop(route, None)
            else:
                self._latency[route] = float(seconds)

    def _delay(self, route: str) -> float:
        with self._lock:
            return self._latency.get(route, self._latency.get("*", 0.0))

    def _take_fault(self, route: str, services: frozenset[str]) -> str | None:
        with self._lock:
            for entry in self._faults:
                if entry.route not in (route, "*") or (entry.service is not None and entry.service not in services):
                    continue
                if entry.left is not None:
                    entry.left -= 1
                    if entry.left <= 0:
                        self._faults.remove(entry)
                return entry.fault
        return None

    def set_state(self, name: str, state: str, error: object) -> None:
        if "/" in name:
            with self._lock:
                self.endpoints.set_state(name, state, error)
            return
        with self._lock:
            service = self.data.services.get(name)
            if service is None:
                raise ValueError(f"no service {name!r} in the replay workspace: {', '.join(self.data.services)}")
            service["state"] = state
            if not (isinstance(error, str) and error == "keep"):
                service["error"] = error
            service["updatedTime"] = time.strftime("%Y-%m-%dT%H:%M:%S.000000+00:00", time.gmtime())

    def clone_endpoint(self, name: str, copies: int) -> list[str]:
        with self._lock:
            return self.endpoints.clone_endpoint(name, copies)

    def clone(self, kind: str, name: str, copies: int) -> list[str]:
        from amlnbtools.sources.replay._scale import clone_jobs, clone_services

        with self._lock:
            return (clone_services if kind == "service" else clone_jobs)(self.data, name, copies)

    def set_scoring(self, name: str, status: int, body: object, headers: dict[str, str] | None) -> None:
        with self._lock:
            self.endpoints.set_scoring(name, status, body, headers)

    def set_logs(self, name: str, text: str, init: bool) -> None:
        if "/" in name:
            with self._lock:
                self.endpoints.set_logs(name, text, init)
            return
        with self._lock:
            if name not in self.data.services:
                raise ValueError(f"no service {name!r} in the replay workspace: {', '.join(self.data.services)}")
            if not isinstance(text, str):
                raise TypeError(f"text must be a str, not {type(text).__name__}")
            self.data.logs[(name, bool(init))] = text

    # ---- routes ---------------------------------------------------------------------------------
    def _route_table(self) -> list[tuple[str, str, re.Pattern[str], re.Pattern[str], Callable[..., Answer]]]:
        ident = self.data.identity
        arm = r"^management\.azure\.com$"
        api = "^" + re.escape(ident.api_host) + "$"
        mms = re.escape(ident.mms_path)
        hist = re.escape(ident.history_path)
        table: list[Route] = [
            ("arm-workspace", "GET", arm, re.escape(ident.arm_id), self._workspace),
            ("discovery", "GET", api, re.escape(urlsplit(ident.discovery_url).path), self._discovery),
            ("services-list", "GET", api, mms + "/services", self._list),
            ("logs", "GET", api, mms + "/services/(?P<svc>[^/]+)/logs", self._logs),
            ("listkeys", "POST", api, mms + "/services/(?P<svc>[^/]+)/listkeys", self._keys),
            ("service-validate", "POST", api, mms + "/services/validate", self._validate),
            ("service", "GET", api, mms + "/services/(?P<svc>[^/]+)", self._service),
            ("service-update", "PATCH", api, mms + "/services/(?P<svc>[^/]+)", self._update),
            ("history-experiment", "GET", api, hist + "/experiments/(?P<exp>[^/]+)", self._experiment),
            ("history-run", "GET", api, hist + "/experimentids/(?P<expid>[^/]+)/runs/(?P<run>[^/]+)", self._run),
            *(row for part in (self.pipelines, self.resources, self.endpoints, self.jobs, self.storage, self.quota,
                               self.publish, self.environments) for row in part.table()),
            ("score", "POST", ".*", "(?:/api/v1/service/(?P<svc>[^/]+))?/score", self._score),
        ]
        routes: list[tuple[str, str, re.Pattern[str], re.Pattern[str], Callable[..., Answer]]] = [
            (n, m, re.compile(h, re.IGNORECASE), re.compile("^" + p + "$"), f) for n, m, h, p, f in table]
        return routes

    def _services_of(self, route: str, match: re.Match[str], host: str) -> frozenset[str]:
        """The services a request is about (for ``inject(..., service=...)``)."""
        groups = match.groupdict()
        if groups.get("svc"):
            return frozenset({groups["svc"]})
        if groups.get("ep"):  # SDK v2: the endpoint, and "endpoint/deployment"
            return frozenset({groups["ep"], *([f"{groups['ep']}/{groups['dep']}"] if groups.get("dep") else [])})
        services = self.data.services.values()
        if route == "score":  # ACI: the host names the service
            return frozenset(s["name"] for s in services if urlsplit(s.get("scoringUri") or "").netloc == host)
        if route in ("history-experiment", "history-run"):
            key, value = ("experimentName", groups["exp"]) if "exp" in groups else ("runId", groups["run"])
            return frozenset(s["name"] for s in services for m in s.get("models") or [] if m.get(key) == value)
        return frozenset()

    def _not_found(self, code: str, message: str) -> Answer:
        return 404, dict(JSON), _faults.arm_error(code, message, self.data.identity.location)

    def _workspace(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                   request: Any = None) -> Answer:
        return 200, dict(JSON), self.data.workspace

    def _discovery(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                   request: Any = None) -> Answer:
        return 200, dict(JSON), self.data.discovery

    def _list(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
              request: Any = None) -> Answer:
        items = list(self.data.services.values())
        if params.get("computeType"):
            items = [s for s in items if s["computeType"].upper() == params["computeType"].upper()]
        if params.get("modelName"):
            items = [s for s in items if any(m["name"] == params["modelName"] for m in s.get("models") or [])]
        answer: dict[str, Any] = {"value": items}
        if self.page_size:
            start = int(params.get("$skipToken", "0"))
            answer["value"] = items[start : start + self.page_size]
            if start + self.page_size < len(items):
                # followed verbatim (no params re-sent), so it carries expand=true; on the last page the key
                # must be absent: azureml-core loops `while 'nextLink' in payload`
                base = f"https://{self.data.identity.api_host}{self.data.identity.mms_path}/services"
                answer["nextLink"] = f"{base}?expand=true&count={self.page_size}&$skipToken={start + self.page_size}"
        return 200, dict(JSON), answer

    def _service(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                 request: Any = None) -> Answer:
        service = self.data.services.get(match["svc"])
        if service is None:
            return self._not_found("WebserviceNotFound", f"Service {match['svc']} not found in workspace.")
        return 200, dict(JSON), service

    def _validate(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                  request: Any = None) -> Answer:
        return 200, dict(JSON), {}

    def _update(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                request: Any = None) -> Answer:
        """JSON-patch ``replace``/``add`` operations on the stored service (what ``service.update()`` sends)."""
        service = self.data.services.get(match["svc"])
        if service is None:
            return self._not_found("WebserviceNotFound", f"Service {match['svc']} not found in workspace.")
        try:
            operations = json.loads(getattr(request, "body", None) or b"[]")
        except ValueError:
            return 400, dict(JSON), _faults.arm_error("BadRequest", "The body is not a JSON patch.",
                                                       self.data.identity.location)
        with self._lock:
            for op in operations:
                if op.get("op") not in ("replace", "add"):
                    continue
                *parents, leaf = [part for part in op["path"].split("/") if part]
                target = service
                for part in parents:
                    target = target.setdefault(part, {})
                target[leaf] = op["value"]
            service["updatedTime"] = time.strftime("%Y-%m-%dT%H:%M:%S.000000+00:00", time.gmtime())
        return 200, dict(JSON), service

    def _logs(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
              request: Any = None) -> Answer:
        name = match["svc"]
        if name not in self.data.services:
            return self._not_found("WebserviceNotFound", f"Service {name} not found in workspace.")
        text = self.data.logs.get((name, params.get("init", "False").lower() == "true"), "")
        tail = int(params.get("tail", "5000"))
        lines = text.splitlines(keepends=True)
        return 200, dict(JSON), {"content": "".join(lines[-tail:] if tail > 0 else [])}

    def _keys(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
              request: Any = None) -> Answer:
        if match["svc"] not in self.data.services:
            return self._not_found("WebserviceNotFound", f"Service {match['svc']} not found in workspace.")
        return 200, dict(JSON), dict(self.data.keys)

    def _experiment(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                    request: Any = None) -> Answer:
        # real service: a 404 here makes azureml-core POST to *create* the experiment (answered 404 too)
        experiment = self.data.experiments.get(match["exp"])
        if experiment is None:
            return self._not_found("NotFound", f"Experiment {match['exp']} not found.")
        return 200, dict(JSON), experiment

    def _run(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
             request: Any = None) -> Answer:
        run = self.data.runs.get(match["run"])
        if run is None or run["experimentId"] != match["expid"]:
            return self._not_found("NotFound", f"Run {match['run']} not found.")
        return 200, dict(JSON), run

    def _score(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
               request: Any = None) -> Answer:
        name = match["svc"] or next(iter(services), None)
        answer = self.data.scoring.get(name or "")
        if answer is None:
            return 404, {"Content-Type": "text/plain"}, "no service is listening on this scoring URI"
        headers = {"Content-Type": answer["content_type"]}
        if answer["status"] == 503:
            headers["server"] = "azureml-frontdoor"
        return answer["status"], headers, answer["body"]

    # ---- dispatcher -----------------------------------------------------------------------------
    def dispatch(self, request: Any) -> tuple[int, dict[str, str], str | bytes]:
        """The ``responses`` callback: answer one prepared request (or raise a ``requests`` exception).

        The request is logged when its answer is ready (or it raised), with when it began and ended.
        An injected latency is slept without holding any lock, so concurrent requests overlap.
        """
        started = time.perf_counter()
        parts = urlsplit(request.url)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        timeout = getattr(request, "req_kwargs", {}).get("timeout")
        found = None
        for name, method, host, path, handler in self._routes:
            if method == request.method and host.search(parts.netloc):
                match = path.match(parts.path)
                if match:
                    found = (name, handler, match)
                    break
        route = found[0] if found else "unmatched"
        try:
            return self._answer(request, found, parts, params, timeout)
        finally:
            call = Call(request.method, route, request.url, params, timeout, started, time.perf_counter())
            with self._lock:
                self._calls.append(call)

    def _answer(self, request: Any, found: Any, parts: Any, params: dict[str, str],
                timeout: Any) -> tuple[int, dict[str, str], str | bytes]:
        if found is None:
            status, headers, body = self._not_found("NotFound", f"replay: no route for {request.method} {request.url}")
            return status, headers, json.dumps(body)
        name, handler, match = found
        delay = self._delay(name)
        if delay:
            _faults.wait(delay, parts.netloc, timeout)  # no lock held: concurrent requests overlap
        services = self._services_of(name, match, parts.netloc)

        def real() -> tuple[int, dict[str, str], str | bytes]:
            status, headers, body = handler(match, params, services, request)
            return status, headers, body if isinstance(body, (str, bytes)) else json.dumps(body)

        fault = self._take_fault(name, services)
        if fault is None:
            return real()
        return _faults.answer(fault, self._ctx, parts.netloc, timeout, real)


def start_mock(server: ReplayServer) -> Any:
    """Start a ``responses`` mock that sends every non-local request to ``server``; returns it (started)."""
    import responses

    mock = responses.RequestsMock(assert_all_requests_are_fired=False)
    mock.add_passthru(LOCAL)
    seen = [0]

    def callback(request: Any) -> tuple[int, dict[str, str], str | bytes]:
        # responses keeps every request and response: forget them now and then (the call log is ours)
        seen[0] += 1
        if seen[0] % 1000 == 0:
            mock.calls.reset()
            for registered in mock.registered():
                registered.calls.reset()
        return server.dispatch(request)

    for method in _METHODS:
        mock.add_callback(method, _NOT_LOCAL, callback=callback, content_type=None)
    mock.start()
    return mock

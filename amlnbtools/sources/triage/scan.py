"""A whole workspace read at once: every web service (v1), online deployment and recent job (v2), concurrently.

How it reads (every request is one of the sources' bounded calls):

- **listing**: the v1 service list, the online endpoint list then each endpoint's deployments, and the job list page
  by page; healthy and busy items are counted from the lists alone;
- **items**: each failed service or deployment (its error and log), failed job (its first failing step's logs) and
  job waiting past ``waiting_after`` (why it waits) is read by one task of a few sequential requests;
- **bounds**: at most ``max_workers`` tasks run at once — so at most that many requests are in flight, the inner
  sources reading with one worker — and a task that overruns ``item_deadline_s`` is reported as not read in time
  (its slot is freed only when its last request ends); a task throttled (HTTP 429) waits its ``Retry-After`` (else
  2, 4, 8 s), holding back every new task meanwhile, and is tried again up to ``throttle_retries`` times;
- **as it goes**: ``on_item(item)`` for each item as it is known, ``on_progress(done, total)``; ``cancel`` stops it
  between tasks (the items not read are reported as such).

An item that vanished, is forbidden or timed out is reported on its own (``unreadable``); the scan goes on.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import Any

from amlnbtools.core.pipeline import normalize_status
from amlnbtools.core.services import ServiceSummary
from amlnbtools.core.triage.model import KINDS, OUTCOMES, TriageItem, TriageResult
from amlnbtools.i18n import _
from amlnbtools.sources.azureml_v2.joblist import JobRow, list_jobs
from amlnbtools.sources.errors import SourceError, classify
from amlnbtools.sources.targets import v2_of
from amlnbtools.sources.triage.read import read_failed_job, read_failed_service, read_waiting_job, service_kind

__all__ = ["ScanSettings", "scan_workspace"]

HEALTHY_STATES = frozenset({"Healthy", "Succeeded"})
FAILED_STATES = frozenset({"Failed", "Unhealthy", "Unschedulable", "Canceled", "Crashloopbackoff"})
WAITING = frozenset({"not-started", "queued", "preparing"})


@dataclass(frozen=True)
class ScanSettings:
    """How far back jobs are read (``since``; None: all), when a waiting or running job is listed, the bounds."""

    since: timedelta | None = timedelta(days=7)
    waiting_after: timedelta = timedelta(minutes=15)
    running_after: timedelta = timedelta(hours=24)
    max_workers: int = 8
    item_deadline_s: float = 60.0
    throttle_retries: int = 3
    tail_lines: int = 1000
    max_jobs: int = 10_000

    def __post_init__(self) -> None:
        workers = self.max_workers
        if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= 64:
            raise ValueError(_("max_workers must be a whole number from 1 to 64, not {value!r}").format(
                value=self.max_workers))
        if not 0 < float(self.item_deadline_s) <= 3600:
            raise ValueError(_("item_deadline_s must be a number of seconds from 1 to 3600, not {value!r}").format(
                value=self.item_deadline_s))


@dataclass
class _Task:
    label: str
    run: Callable[[], list[TriageItem] | None]
    unread: Callable[[str, str], TriageItem] | None  # (error kind, message) -> the item reported when it fails
    tries: int = 0
    not_before: float = 0.0
    started: float = 0.0
    overdue: bool = False


def _unread(kind: str, name: str, sdk: str, state: str | None, created: datetime | None = None,
            display: str | None = None) -> Callable[[str, str], TriageItem]:
    def make(error_kind: str, message: str) -> TriageItem:
        return TriageItem(kind=kind, name=name, sdk=sdk, state=state, outcome="unreadable", error_kind=error_kind,
                          evidence=message, created=created, display_name=display)
    return make


class _Scan:
    def __init__(self, sources: Any, settings: ScanSettings, now: datetime, on_item: Callable[[TriageItem], object]
                 | None, on_progress: Callable[[int, int], object] | None, cancel: threading.Event) -> None:
        self.sources, self.settings, self.now = sources, settings, now
        self.on_item, self.on_progress, self.cancel = on_item, on_progress, cancel
        self.v2: Any = v2_of(sources)
        self.v1: Any = getattr(sources, "v1", None) if hasattr(sources, "v1") else (
            None if self.v2 is sources else sources)  # one side given alone
        self.items: list[TriageItem] = []
        self.problems: list[str] = [str(p) for p in (getattr(sources, "problems", None) or {}).values()]
        self.queue: deque[_Task] = deque()
        self.done = self.total = 0
        self.pause_until = 0.0
        self.lock = threading.Lock()

    # --- tasks ------------------------------------------------------------------------------------------
    def add(self, task: _Task) -> None:
        """Queue ``task`` (listing tasks add the items they find from their worker threads)."""
        with self.lock:
            self.queue.append(task)
            self.total += 1

    def emit(self, items: list[TriageItem] | None) -> None:
        for item in items or []:
            self.items.append(item)
            if self.on_item is not None:
                self.on_item(item)

    def listing_tasks(self) -> None:
        if self.v1 is not None:
            self.add(_Task(_("the web service list"), partial(self.services, self.v1.list_services), None))
        if self.v2 is not None:
            self.add(_Task(_("the online endpoint list"), self.endpoints, None))
            self.add(_Task(_("the job list"), self.jobs, None))

    def services(self, read: Callable[[], list[ServiceSummary]]) -> list[TriageItem]:
        counted = []
        for row in read():
            if row.state in FAILED_STATES:
                source = self.v1 if row.sdk == "v1" else self.v2
                self.add(_Task(row.name, partial(self.one_service, source, row),
                               _unread(service_kind(row), row.name, row.sdk, row.state)))
                continue
            outcome = "healthy" if row.state in HEALTHY_STATES else "in-progress"
            counted.append(TriageItem(service_kind(row), row.name, row.sdk, row.state, outcome))
        return counted

    def one_service(self, source: Any, row: ServiceSummary) -> list[TriageItem]:
        return [read_failed_service(source, row, tail_lines=self.settings.tail_lines)]

    def endpoints(self) -> list[TriageItem]:
        for endpoint in self.v2.list_endpoints():
            self.add(_Task(endpoint.name, partial(self.services, partial(self.v2.list_deployments, endpoint)), None))
        return []

    def jobs(self) -> list[TriageItem]:
        since, found = self.settings.since, []
        location = getattr(getattr(self.sources, "info", None), "location", None)
        for page in list_jobs(self.v2, max_jobs=self.settings.max_jobs, cancel=self.cancel):
            for row in page:
                if since is not None and row.created is not None and row.created < self.now - since:
                    continue
                status = normalize_status(row.status)
                age = self.now - row.created if row.created else timedelta(0)
                unread = _unread("job", row.name, "v2", row.status, row.created, row.display_name)
                if status in ("failed", "not-responding"):
                    self.add(_Task(row.name, partial(self.one_job, read_failed_job, self.v2, row), unread))
                elif status in WAITING and age > self.settings.waiting_after:
                    self.add(_Task(row.name, partial(self.one_job, partial(read_waiting_job, location=location,
                                                                           now=self.now), self.v2, row), unread))
                else:
                    long = status in ("running", "finalizing") and age > self.settings.running_after
                    outcome = ("running-long" if long else "healthy" if status == "completed"
                               else "canceled" if status == "canceled" else "in-progress")
                    found.append(TriageItem("job", row.name, "v2", row.status, outcome, created=row.created,
                                            display_name=row.display_name,
                                            evidence=_("running for {hours:.0f} h").format(
                                                hours=age.total_seconds() / 3600) if outcome == "running-long"
                                            else None))
        return found

    @staticmethod
    def one_job(read: Callable[[Any, JobRow], TriageItem], v2: Any, row: JobRow) -> list[TriageItem]:
        return [read(v2, row)]

    # --- the loop ---------------------------------------------------------------------------------------
    def run(self) -> None:
        self.listing_tasks()
        running: dict[Future[list[TriageItem] | None], _Task] = {}
        with ThreadPoolExecutor(max_workers=self.settings.max_workers, thread_name_prefix="amlnbtools-triage") as pool:
            while self.queue or running:
                if self.cancel.is_set():
                    self.stop(running)
                    break
                self.start(pool, running)
                if not running:
                    time.sleep(min(0.2, max(0.0, self.next_start() - time.monotonic())))
                    continue
                finished, _pending = wait(list(running), timeout=0.2, return_when=FIRST_COMPLETED)
                for future in finished:
                    self.finish(running.pop(future), future)
                self.overdue(running)
            pool.shutdown(wait=False, cancel_futures=True)

    def next_start(self) -> float:
        with self.lock:
            return max(self.pause_until, min((t.not_before for t in self.queue), default=0.0))

    def start(self, pool: ThreadPoolExecutor, running: dict[Future[list[TriageItem] | None], _Task]) -> None:
        now = time.monotonic()
        if now < self.pause_until:
            return
        with self.lock:
            ready: list[_Task] = []
            for _i in range(len(self.queue)):
                if len(running) + len(ready) >= self.settings.max_workers:
                    break
                task = self.queue.popleft()
                if task.not_before > now:
                    self.queue.append(task)
                else:
                    ready.append(task)
        for task in ready:  # submitted outside the lock: a worker may add tasks at once
            task.started, task.tries = now, task.tries + 1
            running[pool.submit(task.run)] = task

    def finish(self, task: _Task, future: Future[list[TriageItem] | None]) -> None:
        try:
            items = future.result()
        except Exception as exc:  # reported per item (or per list); the message names the fix
            error = exc if isinstance(exc, SourceError) else classify(exc, task.label)
            if error.kind == "throttled" and task.tries <= self.settings.throttle_retries and not task.overdue:
                delay = error.retry_after_s or 2.0 ** task.tries
                task.not_before = self.pause_until = max(self.pause_until, time.monotonic() + delay)
                with self.lock:
                    self.queue.append(task)
                return
            if not task.overdue:
                self.fail(task, error.kind, str(error))
            self.progress()
            return
        if not task.overdue:
            took = time.monotonic() - task.started
            self.emit([replace(i, seconds=took) for i in items or []])
        self.progress()

    def fail(self, task: _Task, kind: str, message: str) -> None:
        if task.unread is not None:
            self.emit([task.unread(kind, message)])
        else:  # a whole list could not be read
            self.problems.append(message)

    def overdue(self, running: dict[Future[list[TriageItem] | None], _Task]) -> None:
        limit = time.monotonic() - self.settings.item_deadline_s
        for task in running.values():
            if not task.overdue and task.started < limit:
                task.overdue = True  # reported now; its slot stays taken until its request ends
                self.fail(task, "timeout", _("No answer within {seconds:.0f} s: {what} was left out.").format(
                    seconds=self.settings.item_deadline_s, what=task.label))

    def stop(self, running: dict[Future[list[TriageItem] | None], _Task]) -> None:
        with self.lock:
            waiting = list(self.queue)
            self.queue.clear()
        for task in [*running.values(), *waiting]:
            if not task.overdue:
                self.fail(task, "cancelled", _("Not read: the scan was stopped."))

    def progress(self) -> None:
        self.done += 1
        if self.on_progress is not None:
            self.on_progress(self.done, self.total)


def scan_workspace(sources: Any, settings: ScanSettings = ScanSettings(), *, now: datetime | None = None,
                   on_item: Callable[[TriageItem], object] | None = None,
                   on_progress: Callable[[int, int], object] | None = None,
                   cancel: threading.Event | None = None) -> TriageResult:
    """Every service, deployment and recent job of ``sources`` (a workspace's sources, or one side), grouped by
    cause. ``now`` is the time the window ends (default: the sources' own clock, else now)."""
    clock = getattr(sources, "now", None)
    when = now or (clock() if callable(clock) else None) or datetime.now(timezone.utc)
    started = time.monotonic()
    job = _Scan(sources, settings, when, on_item, on_progress, cancel or threading.Event())
    job.run()
    name = getattr(getattr(sources, "info", None), "name", "?")
    order = {outcome: k for k, outcome in enumerate(OUTCOMES)}
    items = sorted(job.items, key=lambda i: (order.get(i.outcome, 99), KINDS.index(i.kind) if i.kind in KINDS else 9,
                                             i.name))  # as read, they came in any order
    return TriageResult(workspace=name, as_of=when, since=settings.since, items=tuple(items),
                        problems=tuple(job.problems), cancelled=job.cancel.is_set(),
                        seconds=time.monotonic() - started)

"""Bounded azureml-pipeline-core calls: the limits of :mod:`amlnbtools.sources.azureml_v1._bounded`, plus msrest.

The pipelines service client and run history's clients are msrest clients, cached per workspace: each
request waits up to 100 s, urllib3 retries it 3 times with back-offs up to 90 s (honoring Retry-After),
and run history's client loop retries each of those again ``retries`` times. While a call of ours runs,
every msrest request is sent with the timeout and the urllib3 retries of :class:`Limits` (the session's
own retry setting is put back after the request), and the client loops read ``Limits.retries`` and
``Limits.backoff_s``. The patches are process-wide and reference counted, like :func:`bounded_sdk`;
the whole call still runs under :func:`call_with_deadline`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from amlnbtools.sources._patches import PatchSet
from amlnbtools.sources.azureml_v1._bounded import Limits, call_with_deadline

__all__ = ["Limits", "bounded_call", "bounded_msrest"]

T = TypeVar("T")
_patches = PatchSet()
_restore = _patches.restore  # undo callbacks of the installed patches


def _retry(limits: Limits) -> Any:
    from urllib3.util.retry import Retry

    # msrest's own policy, shortened: status retries like azureml's (408, 429, 5xx), no long Retry-After sleeps
    return Retry(total=limits.retries, connect=limits.retries, read=limits.retries, status=limits.retries,
                 backoff_factor=limits.backoff_s / 2, status_forcelist=(408, 429, 500, 502, 503, 504),
                 allowed_methods=None, respect_retry_after_header=False, raise_on_status=False)


def _install(limits: Limits) -> None:
    import msrest.universal_http.requests as msrest_requests

    sender: Any = msrest_requests.RequestsHTTPSender
    policy: Any = msrest_requests.ClientRetryPolicy  # its properties, as objects: patched below, put back after
    send, retries, backoff = sender.send, policy.retries, policy.backoff_factor
    bounded_retry = _retry(limits)

    def bounded_send(self: Any, request: Any, **kwargs: Any) -> Any:
        given = kwargs.get("timeout")
        kwargs["timeout"] = limits.request_timeout_s if given is None else min(given, limits.request_timeout_s)
        session = kwargs.get("session") or self.session  # one session per thread and client
        adapters = [session.adapters[p] for p in getattr(self, "_protocols", ("http://", "https://"))
                    if p in session.adapters]
        saved = [adapter.max_retries for adapter in adapters]
        for adapter in adapters:
            adapter.max_retries = bounded_retry
        try:
            return send(self, request, **kwargs)
        finally:
            for adapter, value in zip(adapters, saved, strict=True):
                adapter.max_retries = value

    sender.send = bounded_send
    # run history's client loop: ClientBase._execute_with_base_arguments reads these two per call
    policy.retries = property(lambda self: min(retries.fget(self), limits.retries), retries.fset)
    policy.backoff_factor = property(lambda self: min(backoff.fget(self), limits.backoff_s), backoff.fset)

    def restore() -> None:
        sender.send = send
        policy.retries = retries
        policy.backoff_factor = backoff

    _restore.append(restore)


@contextmanager
def bounded_msrest(limits: Limits = Limits()) -> Iterator[None]:
    """msrest clients created inside this block use ``limits`` (timeout per request, few short retries)."""
    with _patches.active(lambda: _install(limits)):
        yield


def bounded_call(fn: Callable[[], T], limits: Limits = Limits()) -> T:
    """Run ``fn`` with azureml-core and msrest bounded by ``limits``; ``TimeoutError`` past ``limits.budget_s``."""

    def run() -> T:
        with bounded_msrest(limits):
            return fn()

    return call_with_deadline(run, limits)


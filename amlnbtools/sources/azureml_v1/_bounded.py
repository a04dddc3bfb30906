"""Bounded azureml-core calls: every request gets a timeout, retries are few and short.

azureml-core passes no timeout on most web service calls, retries up to 4 times, sleeps 224 s on
HTTP 429 (ignoring Retry-After) and 14–70 s on 503, and expands every embedded model through run
history (a 404 there even *creates* an experiment). Around each call of ours it is tightened:

- each HTTP request: timeout ``min(given, request_timeout_s)``;
- at most ``retries`` retries with ``backoff_s`` base back-off (429, 500, 503 alike);
- models are deserialized without the run-history expansion.

The patches are process-wide (azureml-core reads module globals), so they are reference counted:
they are in place while at least one bounded call runs, and removed after the last one.
A call that still overruns ``budget_s`` is abandoned by :func:`call_with_deadline`.
"""

from __future__ import annotations

import logging
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from amlnbtools.sources._limits import Limits, run_with_deadline
from amlnbtools.sources._patches import PatchSet

__all__ = ["Limits", "bounded_sdk", "call_with_deadline"]

T = TypeVar("T")
_patches = PatchSet()
_restore = _patches.restore  # undo callbacks of the installed patches


def _set(obj: object, name: str, value: object) -> None:
    old = getattr(obj, name)
    setattr(obj, name, value)
    _restore.append(lambda: setattr(obj, name, old))


def _install(limits: Limits) -> None:
    import azureml._base_sdk_common.service_discovery as discovery
    import azureml._model_management._util as mm_util
    import azureml._restclient.clientbase as clientbase
    import azureml.core.webservice.aks as aks
    import azureml.core.webservice.webservice as webservice
    import requests
    from azureml.core.model import Model

    logging.getLogger("azureml").addHandler(logging.NullHandler())  # caught errors must not print to stderr
    for name, value in (("DEFAULT_RETRIES", limits.retries), ("DEFAULT_SHORT_BACKOFF", limits.backoff_s),
                        ("DEFAULT_BACKOFF", limits.backoff_s), ("DEFAULT_500_BACKOFF", limits.backoff_s),
                        ("DEFAULT_503_BACKOFF", limits.backoff_s)):
        _set(clientbase, name, value)

    cap = limits.request_timeout_s
    make_session = mm_util.get_requests_session

    def bounded_session() -> Any:
        session = make_session()
        send = session.request

        def request(method: str, url: str, **kwargs: Any) -> Any:
            given = kwargs.get("timeout")
            kwargs["timeout"] = cap if given is None else min(given, cap)
            return send(method, url, **kwargs)

        session.request = request
        return session

    for module in (mm_util, webservice, aks):
        _set(module, "get_requests_session", bounded_session)

    def bounded_get(url: str, params: Any = None, **kwargs: Any) -> Any:
        given = kwargs.get("timeout")
        kwargs["timeout"] = cap if given is None else min(given, cap)
        return requests.get(url, params=params, **kwargs)

    proxy = types.ModuleType("requests")
    proxy.__dict__.update(requests.__dict__)
    proxy.get = bounded_get  # type: ignore[attr-defined]
    _set(discovery, "requests", proxy)

    def deserialize(workspace: Any, model_payload: dict) -> Any:
        model = Model(None)
        model._initialize(workspace, obj_dict=model_payload, expand=False)
        return model

    _set(Model, "deserialize", staticmethod(deserialize))


@contextmanager
def bounded_sdk(limits: Limits = Limits()) -> Iterator[None]:
    """Keep azureml-core's HTTP calls within ``limits`` inside this block (see the module docstring)."""
    with _patches.active(lambda: _install(limits)):
        yield


def call_with_deadline(fn: Callable[[], T], limits: Limits = Limits()) -> T:
    """Run ``fn`` bounded by ``limits``; raise ``TimeoutError`` if it overruns ``limits.budget_s``."""

    def bounded() -> T:
        with bounded_sdk(limits):
            return fn()

    return run_with_deadline(bounded, limits.budget_s)

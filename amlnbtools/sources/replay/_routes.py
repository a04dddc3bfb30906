"""What every route of the replay server answers with, how a route is declared, what it records of a call,
and an injected fault waiting for its request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["JSON", "Answer", "Call", "Fault", "Route"]

#: Headers of a JSON answer.
JSON = {"Content-Type": "application/json; charset=utf-8"}
#: A handler's answer: status, headers, body (JSON-serialisable, bytes or text).
Answer = tuple[int, dict[str, str], Any]
#: ``(name, method, host regex, path regex, handler)``: one row of the server's route table.
Route = tuple[str, str, str, str, Callable[..., Answer]]


@dataclass(frozen=True)
class Call:
    """One request the replay answered.

    Attributes
    ----------
    method
        HTTP method.
    route
        The route name (one of ``ROUTES``), or ``"unmatched"`` for a request no route knows.
    url
        The full URL, query included.
    params
        The query parameters (the last value of each name), e.g. ``{"tail": "50", "init": "False"}``.
    timeout
        The ``timeout`` the caller passed to ``requests``: None, a number or a ``(connect, read)`` tuple.
    started, ended
        When the replay began and finished answering, in ``time.perf_counter()`` seconds (latency and
        stalls included): requests whose intervals overlap were in flight together.
    """

    method: str
    route: str
    url: str
    params: dict[str, str]
    timeout: Any
    started: float = 0.0
    ended: float = 0.0


@dataclass
class Fault:
    """A fault injected on a route: how many more requests it takes (None: all), for which service."""

    route: str
    fault: str
    left: int | None
    service: str | None

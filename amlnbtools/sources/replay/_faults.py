"""The faults a replay route can be switched to: HTTP errors, broken connections, broken bodies.

:func:`answer` turns a fault name into what the mock gives back: a ``(status, headers, body)`` triple,
or a raised ``requests`` exception (which ``responses`` passes on to the caller unchanged).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

__all__ = ["FAULTS", "STALL_CAP_S", "answer", "arm_error", "wait"]

FAULTS: tuple[str, ...] = (
    "401-expired",
    "401-auth-failed",
    "403",
    "404",
    "409",
    "429",
    "429-short",
    "500",
    "502",
    "503",
    "connect-timeout",
    "read-timeout",
    "reset",
    "stall",
    "truncated-json",
    "html",
)

#: The longest a "stall" really holds a request, in seconds (the caller's own timeout if shorter).
STALL_CAP_S = 3.0

Answer = tuple[int, dict[str, str], "str | bytes"]
_JSON = {"Content-Type": "application/json; charset=utf-8", "x-ms-response-type": "error"}


def arm_error(code: str, message: str, location: str = "westeurope") -> dict[str, Any]:
    """An error body in the shape ARM and the Azure ML services answer with."""
    return {
        "error": {"code": code, "message": message, "target": None, "details": [], "innerError": None},
        "correlation": {"operation": uuid.uuid4().hex, "request": uuid.uuid4().hex[:16]},
        "environment": location,
        "location": location,
        "time": time.strftime("%Y-%m-%dT%H:%M:%S.0000000+00:00", time.gmtime()),
        "componentName": "modelmanagement",
    }


def _status(status: int, code: str, message: str, **headers: str) -> Callable[..., Answer]:
    def make(ctx: dict[str, Any]) -> Answer:
        return status, dict(_JSON, **headers), json.dumps(arm_error(code, message, ctx["location"]))

    return make


def _expired(ctx: dict[str, Any]) -> Answer:
    body = {
        "error": {
            "code": "InvalidOrExpiredToken",
            "statusCode": 401,
            "message": "The provided token is invalid or has expired.",
            "details": [],
        },
        "code": "Unauthorized",
        "statusCode": 401,
    }
    challenge = (
        f'Bearer authorization_uri="https://login.microsoftonline.com/{ctx["tenant_id"]}", error="invalid_token", '
        'error_description="The access token expiry UTC time is earlier than current UTC time"'
    )
    return 401, dict(_JSON, **{"WWW-Authenticate": challenge}), json.dumps(body)


def _forbidden(ctx: dict[str, Any]) -> Answer:
    message = (
        f"The client '{ctx['upn']}' with object id '{ctx['oid']}' does not have authorization to perform action "
        f"'Microsoft.MachineLearningServices/workspaces/services/aks/read' over scope '{ctx['arm_id']}' "
        "or the scope is invalid. If access was recently granted, please refresh your credentials."
    )
    return 403, dict(_JSON), json.dumps(arm_error("AuthorizationFailed", message, ctx["location"]))


def _bad_gateway(ctx: dict[str, Any]) -> Answer:
    html = (
        "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>"
    )
    return 502, {"Content-Type": "text/html"}, html


def _html(ctx: dict[str, Any]) -> Answer:
    page = (
        "<!DOCTYPE html><html><head><title>Sign in to your account</title></head>"
        "<body>Sign in to your account</body></html>"
    )
    return 200, {"Content-Type": "text/html; charset=utf-8"}, page


_HTTP: dict[str, Callable[[dict[str, Any]], Answer]] = {
    "401-expired": _expired,
    "401-auth-failed": _status(
        401,
        "AuthenticationFailed",
        "Authentication failed. The 'Authorization' header is provided in an invalid format.",
    ),
    "403": _forbidden,
    "404": _status(404, "NotFound", "The requested resource was not found."),
    "409": _status(
        409, "Conflict", "An operation is already in progress on this service: Update (operation id 2f6c8a1e)."
    ),
    "429": _status(
        429, "TooManyRequests", "The request was throttled. Retry after 30 seconds.", **{"Retry-After": "30"}
    ),
    # ARM's throttling of reads: a short wait, as its answers usually ask
    "429-short": _status(429, "TooManyRequests", "The request was throttled. Retry after 1 second.",
                         **{"Retry-After": "1"}),
    "500": _status(500, "InternalServerError", "An unexpected error occurred."),
    "502": _bad_gateway,
    "503": _status(503, "ServiceUnavailable", "The service is temporarily unavailable.", **{"Retry-After": "10"}),
    "html": _html,
}


def _read_timeout(timeout: Any) -> float | None:
    value = timeout[1] if isinstance(timeout, tuple) else timeout
    return None if value is None else float(value)


def _raise(fault: str, host: str, timeout: Any) -> None:
    import requests

    if fault == "connect-timeout":
        connect = timeout[0] if isinstance(timeout, tuple) else timeout
        raise requests.exceptions.ConnectTimeout(
            f"HTTPSConnectionPool(host='{host}', port=443): Max retries exceeded with url: / (Caused by "
            f"ConnectTimeoutError(<urllib3.connection.HTTPSConnection object>, 'Connection to {host} timed out. "
            f"(connect timeout={connect})'))"
        )
    if fault == "read-timeout":
        raise requests.exceptions.ReadTimeout(
            f"HTTPSConnectionPool(host='{host}', port=443): Read timed out. (read timeout={_read_timeout(timeout)})"
        )
    if fault == "reset":
        raise requests.exceptions.ConnectionError(
            "('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))"
        )
    # "stall": the server accepts the request and never answers. With a timeout the caller gives up
    # after it (ReadTimeout); without one a real call hangs until a peer drops it: cut it at STALL_CAP_S.
    limit = _read_timeout(timeout)
    time.sleep(STALL_CAP_S if limit is None else max(0.0, min(limit, STALL_CAP_S)))
    if limit is None:
        raise requests.exceptions.ConnectionError(
            "('Connection aborted.', RemoteDisconnected('Remote end closed connection without response'))"
        )
    raise requests.exceptions.ReadTimeout(
        f"HTTPSConnectionPool(host='{host}', port=443): Read timed out. (read timeout={limit})"
    )


def wait(seconds: float, host: str, timeout: Any) -> None:
    """Hold a request ``seconds`` (an injected latency); past the caller's read timeout, raise ``ReadTimeout``."""
    limit = _read_timeout(timeout)
    if limit is not None and seconds > limit:
        time.sleep(limit)
        import requests

        raise requests.exceptions.ReadTimeout(
            f"HTTPSConnectionPool(host='{host}', port=443): Read timed out. (read timeout={limit})"
        )
    time.sleep(seconds)


def answer(fault: str, ctx: dict[str, Any], host: str, timeout: Any, real: Callable[[], Answer]) -> Answer:
    """What a request gets under ``fault``.

    Parameters
    ----------
    fault
        One of :data:`FAULTS`.
    ctx
        Values the error bodies quote: ``location``, ``tenant_id``, ``arm_id``, ``upn``, ``oid``.
    host
        The host the request was sent to (quoted by the connection errors).
    timeout
        The ``timeout`` the caller gave ``requests`` (None, a number or a ``(connect, read)`` tuple).
    real
        Produces the answer the route would give without the fault ("truncated-json" cuts it in half; an
        answer that states its ``Content-Length``, such as a blob, keeps it: the connection drops mid-body).

    Raises
    ------
    requests.exceptions.RequestException
        For "connect-timeout", "read-timeout", "reset" and "stall".
    """
    if fault in _HTTP:
        return _HTTP[fault](ctx)
    if fault == "truncated-json":
        status, headers, body = real()
        if "Content-Length" in headers and 200 <= status < 300:
            return status, headers, body[: len(body) // 2]
        return 200, {"Content-Type": "application/json; charset=utf-8"}, body[: max(1, len(body) // 2)]
    _raise(fault, host, timeout)
    raise AssertionError(f"unknown fault {fault!r}")  # pragma: no cover - _raise always raises

"""Errors of sources: one exception type whose ``kind`` says what went wrong and whose message names the fix.

azureml-core lets many kinds of exceptions escape (its own ``WebserviceException``, raw ``requests``
errors, ``JSONDecodeError``, ``KeyError`` on a payload it did not expect …). :func:`classify` turns
any of them into a :class:`SourceError` that a panel can show as it is.
"""

from __future__ import annotations

import json
import re

from amlnbtools.core.diagnosis.redact import redact
from amlnbtools.i18n import _

__all__ = ["KINDS", "SourceError", "classify"]

KINDS = ("no-config", "bad-config", "bad-input", "sdk-missing", "token-expired", "auth-failed", "forbidden",
         "workspace-not-found", "not-found", "conflict", "throttled", "server-error", "timeout", "network",
         "bad-response", "cancelled", "unknown")

# azureml-core's environment client: "Error building image. Code: 403"
_STATUS = (re.compile(r"Response Code: (\d{3})"), re.compile(r"\b(\d{3}) (?:Client|Server) Error\b"),
           re.compile(r"^Error [a-z ]+\. Code: (\d{3})\b"))
# msrest (the pipelines client) and azureml-core name the HTTP status in words:
# "Operation returned an invalid status code 'Forbidden'", "too many 500 error responses"
_REASONS = {"Unauthorized": 401, "Forbidden": 403, "Not Found": 404, "Conflict": 409, "Too Many Requests": 429,
            "Internal Server Error": 500, "Bad Gateway": 502, "Service Unavailable": 503, "Gateway Timeout": 504}
_REASON = re.compile(r"invalid status code '([A-Za-z ]+)'|too many (\d{3}) error responses")
_EXPIRED = re.compile(
    r"InvalidOrExpiredToken|ExpiredAuthenticationToken|invalid_token|AADSTS700082|token (?:is |has )?expired",
    re.IGNORECASE)

# azure-core (the transport of azure-ai-ml) wraps the requests errors in its own
_AZURE_TIMEOUTS = frozenset({"ServiceRequestTimeoutError", "ServiceResponseTimeoutError"})
_AZURE_NETWORK = frozenset({"ServiceRequestError", "ServiceResponseError", "IncompleteReadError"})
_AZURE_UNREADABLE = frozenset({"DecodeError", "DeserializationError"})
# azure-identity: no credential of the chain could even try (no az, no managed identity …)
_NO_SIGN_IN = frozenset({"CredentialUnavailableError"})
_UNREACHABLE = re.compile(r"Failed to resolve|Name or service not known|Max retries exceeded|Connection refused|"
                          r"getaddrinfo failed|timed out", re.IGNORECASE)


class SourceError(Exception):
    """Raised when a source cannot answer; ``kind`` is one of :data:`KINDS`, the message names the fix."""

    def __init__(self, kind: str, message: str, *, status: int | None = None, detail: str = "",
                 retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.detail = detail
        self.retry_after_s = retry_after_s

    @property
    def message(self) -> str:
        return str(self)


def _status_of(exc: BaseException, text: str) -> int | None:
    response = getattr(exc, "response", None)
    code = getattr(response, "status_code", None)
    if isinstance(code, int):
        return code
    for pattern in _STATUS:
        m = pattern.search(text)
        if m:
            return int(m.group(1))
    m = _REASON.search(text)
    if m:
        return _REASONS.get(m.group(1)) if m.group(1) else int(m.group(2))
    return None


def _text_of(exc: BaseException) -> str:
    """The exception's text, with the error body of its HTTP response when the text leaves it out (msrest
    keeps e.g. ``InvalidOrExpiredToken`` only on ``exc.response``)."""
    text = str(exc)
    body = getattr(getattr(exc, "response", None), "text", None)
    if isinstance(body, str) and body and body[:200] not in text:
        text = f"{text}\n{body[:2000]}"
    return text


def _retry_after(exc: BaseException, text: str) -> float | None:
    response = getattr(exc, "response", None)
    value = getattr(response, "headers", {}).get("Retry-After") if response is not None else None
    if value is None:
        m = re.search(r"['\"]Retry-After['\"]: ['\"](\d+)['\"]", text)
        value = m.group(1) if m else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _detail(text: str) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    first = redact(first)
    return first if len(first) <= 200 else first[:199] + "…"


def classify(exc: BaseException, what: str, *, timeout_s: float | None = None,
             sdk: str = "azureml-core") -> SourceError:
    """Turn any exception raised while reading ``what`` (e.g. "service 'x'") into a :class:`SourceError`.

    ``sdk`` is the package the message tells to update when an answer cannot be read. azure-core's
    exceptions (azure-ai-ml) are recognised by class name, so this module imports no azure package.
    """
    if isinstance(exc, SourceError):
        return exc
    import requests

    names = {cls.__name__ for cls in type(exc).__mro__}
    text = _text_of(exc)
    detail = _detail(text) or type(exc).__name__
    if "WebserviceNotFound" in text:
        return SourceError("not-found", _("Not found: {what}. It may have been deleted or renamed: refresh, and "
                                          "check the name.").format(what=what), status=404, detail=detail)
    if names & _NO_SIGN_IN or "failed to retrieve a token from the included credentials" in text:
        if _UNREACHABLE.search(text):
            return SourceError("network", _("Microsoft Entra ID could not be reached to sign in. Check the network "
                                            "(proxy, VPN, firewall), then press Refresh, or try the embedded sample "
                                            "with amlnbtools.connect(sample=True)."), detail=detail)
        return SourceError("auth-failed", _("Could not sign in to Azure: no sign-in method worked. Run az login in a "
                                            "terminal and press Refresh, connect with auth=\"device-code\", or try "
                                            "the embedded sample with amlnbtools.connect(sample=True)."),
                           detail=detail)
    status = _status_of(exc, text)
    if status == 401 or type(exc).__name__ in ("AuthenticationException", "ClientAuthenticationError"):
        if _EXPIRED.search(text):
            return SourceError("token-expired", _("Your sign-in has expired or its token is invalid. Sign in again "
                                                  "(for the Azure CLI: az login), then refresh."),
                               status=status, detail=detail)
        return SourceError("auth-failed", _("Azure rejected the credentials. Check the sign-in method (Azure CLI: "
                                            "az login; service principal: AZURE_TENANT_ID, AZURE_CLIENT_ID, "
                                            "AZURE_CLIENT_SECRET) and try again."), status=status, detail=detail)
    if status == 403:
        return SourceError("forbidden", _("This identity may not read {what} (HTTP 403). Ask a workspace owner for a "
                                          "role that allows it, such as AzureML Data Scientist or Reader on the "
                                          "workspace.").format(what=what), status=status, detail=detail)
    if status == 404:
        return SourceError("not-found", _("Not found: {what}. It may have been deleted or renamed: refresh, and "
                                          "check the name.").format(what=what), status=status, detail=detail)
    if status == 409:
        return SourceError("conflict", _("Another operation is running on {what} (HTTP 409). Wait until it "
                                         "finishes, then refresh.").format(what=what), status=status, detail=detail)
    if status == 429:
        wait = _retry_after(exc, text)
        return SourceError("throttled", _("Azure is limiting requests (HTTP 429). Wait {seconds} s, then refresh.")
                           .format(seconds=int(wait or 60)), status=status, detail=detail, retry_after_s=wait)
    if (status in (408, 504) or isinstance(exc, (requests.Timeout, TimeoutError)) or "timed out" in text
            or names & _AZURE_TIMEOUTS):
        return SourceError("timeout", _("No answer from Azure ML within {seconds} s. Check the network (proxy, VPN, "
                                        "firewall), then refresh.").format(seconds=int(timeout_s or 30)),
                           status=status, detail=detail)
    if status is not None and status >= 500:
        return SourceError("server-error", _("Azure ML answered with a server error (HTTP {status}). This is usually "
                                             "temporary: refresh in a minute.").format(status=status),
                           status=status, detail=detail)
    if isinstance(exc, (requests.ConnectionError, ConnectionError)) or names & _AZURE_NETWORK:
        return SourceError("network", _("Azure ML could not be reached. Check the network (proxy, VPN, firewall), "
                                        "then refresh."), detail=detail)
    if (isinstance(exc, (json.JSONDecodeError, requests.exceptions.JSONDecodeError, KeyError, TypeError, ValueError))
            or names & _AZURE_UNREADABLE):
        return SourceError("bad-response", _("Azure ML sent an answer that could not be read. Refresh; if it happens "
                                             "again, update {sdk}.").format(sdk=sdk), status=status, detail=detail)
    return SourceError("unknown", _("Unexpected error while reading {what}: {detail}").format(what=what, detail=detail),
                       status=status, detail=detail)

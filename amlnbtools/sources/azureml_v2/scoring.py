"""Sending one scoring request to an online deployment: key or token fetched through azure-ai-ml, used once.

The key (or the AML / Microsoft Entra token) is read with ``online_endpoints.get_keys`` when the request is
sent, off the kernel thread, and never leaves this function: the result holds the status, the timing,
the tracing id and the answer's start (redacted), nothing that signs a request.
"""

from __future__ import annotations

import time
from typing import Any

from amlnbtools.core.capacity.scoring import ScoringResult
from amlnbtools.core.diagnosis.redact import redact
from amlnbtools.i18n import _

__all__ = ["BODY_CHARS", "score"]

#: How much of an answer is kept.
BODY_CHARS = 4000
_AAD_SCOPE = "https://ml.azure.com/.default"


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def score(source: Any, name: str, payload: str | bytes, *, timeout_s: float | None = None) -> ScoringResult:
    """POST ``payload`` (JSON) to deployment ``name`` (``endpoint/deployment``) and return what came back.

    ``source`` is the :class:`~amlnbtools.sources.azureml_v2.AzureMLV2Source` (its client, bounded calls, limits).

    Raises SourceError when the endpoint or its key cannot be read; an answer of any status, or none (a
    timeout, a refused connection), is a :class:`ScoringResult`.
    """
    import requests

    endpoint_name, deployment_name = source.split(name)
    client = source.ml_client
    endpoint = source.call(_("endpoint {name}").format(name=endpoint_name),
                           lambda: client.online_endpoints.get(endpoint_name))
    deployment = source.call(_("deployment {name}").format(name=name),
                             lambda: client.online_deployments.get(deployment_name, endpoint_name))
    credentials = source.call(_("the keys of endpoint {name}").format(name=endpoint_name),
                              lambda: client.online_endpoints.get_keys(endpoint_name))
    secret = getattr(credentials, "primary_key", None) or getattr(credentials, "access_token", None)
    request_ms = getattr(getattr(deployment, "request_settings", None), "request_timeout_ms", None) or 5000
    read_s = timeout_s if timeout_s is not None else request_ms / 1000 + 10  # the endpoint answers 408 first
    headers = {"Content-Type": "application/json", "azureml-model-deployment": deployment_name}
    if secret:
        headers["Authorization"] = f"Bearer {secret}"
    del secret, credentials
    data = payload.encode("utf-8") if isinstance(payload, str) else payload
    started = time.perf_counter()
    try:
        answer = requests.post(endpoint.scoring_uri, data=data, headers=headers,
                               timeout=(source.limits.request_timeout_s, read_s))
    except requests.RequestException as exc:
        return ScoringResult(status=None, elapsed_ms=(time.perf_counter() - started) * 1000,
                             error=redact(f"{type(exc).__name__}: {exc}")[:300])
    finally:
        headers.pop("Authorization", None)
    elapsed = (time.perf_counter() - started) * 1000
    reply = answer.headers
    return ScoringResult(status=answer.status_code, elapsed_ms=elapsed, body=redact(answer.text[:BODY_CHARS]),
                         request_id=reply.get("x-request-id"), deployment=reply.get("azureml-model-deployment"),
                         model_status=_int(reply.get("ms-azureml-model-error-statuscode")),
                         model_reason=reply.get("ms-azureml-model-error-reason"))

"""A scoring request's answer, explained: what an HTTP status of an online endpoint means and what to do.

Managed and Kubernetes online endpoints answer with the same few statuses for different reasons (a 424
carries the status the container gave in ``ms-azureml-model-error-statuscode``; 502 and 503 are
Kubernetes answers). :func:`explain` turns one answer into a title and a fix, using the deployment's
settings where they make the fix concrete (the 429 threshold, the request timeout).
"""

from __future__ import annotations

from dataclasses import dataclass

from amlnbtools.i18n import _

__all__ = ["Explanation", "ScoringResult", "explain", "pending_limit"]

#: request_timeout_ms of a deployment that sets none.
DEFAULT_TIMEOUT_MS = 5000


@dataclass(frozen=True, slots=True)
class ScoringResult:
    """One scoring request and its answer (never the key or token it was sent with).

    ``status`` is None when no answer came (``error`` says why); ``body`` is the answer's start, redacted.
    """

    status: int | None
    elapsed_ms: float
    body: str = ""
    request_id: str | None = None
    deployment: str | None = None
    model_status: int | None = None
    model_reason: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass(frozen=True, slots=True)
class Explanation:
    """What an answer means (``title``) and what to do about it (``remedy``); ``ok`` for a success."""

    title: str
    remedy: str
    ok: bool = False


def pending_limit(max_concurrent_requests_per_instance: int | None, instance_count: int | None) -> int | None:
    """How many requests a managed deployment holds before it answers 429: 2 × max concurrent × instances."""
    if not max_concurrent_requests_per_instance or not instance_count:
        return None
    return 2 * int(max_concurrent_requests_per_instance) * int(instance_count)


def explain(result: ScoringResult, *, kubernetes: bool = False, timeout_ms: int | None = None,
            max_pending: int | None = None) -> Explanation:
    """The meaning of ``result`` for a managed (or ``kubernetes``) online deployment, with its fix."""
    status = result.status
    timeout = timeout_ms or DEFAULT_TIMEOUT_MS
    if status is None:
        return Explanation(_("No answer from the endpoint"), _(
            "The request did not reach the endpoint or no answer came back ({detail}). Check the scoring URI, the "
            "network (proxy, VPN, firewall, private endpoint) and whether the endpoint allows public access.")
            .format(detail=result.error or "?"))
    if 200 <= status < 300:
        return Explanation(_("The deployment answered"), _("HTTP {status} in {ms} ms from deployment {deployment}.")
                           .format(status=status, ms=round(result.elapsed_ms), deployment=result.deployment or "?"),
                           ok=True)
    if status == 400:
        return Explanation(_("The request was refused as malformed (HTTP 400)"), _(
            "Send the JSON body the scoring script's run() expects, with Content-Type: application/json; the "
            "answer's body names what is wrong."))
    if status == 401:
        return Explanation(_("The request was not authorized (HTTP 401)"), _(
            "The key or token is missing, wrong or expired. Key endpoints: send a key from "
            "ml_client.online_endpoints.get_keys(name) as 'Authorization: Bearer <key>'. AML token endpoints: "
            "get a new token (they expire). Microsoft Entra token endpoints: a token for https://ml.azure.com of an "
            "identity with a role on the workspace."))
    if status == 403:
        return Explanation(_("The identity may not score this endpoint (HTTP 403)"), _(
            "Give the identity a role that allows scoring on the workspace or the endpoint (for example AzureML "
            "Data Scientist), or call with a key."))
    if status == 404:
        return Explanation(_("No deployment could take the request (HTTP 404)"), _(
            "No deployment of the endpoint has traffic, or the one named in the azureml-model-deployment header "
            "does not exist or is not running. Give a running deployment traffic (endpoint.traffic = {'blue': 100}, "
            "then begin_create_or_update(endpoint)) or name it in the header; check the scoring URI's path."))
    if status == 408:
        return Explanation(_("The request took longer than the deployment allows (HTTP 408)"), _(
            "run() took more than request_timeout_ms ({timeout} ms). Make it faster, or raise "
            "request_settings.request_timeout_ms of the deployment (at most 180,000 ms).").format(timeout=timeout))
    if status == 409 and kubernetes:
        return Explanation(_("An operation is running on the endpoint (HTTP 409)"), _(
            "Wait until the running create or update finishes (its provisioning state), then send the request "
            "again."))
    if status == 424:
        model = result.model_status
        return Explanation(_("The scoring container answered with an error (HTTP 424)"), _(
            "The container itself answered HTTP {model} ({reason}): the cause is in the scoring script. Read the "
            "inference server's log above for the exception raised by run(), and reproduce the request with the "
            "local inference server.").format(model=model if model is not None else "?",
                                             reason=result.model_reason or "?"))
    if status == 429:
        threshold = (_("{count} pending requests").format(count=max_pending) if max_pending
                     else _("2 × max_concurrent_requests_per_instance × instance_count pending requests"))
        return Explanation(_("Too many requests at once (HTTP 429)"), _(
            "The deployment holds at most {threshold}, then refuses more (the endpoint's rate limit also applies). "
            "Send fewer at once and retry with backoff, or raise instance_count, or max_concurrent_requests_per_"
            "instance if the model serves several requests at once.").format(threshold=threshold))
    if status == 502 and kubernetes:
        return Explanation(_("The scoring script failed (HTTP 502)"), _(
            "run() raised an exception or the container crashed (init() may have failed). Read the inference "
            "server's log for the traceback and reproduce the request with the local inference server."))
    if status == 503 and kubernetes:
        return Explanation(_("Requests came faster than the autoscaler added instances (HTTP 503)"), _(
            "Raise scale_settings.min_instances so more instances are ready for spikes, lower "
            "target_utilization_percentage so instances are added earlier, and raise max_instances if the "
            "deployment already runs at its maximum."))
    if status == 504:
        return Explanation(_("The request timed out (HTTP 504)"), _(
            "run() did not answer within request_timeout_ms ({timeout} ms) or hung. Look for slow calls, hangs or "
            "endless loops in run(); raise request_settings.request_timeout_ms only if the work really needs "
            "longer.").format(timeout=timeout))
    if status >= 500:
        return Explanation(_("Azure ML's side failed (HTTP {status})").format(status=status), _(
            "The failure is in the service, not in your request: retry with backoff. If it keeps failing, open a "
            "support request with the x-request-id ({request_id}).").format(request_id=result.request_id or "?"))
    return Explanation(_("The endpoint answered HTTP {status}").format(status=status), _(
        "Read the answer's body for the reason."))

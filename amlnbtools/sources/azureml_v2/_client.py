"""The bounded ``MLClient`` the v2 source calls: a retry policy that never sleeps past the call's deadline.

azure-core retries 10 times by default and sleeps for whatever ``Retry-After`` a 429 or 503 asks (an ARM
429 often asks for 30–60 s), so one call of a notebook panel could block for minutes. This policy retries
at most ``Limits.retries`` times, gives up at once when the server asks to wait longer than
:data:`MAX_RETRY_AFTER_S` (the panel then says how long to wait), and bounds the whole call with the
policy's own ``timeout``. Importing this module imports azure-core and azure-ai-ml: the source imports it
on first use.
"""

from __future__ import annotations

from typing import Any

from azure.ai.ml import MLClient
from azure.core.pipeline.policies import RetryPolicy

from amlnbtools.sources._limits import Limits

__all__ = ["MAX_RETRY_AFTER_S", "BoundedRetryPolicy", "make_client"]

#: A ``Retry-After`` longer than this is not waited for: the error reaches the panel with the wait.
MAX_RETRY_AFTER_S = 5.0


class BoundedRetryPolicy(RetryPolicy):
    """azure-core's retries, without waits longer than :data:`MAX_RETRY_AFTER_S`."""

    def is_retry(self, settings: dict[str, Any], response: Any) -> bool:
        wait = self.get_retry_after(response)
        if wait is not None and wait > MAX_RETRY_AFTER_S:
            return False
        return bool(super().is_retry(settings, response))


def make_client(credential: Any, subscription_id: str, resource_group: str, workspace_name: str,
                limits: Limits) -> Any:
    """An ``MLClient`` whose every request is bounded by ``limits`` (telemetry off)."""
    policy = BoundedRetryPolicy(retry_total=limits.retries, retry_backoff_factor=limits.backoff_s,
                                retry_backoff_max=limits.backoff_s * 4, timeout=int(max(1, limits.budget_s)))
    return MLClient(credential, subscription_id, resource_group, workspace_name, enable_telemetry=False,
                    retry_policy=policy, connection_timeout=limits.request_timeout_s,
                    read_timeout=limits.request_timeout_s, show_progress=False)

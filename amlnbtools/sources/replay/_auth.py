"""Offline authentication for the replay workspace.

azureml-core only needs a token that *looks* like a JWT: it decodes it without checking the
signature to read ``exp``. The class is built on first use so that importing this module never
imports azureml.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from functools import lru_cache
from typing import Any, Protocol

__all__ = ["ReplayClosedError", "ReplayCredential", "make_authentication", "make_token"]

SUBSCRIPTION_NAME = "Contoso ML Production"
USER = {
    "oid": "0a7e3c55-4f1b-4d2a-9c8e-6b5d4a3f2e1d",
    "name": "Dana Kim",
    "upn": "dana.kim@contoso.com",
    "appid": "9d3e1f2a-7b6c-4d5e-8f90-a1b2c3d4e5f6",
}
#: Tokens live one hour, like AAD access tokens; a new one is made when less than 5 minutes are left.
TOKEN_LIFETIME_S = 3600
_RENEW_BEFORE_S = 300


class ReplayClosedError(RuntimeError):
    """Raised when a Workspace object outlives the :class:`ReplayWorkspace` that answered it."""


class _Guard(Protocol):
    closed: bool


def _b64url(value: Any) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def make_token(tenant_id: str, lifetime_s: int = TOKEN_LIFETIME_S, audience: str = "https://management.core.windows.net/"
               ) -> str:
    """A JWT-shaped token for the replay user (unsigned: nobody verifies it), ARM's audience unless told."""
    now = int(time.time())
    header = {"typ": "JWT", "alg": "RS256", "kid": "replay-key"}
    claims = {
        "aud": audience,
        "iss": f"https://sts.windows.net/{tenant_id}/",
        "iat": now - 60,
        "nbf": now - 60,
        "exp": now + lifetime_s,
        "tid": tenant_id,
        **USER,
    }
    return f"{_b64url(header)}.{_b64url(claims)}.{_b64url(b'replay-signature-not-verified')}"


@lru_cache(maxsize=1)
def _authentication_class() -> type:
    from azureml.core.authentication import AbstractAuthentication, _SubscriptionInfo

    class ReplayAuthentication(AbstractAuthentication):
        """Authentication that never talks to Azure AD; the cloud is pinned, so no metadata call."""

        def __init__(self, subscription_id: str, tenant_id: str, guard: _Guard) -> None:
            # cloud=None would GET the ARM metadata endpoint to list the clouds
            super().__init__(cloud="AzureCloud")
            self._subscription_id = subscription_id
            self._tenant_id = tenant_id
            self._guard = guard
            self._token_lock = threading.Lock()
            self._token = ""
            self._expires = 0.0

        def _current_token(self) -> str:
            if self._guard.closed:
                raise ReplayClosedError(
                    "this Workspace belongs to a ReplayWorkspace that is closed; its HTTP calls are no longer "
                    "answered: create a new ReplayWorkspace and use its .workspace"
                )
            with self._token_lock:
                if self._expires - time.time() < _RENEW_BEFORE_S:
                    self._token = make_token(self._tenant_id)
                    self._expires = time.time() + TOKEN_LIFETIME_S
                return self._token

        def _get_arm_token(self) -> str:
            return self._current_token()

        def _get_graph_token(self) -> str:
            return self._current_token()

        def _get_azureml_client_token(self) -> str:
            return self._current_token()

        def _get_all_subscription_ids(self) -> tuple[list[Any], str]:
            # _get_service_client checks the subscription is listed before the ARM GET
            return [_SubscriptionInfo(SUBSCRIPTION_NAME, self._subscription_id)], self._tenant_id

        def _get_workspace(self, subscription_id: str, resource_group: str, name: str) -> None:
            return None

    return ReplayAuthentication


def make_authentication(subscription_id: str, tenant_id: str, guard: _Guard) -> Any:
    """An ``AbstractAuthentication`` for the replay; it refuses to give tokens once ``guard.closed``.

    Refusing tokens after the replay is closed keeps a leftover Workspace object from sending its fake
    token to the real Azure endpoints.
    """
    return _authentication_class()(subscription_id, tenant_id, guard)


class ReplayCredential:
    """An azure-core token credential for the replay (SDK v2): tokens until the replay is closed.

    ``get_token`` returns an ``azure.core.credentials.AccessToken``; ``azure-ai-ml`` asks for nothing else.
    """

    def __init__(self, tenant_id: str, guard: _Guard) -> None:
        self._tenant_id = tenant_id
        self._guard = guard

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        if self._guard.closed:
            raise ReplayClosedError("the ReplayWorkspace behind this MLClient is closed: create a new one")
        # azure-ai-ml asks for an Azure ML token (https://ml.azure.com/.default) to submit pipeline jobs
        audience = "https://ml.azure.com" if any(s.startswith("https://ml.azure.com") for s in scopes) else \
            "https://management.core.windows.net/"
        return AccessToken(make_token(self._tenant_id, audience=audience), int(time.time()) + TOKEN_LIFETIME_S)

    def close(self) -> None:
        """Nothing to release (azure-core closes credentials it is given)."""

    def __enter__(self) -> ReplayCredential:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

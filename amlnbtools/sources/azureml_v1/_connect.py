"""Signing azureml-core in with the azure-identity credential both SDKs share."""

from __future__ import annotations

from typing import Any

from amlnbtools.i18n import _
from amlnbtools.sources.config import find_config, read_config
from amlnbtools.sources.errors import SourceError
from amlnbtools.sources.signin import AUTH_METHODS, make_credential

__all__ = ["AUTH_METHODS", "find_config", "is_azureml_auth", "make_auth", "read_config", "v1_auth"]


def is_azureml_auth(auth: object) -> bool:
    """An azureml-core authentication object (as opposed to an azure-core token credential)."""
    return hasattr(auth, "get_authentication_header")


def v1_auth(credential: Any) -> Any:
    """An azureml-core authentication that asks ``credential`` (azure-core) for its tokens."""
    try:
        from azureml.core.authentication import TokenAuthentication
    except ImportError:
        raise SourceError("sdk-missing", _("azureml-core is not installed in this environment: run "
                                           "pip install azureml-core")) from None

    def token_for(resource: str) -> str:
        return str(credential.get_token(resource.rstrip("/") + "/.default").token)

    return TokenAuthentication(token_for, cloud="AzureCloud")


def make_auth(method: str, *, tenant_id: str | None = None) -> Any:
    """The azureml-core authentication of a sign-in method (see :data:`AUTH_METHODS`)."""
    return v1_auth(make_credential(method, tenant_id=tenant_id))

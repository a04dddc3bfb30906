"""Signing in: one azure-identity credential for both SDKs (azure-ai-ml takes it; azureml-core through an adapter).

The default is a chain that works where users are, without a prompt in the kernel's cell:

1. a service principal, when ``AZURE_TENANT_ID``, ``AZURE_CLIENT_ID`` and ``AZURE_CLIENT_SECRET`` are set;
2. the managed identity, on Azure (an Azure ML compute instance gives its user's token this way);
3. the Azure CLI, when ``az`` is installed (signed in with ``az login``);
4. a device code: the workspace panel shows the address and the code to enter, from any browser, so it
   works on a remote kernel, Binder, or VS Code alike.

Creating a credential contacts nothing; the first token is asked for when the panel connects (off the
kernel thread). Importing this module does not import azure-identity.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable
from datetime import datetime
from typing import Any

from amlnbtools.i18n import _
from amlnbtools.sources.errors import SourceError

__all__ = ["AUTH_METHODS", "SP_VARS", "Prompt", "make_credential", "on_azure_compute"]

#: Sign-in methods of ``connect(auth=...)``; "default" is the chain of the module docstring.
AUTH_METHODS = ("default", "cli", "device-code", "interactive", "service-principal", "managed-identity")
SP_VARS = ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET")
#: Called with the verification address, the user code and when it expires (device-code sign-in).
Prompt = Callable[[str, str, datetime], None]
_MANAGED_IDENTITY_VARS = ("IDENTITY_ENDPOINT", "MSI_ENDPOINT")


def on_azure_compute() -> bool:
    """Whether a managed identity endpoint is set (Azure ML compute instances and clusters, App Service …)."""
    return any(os.environ.get(var) for var in _MANAGED_IDENTITY_VARS)


def _identity() -> Any:
    try:
        import azure.identity as identity
    except ImportError:
        raise SourceError("sdk-missing", _("azure-identity is not installed in this environment: run "
                                           "pip install azure-identity")) from None
    # Each failed step of a chain logs a warning; without a handler anywhere Python prints it under the
    # user's cell. The panel says what failed and the fix, so give the library's logger a handler that
    # drops records (a handler the user configured on the root logger still receives them).
    logger = logging.getLogger("azure.identity")
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
    return identity


def _service_principal(identity: Any) -> Any:
    missing = [v for v in SP_VARS if not os.environ.get(v)]
    if missing:
        raise SourceError("auth-failed", _("Service principal sign-in needs the environment variables {names}: set "
                                           "them, or choose another sign-in method.").format(names=", ".join(missing)))
    return identity.ClientSecretCredential(os.environ["AZURE_TENANT_ID"], os.environ["AZURE_CLIENT_ID"],
                                           os.environ["AZURE_CLIENT_SECRET"])


def make_credential(method: str = "default", *, tenant_id: str | None = None, prompt: Prompt | None = None) -> Any:
    """The azure-core token credential of a sign-in method (see :data:`AUTH_METHODS`).

    ``prompt`` receives the device code (methods "default" and "device-code"); without it azure-identity
    prints the code.
    """
    if method not in AUTH_METHODS:
        raise ValueError(f"auth must be one of {', '.join(AUTH_METHODS)}, not {method!r}")
    identity = _identity()
    tenant = {"tenant_id": tenant_id} if tenant_id else {}
    if method == "cli":
        return identity.AzureCliCredential(process_timeout=20, **tenant)
    if method == "interactive":
        return identity.InteractiveBrowserCredential(**tenant)
    if method == "device-code":
        return identity.DeviceCodeCredential(prompt_callback=prompt, **tenant)
    if method == "managed-identity":
        return identity.ManagedIdentityCredential(client_id=os.environ.get("DEFAULT_IDENTITY_CLIENT_ID"))
    if method == "service-principal":
        return _service_principal(identity)
    chain = []
    if all(os.environ.get(v) for v in SP_VARS):
        chain.append(_service_principal(identity))
    if on_azure_compute():
        chain.append(identity.ManagedIdentityCredential(client_id=os.environ.get("DEFAULT_IDENTITY_CLIENT_ID")))
    if shutil.which("az"):
        chain.append(identity.AzureCliCredential(process_timeout=20, **tenant))
    chain.append(identity.DeviceCodeCredential(prompt_callback=prompt, **tenant))
    return identity.ChainedTokenCredential(*chain)

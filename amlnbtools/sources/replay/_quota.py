"""The replay's quota routes: the region's usages and VM sizes, as Azure ML's resource provider answers them.

What azure-ai-ml (1.35) requests: ``ml_client.compute.list_usage(location=…)``: GET
``https://management.azure.com/subscriptions/{sub}/providers/Microsoft.MachineLearningServices/locations/{loc}/usages``
(``{"value": [Usage…]}``); ``ml_client.compute.list_sizes(location=…)``: GET ``…/locations/{loc}/vmSizes``
(``{"value": [VirtualMachineSize…]}``). Another region answers an empty list.
"""

from __future__ import annotations

import re
from typing import Any

from amlnbtools.sources.replay._data import Payloads
from amlnbtools.sources.replay._routes import JSON, Answer, Route

__all__ = ["QUOTA_ROUTES", "QuotaRoutes"]

QUOTA_ROUTES: tuple[str, ...] = ("v2-usages", "v2-vmsizes")


class QuotaRoutes:
    """Route handlers for usages and VM sizes (same handler signature as the server's)."""

    def __init__(self, data: Payloads) -> None:
        self.data = data

    def table(self) -> list[Route]:
        ident = self.data.identity
        base = re.escape(f"/subscriptions/{ident.subscription_id}/providers/Microsoft.MachineLearningServices"
                         "/locations/") + "(?P<location>[^/]+)"
        arm = r"^management\.azure\.com$"
        return [("v2-usages", "GET", arm, base + "/usages", self._usages),
                ("v2-vmsizes", "GET", arm, base + "/vmSizes", self._sizes)]

    def _here(self, match: re.Match[str]) -> bool:
        return match["location"].lower() == self.data.identity.location.lower()

    def _usages(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
                request: Any = None) -> Answer:
        return 200, dict(JSON), {"value": self.data.usages if self._here(match) else [], "nextLink": None}

    def _sizes(self, match: re.Match[str], params: dict[str, str], services: frozenset[str],
               request: Any = None) -> Answer:
        return 200, dict(JSON), {"value": self.data.vm_sizes if self._here(match) else []}

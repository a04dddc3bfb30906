"""A whole workspace triaged at once: see :mod:`.scan`."""

from amlnbtools.sources.triage.scan import ScanSettings, scan_workspace

__all__ = ["ScanSettings", "scan_workspace"]

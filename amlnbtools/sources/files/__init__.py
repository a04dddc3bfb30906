"""Logs on disk: files and folders of any size, diagnostic bundles, folders of pipeline step logs, entry scripts.

Nothing here needs an Azure SDK.
"""

"""Downloading step log files from their SAS links into a private cache folder.

Each file is streamed in chunks (never whole in memory) to a temporary file next to its target, then
renamed into place, so a reader never sees half a file. Requests go through a ``requests`` session
whose ``HTTPAdapter`` retries with urllib3's ``Retry`` (connection errors, 429 and 5xx; Retry-After
honored up to a cap); every attempt has a connect and a read timeout and the whole file a deadline.
Every failure becomes a :class:`SourceError` whose message names the fix; SAS links (their ``sig=``)
never appear in it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amlnbtools.core.diagnosis.redact import redact
from amlnbtools.i18n import _
from amlnbtools.sources import _progress
from amlnbtools.sources.errors import SourceError

__all__ = ["DownloadLimits", "LogCache"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class DownloadLimits:
    """Time limits of one log file download.

    Attributes
    ----------
    connect_timeout_s, read_timeout_s : float
        Per attempt: to connect, and between two received bytes.
    retries : int
        Retries after a connection error, HTTP 429 or 5xx.
    backoff_s : float
        Base of the exponential back-off between retries.
    retry_after_cap_s : float
        The longest a ``Retry-After`` answer is waited for before retrying.
    budget_s : float
        The whole download, retries included; a slower one fails with a timeout.
    chunk_bytes : int
        Size of the pieces the file is streamed in.
    """

    connect_timeout_s: float = 5.0
    read_timeout_s: float = 15.0
    retries: int = 2
    backoff_s: float = 0.5
    retry_after_cap_s: float = 10.0
    budget_s: float = 120.0
    chunk_bytes: int = 64 * 1024


def _retry_class(cap_s: float) -> type:
    from urllib3.util.retry import Retry

    class CappedRetry(Retry):
        """urllib3's Retry, waiting at most ``cap_s`` for a Retry-After answer."""

        def get_retry_after(self, response: Any) -> float | None:
            value = super().get_retry_after(response)
            return None if value is None else min(value, cap_s)

    return CappedRetry


def _safe(part: str) -> str:
    clean = _UNSAFE.sub("_", part)[:120] or "_"
    return clean if clean == part else f"{clean}-{hashlib.sha1(part.encode()).hexdigest()[:8]}"


class LogCache:
    """A private folder of downloaded log files, removed by :meth:`close` or when the object is collected.

    Thread-safe: each thread downloads through its own session; one file is downloaded by one thread
    at a time.
    """

    def __init__(self, limits: DownloadLimits = DownloadLimits()) -> None:
        self.limits = limits
        self.folder = Path(tempfile.mkdtemp(prefix="amlnbtools-pipeline-logs-"))
        self._lock = threading.Lock()
        self._local = threading.local()
        self._sessions: list[Any] = []
        self._file_locks: dict[Path, threading.Lock] = {}
        self._finalizer = weakref.finalize(self, _cleanup, self.folder, self._sessions)

    @property
    def closed(self) -> bool:
        return not self._finalizer.alive

    def close(self) -> None:
        """Close the sessions and delete the folder; idempotent."""
        self._finalizer()

    def path_for(self, run_id: str, name: str) -> Path:
        """Where the log ``name`` of run ``run_id`` is kept (inside :attr:`folder`, whatever the name holds)."""
        parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".", "..")] or ["log"]
        return self.folder.joinpath(_safe(run_id), *(_safe(p) for p in parts))

    def lock_for(self, path: Path) -> threading.Lock:
        """The lock that serializes work on one cached file."""
        with self._lock:
            return self._file_locks.setdefault(path, threading.Lock())

    def _session(self) -> Any:
        session = getattr(self._local, "session", None)
        if session is None:
            import requests
            from requests.adapters import HTTPAdapter

            limits = self.limits
            retry = _retry_class(limits.retry_after_cap_s)(
                total=limits.retries, connect=limits.retries, read=limits.retries, status=limits.retries,
                backoff_factor=limits.backoff_s, status_forcelist=(429, 500, 502, 503, 504),
                allowed_methods=frozenset({"GET"}), respect_retry_after_header=True, raise_on_status=False)
            session = requests.Session()
            session.mount("https://", HTTPAdapter(max_retries=retry))
            session.mount("http://", HTTPAdapter(max_retries=retry))
            with self._lock:
                if self.closed:
                    session.close()
                    raise SourceError("unknown", _("This pipeline source is closed: open the run again."))
                self._sessions.append(session)
            self._local.session = session
        return session

    def download(self, url: str, target: Path, what: str, *, resume: bool = False) -> Path:
        """Stream ``url`` into ``target`` (atomically); raise :class:`SourceError` naming the fix.

        With ``resume`` and a ``target`` already there (a log still being written), only the bytes after it
        are asked for (``Range``) and appended; a server that sends the whole file again, or a file that
        got shorter, is downloaded whole.
        """
        if resume and target.is_file() and target.stat().st_size > 0:
            appended = self._append(url, target, what)
            if appended:
                return target
        limits = self.limits
        deadline = time.monotonic() + limits.budget_s
        try:
            with self._session().get(url, stream=True,
                                     timeout=(limits.connect_timeout_s, limits.read_timeout_s)) as response:
                if response.status_code not in (200, 206):
                    raise status_error(response.status_code, what, response.headers.get("Retry-After"))
                expected = response.headers.get("Content-Length")
                total = int(expected) if expected and expected.isdigit() else None
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, part = tempfile.mkstemp(dir=target.parent, prefix=".part-")
                try:
                    written = 0
                    with os.fdopen(fd, "wb") as out:
                        for chunk in response.iter_content(limits.chunk_bytes):
                            out.write(chunk)
                            written += len(chunk)
                            _progress.advance(written, total)  # stops here when the user cancels
                            if time.monotonic() > deadline:
                                raise TimeoutError(f"download took longer than {limits.budget_s:.0f} s")
                    if (expected and expected.isdigit() and int(expected) != written
                            and not response.headers.get("Content-Encoding")):
                        raise ConnectionError(f"incomplete body: {written} of {expected} bytes")
                    os.replace(part, target)
                except BaseException:
                    Path(part).unlink(missing_ok=True)
                    raise
        except (SourceError, _progress.Cancelled):
            raise
        except Exception as exc:
            raise exception_error(exc, what, self.folder, limits) from None
        return target


    def _append(self, url: str, target: Path, what: str) -> bool:
        """Append the bytes of ``url`` past ``target``'s size; False when the whole file must be fetched."""
        limits = self.limits
        deadline = time.monotonic() + limits.budget_s
        size = target.stat().st_size
        try:
            with self._session().get(url, stream=True, headers={"Range": f"bytes={size}-"},
                                     timeout=(limits.connect_timeout_s, limits.read_timeout_s)) as response:
                total = _range_total(response.headers.get("Content-Range"))
                if response.status_code == 416:  # nothing new, unless the file got shorter
                    return total is None or total == size
                if response.status_code != 206:
                    if response.status_code == 200:
                        return False
                    raise status_error(response.status_code, what, response.headers.get("Retry-After"))
                if total is not None and total < size:
                    return False
                with target.open("ab") as out:
                    done = size
                    for chunk in response.iter_content(limits.chunk_bytes):
                        out.write(chunk)
                        done += len(chunk)
                        _progress.advance(done, total)  # a cancelled append keeps whole bytes: the next resumes
                        if time.monotonic() > deadline:
                            raise TimeoutError(f"download took longer than {limits.budget_s:.0f} s")
        except (SourceError, _progress.Cancelled):
            raise
        except Exception as exc:
            raise exception_error(exc, what, self.folder, limits) from None
        return True


def _range_total(header: str | None) -> int | None:
    """The total size in a ``Content-Range`` header (``bytes 0-9/120`` or ``bytes */120``)."""
    match = re.search(r"/(\d+)\s*$", header or "")
    return int(match[1]) if match else None


def _cleanup(folder: Path, sessions: list[Any]) -> None:
    for session in sessions:
        with contextlib.suppress(Exception):  # closing is best effort
            session.close()
    sessions.clear()
    shutil.rmtree(folder, ignore_errors=True)


def status_error(status: int, what: str, retry_after: str | None = None) -> SourceError:
    """The error for an HTTP answer other than 200/206 to a log file's SAS link."""
    if status in (401, 403):
        return SourceError("token-expired", _(
            "The link to {what} has expired or was refused (HTTP {status}). Refresh the panel to get new "
            "links.").format(what=what, status=status), status=status)
    if status == 404:
        return SourceError("not-found", _(
            "{what} is no longer in the workspace storage (HTTP 404): it was removed, for example by a retention "
            "policy. Refresh the panel to list the files that remain.").format(what=what), status=status)
    if status == 429:
        wait = float(retry_after) if retry_after and retry_after.strip().isdigit() else None
        return SourceError("throttled", _("Azure Storage is limiting requests (HTTP 429). Wait {seconds} s, then "
                                          "try again.").format(seconds=int(wait or 60)),
                           status=status, retry_after_s=wait)
    if status >= 500:
        return SourceError("server-error", _(
            "Azure Storage answered with a server error (HTTP {status}) for {what}. This is usually temporary: try "
            "again in a minute.").format(status=status, what=what), status=status)
    return SourceError("bad-response", _("Azure Storage refused {what} (HTTP {status}). Refresh the panel, then "
                                         "try again.").format(what=what, status=status), status=status)


def exception_error(exc: BaseException, what: str, folder: Path, limits: DownloadLimits) -> SourceError:
    """The error for an exception raised while downloading (network, timeout, local disk)."""
    import requests

    detail = redact(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)[:200]
    if isinstance(exc, (requests.Timeout, TimeoutError)):
        seconds = limits.budget_s if isinstance(exc, TimeoutError) else limits.read_timeout_s
        return SourceError("timeout", _(
            "No answer from Azure Storage within {seconds} s for {what}. Check the network (proxy, VPN, firewall), "
            "then try again.").format(seconds=int(seconds), what=what), detail=detail)
    if isinstance(exc, (requests.RequestException, ConnectionError)):
        return SourceError("network", _(
            "The download of {what} was cut off, or Azure Storage could not be reached. Check the network (proxy, "
            "VPN, firewall), then try again.").format(what=what), detail=detail)
    if isinstance(exc, OSError):
        return SourceError("unknown", _(
            "Could not write {what} to the local folder {folder}: {detail}. Free some disk space, then try "
            "again.").format(what=what, folder=folder, detail=detail), detail=detail)
    return SourceError("unknown", _("Unexpected error while downloading {what}: {detail}").format(
        what=what, detail=detail), detail=detail)

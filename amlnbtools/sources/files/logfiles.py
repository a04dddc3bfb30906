"""Log files on disk: one file, or every log file in a downloaded run or pipeline folder."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from pathlib import Path

from amlnbtools.core import Findings, diagnose_stream
from amlnbtools.i18n import _

__all__ = ["LogPathError", "diagnose_file", "diagnose_path", "is_log_file", "iter_log_files", "open_log"]

#: Suffixes of the files Azure ML writes as logs (70_driver_log.txt, std_log.txt, *.log, …).
LOG_SUFFIXES = frozenset({".txt", ".log", ".out", ".err"})
_ROTATED = re.compile(r"\.(?:log|txt)\.\d+\Z")
_PLAIN_NAMES = frozenset({"stdout", "stderr"})
_SKIP_DIRS = frozenset({"__pycache__", "node_modules", "site-packages"})


class LogPathError(OSError):
    """Raised when a log path cannot be read; the message names the path and what to check."""


def is_log_file(path: Path) -> bool:
    """Whether a file name looks like a log (by name only: the content is never sniffed)."""
    name = path.name
    return path.suffix.lower() in LOG_SUFFIXES or bool(_ROTATED.search(name)) or name in _PLAIN_NAMES


def iter_log_files(root: Path) -> Iterator[Path]:
    """Every log file below ``root`` in sorted order, skipping hidden folders; symlinks not followed."""
    for dirpath, dirnames, filenames in os.walk(root, onerror=_raise):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in _SKIP_DIRS)
        for name in sorted(filenames):
            path = Path(dirpath, name)
            if is_log_file(path) and not path.is_symlink():
                yield path


def _raise(err: OSError) -> None:
    raise LogPathError(_("{path}: cannot list this folder ({detail}); check its permissions").format(
        path=err.filename, detail=err.strerror))


def unreadable(path: Path, exc: OSError) -> LogPathError:
    """The error for a log that cannot be read, naming the path and what to check."""
    return LogPathError(_("{path}: cannot read it ({detail}); check its permissions").format(
        path=path, detail=exc.strerror or exc))


def open_log(path: str | os.PathLike[str], *, buffering: int = -1) -> io.RawIOBase | io.BufferedIOBase:
    """Open a log file for binary reading; :class:`LogPathError` names the path and the fix.

    ``buffering=0`` gives the unbuffered file (for reads at known offsets).
    """
    p = Path(path)
    try:
        return p.open("rb", buffering=buffering)  # type: ignore[return-value]  # FileIO or BufferedReader
    except FileNotFoundError:
        raise LogPathError(_("{path}: no such file or folder; check the path").format(path=p)) from None
    except IsADirectoryError:
        raise LogPathError(_("{path}: is a folder; open one log file in it, or pass the folder to diagnose_path() "
                             "to read every log in it").format(path=p)) from None
    except OSError as exc:
        raise unreadable(p, exc) from None


def diagnose_file(path: str | os.PathLike[str], *, language: str | None = None, sdk: str = "v1") -> Findings:
    """Diagnose one file, read in chunks (any size, bounded memory); ``sdk="v2"`` words findings for SDK v2."""
    with open_log(path) as fh:
        try:
            return diagnose_stream(fh, language=language, sdk=sdk)
        except OSError as exc:
            raise unreadable(Path(path), exc) from None


def diagnose_path(path: str | os.PathLike[str], *, language: str | None = None) -> list[tuple[str, Findings]]:
    """Diagnose a file, or every log file in a folder.

    Returns
    -------
    list of (name, Findings)
        ``name`` is the path as given for a file, or relative to the folder (with ``/``).
    """
    p = Path(path)
    if p.is_dir():
        return [(f.relative_to(p).as_posix(), diagnose_file(f, language=language)) for f in iter_log_files(p)]
    return [(str(path), diagnose_file(p, language=language))]

"""Read a ParallelRunStep entry script from disk and check it (never run it)."""

from __future__ import annotations

import os
from pathlib import Path

from amlnbtools.core.parallel_run import ConfigIssue, check_entry_script
from amlnbtools.i18n import _

__all__ = ["MAX_SCRIPT_BYTES", "check_entry_script_file"]

#: Larger files are not read: an entry script is a few kilobytes.
MAX_SCRIPT_BYTES = 5 * 1024 * 1024


def _cannot(path: str, reason: str) -> tuple[ConfigIssue, ...]:
    return (ConfigIssue("entry_script", "error", _(
        "Cannot read the entry script {path}: {reason}. Give the path of the .py file, absolute or relative to "
        "{folder}.").format(path=path, reason=reason, folder=os.getcwd()), path),)


def check_entry_script_file(path: str | os.PathLike[str]) -> tuple[ConfigIssue, ...]:
    """Check the entry script at ``path`` with :func:`~amlnbtools.core.parallel_run.check_entry_script`.

    A path that cannot be read (missing, a folder, too large, not UTF-8) gives one error issue
    that says why; the function never raises for a bad path.
    """
    shown = os.fspath(path)
    file = Path(shown).expanduser()
    try:
        if file.is_dir():
            return _cannot(shown, _("it is a folder, not a file"))
        if file.stat().st_size > MAX_SCRIPT_BYTES:
            return _cannot(shown, _("it is larger than {size} MB").format(size=MAX_SCRIPT_BYTES // (1024 * 1024)))
        source = file.read_bytes()
    except OSError as exc:
        return _cannot(shown, exc.strerror or str(exc))
    try:
        text = source.decode("utf-8")
    except UnicodeDecodeError:
        return _cannot(shown, _("it is not UTF-8 text"))
    return check_entry_script(text)

"""Which workspace: config.json found the way both SDKs look for it, or ids given as arguments."""

from __future__ import annotations

import json
import os
from pathlib import Path

from amlnbtools.i18n import _
from amlnbtools.sources.errors import SourceError

__all__ = ["IDS", "find_config", "read_config", "resolve_ids"]

#: The keys of config.json (both SDKs read the same file).
IDS = ("subscription_id", "resource_group", "workspace_name")


def find_config(start: str | os.PathLike[str] | None = None) -> Path | None:
    """The first config.json in ``start`` (default: the working folder) or a parent, also in .azureml/."""
    folder = Path(start or Path.cwd()).resolve()
    for candidate_dir in (folder, *folder.parents):
        for candidate in (candidate_dir / "config.json", candidate_dir / ".azureml" / "config.json",
                          candidate_dir / "aml_config" / "config.json"):
            if candidate.is_file():
                return candidate
    return None


def read_config(path: Path) -> dict[str, str]:
    """subscription_id, resource_group and workspace_name from a config.json."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        message = _("{path} cannot be read as JSON ({detail}). Download config.json again from "
                    "the workspace page in Azure ML studio.").format(path=path, detail=exc)
        raise SourceError("bad-config", message) from exc
    if not isinstance(data, dict):
        data = {}
    values = {key: data.get(key) for key in IDS}
    missing = [k for k, v in values.items() if not isinstance(v, str) or not v.strip()]
    if missing:
        raise SourceError("bad-config", _("{path} lacks {keys}. Download config.json again from the workspace page in "
                                          "Azure ML studio.").format(path=path, keys=", ".join(missing)))
    return {k: v.strip() for k, v in values.items()}  # type: ignore[union-attr]


def resolve_ids(config: str | os.PathLike[str] | None = None, *, subscription_id: str | None = None,
                resource_group: str | None = None, workspace_name: str | None = None) -> tuple[dict[str, str], str]:
    """The workspace ids and where they came from: all three arguments, else config.json (arguments win).

    Raises
    ------
    SourceError
        ``no-config`` (the message names every way out, the sample included) or ``bad-config``.
    """
    given = {k: v for k, v in zip(IDS, (subscription_id, resource_group, workspace_name), strict=True) if v}
    if len(given) == len(IDS):
        return given, _("ids given as arguments")
    path = Path(config) if config is not None else find_config()
    if path is None or not path.is_file():
        raise SourceError("no-config", _(
            "No config.json in {folder} or its parent folders (their .azureml and aml_config folders "
            "included). Download it from the workspace page in Azure ML studio, pass subscription_id, "
            "resource_group and workspace_name, or try the embedded sample with "
            "amlnbtools.connect(sample=True).").format(folder=Path(config) if config else Path.cwd()))
    return {**read_config(path), **given}, str(path)

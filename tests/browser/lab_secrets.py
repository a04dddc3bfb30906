"""Find secrets of the sample (replay) workspace in a saved notebook file.

What counts: the service keys the replay answers with (``keys.json``), any JSON Web Token (the replay's
sign-in token is one; so is every Azure AD access token), a bearer token, and a SAS signature
(``sig=``) whose value is not redacted. The file is searched as text and, for JSON, in every string
it holds once decoded (escapes such as ``\\u0041`` cannot hide a secret).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

__all__ = ["find_secrets", "replay_secrets"]

_REPLAY_DATA = Path(__file__).resolve().parents[2] / "amlnbtools" / "sources" / "replay" / "data"
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")
_BEARER = re.compile(r"(?i)\bbearer\s+([A-Za-z0-9._~+/=-]{16,})")
_SAS = re.compile(r"(?i)[?&;]sig=([A-Za-z0-9%+/=_-]{6,})")  # a signature is base64, URL-encoded
_REDACTED = {"redacted", "[redacted]", "%5bredacted%5d", "***"}


def replay_secrets() -> list[str]:
    """The literal secrets of the replay workspace: its service keys and the signature of its tokens."""
    from amlnbtools.sources.replay._auth import make_token

    keys = json.loads((_REPLAY_DATA / "keys.json").read_text(encoding="utf-8"))
    token_signature = make_token("00000000-0000-0000-0000-000000000000").rsplit(".", 1)[1]
    return [*keys.values(), token_signature]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def find_secrets(text: str, secrets: Iterable[str] | None = None) -> list[str]:
    """Describe every secret found in ``text`` (a notebook file's content); empty when there is none."""
    literal = list(replay_secrets() if secrets is None else secrets)
    texts = [text]
    with contextlib.suppress(ValueError):
        texts.append("\n".join(_strings(json.loads(text))))
    found: list[str] = []
    for part in texts:
        found += [f"replay secret {s[:8]}…" for s in literal if s and s in part]
        found += [f"JSON Web Token {m.group(0)[:16]}…" for m in _JWT.finditer(part)]
        found += [f"bearer token {m.group(1)[:8]}…" for m in _BEARER.finditer(part)
                  if not m.group(1).lower().startswith(("[redacted", "redacted"))]
        found += [f"SAS signature sig={m.group(1)[:8]}…" for m in _SAS.finditer(part)
                  if m.group(1).lower() not in _REDACTED]
    return sorted(set(found))

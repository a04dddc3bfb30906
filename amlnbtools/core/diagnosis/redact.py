"""Redaction of secrets that logs and errors carry (service keys, SAS signatures, tokens, connection strings).

Used for everything amlnbtools shows or exports. The names stay visible (``sig=``, ``AccountKey=``,
``Bearer``) so a reader still sees *that* a secret was there; only the value is replaced.
"""

from __future__ import annotations

import re

__all__ = ["MASK", "redact", "redact_lines"]

MASK = "[REDACTED]"

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # JSON Web Tokens (Azure AD access tokens): header.payload.signature, base64url
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"), MASK),
    # Authorization headers
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"), r"\1" + MASK),
    # SAS tokens in URLs and connection strings
    (re.compile(r"(?i)((?:^|[?&;\s\"'])sig=)[A-Za-z0-9%+/=_-]{6,}"), r"\1" + MASK),
    # key=value secrets of connection strings and environment dumps
    (re.compile(r"(?i)\b(AccountKey|SharedAccessKey|SharedAccessSignature|InstrumentationKey|Password|Pwd|"
                r"client_secret|AZURE_CLIENT_SECRET|api[-_]?key|secret)(\s*[=:]\s*)([\"']?)[^\s;\"',}&]{4,}"),
     r"\1\2\3" + MASK),
    # JSON fields that hold keys or tokens
    (re.compile(r"(?i)(\"(?:primaryKey|secondaryKey|primary_key|secondary_key|accessToken|access_token|"
                r"refreshToken|refresh_token|clientSecret|client_secret|password|authorization)\"\s*:\s*\")"
                r"[^\"]{4,}(\")"),
     r"\1" + MASK + r"\2"),
)


# Every rule needs one of these words: a text without any is returned as it is (most log lines).
_ANY = re.compile(r"(?i)eyJ|bearer|sig=|key|secret|password|pwd|signature|token|authorization")


def redact(text: str) -> str:
    """Return ``text`` with every secret value replaced by ``[REDACTED]``."""
    if not _ANY.search(text):
        return text
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def redact_lines(lines: list[str]) -> list[str]:
    """Redact each line (secrets never span lines in the formats Azure ML writes)."""
    return [redact(line) for line in lines]

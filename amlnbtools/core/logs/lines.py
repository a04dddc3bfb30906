"""Log lines: split text the way the diagnosis engine numbers lines, and cut long ones for display."""

from __future__ import annotations

__all__ = ["cut_line", "split_lines"]


def split_lines(text: str) -> list[str]:
    """Split on LF, CRLF and lone CR (the engine's line numbering); no trailing empty line."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def cut_line(text: str, max_chars: int, more: int = 0) -> str:
    """Cut ``text`` to ``max_chars`` characters with the marker ``… [N more characters]`` (as IndexedLog)."""
    extra = len(text) - max_chars + more
    return text if extra <= 0 else f"{text[:max_chars]}… [{extra} more characters]"

"""What every route of the replay server answers with, and how a route is declared."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["JSON", "Answer", "Route"]

#: Headers of a JSON answer.
JSON = {"Content-Type": "application/json; charset=utf-8"}
#: A handler's answer: status, headers, body (JSON-serialisable, bytes or text).
Answer = tuple[int, dict[str, str], Any]
#: ``(name, method, host regex, path regex, handler)``: one row of the server's route table.
Route = tuple[str, str, str, str, Callable[..., Answer]]

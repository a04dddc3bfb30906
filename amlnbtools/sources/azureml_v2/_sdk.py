"""Small helpers for azure-ai-ml's objects and loggers (importing this module imports no SDK)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["field_of", "quiet_sdk"]


def field_of(obj: Any, name: str, key: str) -> Any:
    """An attribute of an SDK model, or a key (its wire name, else ``name``) of a plain dict: run history answers
    are either. Some azure-ai-ml jobs are dict subclasses: only a plain ``dict`` is read by key."""
    if type(obj) is dict:
        return obj.get(key, obj.get(name))
    return getattr(obj, name, None)


@contextmanager
def quiet_sdk() -> Iterator[None]:
    """azure-ai-ml logs a line per experimental class it loads: not the user's business while checking."""
    names = [n for n in list(logging.root.manager.loggerDict) if n == "azure.ai.ml" or n.startswith("azure.ai.ml.")]
    loggers = [logging.getLogger(n) for n in names or ["azure.ai.ml"]]
    levels = [logger.level for logger in loggers]
    for logger in loggers:  # some have their own level and handler (azure-ai-ml sets them up per module)
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)

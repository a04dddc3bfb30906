"""Shared test set-up: English by default, an isolated HOME, hypothesis without deadlines."""

from __future__ import annotations

import pytest
from hypothesis import settings

import amlnbtools.i18n as i18n

settings.register_profile("amlnbtools", deadline=None, max_examples=150, print_blob=True)
settings.load_profile("amlnbtools")


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts in English unless it chooses otherwise."""
    monkeypatch.setattr(i18n, "_chosen", None)
    monkeypatch.setenv(i18n.ENV_VAR, "en")


@pytest.fixture(autouse=True)
def _home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """azureml-core caches discovery data under HOME: give every test its own."""
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))

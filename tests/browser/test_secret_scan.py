"""The secret check used on saved notebooks finds what it must, and passes redacted text (no browser needed)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from lab_secrets import find_secrets, replay_secrets
from nbformat.v4 import new_code_cell, new_notebook, new_output

from amlnbtools.core.diagnosis.redact import redact

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
KEYS = json.loads((Path(__file__).resolve().parents[2] / "amlnbtools/sources/replay/data/keys.json").read_text())


def _token() -> str:
    from amlnbtools.sources.replay._auth import make_token

    return make_token("3f9c0e1a-0000-4000-8000-000000000000")


def _notebook_with(text: str, *, in_widget_state: bool = False) -> str:
    """A notebook file whose output (or saved widget state) holds ``text``."""
    nb = new_notebook(cells=[new_code_cell("print(log)", outputs=[new_output("stream", name="stdout", text="ok\n")])])
    if in_widget_state:
        nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {
            "state": {"abc": {"model_name": "HTMLModel", "state": {"value": f"<pre>{text}</pre>"}}},
            "version_major": 2, "version_minor": 0}}
    else:
        nb.cells[0].outputs[0]["text"] = text
    return nbformat.writes(nb)


def test_the_replay_secrets_are_its_keys_and_token_signature() -> None:
    secrets = replay_secrets()
    assert set(KEYS.values()) <= set(secrets)
    assert _token().rsplit(".", 1)[1] in secrets


@pytest.mark.parametrize("in_widget_state", [False, True])
@pytest.mark.parametrize("planted", [
    "primaryKey: {key}",
    "Authorization: Bearer {token}",
    "token={token}",
    "https://a.blob.core.windows.net/c/m.pkl?sv=2019-07-07&sr=b&sig=Xy9%2Fab3kLmN0pQ%3D&se=2026",
    "AccountKey={key};EndpointSuffix=core.windows.net",
])
def test_a_planted_secret_is_found(planted: str, in_widget_state: bool) -> None:
    text = planted.format(key=KEYS["primaryKey"], token=_token())
    assert find_secrets(_notebook_with(text, in_widget_state=in_widget_state)) != []


def test_a_secret_hidden_by_json_escapes_is_found() -> None:
    key = KEYS["secondaryKey"]
    escaped = "".join(f"\\u{ord(c):04x}" for c in key)
    text = _notebook_with("placeholder").replace("placeholder", escaped)
    assert key not in text
    assert find_secrets(text) != []


def test_redacted_text_passes() -> None:
    line = (f"Authorization: Bearer {_token()} api_key={KEYS['primaryKey']} "
            "https://a.blob.core.windows.net/c?sv=1&sig=Xy9%2Fab3kLmN0pQ%3D "
            f"{{\"secondaryKey\": \"{KEYS['secondaryKey']}\"}}")
    assert find_secrets(_notebook_with(line)) != []
    assert find_secrets(_notebook_with(redact(line))) == []
    assert find_secrets(_notebook_with("?sv=1&sig=REDACTED&se=2026 sig=[REDACTED] Bearer [REDACTED]")) == []


@pytest.mark.parametrize("name", sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb")))
def test_stored_notebooks_hold_no_secret(name: str) -> None:
    assert find_secrets((NOTEBOOK_DIR / name).read_text(encoding="utf-8")) == []

"""Reference-counted patches: installed once for overlapping blocks, undone after the last one, even on failure."""

from __future__ import annotations

import types

import pytest

from amlnbtools.sources._patches import PatchSet


def test_installed_once_and_restored_after_the_last_block() -> None:
    target = types.SimpleNamespace(value="original")
    patches = PatchSet()
    installs = []

    def install() -> None:
        installs.append(1)
        old = target.value
        target.value = "patched"
        patches.restore.append(lambda: setattr(target, "value", old))

    with patches.active(install):
        with patches.active(install):
            assert target.value == "patched"
        assert target.value == "patched"  # the outer block still needs it
    assert target.value == "original" and installs == [1]
    with patches.active(install):
        assert target.value == "patched"
    assert installs == [1, 1] and patches.restore == []


def test_a_failing_install_undoes_what_it_did() -> None:
    target = types.SimpleNamespace(a=1, b=2)
    patches = PatchSet()

    def install() -> None:
        target.a = 10
        patches.restore.append(lambda: setattr(target, "a", 1))
        raise RuntimeError("second patch failed")

    with pytest.raises(RuntimeError), patches.active(install):
        pass
    assert (target.a, target.b) == (1, 2) and patches.restore == []

"""A change to the authorizer's own files builds its zip again (they are not staged with the app's files)."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra import build


@pytest.mark.parametrize("changed", build.AUTHORIZER_FILES)
def test_the_build_inputs_change_with_the_authorizers_source(changed: str, monkeypatch: pytest.MonkeyPatch) -> None:
    before = build.inputs_hash("dev")
    read = Path.read_bytes

    def edited(path: Path) -> bytes:  # the file as it would be after an edit; the worktree is left alone
        return read(path) + b"\n# edited\n" if path == build.ROOT / changed else read(path)

    monkeypatch.setattr(Path, "read_bytes", edited)
    assert build.inputs_hash("dev") != before

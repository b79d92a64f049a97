"""The dev package's inputs digest depends on the region the build uses, not on how the environment spells it:
the suite's two workers (one with the local stack's AWS_DEFAULT_REGION set, one without) share one package, and a
digest that differed between them made each rebuild it under the other's reads (a missing sam.json mid-test)."""

from __future__ import annotations

import pytest

from infra import build


def test_an_unset_region_and_the_default_region_give_one_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    unset = build.inputs_hash("dev")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    assert build.inputs_hash("dev") == unset


def test_another_region_is_another_build(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    default = build.inputs_hash("dev")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "cn-north-1")
    assert build.inputs_hash("dev") != default

"""Fixtures of the infrastructure tests: the dev package (built once, shared by workers)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra import build
from tests.infra.cfn import Evaluator

STAGE = "dev"


@pytest.fixture(scope="session")
def package_dir() -> Path:
    """build/dev/package, built (or reused if its inputs are unchanged) by `infra.build`."""
    return build.package(STAGE, quiet=True)


@pytest.fixture(scope="session")
def sam(package_dir: Path) -> dict[str, Any]:
    return json.loads((package_dir / "sam.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def app_info(package_dir: Path) -> dict[str, Any]:
    """What the app defines for the stage: functions, handlers, entry points, routes."""
    return json.loads((package_dir.parent / "app.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    return build.load_spec()


@pytest.fixture(scope="session")
def evaluator(sam: dict[str, Any]) -> Evaluator:
    return Evaluator(sam)


def functions_of(sam: dict[str, Any]) -> dict[str, dict]:
    """Lambda functions of the packaged template: logical id -> resource."""
    return {k: r for k, r in sam["Resources"].items() if r["Type"] in ("AWS::Serverless::Function", "AWS::Lambda::Function")}


def name_of(logical_id: str, spec: dict[str, Any]) -> str:
    """A function's name in functions.json / Chalice from its logical id."""
    for name in spec["functions"]:
        if build.function_logical_id(name) == logical_id:
            return name
    raise KeyError(f"{logical_id} is not declared in infra/functions.json")


def require_function(name: str, sam: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """The packaged function; skipped (not failed) for a scheduled job app.py does not define yet."""
    logical = build.function_logical_id(name)
    resource = sam["Resources"].get(logical)
    if resource is None:
        if name in spec["schedules"]:
            pytest.skip(f"scheduled job {name} is not defined in app.py yet (app.lambda_function(name={name!r}))")
        pytest.fail(f"{name} is declared in infra/functions.json but the package has no function {logical}")
    return resource

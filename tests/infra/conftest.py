"""Fixtures of the infrastructure tests: the dev package (built once, shared by workers)."""

from __future__ import annotations

import fcntl
import hashlib
import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from infra import build
from tests.infra.cfn import Evaluator

STAGE = "dev"
CFN_LINT = Path(sys.executable).parent / "cfn-lint"


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


def _lint_stamp(template: Path) -> Path:
    """Where a pass is remembered: by digest, outside the package, so a rebuild that writes the same template reuses it."""
    return build.BUILD / "cfn-lint-passed" / _lint_digest(template)


def _lint_digest(template: Path) -> str:
    """What a lint's verdict depends on: the template's bytes and the linter's version (its rules and specs)."""
    return hashlib.sha256(template.read_bytes() + metadata.version("cfn-lint").encode()).hexdigest()


def _passed_before(template: Path) -> bool:
    return _lint_stamp(template).exists()


def cfn_lint(stage: str) -> str:
    """cfn-lint's findings on a stage's packaged template; "" when it passes.

    cfn-lint takes seconds per template, and a third of that to start: one run lints every
    stage whose template it has not passed yet (whichever worker asks first, the others
    wait for it), and a pass is remembered (build/cfn-lint-passed/) for the template's exact
    bytes and this cfn-lint version, so an unchanged template is not linted again.
    """
    templates = {s: build.package(s, quiet=True) / "sam.json" for s in build.STAGES}
    with open(build.BUILD / ".cfn-lint.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _passed_before(templates[stage]):
            return ""
        stale = [t for t in templates.values() if not _passed_before(t)]
        result = subprocess.run([str(CFN_LINT), "--format", "parseable", *map(str, stale)], capture_output=True, text=True, check=False)
        if result.returncode & 1 or (result.returncode and not result.stdout.strip()):  # cfn-lint itself failed
            return f"cfn-lint exited {result.returncode}: {result.stdout}{result.stderr}"
        for template in stale:
            if not [line for line in result.stdout.splitlines() if line.startswith(f"{template}:")]:
                _lint_stamp(template).parent.mkdir(exist_ok=True)
                _lint_stamp(template).touch()
        return "\n".join(line for line in result.stdout.splitlines() if line.startswith(f"{templates[stage]}:"))

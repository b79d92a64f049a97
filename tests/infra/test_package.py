"""The deployment zip: every handler of the template imports from it in a clean interpreter.

The zip is unpacked, as Lambda does (`/var/task`): zipimport cannot load the compiled
extensions in it (pydantic_core, wrapt). A subprocess with `python -I -S` (no
site-packages, no PYTHON* variables, no current directory) gets only the standard
library, the unpacked zip and — standing in for the Lambda Python runtime, which
provides them — boto3, s3transfer, botocore and the libraries only botocore needs. It imports each function's handler module with the
function's environment from the template and checks that the handler resolves to a
callable; then that no module came from anywhere else.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from infra import build
from tests.infra.cfn import Evaluator
from tests.infra.conftest import functions_of, require_function

SPEC = build.load_spec()
NAMES = sorted(SPEC["functions"])
RUNTIME_PROVIDED = ("boto3", "s3transfer", "botocore", "urllib3", "dateutil", "six")  # in the python3.11 Lambda runtime, not in the zip

SCRIPT = r"""
import importlib, json, sys, traceback
task, runtime, handlers = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sys.path.insert(0, task)
sys.path.append(runtime)
results = {}
for name, handler in handlers.items():
    module_name, _, attribute = handler.rpartition(".")
    try:
        module = importlib.import_module(module_name)
        target = getattr(module, attribute)
        results[name] = "ok" if callable(target) else f"{handler} is not callable"
    except Exception:
        results[name] = traceback.format_exc(limit=3)
stdlib = (sys.base_prefix, sys.base_exec_prefix)
outside = sorted(
    m for m, mod in list(sys.modules.items())
    if getattr(mod, "__file__", None) and not mod.__file__.startswith((task, runtime, *stdlib))
)
print(json.dumps({"results": results, "outside": outside, "path": sys.path}))
"""


@pytest.fixture(scope="module")
def unpacked(package_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    task = tmp_path_factory.mktemp("var-task")
    with zipfile.ZipFile(package_dir / "deployment.zip") as archive:
        archive.extractall(task)
    return task


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The packages the Lambda runtime provides beside the zip (links to this venv's)."""
    import importlib

    shim = tmp_path_factory.mktemp("lambda-runtime")
    for name in RUNTIME_PROVIDED:
        source = Path(importlib.import_module(name).__file__)
        if source.name == "__init__.py":  # a package (six is a module)
            source = source.parent
        (shim / source.name).symlink_to(source)
    return shim


@pytest.fixture(scope="module")
def authorizer_unpacked(package_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    task = tmp_path_factory.mktemp("authorizer-task")
    with zipfile.ZipFile(package_dir / "authorizer.zip") as archive:
        archive.extractall(task)
    return task


@pytest.fixture(scope="module")
def imported(unpacked: Path, authorizer_unpacked: Path, runtime: Path, sam: dict[str, Any], evaluator: Evaluator) -> dict[str, Any]:
    """Each handler imported from its own zip (CodeUri), in a clean interpreter per zip."""
    functions = functions_of(sam)
    zips = {"./deployment.zip": unpacked, "./authorizer.zip": authorizer_unpacked}
    merged: dict[str, Any] = {"results": {}, "outside": [], "path": []}
    for code_uri, task in zips.items():
        handlers = {logical: f["Properties"]["Handler"] for logical, f in functions.items() if f["Properties"]["CodeUri"] == code_uri}
        env = {"PATH": os.environ.get("PATH", ""), "AWS_DEFAULT_REGION": "cn-north-1", "LAMBDA_TASK_ROOT": str(task)}
        env.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "POWERTOOLS_TRACE_DISABLED": "true"})
        for function in functions.values():  # every function's environment (they agree on shared names)
            for key, value in function["Properties"].get("Environment", {}).get("Variables", {}).items():
                env[key] = str(evaluator.eval(value))
        result = subprocess.run(
            [sys.executable, "-I", "-S", "-c", SCRIPT, str(task), str(runtime), json.dumps(handlers)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        found = json.loads(result.stdout.strip().splitlines()[-1])
        merged["results"].update(found["results"])
        merged["outside"] += found["outside"]
        merged["path"] += found["path"]
    return merged


def test_the_interpreter_is_clean(imported: dict[str, Any], unpacked: Path) -> None:
    assert not any("site-packages" in p for p in imported["path"]), imported["path"]
    assert str(Path.cwd()) not in imported["path"] and "" not in imported["path"]


@pytest.mark.parametrize("name", NAMES)
def test_the_handler_imports_from_the_zip(name: str, imported: dict[str, Any], sam: dict[str, Any]) -> None:
    require_function(name, sam, SPEC)
    logical = build.function_logical_id(name)
    handler = sam["Resources"][logical]["Properties"]["Handler"]
    assert imported["results"][logical] == "ok", f"{logical} ({handler}):\n{imported['results'][logical]}"


def test_nothing_comes_from_outside_the_zip(imported: dict[str, Any]) -> None:
    assert imported["outside"] == []


def test_every_function_runs_from_the_same_zip(sam: dict[str, Any], package_dir: Path) -> None:
    """One zip for the service's functions; the authorizer's own (RSA needs cryptography, only it: issue 11)."""
    for logical, function in functions_of(sam).items():
        expected = "./authorizer.zip" if logical == "ApiAuthorizer" else "./deployment.zip"
        assert function["Properties"]["CodeUri"] == expected, logical
        assert function["Properties"]["Runtime"] == functions_of(sam)["APIHandler"]["Properties"]["Runtime"], logical
    assert (package_dir / "deployment.zip").stat().st_size < 250 * 1024 * 1024  # Lambda's unzipped limit is 250 MB


def test_the_zip_ships_the_code_and_data_the_functions_need(package_dir: Path) -> None:
    names = set(zipfile.ZipFile(package_dir / "deployment.zip").namelist())
    assert {"app.py", "chalicelib/wiring.py", "functions/workflow.py"} <= names
    assert {"infra/authorizer.py", "jwt/__init__.py"} <= set(zipfile.ZipFile(package_dir / "authorizer.zip").namelist())
    # the holiday calendar: data/holidays/README.md and every YYYY.json (read from the package at run time)
    holidays = Path(build.ROOT, "data", "holidays")
    assert {f"data/holidays/{p.name}" for p in holidays.iterdir() if p.is_file()} <= names
    assert not [n for n in names if n.startswith("data/residents")], "demo residents are not deployed"
    assert not [n for n in names if n.startswith(("tests/", "infra/build", "infra/template", "bench/"))]

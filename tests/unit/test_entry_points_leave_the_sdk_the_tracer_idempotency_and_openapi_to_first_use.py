"""A cold start imports what every call needs, not what some calls need (issue 10, cold start).

Each Lambda entry point is imported in a fresh interpreter, configured as deployed (stage
dev, inside Lambda, so Powertools would trace), and must not have imported boto3, the
client machinery of botocore, aws-xray-sdk, the Powertools idempotency utility or the
OpenAPI document. `botocore` itself may be there: Powertools imports the package (a few
small modules) to register its user agent. What was deferred still happens at first use.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.observability import DeferredTracer

ROOT = Path(__file__).resolve().parents[2]
ENTRY_POINTS = ("app", "functions.workflow", "functions.jobs", "infra.authorizer")
DEFERRED = (
    "boto3",
    "botocore.session",
    "botocore.client",
    "aws_xray_sdk",
    "aws_lambda_powertools.utilities.idempotency",
    "chalicelib.openapi",
)

IMPORT = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(sys.modules)))
"""


def _deployed_env(stage: str = "dev") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SSCARD_", "POWERTOOLS_"))}
    env.update({"SSCARD_STAGE": stage, "LAMBDA_TASK_ROOT": str(ROOT), "AWS_DEFAULT_REGION": "cn-north-1"})
    env.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
    return env


def _printed(code: str, *args: str) -> set[str]:
    """What `code` prints last (a JSON list), run in a fresh interpreter configured as deployed."""
    result = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, env=_deployed_env(), capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_importing_an_entry_point_defers_the_sdk_tracing_idempotency_and_openapi(entry_point: str) -> None:
    loaded = _printed(IMPORT, entry_point)
    assert entry_point in loaded
    early = sorted(m for m in loaded if any(m == d or m.startswith(d + ".") for d in DEFERRED))
    assert early == [], f"importing {entry_point} loaded {early}"


def test_x_ray_patches_botocore_before_the_first_client_is_made() -> None:
    # Before this change the Tracer patched botocore at import; now it must still precede any client.
    code = """
import json, sys
from chalicelib.wiring import services
services().client("dynamodb")
from aws_xray_sdk.core import patcher
print(json.dumps(sorted(patcher._PATCHED_MODULES)))
"""
    patched = _printed(code)
    assert "botocore" in patched


def test_a_traced_handler_builds_the_tracer_at_its_first_call_and_answers_as_before() -> None:
    tracer = DeferredTracer(service="sscard-test")

    def handler(event: dict, context: object) -> dict:
        if event.get("fail"):
            raise ValueError("refused")
        return {"answer": event["n"] * 2}

    traced = tracer.capture_lambda_handler(handler)
    assert tracer._tracer is None  # decorating at import builds nothing
    assert traced.__wrapped__ is handler  # infra/build.py follows it to list the function's code
    assert traced({"n": 21}, None) == {"answer": 42}
    assert type(tracer.get()).__name__ == "Tracer"
    with pytest.raises(ValueError, match="refused"):
        traced({"fail": True}, None)


def test_a_traced_handler_takes_the_tracers_options() -> None:
    tracer = DeferredTracer(service="sscard-test")

    @tracer.capture_lambda_handler(capture_response=False)
    def handler(event: dict, context: object) -> str:
        return "done"

    assert handler({}, None) == "done"

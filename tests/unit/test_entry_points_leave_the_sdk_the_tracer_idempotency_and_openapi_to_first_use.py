"""A cold start imports what every call needs, not what some calls need (issue 10, cold start).

Each Lambda entry point is imported in a fresh interpreter, configured as deployed (stage
dev, inside Lambda, so Powertools would trace), and must not have imported boto3, the
client machinery of botocore, aws-xray-sdk, Powertools (its Logger, Metrics, Tracer and
idempotency utility), the OpenAPI document, pydantic and pydantic-settings, the models,
the principal, the services or their wiring: a route or a handler imports those at its
first call. What was deferred still happens at first use.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.observability import DeferredLogger, DeferredMetrics, DeferredTracer
from chalicelib.settings import Settings
from chalicelib.stage import current_stage, is_local_stage
from functions.jobs import JOB_NAMES, jobs

ROOT = Path(__file__).resolve().parents[2]
ENTRY_POINTS = ("app", "functions.workflow", "functions.jobs", "infra.authorizer")
DEFERRED = (
    "boto3",
    "botocore.session",
    "botocore.client",
    "aws_xray_sdk",
    "aws_lambda_powertools.utilities.idempotency",
    "chalicelib.openapi",
    "aws_lambda_powertools",
    "pydantic",
    "pydantic_core",
    "pydantic_settings",
    "chalicelib.models",
    "chalicelib.auth",
    "chalicelib.settings",
    "chalicelib.validation",
    "chalicelib.services",
    "chalicelib.wiring",
    "functions.events",
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
    assert not tracer.built  # decorating at import builds nothing
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


def test_a_logged_and_counted_handler_builds_the_logger_and_the_metrics_at_its_first_call(capsys: pytest.CaptureFixture[str]) -> None:
    from aws_lambda_powertools import Logger, Metrics

    logger = DeferredLogger(lambda: Logger(service="sscard-test"))
    metrics = DeferredMetrics(lambda: Metrics(namespace="sscard-test", service="sscard-test"))

    @logger.inject_lambda_context(clear_state=True)
    @metrics.log_metrics
    def handler(event: dict, context: object) -> str:
        logger.append_keys(case_id=event["case_id"])
        logger.info("counted")
        metrics.add_metric(name="Counted", unit="Count", value=1)
        return "done"

    assert not logger.built and not metrics.built  # decorating at import builds nothing
    context = type("Context", (), {"function_name": "f", "memory_limit_in_mb": 128, "invoked_function_arn": "arn", "aws_request_id": "r"})()
    assert handler({"case_id": "C-1"}, context) == "done"
    assert isinstance(logger.get(), Logger) and isinstance(metrics.get(), Metrics)
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert any(line.get("message") == "counted" and line.get("case_id") == "C-1" and line.get("function_name") == "f" for line in printed)
    assert any(line.get("Counted") == [1.0] or line.get("Counted") == 1.0 for line in printed), printed  # flushed by log_metrics


@pytest.mark.parametrize(
    "environment",
    # a missing stage: tests/unit/test_the_stage_fails_closed.py
    [{"SSCARD_STAGE": "dev"}, {"SSCARD_STAGE": "local"}, {"sscard_stage": "prod"}, {"SSCARD_STAGE": "Local"}],
)
def test_the_stage_that_decides_the_dev_routes_is_the_one_the_settings_read(monkeypatch: pytest.MonkeyPatch, environment: dict) -> None:
    for name in [n for n in os.environ if n.lower() == "sscard_stage"]:
        monkeypatch.delenv(name)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    assert current_stage() == settings.stage
    assert is_local_stage() is settings.is_local


def test_every_job_the_local_stack_runs_has_a_name() -> None:
    assert set(jobs()) == set(JOB_NAMES)

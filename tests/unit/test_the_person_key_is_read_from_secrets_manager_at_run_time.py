"""Deployed, the person-key HMAC secret is read from Secrets Manager at run time and cached (issue 11)."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from chalicelib.settings import Settings
from chalicelib.wiring import Services

ROOT = Path(__file__).resolve().parents[2]
ID_NUMBER = "342701198503120022"
NAME = "sscard/dev/person-key"


def _expected(secret: str) -> str:
    return hmac.new(secret.encode(), ID_NUMBER.encode(), hashlib.sha256).hexdigest()


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.client("secretsmanager", region_name="cn-north-1")
        client.create_secret(Name=NAME, SecretString="the-deployed-person-key")
        try:
            yield client
        finally:
            # inside a worker's running local stack, moto's state outlives this block: leave no secret behind
            client.delete_secret(SecretId=NAME, ForceDeleteWithoutRecovery=True)


def _deployed(**settings: object) -> Services:
    return Services(Settings(stage="dev", region="cn-north-1", **settings))  # type: ignore[arg-type]


def test_a_deployed_stage_hashes_with_the_secret_it_reads(secrets: object) -> None:
    assert _deployed(person_key_secret_name=NAME).person_key(ID_NUMBER) == _expected("the-deployed-person-key")


def test_the_secret_is_read_once_per_cache_period_not_per_call(secrets: object) -> None:
    services = _deployed(person_key_secret_name=NAME)
    calls: list[str] = []
    first = services.person_key(ID_NUMBER)
    services._secrets.client.meta.events.register("before-call.secrets-manager.GetSecretValue", lambda **kw: calls.append("read"))
    secrets.put_secret_value(SecretId=NAME, SecretString="rotated-but-not-yet-seen")  # type: ignore[attr-defined]
    assert [services.person_key(ID_NUMBER) for _ in range(50)] == [first] * 50
    assert calls == []


def test_a_deployed_stage_without_the_secret_name_stops_rather_than_use_the_development_key(secrets: object) -> None:
    with pytest.raises(RuntimeError, match="SSCARD_PERSON_KEY_SECRET_NAME"):
        _deployed().person_key(ID_NUMBER)


@pytest.mark.parametrize("stage", ["local", "test"])
def test_a_stage_that_is_not_deployed_keeps_the_development_value_and_calls_no_aws(stage: str) -> None:
    services = Services(Settings(stage=stage))
    assert services.person_key(ID_NUMBER) == _expected("local-development-person-key")
    assert "_secrets" not in services.__dict__


def test_the_functions_get_the_secrets_name_never_its_value() -> None:
    environment = json.loads((ROOT / "infra" / "functions.json").read_text(encoding="utf-8"))["environment"]
    assert environment["SSCARD_PERSON_KEY_SECRET_NAME"] == {"Ref": "PersonKeySecretName"}
    assert "SSCARD_PERSON_KEY_SECRET" not in environment
    assert "resolve:secretsmanager" not in json.dumps(environment)

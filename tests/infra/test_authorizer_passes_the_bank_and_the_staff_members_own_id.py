"""Deployed, a bank's token keeps its `bank` claim and a staff token its `id_number` through the authorizer."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.auth import authenticate, require_staff
from chalicelib.errors import Forbidden
from infra import authorizer
from tests.infra.test_authorizer import AUDIENCE, METHOD_ARN, Provider, _jwk, keyset, token

DEPLOYED = SimpleNamespace(is_local=False)


def principal_through_the_authorizer(key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch, **claims):
    monkeypatch.setenv("SSCARD_AUTH_AUDIENCE", AUDIENCE)
    monkeypatch.setattr(authorizer, "_keys", keyset(Provider(_jwk(key, "k1"))))
    answer = authorizer.handler({"type": "TOKEN", "authorizationToken": f"Bearer {token(key, **claims)}", "methodArn": METHOD_ARN}, None)
    return authenticate(DEPLOYED, {}, {"authorizer": {**answer["context"], "principalId": answer["principalId"]}})


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_a_bank_token_names_its_bank(key, monkeypatch):
    principal = principal_through_the_authorizer(key, monkeypatch, sub="BANK-0001", roles=["bank"], bank="boc", phone_number=None)
    assert principal.bank == "boc" and require_staff(principal, "bank") is principal


def test_a_bank_token_without_its_bank_is_refused(key, monkeypatch):
    principal = principal_through_the_authorizer(key, monkeypatch, sub="BANK-0001", roles=["bank"], phone_number=None)
    with pytest.raises(Forbidden):
        require_staff(principal, "bank")


def test_a_reviewers_own_id_number_reaches_the_api(key, monkeypatch):
    principal = principal_through_the_authorizer(
        key, monkeypatch, sub="HR0001", roles=["reviewer"], district="341022", id_number="342701198001010069", phone_number=None
    )
    assert principal.person_id_number == "342701198001010069"

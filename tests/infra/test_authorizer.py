"""The API's Lambda authorizer (infra/authorizer.py) against tokens signed here."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.auth import Principal, _claims_from_authorizer
from infra import authorizer

ISSUER = "https://id.example.gov.cn"
AUDIENCE = "sscard"
METHOD_ARN = "arn:aws-cn:execute-api:cn-north-1:111122223333:abc123/api/POST/cases"
CITIZEN = {"sub": "342701198503120022", "name": "王芳", "phone_number": "13905590001", "roles": ["citizen"]}


def _b64(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _jwk(key: rsa.RSAPrivateKey, kid: str, **extra: Any) -> dict[str, Any]:
    numbers = key.public_key().public_numbers()
    return {"kty": "RSA", "kid": kid, "use": "sig", "n": _b64(numbers.n), "e": _b64(numbers.e), **extra}


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Provider:
    """The identity provider's discovery document and key set, counting fetches."""

    def __init__(self, *jwks: dict[str, Any]):
        self.keys = list(jwks)
        self.fetched: list[str] = []

    def __call__(self, url: str) -> dict[str, Any]:
        self.fetched.append(url)
        if url == f"{ISSUER}/.well-known/openid-configuration":
            return {"issuer": ISSUER, "jwks_uri": f"{ISSUER}/jwks"}
        if url == f"{ISSUER}/jwks":
            return {"keys": self.keys}
        raise OSError(url)


def token(key: rsa.RSAPrivateKey, kid: str = "k1", algorithm: str = "RS256", **claims: Any) -> str:
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 600, **CITIZEN, **claims}
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, key, algorithm=algorithm, headers={"kid": kid})


def keyset(provider: Provider, clock: Any = time.time) -> authorizer.KeySet:
    return authorizer.KeySet(ISSUER, fetch=provider, clock=clock)


def test_a_valid_token_gives_its_claims(key: rsa.RSAPrivateKey) -> None:
    claims = authorizer.verify(token(key), keyset(Provider(_jwk(key, "k1"))), AUDIENCE)
    assert claims["sub"] == CITIZEN["sub"]


@pytest.mark.parametrize("algorithm", ["RS256", "RS384", "RS512"])
def test_each_rsa_algorithm(key: rsa.RSAPrivateKey, algorithm: str) -> None:
    assert authorizer.verify(token(key, algorithm=algorithm), keyset(Provider(_jwk(key, "k1"))), AUDIENCE)["sub"]


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"iss": "https://evil.example.com"}, "wrong issuer"),
        ({"aud": "another-service"}, "wrong audience"),
        ({"exp": int(time.time()) - 3600}, "expired"),
        ({"exp": None}, "expired"),
        ({"nbf": int(time.time()) + 3600}, "not yet valid"),
        ({"sub": ""}, "no subject"),
    ],
)
def test_claims_that_are_refused(key: rsa.RSAPrivateKey, claims: dict[str, Any], reason: str) -> None:
    with pytest.raises(authorizer.Unauthorized, match=reason):
        authorizer.verify(token(key, **claims), keyset(Provider(_jwk(key, "k1"))), AUDIENCE)


def test_an_audience_list_is_accepted(key: rsa.RSAPrivateKey) -> None:
    assert authorizer.verify(token(key, aud=["portal", AUDIENCE]), keyset(Provider(_jwk(key, "k1"))), AUDIENCE)


def test_a_token_signed_by_another_key_is_refused(key: rsa.RSAPrivateKey, other_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(authorizer.Unauthorized, match="bad signature"):
        authorizer.verify(token(other_key), keyset(Provider(_jwk(key, "k1"))), AUDIENCE)


def test_a_changed_payload_is_refused(key: rsa.RSAPrivateKey) -> None:
    header, payload, signature = token(key).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["roles"] = ["reviewer"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(authorizer.Unauthorized, match="bad signature"):
        authorizer.verify(f"{header}.{forged}.{signature}", keyset(Provider(_jwk(key, "k1"))), AUDIENCE)


@pytest.mark.parametrize("algorithm", ["none", "HS256"])
def test_unsigned_and_symmetric_tokens_are_refused(key: rsa.RSAPrivateKey, algorithm: str) -> None:
    public_pem_as_secret = "the public key must never become an HMAC secret"
    forged = jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + 60, **CITIZEN}, public_pem_as_secret, algorithm="HS256")
    if algorithm == "none":
        header = base64.urlsafe_b64encode(b'{"alg":"none","kid":"k1"}').rstrip(b"=").decode()
        forged = f"{header}.{forged.split('.')[1]}."
    with pytest.raises(authorizer.Unauthorized, match="algorithm not accepted"):
        authorizer.verify(forged, keyset(Provider(_jwk(key, "k1"))), AUDIENCE)


def test_a_key_declared_for_another_algorithm_is_refused(key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(authorizer.Unauthorized, match="another algorithm"):
        authorizer.verify(token(key, algorithm="RS512"), keyset(Provider(_jwk(key, "k1", alg="RS256"))), AUDIENCE)


@pytest.mark.filterwarnings("ignore:The RSA key is 1024 bits")
def test_short_keys_are_not_used() -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(authorizer.KeysUnavailable, match="no RSA signing key of at least 2048 bits"):
        authorizer.verify(token(weak), keyset(Provider(_jwk(weak, "k1"))), AUDIENCE)


@pytest.mark.parametrize("garbage", ["", "abc", "a.b", "a.b.c", "....", "eyJhbGciOiJSUzI1NiJ9.e30.!!!"])
def test_malformed_tokens_are_refused(key: rsa.RSAPrivateKey, garbage: str) -> None:
    with pytest.raises(authorizer.Unauthorized):
        authorizer.verify(garbage, keyset(Provider(_jwk(key, "k1"))), AUDIENCE)


def test_keys_are_cached_and_refetched_for_a_new_kid(key: rsa.RSAPrivateKey, other_key: rsa.RSAPrivateKey) -> None:
    now = [1_000_000.0]
    provider = Provider(_jwk(key, "k1"))
    keys = keyset(provider, clock=lambda: now[0])
    authorizer.verify(token(key), keys, AUDIENCE)
    authorizer.verify(token(key), keys, AUDIENCE)
    assert len(provider.fetched) == 2  # discovery + JWKS, once
    provider.keys.append(_jwk(other_key, "k2"))  # the provider rotates its keys
    with pytest.raises(authorizer.Unauthorized, match="unknown signing key"):
        authorizer.verify(token(other_key, kid="k2"), keys, AUDIENCE)  # too soon to fetch again
    now[0] += authorizer.KEYS_MIN_REFRESH_SECONDS + 1
    assert authorizer.verify(token(other_key, kid="k2"), keys, AUDIENCE)["sub"]
    assert len(provider.fetched) == 4


def test_the_handler_passes_the_claims_the_api_reads(key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSCARD_AUTH_AUDIENCE", AUDIENCE)
    monkeypatch.setattr(authorizer, "_keys", keyset(Provider(_jwk(key, "k1"))))
    staff = token(key, sub="HR0001", roles=["reviewer", "clerk"], district="341003", phone_number=None)
    answer = authorizer.handler({"type": "TOKEN", "authorizationToken": f"Bearer {staff}", "methodArn": METHOD_ARN}, None)
    assert answer["principalId"] == "sscard-user"
    statement = answer["policyDocument"]["Statement"][0]
    api = "arn:aws-cn:execute-api:cn-north-1:111122223333:abc123/api"
    assert statement["Effect"] == "Allow" and statement["Action"] == "execute-api:Invoke"
    assert f"{api}/GET/reviews" in statement["Resource"] and f"{api}/POST/counter/cases" in statement["Resource"]
    assert f"{api}/*/*" not in statement["Resource"]  # the reviewer and clerk's routes only (issue 11)
    assert all(isinstance(v, str) for v in answer["context"].values())
    # API Gateway hands the context to the API as requestContext.authorizer (plus its own keys)
    request_context = {"authorizer": {**answer["context"], "principalId": answer["principalId"], "integrationLatency": 12}}
    claims = _claims_from_authorizer(request_context)
    assert claims is not None
    principal = Principal.model_validate({k: v for k, v in claims.items() if k in Principal.model_fields})
    assert (principal.sub, principal.roles, principal.district, principal.name) == ("HR0001", ["reviewer", "clerk"], "341003", "王芳")


@pytest.mark.parametrize("header", ["", "Bearer", "Basic dXNlcjpwYXNz", "Bearer not.a.token"])
def test_the_handler_answers_unauthorized(header: str, key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSCARD_AUTH_AUDIENCE", AUDIENCE)
    monkeypatch.setattr(authorizer, "_keys", keyset(Provider(_jwk(key, "k1"))))
    with pytest.raises(Exception, match="^Unauthorized$"):  # API Gateway's 401
        authorizer.handler({"type": "TOKEN", "authorizationToken": header, "methodArn": METHOD_ARN}, None)


def test_the_handler_fails_closed_when_the_keys_cannot_be_read(key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSCARD_AUTH_AUDIENCE", AUDIENCE)

    def unreachable(url: str) -> dict:
        raise OSError("timed out")

    monkeypatch.setattr(authorizer, "_keys", authorizer.KeySet(ISSUER, fetch=unreachable))
    with pytest.raises(Exception, match="^Unauthorized$"):
        authorizer.handler({"authorizationToken": f"Bearer {token(key)}", "methodArn": METHOD_ARN}, None)


def test_only_https_key_locations() -> None:
    with pytest.raises(authorizer.Unauthorized, match="non-HTTPS"):
        authorizer._fetch_json("http://id.example.gov.cn/jwks")

"""API Gateway token authorizer: the provincial identity provider's JWT, verified.

API Gateway calls `handler` with `Authorization: Bearer <JWT>` of a request to a
protected route (infra/build.py puts this authorizer on every route that is not public)
and caches the answer for the token for 5 minutes. The token must be signed with
RS256/RS384/RS512 by a key of the identity provider's JWKS, carry the configured issuer
and audience, and be within its validity (`exp`, `nbf`; 60 s of clock skew).
Its claims go on to the API as the authorizer context — strings only, so `roles` is
joined with spaces — which `chalicelib.auth` reads.

Configuration (environment, from the template's parameters): `SSCARD_AUTH_ISSUER`,
`SSCARD_AUTH_AUDIENCE`, `SSCARD_AUTH_JWKS_URI` (empty: taken from the issuer's
`/.well-known/openid-configuration`).

Only the standard library: RSA PKCS#1 v1.5 verification is a modular exponentiation
and a comparison with the expected encoding (never a parse of the decrypted block).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import threading
import time
import urllib.request
from typing import Any

log = logging.getLogger("sscard.authorizer")
log.setLevel(logging.INFO)

LEEWAY_SECONDS = 60
KEYS_MAX_AGE_SECONDS = 3600
KEYS_MIN_REFRESH_SECONDS = 60  # an unknown `kid` fetches the keys again, at most this often
MIN_KEY_BITS = 2048
CLAIMS = ("sub", "name", "phone_number", "district", "service_point", "bank", "id_number")
# DER DigestInfo prefixes of EMSA-PKCS1-v1_5 (RFC 8017 §9.2, note 1).
ALGORITHMS = {
    "RS256": (hashlib.sha256, bytes.fromhex("3031300d060960864801650304020105000420")),
    "RS384": (hashlib.sha384, bytes.fromhex("3041300d060960864801650304020205000430")),
    "RS512": (hashlib.sha512, bytes.fromhex("3051300d060960864801650304020305000440")),
}


class Unauthorized(Exception):
    """The token is not acceptable (API Gateway answers 401)."""


def _b64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _int(segment: str) -> int:
    return int.from_bytes(_b64(segment), "big")


def rsa_verify(n: int, e: int, message: bytes, signature: bytes, algorithm: str) -> bool:
    digest_fn, prefix = ALGORITHMS[algorithm]
    k = (n.bit_length() + 7) // 8
    if len(signature) != k:
        return False
    s = int.from_bytes(signature, "big")
    if s >= n:
        return False
    encoded = pow(s, e, n).to_bytes(k, "big")
    t = prefix + digest_fn(message).digest()
    if k < len(t) + 11:
        return False
    expected = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
    return hmac.compare_digest(encoded, expected)


def _fetch_json(url: str) -> dict:
    if not url.startswith("https://"):
        raise Unauthorized(f"refusing a non-HTTPS key location: {url}")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 — https only, checked above
    with urllib.request.urlopen(request, timeout=3) as response:  # noqa: S310
        return json.loads(response.read().decode("utf-8"))


class KeySet:
    """The identity provider's RSA signing keys, cached; refetched when a `kid` is unknown."""

    def __init__(self, issuer: str, jwks_uri: str = "", fetch: Any = _fetch_json, clock: Any = time.time):
        self.issuer = issuer.rstrip("/")
        self.jwks_uri = jwks_uri
        self._fetch = fetch
        self._clock = clock
        self._keys: dict[str, tuple[int, int, str | None]] = {}
        self._fetched_at = 0.0
        self._lock = threading.Lock()

    def _refresh(self) -> None:
        uri = self.jwks_uri or self._fetch(self.issuer + "/.well-known/openid-configuration")["jwks_uri"]
        keys = {}
        for jwk in self._fetch(uri).get("keys", []):
            if jwk.get("kty") != "RSA" or jwk.get("use", "sig") != "sig":
                continue
            n, e = _int(jwk["n"]), _int(jwk["e"])
            if n.bit_length() < MIN_KEY_BITS:
                continue
            keys[jwk.get("kid", "")] = (n, e, jwk.get("alg"))
        self._keys = keys
        self._fetched_at = self._clock()

    def key(self, kid: str) -> tuple[int, int, str | None]:
        with self._lock:
            age = self._clock() - self._fetched_at
            if age > KEYS_MAX_AGE_SECONDS or (kid not in self._keys and age > KEYS_MIN_REFRESH_SECONDS):
                self._refresh()
            if kid not in self._keys:
                raise Unauthorized("unknown signing key")
            return self._keys[kid]


def verify(token: str, keys: KeySet, audience: str, now: float | None = None) -> dict[str, Any]:
    """The claims of a valid token; Unauthorized otherwise."""
    try:
        header_b64, payload_b64, signature_b64 = token.split(".")
        header = json.loads(_b64(header_b64))
        claims = json.loads(_b64(payload_b64))
        signature = _b64(signature_b64)
    except (ValueError, UnicodeDecodeError) as error:
        raise Unauthorized("malformed token") from error
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise Unauthorized("malformed token")
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise Unauthorized(f"algorithm not accepted: {algorithm}")
    n, e, key_algorithm = keys.key(str(header.get("kid", "")))
    if key_algorithm and key_algorithm != algorithm:
        raise Unauthorized("the key is for another algorithm")
    if not rsa_verify(n, e, f"{header_b64}.{payload_b64}".encode("ascii"), signature, algorithm):
        raise Unauthorized("bad signature")
    now = time.time() if now is None else now
    if claims.get("iss") != keys.issuer and claims.get("iss") != keys.issuer + "/":
        raise Unauthorized("wrong issuer")
    aud = claims.get("aud")
    if audience not in (aud if isinstance(aud, list) else [aud]):
        raise Unauthorized("wrong audience")
    if not isinstance(claims.get("exp"), int | float) or claims["exp"] < now - LEEWAY_SECONDS:
        raise Unauthorized("expired")
    if isinstance(claims.get("nbf"), int | float) and claims["nbf"] > now + LEEWAY_SECONDS:
        raise Unauthorized("not yet valid")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise Unauthorized("no subject")
    return claims


def context_of(claims: dict[str, Any]) -> dict[str, str]:
    """The authorizer context: string values only (API Gateway's rule)."""
    context = {k: str(claims[k]) for k in CLAIMS if isinstance(claims.get(k), str | int) and str(claims[k])}
    roles = claims.get("roles", [])
    if isinstance(roles, str):
        roles = roles.replace(",", " ").split()
    context["roles"] = " ".join(str(r) for r in roles if isinstance(r, str) and r)
    return context


def policy(method_arn: str, context: dict[str, str]) -> dict[str, Any]:
    """Allow every route of this API stage: the answer is cached per token, not per route."""
    arn, _, path = method_arn.partition("/")
    stage = path.split("/", 1)[0]
    return {
        "principalId": "sscard-user",  # never the resident ID: it may reach access logs
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": f"{arn}/{stage}/*/*"}],
        },
        "context": context,
    }


_keys: KeySet | None = None


def _keyset() -> KeySet:
    global _keys  # noqa: PLW0603 — one key cache per Lambda container
    if _keys is None:
        _keys = KeySet(os.environ["SSCARD_AUTH_ISSUER"], os.environ.get("SSCARD_AUTH_JWKS_URI", ""))
    return _keys


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    scheme, _, token = str(event.get("authorizationToken", "")).partition(" ")
    try:
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("no bearer token")
        claims = verify(token.strip(), _keyset(), os.environ["SSCARD_AUTH_AUDIENCE"])
    except Unauthorized as error:
        log.info("token refused: %s", error)
        raise Exception("Unauthorized") from None  # noqa: TRY002 — the exact message API Gateway maps to 401
    except (OSError, ValueError, KeyError) as error:  # the key set could not be read
        log.error("token not verifiable: %s", type(error).__name__)
        raise Exception("Unauthorized") from None  # noqa: TRY002
    return policy(event["methodArn"], context_of(claims))

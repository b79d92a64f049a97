"""API Gateway token authorizer: the provincial identity provider's JWT, verified with PyJWT.

API Gateway calls `handler` with `Authorization: Bearer <JWT>` of a request to a protected
route (infra/build.py puts this authorizer on every route that is not public). The token
must be signed with RS256/RS384/RS512 by a key (RSA, at least 2048 bits) of the identity
provider's JWKS, carry the configured issuer and audience, be within its validity (`exp`,
`nbf`; 60 s of clock skew), be an access token (`typ` header, if any, `JWT` or `at+jwt`;
`token_use` claim, if any, `SSCARD_AUTH_TOKEN_USE`, default `access`) and name a subject.
Its claims go on to the API as the authorizer context — strings only, so `roles` is joined
with spaces — which `chalicelib.auth` reads.

The answer is a policy for the caller's roles only (ROLE_ROUTES), and API Gateway does not
cache it (POLICY_CACHE_SECONDS = 0): a cached answer would outlive a token that expires
within the cache time, and one answer serves every route only if it allows them all.

The keys (PyJWT's `PyJWKClient`, fetching through `_fetch_json`: HTTPS only, no redirects,
a short timeout, a bounded size) are fetched at the first token, again after
KEYS_MAX_AGE_SECONDS, or for an unknown `kid` at most every KEYS_MIN_REFRESH_SECONDS. A
refresh never holds a caller up behind another one, and after a failed fetch none is tried
for REFRESH_BACKOFF_SECONDS: while the identity provider is down, the keys already known
keep working and a call costs no network wait. A key set that cannot be read or has no
usable key answers 401 (never 500) and emits the `IdentityProviderKeysUnavailable` metric,
which the `IdentityProviderKeysAlarm` of infra/template.json turns into an operator alert.

PyJWT and cryptography (its RSA) are imported at the first token, not with this module: they
are most of the import's cost (issue 10), and a cold start that answers no token needs neither.

Configuration (environment, from the template's parameters): `SSCARD_AUTH_ISSUER`,
`SSCARD_AUTH_AUDIENCE`, `SSCARD_AUTH_JWKS_URI` (empty: taken from the issuer's
`/.well-known/openid-configuration`), `SSCARD_AUTH_TOKEN_USE` (optional).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import urllib.request
    from http.client import HTTPResponse

    from jwt import PyJWK, PyJWKClient

log = logging.getLogger("sscard.authorizer")
log.setLevel(logging.INFO)

LEEWAY_SECONDS = 60
POLICY_CACHE_SECONDS = 0  # infra/build.py sets API Gateway's authorizerResultTtlInSeconds from this
KEYS_MAX_AGE_SECONDS = 3600
KEYS_MIN_REFRESH_SECONDS = 60  # an unknown `kid` fetches the keys again, at most this often
REFRESH_BACKOFF_SECONDS = 30  # after a failed fetch, none is tried for this long
FETCH_TIMEOUT_SECONDS = 2.0
MAX_DOCUMENT_BYTES = 256 * 1024
MIN_KEY_BITS = 2048
ALGORITHMS = ("RS256", "RS384", "RS512")
TOKEN_TYPES = ("jwt", "at+jwt", "application/at+jwt")
ACCESS = "access"  # the `token_use` of an access token (the claim some identity providers add)
KEYS_METRIC = "IdentityProviderKeysUnavailable"
CLAIMS = ("sub", "name", "phone_number", "district", "service_point", "bank", "id_number")

# What each role may call (API Gateway matches `*` across path segments). A caller is allowed
# the routes of their roles only; chalicelib.auth checks the roles again route by route.
# tests/infra check that every protected route of the app is someone's, and nothing more.
ROLE_ROUTES: dict[str, tuple[str, ...]] = {
    "citizen": ("POST /prejudge", "POST /cases", "GET /cases", "* /cases/*"),
    "clerk": ("POST /counter/cases", "GET /counter/cases", "* /cases/*"),
    "reviewer": ("GET /reviews", "GET /reviews/*", "POST /reviews/*"),
    "pension_system": ("GET /pension/requests", "POST /pension/requests/*"),
    "bank": ("GET /bank/cards", "POST /bank/cards/*"),
    "operator": ("GET /admin/*", "PUT /admin/*"),
    "auditor": ("GET /audit", "GET /audit/*"),
}


class Unauthorized(Exception):
    """The token is not acceptable (API Gateway answers 401)."""


class KeysUnavailable(Unauthorized):
    """The identity provider's keys could not be fetched or used: 401, and an operator alert."""


@cache
def _opener() -> urllib.request.OpenerDirector:
    """The opener the keys are fetched with, which refuses a redirect: keys come from the configured HTTPS address only.

    Built at the first fetch: urllib.request (with http.client and email) would otherwise be a good part of this
    module's import, which a cold start pays before its first token."""
    import urllib.error
    import urllib.request

    class NoRedirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> None:
            raise urllib.error.HTTPError(req.full_url, code, f"redirect refused ({code})", headers, fp)

    return urllib.request.build_opener(NoRedirects())


def __getattr__(name: str) -> Any:
    """`OPENER`: the one opener (`_opener()`), built when first asked for."""
    if name == "OPENER":
        return _opener()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _bounded(response: HTTPResponse) -> bytes:
    """At most one byte more than a document may have: enough to tell that it is too large."""
    return response.read(MAX_DOCUMENT_BYTES + 1)


def _fetch_json(url: str) -> Any:
    if not url.startswith("https://"):
        raise KeysUnavailable(f"refusing a non-HTTPS key location: {url}")
    import urllib.request

    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 — https only, checked above
    try:
        with _opener().open(request, timeout=FETCH_TIMEOUT_SECONDS) as response:
            raw = _bounded(response)
    except (OSError, ValueError) as error:  # URLError, HTTPError (a refused redirect too), timeouts
        raise KeysUnavailable(f"identity provider unreachable: {type(error).__name__}") from None
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise KeysUnavailable("identity provider document too large")
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise KeysUnavailable("identity provider document is not JSON") from None


@cache
def _provider_keys_class() -> type[PyJWKClient]:
    """PyJWT's JWKS client, fetching through `fetch` and remembering which algorithm each key declares.

    Defined at the first key fetch: its base class is PyJWT's, imported only then."""
    from jwt import PyJWKClient

    class ProviderKeys(PyJWKClient):
        def __init__(self, uri: str, fetch: Callable[[str], Any]):
            super().__init__(uri, cache_jwk_set=False, timeout=FETCH_TIMEOUT_SECONDS)
            self._fetch = fetch
            self.declared: dict[str, str | None] = {}

        def fetch_data(self) -> Any:
            data = self._fetch(self.uri)
            if isinstance(data, dict) and isinstance(data.get("keys"), list):
                self.declared = {k.get("kid"): k.get("alg") for k in data["keys"] if isinstance(k, dict) and isinstance(k.get("kid"), str)}
            return data

    return ProviderKeys


def _usable(key: PyJWK) -> bool:
    return key.key_type == "RSA" and getattr(key.key, "key_size", 0) >= MIN_KEY_BITS


def alert_keys_unavailable(reason: str) -> None:
    """The operators' alarm: one CloudWatch metric (embedded metric format on stdout: no AWS call to fail)."""
    log.error("identity provider keys unavailable: %s", reason)
    print(  # the embedded metric format is a line on stdout
        json.dumps(
            {
                "_aws": {
                    "Timestamp": int(time.time() * 1000),
                    "CloudWatchMetrics": [
                        {"Namespace": "sscard", "Dimensions": [["service"]], "Metrics": [{"Name": KEYS_METRIC, "Unit": "Count"}]}
                    ],
                },
                "service": "authorizer",
                KEYS_METRIC: 1,
                "reason": reason,
            }
        ),
        flush=True,
    )


class KeySet:
    """The identity provider's RSA signing keys, cached; refreshed without blocking, backing off when it fails."""

    def __init__(self, issuer: str, jwks_uri: str = "", fetch: Callable[[str], Any] = _fetch_json, clock: Callable[[], float] = time.time):
        self.issuer = issuer.rstrip("/")
        self.jwks_uri = jwks_uri
        self._fetch = fetch
        self._clock = clock
        self._keys: dict[str, tuple[PyJWK, str | None]] = {}
        self._fetched_at: float | None = None
        self._failed_at: float | None = None
        self._refreshing = threading.Lock()

    def _refresh(self) -> None:
        import jwt

        uri = self.jwks_uri
        if not uri:
            discovery = self._fetch(self.issuer + "/.well-known/openid-configuration")
            if not isinstance(discovery, dict) or not isinstance(discovery.get("jwks_uri"), str):
                raise KeysUnavailable("the discovery document names no jwks_uri")
            uri = discovery["jwks_uri"]
        client = _provider_keys_class()(uri, self._fetch)
        try:
            found = client.get_signing_keys(refresh=True)
        except (jwt.PyJWKClientError, jwt.PyJWKSetError, jwt.InvalidKeyError, KeyError, TypeError, ValueError) as error:
            raise KeysUnavailable(f"unusable key set: {type(error).__name__}") from None
        keys = {k.key_id: (k, client.declared.get(k.key_id)) for k in found if _usable(k) and k.key_id}
        if not keys:
            raise KeysUnavailable("the key set has no RSA signing key of at least 2048 bits")
        self._keys = keys
        self._fetched_at = self._clock()

    def _due(self, kid: str, now: float) -> bool:
        if self._failed_at is not None and now - self._failed_at < REFRESH_BACKOFF_SECONDS:
            return False
        if self._fetched_at is None:
            return True
        age = now - self._fetched_at
        return age > KEYS_MAX_AGE_SECONDS or (kid not in self._keys and age > KEYS_MIN_REFRESH_SECONDS)

    def key(self, kid: str) -> tuple[Any, str | None]:
        """The public key of `kid` and the algorithm it declares (None: any of ALGORITHMS)."""
        now = self._clock()
        # One refresh at a time, and nobody waits for it: a caller who finds one running uses the keys already known.
        if self._due(kid, now) and self._refreshing.acquire(blocking=False):
            try:
                self._refresh()
                self._failed_at = None
            except Exception as error:  # unreachable, malformed, anything: back off, alert, keep the known keys
                self._failed_at = now
                reason = str(error) if isinstance(error, KeysUnavailable) else f"identity provider unreachable: {type(error).__name__}"
                alert_keys_unavailable(reason)
                if kid not in self._keys:
                    raise KeysUnavailable(reason) from None
            finally:
                self._refreshing.release()
        if kid not in self._keys:
            if not self._keys:
                raise KeysUnavailable("no signing keys known yet")
            raise Unauthorized("unknown signing key")
        jwk, declared = self._keys[kid]
        return jwk.key, declared


@cache
def _refusals() -> tuple[tuple[type[Exception], str], ...]:
    """What each of PyJWT's refusals tells the log (PyJWT is imported at the first token)."""
    import jwt

    return (
        (jwt.InvalidSignatureError, "bad signature"),
        (jwt.ExpiredSignatureError, "expired"),
        (jwt.ImmatureSignatureError, "not yet valid"),
        (jwt.InvalidIssuerError, "wrong issuer"),
        (jwt.InvalidAudienceError, "wrong audience"),
        (jwt.MissingRequiredClaimError, "expired or incomplete: a required claim is missing"),
        (jwt.exceptions.InvalidSubjectError, "no subject"),
    )


def verify(token: str, keys: KeySet, audience: str, token_use: str = ACCESS, now: float | None = None) -> dict[str, Any]:
    """The claims of a valid token; Unauthorized otherwise."""
    import jwt

    refusals = _refusals()
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise Unauthorized("malformed token") from None
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise Unauthorized(f"algorithm not accepted: {algorithm}")
    kind = header.get("typ")
    if kind is not None and (not isinstance(kind, str) or kind.lower() not in TOKEN_TYPES):
        raise Unauthorized(f"not an access token: typ {kind}")
    key, declared = keys.key(str(header.get("kid", "")))
    if declared and declared != algorithm:
        raise Unauthorized("the key is for another algorithm")
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=audience,
            issuer=[keys.issuer, keys.issuer + "/"],
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
    except tuple(kind for kind, _ in refusals) as error:
        raise Unauthorized(next(reason for kind, reason in refusals if isinstance(error, kind))) from None
    except jwt.PyJWTError:
        raise Unauthorized("malformed token") from None
    if now is not None and claims["exp"] < now - LEEWAY_SECONDS:  # a caller's own clock (tests, replays)
        raise Unauthorized("expired")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise Unauthorized("no subject")
    if "token_use" in claims and claims["token_use"] != token_use:
        raise Unauthorized(f"not an access token: token_use {claims['token_use']}")
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
    """Allow the routes of the caller's roles in this API stage, nothing else (no role: deny all)."""
    arn, _, path = method_arn.partition("/")
    stage = path.split("/", 1)[0]
    routes = sorted({route for role in context.get("roles", "").split() for route in ROLE_ROUTES.get(role, ())})
    resources = [f"{arn}/{stage}/{method}/{target.lstrip('/')}" for method, _, target in (r.partition(" ") for r in routes)]
    statement = (
        {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": resources}
        if resources
        else {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": f"{arn}/{stage}/*/*"}
    )
    return {
        "principalId": "sscard-user",  # never the resident ID: it may reach access logs
        "policyDocument": {"Version": "2012-10-17", "Statement": [statement]},
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
        audience = os.environ["SSCARD_AUTH_AUDIENCE"]
        claims = verify(token.strip(), _keyset(), audience, os.environ.get("SSCARD_AUTH_TOKEN_USE") or ACCESS)
        return policy(event["methodArn"], context_of(claims))
    except Unauthorized as error:
        log.info("token refused: %s", error)
    except Exception as error:  # whatever else goes wrong answers 401, never 500
        log.error("token not verifiable: %s", type(error).__name__)
    raise Exception("Unauthorized")  # noqa: TRY002 — the exact message API Gateway maps to 401

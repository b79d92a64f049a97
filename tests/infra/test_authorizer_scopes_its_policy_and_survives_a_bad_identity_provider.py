"""The authorizer on PyJWT (issue 11): a policy for the caller's roles, never cached past the token, access
tokens only, no redirects, and a key refresh that neither blocks nor answers 500 when the identity provider fails."""

from __future__ import annotations

import http.server
import json
import threading
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from infra import authorizer, build
from tests.infra.test_authorizer import AUDIENCE, ISSUER, METHOD_ARN, Provider, _jwk, keyset, token

API = "arn:aws-cn:execute-api:cn-north-1:111122223333:abc123/api"


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _answer(key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch, keys: authorizer.KeySet | None = None, **claims: Any) -> dict:
    monkeypatch.setenv("SSCARD_AUTH_AUDIENCE", AUDIENCE)
    monkeypatch.setattr(authorizer, "_keys", keys or keyset(Provider(_jwk(key, "k1"))))
    return authorizer.handler({"type": "TOKEN", "authorizationToken": f"Bearer {token(key, **claims)}", "methodArn": METHOD_ARN}, None)


# --- the policy -----------------------------------------------------------------------


def test_a_citizen_is_allowed_the_citizens_routes_only(key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch) -> None:
    statement = _answer(key, monkeypatch)["policyDocument"]["Statement"][0]
    assert statement["Effect"] == "Allow"
    assert sorted(statement["Resource"]) == sorted([f"{API}/POST/prejudge", f"{API}/POST/cases", f"{API}/GET/cases", f"{API}/*/cases/*"])


def test_a_token_without_a_known_role_is_denied_everything(key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch) -> None:
    statement = _answer(key, monkeypatch, roles=["superuser"])["policyDocument"]["Statement"][0]
    assert statement == {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": f"{API}/*/*"}


def _matches(pattern: str, method: str, path: str) -> bool:
    allowed_method, _, allowed_path = pattern.partition(" ")
    if allowed_method not in ("*", method):
        return False
    if allowed_path.endswith("/*"):
        return path.startswith(allowed_path[:-1]) and len(path) > len(allowed_path) - 1
    return path == allowed_path


def test_every_protected_route_of_the_app_is_some_roles_and_every_role_route_exists(app_routes: dict[str, list[str]]) -> None:
    public = {tuple(r.split(" ", 1)) for r in build.load_spec()["api"]["public_routes"]}
    protected = [(m, p) for p, methods in app_routes.items() for m in methods if (m, p) not in public and not p.startswith("/dev/")]
    patterns = [r for routes in authorizer.ROLE_ROUTES.values() for r in routes]
    assert [r for r in protected if not any(_matches(pattern, *r) for pattern in patterns)] == []
    assert [p for p in patterns if not p.startswith("GET /audit") and not any(_matches(p, *r) for r in protected)] == []


@pytest.fixture(scope="module")
def app_routes() -> dict[str, list[str]]:
    import app as application

    return {path: sorted(entries) for path, entries in application.app.routes.items()}


def test_api_gateway_caches_no_answer_so_none_outlives_its_token() -> None:
    override = build.api_override({"/cases": ["POST"]}, [])
    scheme = override["Properties"]["DefinitionBody"]["securityDefinitions"][build.SECURITY_SCHEME]
    assert scheme["x-amazon-apigateway-authorizer"]["authorizerResultTtlInSeconds"] == authorizer.POLICY_CACHE_SECONDS == 0


# --- access tokens only -------------------------------------------------------------------


@pytest.mark.parametrize("typ", ["JWT", "at+jwt", "application/at+JWT", None])
def test_access_token_types_are_accepted(key: rsa.RSAPrivateKey, typ: str | None) -> None:
    import jwt

    signed = jwt.encode(
        {"iss": ISSUER, "aud": AUDIENCE, "exp": 4102444800, "sub": "HR0001"}, key, algorithm="RS256", headers={"kid": "k1", "typ": typ}
    )
    assert authorizer.verify(signed, keyset(Provider(_jwk(key, "k1"))), AUDIENCE)["sub"] == "HR0001"


@pytest.mark.parametrize("typ", ["logout+jwt", "id_token+jwt", "refresh", 7])
def test_other_token_types_are_refused(key: rsa.RSAPrivateKey, typ: Any) -> None:
    import jwt

    signed = jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "exp": 4102444800, "sub": "HR0001"}, key, algorithm="RS256")
    header, payload, signature = signed.split(".")
    import base64

    forged_header = base64.urlsafe_b64encode(json.dumps({"alg": "RS256", "kid": "k1", "typ": typ}).encode()).rstrip(b"=").decode()
    with pytest.raises(authorizer.Unauthorized, match="not an access token"):
        authorizer.verify(f"{forged_header}.{payload}.{signature}", keyset(Provider(_jwk(key, "k1"))), AUDIENCE)


@pytest.mark.parametrize("use", ["id", "refresh"])
def test_a_token_use_other_than_access_is_refused(key: rsa.RSAPrivateKey, use: str) -> None:
    with pytest.raises(authorizer.Unauthorized, match="token_use"):
        authorizer.verify(token(key, token_use=use), keyset(Provider(_jwk(key, "k1"))), AUDIENCE)
    assert authorizer.verify(token(key, token_use="access"), keyset(Provider(_jwk(key, "k1"))), AUDIENCE)["sub"]


def test_the_accepted_token_use_is_configured(key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSCARD_AUTH_TOKEN_USE", "id")
    assert _answer(key, monkeypatch, token_use="id")["policyDocument"]["Statement"][0]["Effect"] == "Allow"
    with pytest.raises(Exception, match="^Unauthorized$"):
        _answer(key, monkeypatch, token_use="access")


# --- a bad or unreachable identity provider ---------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        [],
        "keys",
        {"keys": "not a list"},
        {"keys": []},
        {"keys": [{"kty": "RSA", "kid": "k1", "n": "!!", "e": "AQAB"}]},
        {"keys": [{"kty": "oct", "kid": "k1", "k": "c2VjcmV0"}]},
        {"nothing": True},
    ],
    ids=repr,
)
def test_a_bad_key_set_is_401_and_an_operator_alarm_never_500(
    document: Any, key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def provider(url: str) -> Any:
        return {"jwks_uri": f"{ISSUER}/jwks"} if url.endswith("openid-configuration") else document

    with pytest.raises(Exception, match="^Unauthorized$"):  # API Gateway's 401; any other exception is a 500
        _answer(key, monkeypatch, keys=authorizer.KeySet(ISSUER, fetch=provider))
    metrics = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert [m[authorizer.KEYS_METRIC] for m in metrics] == [1]
    assert metrics[0]["_aws"]["CloudWatchMetrics"][0]["Metrics"] == [{"Name": authorizer.KEYS_METRIC, "Unit": "Count"}]


def test_the_alarm_watches_the_metric_the_authorizer_emits() -> None:
    alarm = build.load_template()["Resources"]["IdentityProviderKeysAlarm"]["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("sscard", authorizer.KEYS_METRIC)
    assert alarm["Dimensions"] == [{"Name": "service", "Value": "authorizer"}]
    assert alarm["AlarmActions"] == [{"Ref": "OperatorAlarmsTopic"}]


class Flaky(Provider):
    """A provider that can go down; a call while down fails as a timeout would."""

    def __init__(self, *jwks: dict[str, Any]):
        super().__init__(*jwks)
        self.down = False

    def __call__(self, url: str) -> dict[str, Any]:
        if self.down:
            self.fetched.append(url)
            raise TimeoutError("timed out")
        return super().__call__(url)


def test_while_the_provider_is_down_known_keys_keep_working_and_calls_do_not_wait_for_it(
    key: rsa.RSAPrivateKey, other_key: rsa.RSAPrivateKey, capsys: pytest.CaptureFixture[str]
) -> None:
    now = [1_000_000.0]
    provider = Flaky(_jwk(key, "k1"))
    keys = keyset(provider, clock=lambda: now[0])
    authorizer.verify(token(key), keys, AUDIENCE)
    provider.down = True
    now[0] += authorizer.KEYS_MAX_AGE_SECONDS + 1  # the keys are due for a refresh, which fails once
    for _ in range(20):
        assert authorizer.verify(token(key), keys, AUDIENCE)["sub"]
    with pytest.raises(authorizer.Unauthorized, match="unknown signing key"):
        authorizer.verify(token(other_key, kid="k2"), keys, AUDIENCE)
    assert len(provider.fetched) == 3  # discovery and keys once, then one failed attempt: none during the back-off
    now[0] += authorizer.REFRESH_BACKOFF_SECONDS + 1
    authorizer.verify(token(key), keys, AUDIENCE)
    assert len(provider.fetched) == 4  # one more attempt after the back-off
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert [m[authorizer.KEYS_METRIC] for m in emitted] == [1, 1]  # one alarm per failed attempt


def test_with_no_keys_yet_a_down_provider_costs_one_attempt_per_back_off(key: rsa.RSAPrivateKey) -> None:
    now = [1_000_000.0]
    provider = Flaky(_jwk(key, "k1"))
    provider.down = True
    keys = keyset(provider, clock=lambda: now[0])
    for _ in range(10):
        with pytest.raises(authorizer.KeysUnavailable):
            authorizer.verify(token(key), keys, AUDIENCE)
    assert len(provider.fetched) == 1
    provider.down = False
    now[0] += authorizer.REFRESH_BACKOFF_SECONDS + 1
    assert authorizer.verify(token(key), keys, AUDIENCE)["sub"]


@pytest.fixture(scope="module")
def other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_a_refresh_under_way_holds_nobody_up(key: rsa.RSAPrivateKey) -> None:
    """While one caller's refresh waits on the provider, another is answered from the keys already known."""
    now = [1_000_000.0]
    provider = Provider(_jwk(key, "k1"))
    keys = keyset(provider, clock=lambda: now[0])
    authorizer.verify(token(key), keys, AUDIENCE)
    entered, release = threading.Event(), threading.Event()

    def slow(url: str) -> dict[str, Any]:
        entered.set()
        release.wait(10)
        return provider(url)

    keys._fetch = slow
    now[0] += authorizer.KEYS_MAX_AGE_SECONDS + 1
    refreshing = threading.Thread(target=authorizer.verify, args=(token(key), keys, AUDIENCE))
    refreshing.start()
    assert entered.wait(10)
    answered: list[str] = []
    other = threading.Thread(target=lambda: answered.append(authorizer.verify(token(key), keys, AUDIENCE)["sub"]))
    other.start()
    other.join(10)
    still_refreshing = refreshing.is_alive()
    release.set()
    refreshing.join(10)
    assert answered and still_refreshing  # the second caller finished while the refresh was still waiting


# --- no redirects --------------------------------------------------------------------------


class _Redirecting(http.server.BaseHTTPRequestHandler):
    followed: list[str] = []

    def do_GET(self) -> None:
        if self.path == "/jwks":
            self.send_response(302)
            self.send_header("Location", "/elsewhere")
            self.end_headers()
        else:
            _Redirecting.followed.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"keys": []}')

    def log_message(self, *args: Any) -> None:
        pass


def test_the_key_fetch_does_not_follow_redirects() -> None:
    import urllib.error

    server = http.server.HTTPServer(("127.0.0.1", 0), _Redirecting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(urllib.error.HTTPError) as refused:
            authorizer.OPENER.open(f"http://127.0.0.1:{server.server_port}/jwks", timeout=5)
        assert refused.value.code == 302 and _Redirecting.followed == []
    finally:
        server.shutdown()
        server.server_close()


def test_a_redirect_or_a_failure_is_keys_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.error

    def redirected(request: Any, timeout: float) -> Any:
        raise urllib.error.HTTPError(request.full_url, 302, "redirect refused (302)", {}, None)  # type: ignore[arg-type]

    monkeypatch.setattr(authorizer.OPENER, "open", redirected)
    with pytest.raises(authorizer.KeysUnavailable, match="unreachable"):
        authorizer._fetch_json(f"{ISSUER}/jwks")

"""The authorizer's module imports neither PyJWT, cryptography nor urllib.request: the first token does (issue 10).

Their import is most of a cold start's (bench/cold_start.py measures it); every check still runs at each token,
which tests/infra/test_authorizer*.py show.
"""

from __future__ import annotations

import json
import subprocess
import sys

from cryptography.hazmat.primitives.asymmetric import rsa

from tests.conftest import ROOT
from tests.infra.test_authorizer import AUDIENCE, METHOD_ARN, _jwk, token

HEAVY = ("jwt", "cryptography", "urllib.request", "http.client")

LOADED = r"""
import json, sys
from infra import authorizer
heavy = json.loads(sys.argv[1])
loaded = {"import": sorted(m for m in heavy if m in sys.modules)}
jwks = json.loads(sys.argv[2])
authorizer._keys = authorizer.KeySet("https://id.example.gov.cn", fetch=lambda url: jwks)
authorizer._keys.jwks_uri = "https://id.example.gov.cn/jwks"
answer = authorizer.handler({"authorizationToken": "Bearer " + sys.argv[3], "methodArn": sys.argv[4]}, None)
loaded["token"] = sorted(m for m in heavy if m in sys.modules)
loaded["sub"] = answer["context"]["sub"]
print(json.dumps(loaded))
"""


def test_the_module_leaves_pyjwt_to_the_first_token_which_is_verified_in_full() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    env = {"SSCARD_AUTH_ISSUER": "https://id.example.gov.cn", "SSCARD_AUTH_AUDIENCE": AUDIENCE, "PATH": "/usr/bin:/bin"}
    args = [json.dumps(HEAVY), json.dumps({"keys": [_jwk(key, "k1")]}), token(key), METHOD_ARN]
    result = subprocess.run(
        [sys.executable, "-c", LOADED, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["import"] == []
    assert loaded["token"] == sorted(HEAVY)  # PyJWT brings urllib.request itself (its PyJWKClient)
    assert loaded["sub"] == "342701198503120022"

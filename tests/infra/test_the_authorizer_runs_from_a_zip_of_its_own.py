"""The authorizer's zip carries PyJWT with RSA (cryptography); the service's zip does without it and stays under 10 MB."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from infra import build
from tests.infra.test_authorizer import AUDIENCE, METHOD_ARN, _jwk, token

VERIFY = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from infra import authorizer
jwks = json.loads(sys.argv[2])
def provider(url):
    return {"jwks_uri": "https://id.example.gov.cn/jwks"} if url.endswith("configuration") else jwks
authorizer._keys = authorizer.KeySet("https://id.example.gov.cn", fetch=provider)
answer = authorizer.handler({"authorizationToken": "Bearer " + sys.argv[3], "methodArn": sys.argv[4]}, None)
import cryptography, jwt
print(json.dumps({"answer": answer, "from": [cryptography.__file__, jwt.__file__]}))
"""


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _names(archive: Path) -> set[str]:
    with zipfile.ZipFile(archive) as zipped:
        return {build.distribution_of(name) for name in zipped.namelist()}


def test_the_service_zip_has_no_cryptography_and_the_authorizer_zip_nothing_but_its_own(package_dir: Path) -> None:
    assert not _names(package_dir / "deployment.zip") & {"cryptography", "cffi", "pycparser"}
    own = {"infra", "jwt", "pyjwt", "cryptography", "cffi", "pycparser"}
    assert {n for n in _names(package_dir / "authorizer.zip") if not n.startswith("_cffi_backend")} - own == set()


def test_a_token_is_verified_by_the_authorizer_zip_alone(package_dir: Path, tmp_path: Path, key: rsa.RSAPrivateKey) -> None:
    with zipfile.ZipFile(package_dir / "authorizer.zip") as archive:
        archive.extractall(tmp_path)
    env = {"SSCARD_AUTH_ISSUER": "https://id.example.gov.cn", "SSCARD_AUTH_AUDIENCE": AUDIENCE, "PATH": "/usr/bin:/bin"}
    args = [str(tmp_path), json.dumps({"keys": [_jwk(key, "k1")]}), token(key), METHOD_ARN]
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", VERIFY, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout.strip().splitlines()[-1])
    assert printed["answer"]["context"]["sub"] == "342701198503120022"
    assert all(path.startswith(str(tmp_path)) for path in printed["from"]), printed["from"]

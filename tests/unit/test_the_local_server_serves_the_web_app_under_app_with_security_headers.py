"""chalicelib/web_static.py: what `make run` answers for /, /app and /app/… (the API keeps every other path)."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from chalicelib import web_static
from chalicelib.web_static import answer, content_security_policy, security_headers


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>app</title>", encoding="utf-8")
    (tmp_path / "assets" / "index-abc123.js").write_text("export {}", encoding="utf-8")
    (tmp_path / "favicon.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path.parent / "secret.txt").write_text("outside the build", encoding="utf-8")
    return tmp_path


def test_the_root_goes_to_the_app_and_api_paths_are_not_answered_here(dist: Path) -> None:
    root = answer("GET", "/", dist)
    assert root is not None and root.status == 302 and root.headers["Location"] == "/app/"
    bare = answer("GET", "/app?x=1", dist)
    assert bare is not None and bare.status == 301 and bare.headers["Location"] == "/app/"
    for api_path in ("/cases", "/notice", "/application", "/dev/people", "/openapi.json"):
        assert answer("GET", api_path, dist) is None
    assert answer("POST", "/app/", dist) is None


def test_hashed_assets_are_cached_for_a_year_and_the_page_is_revalidated(dist: Path) -> None:
    asset = answer("GET", "/app/assets/index-abc123.js?v=1", dist)
    assert asset is not None and asset.status == 200 and asset.body == b"export {}"
    assert asset.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert asset.headers["Content-Type"].startswith("text/javascript")
    page = answer("GET", "/app/", dist)
    assert page is not None and page.status == 200 and page.body.startswith(b"<!doctype html>")
    assert page.headers["Cache-Control"] == "no-cache" and page.headers["Content-Type"] == "text/html; charset=utf-8"
    icon = answer("GET", "/app/favicon.svg", dist)
    assert icon is not None and icon.headers["Cache-Control"] == "no-cache" and icon.headers["Content-Type"] == "image/svg+xml"


def test_an_unknown_app_path_is_the_page_but_a_missing_asset_is_404(dist: Path) -> None:
    deep = answer("GET", "/app/cases/abc-123", dist)
    assert deep is not None and deep.status == 200 and deep.body == (dist / "index.html").read_bytes()
    stale = answer("GET", "/app/assets/index-old999.js", dist)
    assert stale is not None and stale.status == 404
    escape = answer("GET", "/app/../secret.txt", dist)
    assert escape is not None and b"outside" not in escape.body
    encoded = answer("GET", "/app/%2e%2e/secret.txt", dist)
    assert encoded is not None and b"outside" not in encoded.body
    nul = answer("GET", "/app/assets/%00x.js", dist)  # a name no file has: 404, not a dropped connection
    assert nul is not None and nul.status == 404


def test_the_runtime_configuration_is_the_demo_sign_in(dist: Path) -> None:
    config = answer("GET", "/app/config.json", dist)
    assert config is not None and config.status == 200 and config.body == b'{"signin": "demo"}'


def test_without_a_build_the_app_says_how_to_make_one(tmp_path: Path) -> None:
    missing = answer("GET", "/app/", tmp_path / "nothing")
    assert missing is not None and missing.status == 503 and "make web" in missing.body.decode()


def test_the_policy_allows_the_upload_origin_and_no_inline_script() -> None:
    policy = content_security_policy("http://127.0.0.1:45123")
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
    assert "connect-src 'self' http://127.0.0.1:45123;" in policy
    assert "connect-src 'self';" in content_security_policy(None)
    assert "Strict-Transport-Security" not in security_headers(https=False, upload=None)
    assert security_headers(https=True, upload=None)["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_handler_answers_the_app_with_the_headers_and_passes_the_rest_on(dist: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(web_static, "DIST", dist)
    monkeypatch.setenv("SSCARD_S3_ENDPOINT_URL", "http://127.0.0.1:45999")

    class Api(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "3")
            self.end_headers()
            self.wfile.write(b"api")

        def log_message(self, *args: object) -> None:  # quiet
            pass

    class Handler(web_static.ServesTheApp, Api):
        pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with urllib.request.urlopen(f"{base}/app/cases/1") as page:
            assert page.read().startswith(b"<!doctype html>")
            assert "connect-src 'self' http://127.0.0.1:45999;" in page.headers["Content-Security-Policy"]
            assert page.headers["X-Content-Type-Options"] == "nosniff" and page.headers["Referrer-Policy"]
            assert page.headers["Strict-Transport-Security"] is None
        proxied = urllib.request.Request(f"{base}/app/", headers={"X-Forwarded-Proto": "https"})
        with urllib.request.urlopen(proxied) as page:
            assert page.headers["Strict-Transport-Security"]
        with urllib.request.urlopen(f"{base}/cases") as api:
            assert api.read() == b"api"
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{base}/app/assets/gone.js")
        assert missing.value.code == 404
    finally:
        server.shutdown()
        server.server_close()

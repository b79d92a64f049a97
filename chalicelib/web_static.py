"""The web app (web/dist) served by `make run` under /app/, beside the API on the same origin.

Deployed, CloudFront serves the app from a private S3 bucket with these same headers (infra/);
locally the local server's request handler answers /, /app and /app/… here and passes every other
path to chalice local. What a path gets:

- `/` → redirect to /app/ (the citizen app); `/app` → /app/;
- `/app/config.json` → the runtime configuration: the demo sign-in (deployed: OpenID Connect);
- a file of the build → that file; the hashed files under /app/assets/ never change under their
  name, so a year's cache; everything else (index.html first) is revalidated each time
  (`no-cache`), so a new build is seen at once;
- any other /app/ path → index.html (the app's router shows the screen: a reload of /app/cases/… works),
  except a missing /app/assets/ file, which is 404 (a stale page asking for an old chunk must fail
  visibly, not receive HTML as JavaScript).

Every answer carries the deployment's security headers: a CSP without inline scripts (the build has
none; `font-src data:` because Vant's icon font is inlined in its CSS as a data: URL), frame-ancestors
'none', nosniff, a referrer policy; HSTS only over HTTPS (a TLS proxy in front says so with
X-Forwarded-Proto), because a browser would refuse plain http://127.0.0.1 for a year.
"""

from __future__ import annotations

import json
import mimetypes
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "web" / "dist"
BASE = "/app/"
LOCAL_CONFIG = {"signin": "demo"}  # deployed: {"signin": "oidc", "issuer": …, "clientId": …}
LONG_CACHE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
HSTS = "max-age=31536000; includeSubDomains"
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".html": "text/html; charset=utf-8"}


def upload_origin() -> str | None:
    """The origin of the local stack's S3 server: the browser posts materials to its presigned URLs."""
    endpoint = os.environ.get("SSCARD_S3_ENDPOINT_URL")
    if not endpoint:
        return None
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(upload: str | None) -> str:
    connect = " ".join(filter(None, ["'self'", upload]))
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
        f"connect-src {connect}; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
    )


def security_headers(https: bool, upload: str | None) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": content_security_policy(upload),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Frame-Options": "DENY",
    }
    if https:
        headers["Strict-Transport-Security"] = HSTS
    return headers


@dataclass
class StaticAnswer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def _text(status: int, text: str) -> StaticAnswer:
    return StaticAnswer(status, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": REVALIDATE}, text.encode())


def _file(path: Path, cache: str) -> StaticAnswer:
    content_type = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return StaticAnswer(200, {"Content-Type": content_type, "Cache-Control": cache}, path.read_bytes())


def _inside(dist: Path, relative: str) -> Path | None:
    """The build's file at `relative`, or None: missing, a folder, outside the build (`..`), or unnameable (NUL)."""
    if "\x00" in relative:  # `/app/%00x`: no file has such a name (resolve() would raise)
        return None
    candidate = (dist / relative).resolve()
    if not candidate.is_relative_to(dist.resolve()) or not candidate.is_file():
        return None
    return candidate


def answer(method: str, target: str, dist: Path | None = None) -> StaticAnswer | None:
    """What the server answers for `target` (path and query), or None when the path is the API's.

    `dist` defaults to the module's `DIST` read at the call (not at import), so a test can point it elsewhere."""
    dist = DIST if dist is None else dist
    if method not in ("GET", "HEAD"):
        return None
    path = unquote(urlsplit(target).path)
    if path == "/":
        return StaticAnswer(302, {"Location": BASE, "Cache-Control": REVALIDATE})
    if path == BASE.rstrip("/"):
        return StaticAnswer(301, {"Location": BASE, "Cache-Control": REVALIDATE})
    if not path.startswith(BASE):
        return None
    relative = path[len(BASE) :]
    if relative == "config.json":
        body = json.dumps(LOCAL_CONFIG).encode()
        return StaticAnswer(200, {"Content-Type": "application/json", "Cache-Control": REVALIDATE}, body)
    index = _inside(dist, "index.html")
    if index is None:
        return _text(503, "前端尚未构建：请运行 make web（make run 会自动构建）")
    found = _inside(dist, relative) if relative else None
    if found is not None:
        return _file(found, LONG_CACHE if relative.startswith("assets/") else REVALIDATE)
    if relative.startswith("assets/"):
        return _text(404, "没有这个文件")
    return _file(index, REVALIDATE)


class ServesTheApp:
    """Mixed into the local server's request handler (before chalice's): /, /app and /app/… answered here."""

    def _answer_static(self) -> bool:
        handler: Any = self
        found = answer(handler.command, handler.path)
        if found is None:
            return False
        https = handler.headers.get("X-Forwarded-Proto", "").lower() == "https"
        headers = {**found.headers, **security_headers(https, upload_origin()), "Content-Length": str(len(found.body))}
        handler.send_response(found.status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(found.body)
        return True

    def do_GET(self) -> None:
        if not self._answer_static():
            super().do_GET()  # type: ignore[misc]

    def do_HEAD(self) -> None:
        if not self._answer_static():
            super().do_HEAD()  # type: ignore[misc]

"""`make publish-web STAGE=dev|prod`: the built web app (`web/dist`) into a deployed stage.

    python -m infra.publish_web --stage prod [--stack sscard-prod] [--dist web/dist]

Everything comes from the stack's outputs (one source: what was deployed):
`WebBucketName` and `WebDistributionId` say where; `WebSignInIssuer` and `WebSignInClientId`
say how the app signs in. The issuer is the stack's `IdentityProviderIssuer`, the one the
API's authorizer checks tokens against, and the client id is `WebClientId` (or
`IdentityProviderAudience` when that is empty), so the app and the API cannot disagree.

1. Uploads every file of the dist folder under `app/` (the distribution serves `/app/*` from
   the bucket with the path as the key), each with its Content-Type (the headers policy sends
   `nosniff`: a wrong type is a broken page) and Cache-Control: Vite's content-hashed files
   under `assets/` are immutable for a year; every other file is `no-cache` (revalidated).
   Hashed files go first and `index.html` last, so that a browser that gets the new
   `index.html` finds every file it names. Earlier hashed files stay: a page opened before the
   publish still loads its chunks.
2. Writes `app/config.json` from the outputs (`{"signin": "oidc", "issuer", "clientId"}`); a
   `config.json` in the dist folder (the local demo sign-in) is not uploaded.
3. Invalidates `/app/index.html` and `/app/config.json`: the only cached files that change
   under the same name (every route of the app is served as `/app/index.html`).
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import re
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "web" / "dist"
STAGES = ("dev", "prod")
PREFIX = "app/"
CONFIG = "config.json"
ENTRY = "index.html"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Vite names what it builds `assets/<name>-<hash>.<ext>` (the hash: 8 or more base64url characters).
HASHED = re.compile(r"^assets/(?:.+/)?[^/]+[-.][A-Za-z0-9_-]{8,}\.[A-Za-z0-9]+$")
TEXT = "; charset=utf-8"
CONTENT_TYPES = {
    ".html": "text/html" + TEXT,
    ".js": "text/javascript" + TEXT,
    ".mjs": "text/javascript" + TEXT,
    ".css": "text/css" + TEXT,
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".txt": "text/plain" + TEXT,
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".wasm": "application/wasm",
    ".pdf": "application/pdf",
}
OUTPUTS = ("WebBucketName", "WebDistributionId", "WebSignInIssuer", "WebSignInClientId", "WebURL")


class PublishError(Exception):
    """Something a person must fix before the app can be published (no build, a stack without the web outputs)."""


@dataclass(frozen=True)
class Target:
    """Where and how a stage's web app is published: from the stack's outputs."""

    bucket: str
    distribution_id: str
    issuer: str
    client_id: str
    url: str


@dataclass(frozen=True)
class Upload:
    key: str
    body: bytes
    content_type: str
    cache_control: str


@dataclass(frozen=True)
class Published:
    uploads: list[Upload]
    invalidation_id: str


def content_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def cache_control(relative: str) -> str:
    return IMMUTABLE if HASHED.match(relative) else REVALIDATE


def web_config(target: Target) -> bytes:
    """The app's runtime configuration (`/app/config.json`): sign in with the provincial identity provider."""
    return json.dumps({"signin": "oidc", "issuer": target.issuer, "clientId": target.client_id}, ensure_ascii=False).encode()


def uploads(dist: Path, target: Target) -> list[Upload]:
    """What goes into the bucket, in the order it must go: hashed files, other files, config.json, index.html."""
    if not (dist / ENTRY).is_file():
        raise PublishError(f"{dist} has no {ENTRY}: build the web app first (npm --prefix web run build)")
    files = sorted(p for p in dist.rglob("*") if p.is_file())
    planned = []
    for path in files:
        relative = path.relative_to(dist).as_posix()
        if relative in (CONFIG, ENTRY):
            continue
        planned.append(Upload(PREFIX + relative, path.read_bytes(), content_type(relative), cache_control(relative)))
    planned.sort(key=lambda u: u.cache_control != IMMUTABLE)  # stable: hashed files first, each group in name order
    planned.append(Upload(PREFIX + CONFIG, web_config(target), content_type(CONFIG), REVALIDATE))
    planned.append(Upload(PREFIX + ENTRY, (dist / ENTRY).read_bytes(), content_type(ENTRY), REVALIDATE))
    return planned


def stack_target(cloudformation: Any, stack: str) -> Target:
    """The stage's web bucket, distribution and sign-in settings from its stack's outputs."""
    described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    missing = [name for name in OUTPUTS if not outputs.get(name)]
    if missing:
        raise PublishError(f"stack {stack} has no output {', '.join(missing)}: deploy a package with the web distribution first")
    if not outputs["WebSignInIssuer"].startswith("https://"):
        raise PublishError(f"stack {stack}: the sign-in issuer must be an https:// URL, not {outputs['WebSignInIssuer']!r}")
    return Target(
        bucket=outputs["WebBucketName"],
        distribution_id=outputs["WebDistributionId"],
        issuer=outputs["WebSignInIssuer"],
        client_id=outputs["WebSignInClientId"],
        url=outputs["WebURL"],
    )


def publish(dist: Path, target: Target, s3: Any, cloudfront: Any) -> Published:
    planned = uploads(dist, target)
    for upload in planned:
        s3.put_object(
            Bucket=target.bucket, Key=upload.key, Body=upload.body, ContentType=upload.content_type, CacheControl=upload.cache_control
        )
    paths = [f"/{PREFIX}{ENTRY}", f"/{PREFIX}{CONFIG}"]
    invalidation = cloudfront.create_invalidation(
        DistributionId=target.distribution_id,
        InvalidationBatch={"Paths": {"Quantity": len(paths), "Items": paths}, "CallerReference": f"publish-web-{uuid.uuid4()}"},
    )
    return Published(planned, invalidation["Invalidation"]["Id"])


def main(argv: list[str] | None = None, session: Any = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", required=True, choices=STAGES)
    parser.add_argument("--stack", help="the stage's CloudFormation stack (default: sscard-<stage>)")
    parser.add_argument("--dist", type=Path, default=DIST, help="the built app (default: web/dist)")
    args = parser.parse_args(argv)
    if session is None:
        import boto3

        session = boto3.session.Session()
    stack = args.stack or f"sscard-{args.stage}"
    try:
        target = stack_target(session.client("cloudformation"), stack)
        published = publish(args.dist, target, session.client("s3"), session.client("cloudfront"))
    except PublishError as error:
        print(f"publish-web: {error}", file=sys.stderr)
        return 1
    print(f"uploaded {len(published.uploads)} files to s3://{target.bucket}/{PREFIX} (sign-in: {target.issuer}, client {target.client_id})")
    print(f"invalidation {published.invalidation_id} of /{PREFIX}{ENTRY} and /{PREFIX}{CONFIG} (CloudFront applies it within minutes)")
    print(target.url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

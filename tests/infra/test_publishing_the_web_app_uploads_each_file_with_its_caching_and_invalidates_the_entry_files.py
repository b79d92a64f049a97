"""`python -m infra.publish_web` (make publish-web) on moto: S3, CloudFront and the stack's outputs, a tiny dist folder."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws

from infra import publish_web

REGION = "us-east-1"
STACK = f"sscard-dev-{uuid.uuid4().hex[:8]}"  # the default name (sscard-dev) works too; this one is nobody else's
ISSUER = "https://id.example.gov.cn/realms/anhui"
CLIENT_ID = "sscard-web"
HASHED = {
    "assets/index-Bq3xZ9aK.js": ("text/javascript; charset=utf-8", b"console.log('app')"),
    "assets/index-C1d2_E3f.css": ("text/css; charset=utf-8", b"body{margin:0}"),
    "assets/logo-D5e6F7g8.svg": ("image/svg+xml", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
    "assets/fonts/vant-icon-d3f0ab12.woff2": ("font/woff2", b"wOF2"),
}
UNHASHED = {
    "favicon.ico": ("image/x-icon", b"\x00\x00\x01\x00"),
    "robots.txt": ("text/plain; charset=utf-8", b"User-agent: *\n"),
}
INDEX = b"<!doctype html><script type=module src=/app/assets/index-Bq3xZ9aK.js></script>"
DEMO_CONFIG = b'{"signin":"demo"}'


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    root = tmp_path / "dist"
    for name, (_, body) in {**HASHED, **UNHASHED}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(body)
    (root / "index.html").write_bytes(INDEX)
    (root / "config.json").write_bytes(DEMO_CONFIG)  # the local demo sign-in, as the web build leaves it
    return root


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """moto's S3, CloudFront and CloudFormation; what a test made there is removed after it.

    In a test process whose local stack is running, moto's state outlives `mock_aws` (the stack
    holds its own): a bucket left behind would be one more bucket in the local stack.
    """
    import boto3

    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        session = boto3.session.Session(region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
        s3 = session.client("s3")
        before = {b["Name"] for b in s3.list_buckets()["Buckets"]}
        try:
            yield session
        finally:
            session.client("cloudformation").delete_stack(StackName=STACK)
            for bucket in {b["Name"] for b in s3.list_buckets()["Buckets"]} - before:
                for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
                    s3.delete_object(Bucket=bucket, Key=item["Key"])
                s3.delete_bucket(Bucket=bucket)


def deploy_stack(session: Any, outputs: dict[str, Any] | None = None) -> str:
    """A stack with the web outputs the real template has: its bucket, a distribution, the sign-in settings."""
    cloudfront = session.client("cloudfront")
    distribution = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": f"sscard-web-{uuid.uuid4()}",
            "Comment": "sscard dev",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [{"Id": "web", "DomainName": "web.s3.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}}],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "web",
                "ViewerProtocolPolicy": "https-only",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
            },
        }
    )["Distribution"]
    declared = {
        "WebBucketName": {"Value": {"Ref": "WebBucket"}},
        "WebDistributionId": {"Value": distribution["Id"]},
        "WebSignInIssuer": {"Value": ISSUER},
        "WebSignInClientId": {"Value": CLIENT_ID},
        "WebURL": {"Value": f"https://{distribution['DomainName']}/app/"},
    }
    if outputs is not None:
        declared = outputs
    template = {"Resources": {"WebBucket": {"Type": "AWS::S3::Bucket"}}, "Outputs": declared}
    session.client("cloudformation").create_stack(StackName=STACK, TemplateBody=json.dumps(template))
    return str(distribution["Id"])


def bucket_of(session: Any) -> str:
    outputs = session.client("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]["Outputs"]
    return next(o["OutputValue"] for o in outputs if o["OutputKey"] == "WebBucketName")


def objects(session: Any) -> dict[str, dict[str, Any]]:
    s3, bucket = session.client("s3"), bucket_of(session)
    found = {}
    for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
        head = s3.get_object(Bucket=bucket, Key=item["Key"])
        found[item["Key"]] = {"type": head["ContentType"], "cache": head.get("CacheControl"), "body": head["Body"].read()}
    return found


def test_every_file_is_under_app_with_its_content_type_and_caching(aws: Any, dist: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deploy_stack(aws)
    assert publish_web.main(["--stage", "dev", "--stack", STACK, "--dist", str(dist)], session=aws) == 0
    found = objects(aws)
    assert set(found) == {f"app/{name}" for name in [*HASHED, *UNHASHED, "index.html", "config.json"]}
    for name, (kind, body) in HASHED.items():
        assert found[f"app/{name}"] == {"type": kind, "cache": "public, max-age=31536000, immutable", "body": body}, name
    for name, (kind, body) in UNHASHED.items():
        assert found[f"app/{name}"] == {"type": kind, "cache": "no-cache", "body": body}, name
    assert found["app/index.html"] == {"type": "text/html; charset=utf-8", "cache": "no-cache", "body": INDEX}
    assert capsys.readouterr().out.strip().endswith("/app/")  # the URL to open, last


def test_config_json_comes_from_the_stack_not_from_the_local_build(aws: Any, dist: Path) -> None:
    deploy_stack(aws)
    publish_web.main(["--stage", "dev", "--stack", STACK, "--dist", str(dist)], session=aws)
    config = objects(aws)["app/config.json"]
    assert config["cache"] == "no-cache" and config["type"] == "application/json"
    assert json.loads(config["body"]) == {"signin": "oidc", "issuer": ISSUER, "clientId": CLIENT_ID}


def test_the_entry_files_are_invalidated(aws: Any, dist: Path) -> None:
    distribution = deploy_stack(aws)
    publish_web.main(["--stage", "dev", "--stack", STACK, "--dist", str(dist)], session=aws)
    cloudfront = aws.client("cloudfront")
    (listed,) = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"]["Items"]
    batch = cloudfront.get_invalidation(DistributionId=distribution, Id=listed["Id"])["Invalidation"]["InvalidationBatch"]
    assert sorted(batch["Paths"]["Items"]) == ["/app/config.json", "/app/index.html"]


def test_hashed_files_go_first_and_index_html_last(aws: Any, dist: Path) -> None:
    """A browser that gets the new index.html finds every file it names."""
    deploy_stack(aws)
    target = publish_web.stack_target(aws.client("cloudformation"), STACK)
    keys = [u.key for u in publish_web.publish(dist, target, aws.client("s3"), aws.client("cloudfront")).uploads]
    hashed = {f"app/{name}" for name in HASHED}
    assert set(keys[: len(hashed)]) == hashed
    assert keys[-2:] == ["app/config.json", "app/index.html"]


def test_without_a_build_nothing_is_published(aws: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    distribution = deploy_stack(aws)
    (tmp_path / "dist").mkdir()
    assert publish_web.main(["--stage", "dev", "--stack", STACK, "--dist", str(tmp_path / "dist")], session=aws) == 1
    assert "build the web app first" in capsys.readouterr().err
    assert objects(aws) == {}
    assert aws.client("cloudfront").list_invalidations(DistributionId=distribution)["InvalidationList"].get("Items", []) == []


def test_a_stack_without_the_web_distribution_is_refused(aws: Any, dist: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deploy_stack(aws, outputs={"WebBucketName": {"Value": {"Ref": "WebBucket"}}})
    assert publish_web.main(["--stage", "dev", "--stack", STACK, "--dist", str(dist)], session=aws) == 1
    assert "WebDistributionId" in capsys.readouterr().err
    assert objects(aws) == {}


@pytest.mark.parametrize(
    ("name", "cache"),
    [
        ("assets/index-Bq3xZ9aK.js", "public, max-age=31536000, immutable"),
        ("assets/chunks/CaseView-a1B2c3D4.js", "public, max-age=31536000, immutable"),
        ("assets/short-abc.js", "no-cache"),  # no content hash: it may change under the same name
        ("index.html", "no-cache"),
        ("logo-D5e6F7g8.svg", "no-cache"),  # outside assets/: copied from public/ as named
    ],
)
def test_only_vites_content_hashed_assets_are_immutable(name: str, cache: str) -> None:
    assert publish_web.cache_control(name) == cache

"""infra/web_viewer_request.js, run by node as CloudFront runs it: the file itself, not a copy of its logic.

node evaluates the file in an empty context (CloudFront Functions have no `require`, no
modules, no globals of node) and calls its `handler` with CloudFront's viewer-request event.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
FUNCTION_FILE = ROOT / "infra" / "web_viewer_request.js"
CLOUDFRONT_FUNCTION_MAX_BYTES = 10 * 1024  # the size limit of a CloudFront Function's code

RUNNER = r"""
const fs = require('fs');
const vm = require('vm');
const code = fs.readFileSync(process.argv[1], 'utf8');
const handler = vm.runInNewContext(code + '\n;handler', Object.create(null), { filename: process.argv[1] });
const uris = JSON.parse(fs.readFileSync(0, 'utf8'));
const answers = uris.map((uri) => handler({
    version: '1.0',
    context: { eventType: 'viewer-request', distributionId: 'EDFDVBD6EXAMPLE' },
    viewer: { ip: '198.51.100.7' },
    request: {
        method: 'GET',
        uri: uri,
        querystring: { lang: { value: 'zh' } },
        headers: { host: { value: 'd111111abcdef8.cloudfront.net' }, authorization: { value: 'Bearer x.y.z' } },
        cookies: {},
    },
}));
process.stdout.write(JSON.stringify(answers));
"""

APP_ROUTES = [
    "/app/",
    "/app/cases",
    "/app/cases/6f1c2e0a-3b7d-4c1e-9a5b-2f8d0c4e7a19",
    "/app/review/queue",
    "/app/counter/",
]
FILES_AND_API = [
    "/app/index.html",
    "/app/config.json",
    "/app/assets/index-Bq3xZ9aK.js",
    "/app/assets/vendor-vant-C1d2E3f4.css",
    "/app/favicon.ico",
    "/cases",
    "/cases/6f1c2e0a-3b7d-4c1e-9a5b-2f8d0c4e7a19/materials",
    "/openapi.json",
    "/health",
    "/apple",
    "/application/form",
]


def run(uris: list[str]) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    result = subprocess.run(  # noqa: S603 — our script, our file
        [node, "-e", RUNNER, str(FUNCTION_FILE)], input=json.dumps(uris), capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_site_root_and_app_without_its_slash_redirect_to_the_app() -> None:
    for answer in run(["/", "/app"]):
        assert answer["statusCode"] == 302
        assert answer["headers"]["location"] == {"value": "/app/"}
        assert "uri" not in answer  # a response, not the request sent on


def test_a_route_of_the_app_is_answered_with_its_index_html() -> None:
    for uri, answer in zip(APP_ROUTES, run(APP_ROUTES), strict=True):
        assert answer.get("uri") == "/app/index.html", uri
        # the rest of the request goes on as the viewer sent it
        assert answer["method"] == "GET" and answer["headers"]["authorization"] == {"value": "Bearer x.y.z"}, uri
        assert answer["querystring"] == {"lang": {"value": "zh"}}, uri


def test_a_file_of_the_app_and_every_api_path_pass_unchanged() -> None:
    for uri, answer in zip(FILES_AND_API, run(FILES_AND_API), strict=True):
        assert "statusCode" not in answer, uri
        assert answer["uri"] == uri


def test_the_packaged_function_is_this_file_and_fits_cloudfront(sam: dict[str, Any]) -> None:
    code = FUNCTION_FILE.read_text(encoding="utf-8")
    function = sam["Resources"]["WebViewerRequestFunction"]["Properties"]
    assert function["FunctionCode"] == code
    assert function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    assert function["AutoPublish"] is True
    assert len(code.encode()) <= CLOUDFRONT_FUNCTION_MAX_BYTES
    assert "require(" not in code and "import " not in code and "export " not in code  # no modules in CloudFront Functions

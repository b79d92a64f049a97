"""The local stack over HTTP, started the way `make run` starts it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import demo_resident

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_local_stack(port: int, residents_file: Path | None = None, log: Any = subprocess.PIPE) -> subprocess.Popen:
    """`make run`'s command on a port. A long run must pass a file as `log`: nobody drains the pipe, and a full pipe stalls the server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSCARD_")}
    if residents_file:
        env["RESIDENTS_FILE"] = str(residents_file)
    return subprocess.Popen(
        [sys.executable, "-m", "chalicelib.local_server", "--stage", "local", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )


def call(base: str, method: str, path: str, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@pytest.fixture(scope="module")
def local_stack():
    port = free_port()
    process = start_local_stack(port)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if call(base, "GET", "/health")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
        if process.poll() is not None:
            pytest.fail(f"the local stack exited: {process.stdout.read()}")
    else:
        process.kill()
        pytest.fail("the local stack did not start in 60 s")
    yield base
    process.terminate()
    process.wait(timeout=10)


def test_a_newcomer_gets_a_token_creates_and_submits_a_case_and_watches_it_complete(local_stack):
    resident = demo_resident("李强")
    status, token = call(local_stack, "POST", "/dev/token", {"sub": resident["id_number"], "name": resident["name"], "roles": ["citizen"]})
    assert status == 201
    token = token["token"]
    status, notice = call(local_stack, "GET", "/notice")
    assert status == 200
    status, case = call(
        local_stack,
        "POST",
        "/cases",
        {
            "consent": {"notice_version": notice["version"], "agreed": True},
            "matters": [{"code": "activate"}, {"code": "status_query"}],
            "contact": {"phone": resident["phone"], "address": resident["address"]},
        },
        token,
    )
    assert status == 201, case
    status, _ = call(local_stack, "POST", f"/cases/{case['case_id']}/submit", None, token)
    assert status == 202
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status, case = call(local_stack, "GET", f"/cases/{case['case_id']}", None, token)
        if case["status"] == "completed":
            break
        time.sleep(0.1)
    assert case["status"] == "completed", case
    status, outbox = call(local_stack, "GET", "/dev/outbox")
    assert any(m["to"] == f"+86{resident['phone']}" and "启用" in m["text"] for m in outbox["sent"])


def test_an_invalid_residents_file_is_refused_at_start_with_the_line_at_fault(tmp_path):
    bad = tmp_path / "residents.json"
    good = json.dumps(demo_resident("王芳"), ensure_ascii=False)
    broken = json.dumps({**demo_resident("李强"), "phone": "12"}, ensure_ascii=False)
    bad.write_text('{"residents": [\n  ' + good + ",\n  " + broken + "\n]}\n", encoding="utf-8")
    process = start_local_stack(free_port(), bad)
    try:
        output, _ = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode != 0
    assert f"{bad}:3:" in output and "phone" in output


def test_a_material_uploads_and_downloads_through_the_local_stacks_s3_links(local_stack):
    import requests

    from tests.conftest import jpeg

    resident = demo_resident("吴磊")
    _, token = call(local_stack, "POST", "/dev/token", {"sub": resident["id_number"], "roles": ["citizen"]})
    token = token["token"]
    status, case = call(
        local_stack,
        "POST",
        "/cases",
        {
            "consent": {"notice_version": "2023.1", "agreed": True},
            "matters": [{"code": "apply", "form": {"bank": "中国银行黄山分行", "branch": "屯溪支行"}}],
            "contact": {"phone": resident["phone"], "address": resident["address"]},
        },
        token,
    )
    assert status == 201, case
    picture = jpeg()
    status, answer = call(
        local_stack,
        "POST",
        f"/cases/{case['case_id']}/materials",
        {"kind": "photo", "content_type": "image/jpeg", "size": len(picture)},
        token,
    )
    assert status == 201, answer
    assert answer["upload"]["url"].startswith("http://127.0.0.1:")
    posted = requests.post(
        answer["upload"]["url"], data=answer["upload"]["fields"], files={"file": ("photo.jpg", picture, "image/jpeg")}, timeout=10
    )
    assert posted.status_code in (200, 204)
    _, case = call(local_stack, "GET", f"/cases/{case['case_id']}", None, token)
    photo = next(m for m in case["materials"] if m["kind"] == "photo")
    assert photo["status"] == "uploaded"
    assert requests.get(photo["download_url"], timeout=10).content == picture

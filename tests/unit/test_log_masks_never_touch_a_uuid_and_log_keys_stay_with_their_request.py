"""The log filter masks personal data but never a UUID; a request's log keys are its own thread's (issue 11)."""

from __future__ import annotations

import io
import json
import threading
import uuid
from types import SimpleNamespace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import app as application
from chalicelib.observability import logger, redact
from functions.workflow import lambda_handler

CONTEXT = SimpleNamespace(function_name="run_matter", memory_limit_in_mb=128, invoked_function_arn="arn", aws_request_id="r-1")


@given(st.uuids())
def test_a_uuid_is_never_masked_alone_or_in_a_review_id(value: uuid.UUID) -> None:
    for text in (str(value), str(value).upper(), f"review {value}.apply done", f"/cases/{value}/form"):
        assert redact(text) == text


def test_uuids_whose_groups_look_like_accounts_or_phones_are_kept_and_the_text_around_them_is_masked() -> None:
    case_id = "0b7c6a52-6d1e-4a53-9c1f-139123456789"  # a last group of 12 digits, starting "139..."
    text = f"case {case_id} for 342701198503120022, phone 13905590001, account 6217005590000000017"
    assert redact(text) == f"case {case_id} for 342701********0022, phone 139****0001, account ***************0017"


def _lines(run: Any) -> list[dict]:
    """The JSON log lines written while `run()` runs."""
    handler = logger.get().logger_handler
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        run()
    finally:
        handler.setStream(previous)
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.startswith("{")]


def test_a_request_line_never_carries_the_case_id_of_a_workflow_task_running_beside_it() -> None:
    entered, release = threading.Event(), threading.Event()

    @lambda_handler
    def run_matter(event: dict) -> str:
        logger.info("task started")
        entered.set()
        release.wait(5)
        logger.info("task finished")
        return "done"

    def both() -> None:
        task = threading.Thread(target=run_matter, args=({"case_id": "0b7c6a52-6d1e-4a53-9c1f-1c1d2e3f4a5b", "matter": "apply"}, CONTEXT))
        task.start()
        assert entered.wait(5)
        request = SimpleNamespace(path="/notice", method="GET", raw_body=b"")
        application.observe(request, lambda event: SimpleNamespace(status_code=200))
        release.set()
        task.join(5)
        application.observe(SimpleNamespace(path="/matters", method="GET", raw_body=b""), lambda event: SimpleNamespace(status_code=200))

    lines = _lines(both)
    requests = [line for line in lines if line["message"] == "request handled"]
    tasks = [line for line in lines if line["message"].startswith("task ")]
    assert [r["path"] for r in requests] == ["/notice", "/matters"]
    assert all("case_id" not in r and "matter" not in r for r in requests), requests
    # nor the Lambda context of that task (its function's name, request id, cold start)
    assert all("function_name" not in r and "function_request_id" not in r and "cold_start" not in r for r in requests), requests
    assert all(t["function_name"] == "run_matter" and t["function_request_id"] == "r-1" for t in tasks), tasks
    assert [(t["case_id"], t["matter"]) for t in tasks] == [("0b7c6a52-6d1e-4a53-9c1f-1c1d2e3f4a5b", "apply")] * 2
    assert all("path" not in t for t in tasks), tasks

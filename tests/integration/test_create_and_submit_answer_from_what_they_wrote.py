"""Create and submit make at most three of the service's own AWS calls each and answer from what they wrote (issue 10).

Own calls are those to the cases and idempotency tables, Step Functions and SNS; the
simulators' table and the local engine's Lambda invokes are not the API's doing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import boto3
import pytest

from chalicelib import wiring
from chalicelib.wiring import services
from tests.conftest import demo_resident, finished

ADDRESS = "安徽省黄山市屯溪区新安北路18号"


class OwnCalls:
    """The service's own AWS calls made by the API (the main thread), as "service.Operation"."""

    def __init__(self) -> None:
        self.made: list[str] = []

    def __call__(self, event_name: str, params: dict, **_: object) -> None:
        if threading.current_thread() is not threading.main_thread():
            return  # the engine running a case, and our task Lambdas inside it
        _, service, operation = event_name.split(".", 2)
        if service == "lambda" and operation == "Invoke":
            return
        if params.get("TableName") == services().settings.simulator_table:
            return
        self.made.append(f"{service}.{operation}")

    def during(self, request):  # noqa: ANN001, ANN201
        self.made.clear()
        answer = request()
        return answer, list(self.made)


@pytest.fixture
def own_calls(api) -> Iterator[OwnCalls]:  # noqa: ANN001
    counter = OwnCalls()
    session = boto3._get_default_session()
    session.events.register("before-parameter-build", counter, unique_id="test-own-calls")
    wiring.reset()  # clients copy the session's hooks when they are made: the service makes its own afresh
    try:
        yield counter
    finally:
        session.events.unregister("before-parameter-build", unique_id="test-own-calls")


def without_links(view: dict) -> dict:
    """A case view without its short-lived download links (each answer signs its own)."""
    return {**view, "materials": [{k: v for k, v in m.items() if k != "download_url"} for m in view["materials"]]}


def test_create_with_a_key_makes_three_own_calls_and_answers_the_case_as_stored(api, own_calls):
    token = api.token("吴磊")  # no card: `apply`, with materials taken from data sharing
    apply = [{"code": "apply", "form": {"bank": "中国银行黄山分行", "branch": "屯溪支行"}}, {"code": "status_query"}]
    created, made = own_calls.during(lambda: api.create_case(token, apply, headers={"Idempotency-Key": "create-1"}))
    assert created.status_code == 201, created.body
    assert sorted(made) == ["dynamodb.GetItem", "dynamodb.Query", "dynamodb.TransactWriteItems"]
    case = api.get(f"/cases/{created.json_body['case_id']}", token).json_body
    assert without_links(created.json_body) == without_links(case)
    assert {m["code"]: m["status"] for m in case["matters"]} == {"apply": "pending", "status_query": "pending"}

    again, made = own_calls.during(lambda: api.create_case(token, apply, headers={"Idempotency-Key": "create-1"}))
    assert again.status_code == 201 and again.json_body == created.json_body
    assert made == ["dynamodb.GetItem"]  # the first answer, nothing done again


def test_submit_makes_three_own_calls_and_a_repeat_with_its_key_one(api, own_calls):
    token = api.token("李强")
    case_id = api.create_case(token, [{"code": "activate"}]).json_body["case_id"]
    key = {"Idempotency-Key": "submit-1"}
    submitted, made = own_calls.during(lambda: api.post(f"/cases/{case_id}/submit", None, token, headers=key))
    assert submitted.status_code == 202, submitted.body
    assert made == ["dynamodb.Query", "dynamodb.TransactWriteItems", "sfn.StartExecution"]
    assert submitted.json_body["status"] == "submitted" and submitted.json_body["timeline"][-1]["kind"] == "submitted"
    again, made = own_calls.during(lambda: api.post(f"/cases/{case_id}/submit", None, token, headers=key))
    assert again.status_code == 202 and again.json_body == submitted.json_body
    # the remembered answer, and — the case being still `submitted` — a start that finds the run: a first
    # attempt whose answer was lost after its write may not have started it
    assert made in (["dynamodb.Query", "dynamodb.GetItem", "sfn.StartExecution"], ["dynamodb.Query", "dynamodb.GetItem"])
    assert api.wait_for(case_id, token, finished)["status"] == "completed"


def test_a_submit_whose_run_could_not_start_leaves_a_draft_that_its_key_submits_again(api, monkeypatch):
    token = api.token("王芳")
    case_id = api.create_case(token, [{"code": "status_query"}]).json_body["case_id"]
    workflow = services().workflow
    real = workflow.start

    def unavailable(case_id_, facts):  # noqa: ANN001, ANN202
        raise ConnectionError("Step Functions unreachable")

    monkeypatch.setattr(workflow, "start", unavailable)
    key = {"Idempotency-Key": "submit-after-outage"}
    assert api.post(f"/cases/{case_id}/submit", None, token, headers=key).status_code == 503
    case = api.get(f"/cases/{case_id}", token).json_body
    assert case["status"] == "draft" and case["timeline"][-1]["kind"] == "submit_failed"

    monkeypatch.setattr(workflow, "start", real)
    again = api.post(f"/cases/{case_id}/submit", None, token, headers=key)
    assert again.status_code == 202 and again.json_body["status"] == "submitted"
    assert api.wait_for(case_id, token, finished)["status"] == "completed"


def test_creates_racing_with_one_key_make_one_case_and_all_answer_it(api):
    from chalicelib.auth import Principal
    from chalicelib.models import CreateCaseRequest
    from chalicelib.services.cases import create_case

    resident = demo_resident("徐丽")
    principal = Principal(sub=resident["id_number"], name=resident["name"], roles=["citizen"])
    request = CreateCaseRequest.model_validate(
        {
            "consent": {"notice_version": "2023.1", "agreed": True},
            "matters": [{"code": "status_query"}],
            "contact": {"phone": resident["phone"], "address": ADDRESS},
        }
    )
    barrier = threading.Barrier(3)
    answers: list = []

    def create() -> None:
        barrier.wait()
        try:
            answers.append(create_case(services(), principal, request, "racing-key")["case_id"])
        except Exception as error:  # recorded so that the assertion names it
            answers.append(repr(error))

    threads = [threading.Thread(target=create) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cases = api.get("/cases", api.token("徐丽")).json_body["cases"]
    assert len(cases) == 1 and answers == [cases[0]["case_id"]] * 3, answers

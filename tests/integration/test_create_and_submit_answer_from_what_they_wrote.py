"""Create and submit make at most three of the service's own AWS calls each and answer from what they wrote (issue 10),
and submits racing on one case start one execution.

Own calls are those to the cases and idempotency tables, Step Functions and SNS; the
simulators' table and the local engine's Lambda invokes are not the API's doing. A submit whose run could not
start, and creates racing with one key, are tested at service level:
tests/service/test_no_failure_leaves_a_case_processing.py, tests/service/test_case_requests_are_judged_and_answered_once.py.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import boto3
import pytest

from chalicelib import wiring
from chalicelib.wiring import services
from tests.conftest import demo_resident, finished


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


def test_create_and_submit_each_make_three_own_calls_and_a_repeat_with_its_key_one(api, own_calls):
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


def test_two_concurrent_submits_of_one_case_start_one_execution(api):
    from chalicelib.auth import Principal
    from chalicelib.errors import ConflictProblem
    from chalicelib.services.cases import submit_case

    resident = demo_resident("李强")
    token = api.token(resident)
    case_id = api.create_case(token, [{"code": "activate"}]).json_body["case_id"]
    assert services().workflow.describe(case_id) is None  # no run before the submit
    principal = Principal(sub=resident["id_number"], roles=["citizen"])
    barrier = threading.Barrier(4)
    outcomes = []

    def submit():
        barrier.wait()
        try:
            outcomes.append(submit_case(services(), principal, case_id)["status"])
        except ConflictProblem:
            outcomes.append("409")
        except Exception as error:  # recorded so that the assertion names it
            outcomes.append(repr(error))

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 4 and set(outcomes) <= {"submitted", "processing", "completed", "409"}, outcomes
    case = api.wait_for(case_id, token, finished)
    assert case["status"] == "completed"
    executions = services().client("stepfunctions").list_executions(stateMachineArn=services().settings.state_machine_arn)["executions"]
    assert [e["name"] for e in executions] == [case_id]
    # (that exactly one of concurrent conditional writes wins is shown on real DynamoDB
    # semantics in test_store_on_dynamodb_local.py; moto does not lock between threads)
    # and a later submit of the finished case is a conflict
    late = api.post(f"/cases/{case_id}/submit", None, token)
    assert late.status_code == 409 and late.headers["Content-Type"] == "application/problem+json", late.body

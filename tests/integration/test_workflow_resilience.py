"""No failure leaves a case `processing`: each failure path of the real ASL end to end on the local stack — its Retry
(at once under test, after the deployed intervals under `make run`), a department's failure on its task token through
the Catch, NotSentToTheDepartment, and the fallbacks when a task itself breaks (FailCase; a failed run whose case the
last outcome already closed).

The same rules, with the workflow double playing those states, and the rules of pre-judgment at submission:
tests/service/test_no_failure_leaves_a_case_processing.py.
"""

from __future__ import annotations

import time
from types import SimpleNamespace

from chalicelib import localstack
from chalicelib.adapters.simulators import CardSystemSimulator
from chalicelib.services import workflow_tasks
from chalicelib.wiring import services
from tests.conftest import awaiting_review, demo_resident, finished

BANK = {"bank": "中国银行黄山分行", "branch": "屯溪支行"}


def draft(api, name, matters):
    resident = demo_resident(name)
    token = api.token(resident)
    created = api.create_case(token, matters, phone=resident["phone"])
    assert created.status_code == 201, created.body
    return resident, token, created.json_body["case_id"]


def submit_and_wait(api, token, case_id):
    assert api.post(f"/cases/{case_id}/submit", None, token).status_code == 202
    return api.wait_for(case_id, token, finished, timeout=30)


def retry_interval(without_wait: bool) -> float:
    """The wait the local engine takes before a retry of a Retry block with IntervalSeconds 3."""
    from moto.stepfunctions.parser.asl.component.common.retry.interval_seconds_decl import IntervalSecondsDecl

    localstack._retry_waits(SimpleNamespace(local_retries_without_wait=without_wait))
    env = SimpleNamespace(stack=[])
    IntervalSecondsDecl(3)._eval_body(env)
    return env.stack.pop()


def test_a_failing_system_is_retried_a_failed_loss_keeps_the_reissue_back_and_a_department_failure_is_caught(api, monkeypatch):
    from chalicelib.adapters.dynamo_cases import ConcurrentUpdate
    from chalicelib.ports import ExternalRefusal

    # Retry: a transient conflict of the card system, retried at once under test
    try:
        assert retry_interval(without_wait=False) == 3  # `make run`: the deployed intervals
        assert retry_interval(without_wait=True) == 0  # the test suite
    finally:
        localstack._retry_waits(services().settings)
    real, calls = CardSystemSimulator.activate, []

    def flaky(self, id_number, operation_id):
        calls.append(operation_id)
        if len(calls) == 1:
            raise ConcurrentUpdate("lost a race")
        return real(self, id_number, operation_id)

    monkeypatch.setattr(CardSystemSimulator, "activate", flaky)
    li, token, case_id = draft(api, "李强", [{"code": "activate"}])
    assert submit_and_wait(api, token, case_id)["status"] == "completed"
    assert len(calls) == 2 and calls[0] == calls[1]
    assert services().card_system.current_card(li["id_number"]).status.value == "active"

    # NotSentToTheDepartment: the loss report refused, the reissue that needed it is not sent
    def refused(self, id_number, operation_id):
        raise ExternalRefusal("CARD_SYSTEM_REFUSED", "省社保卡系统拒绝挂失")

    monkeypatch.setattr(CardSystemSimulator, "report_loss", refused)
    reissue = {"code": "reissue", "form": {"kind": "lost", **BANK}}
    _, token, case_id = draft(api, "王芳", [{"code": "loss", "form": {"action": "report"}}, reissue])
    matters = {m["code"]: m for m in submit_and_wait(api, token, case_id)["matters"]}
    assert matters["loss"]["status"] == "failed"
    assert (matters["reissue"]["status"], matters["reissue"]["reason_code"]) == ("rejected", "CARD_NOT_LOST")
    assert services().store.get(case_id).waits == {}

    # the department's Catch: a failure sent on the wait's task token fails the matter and finishes the case
    _, token, case_id = draft(api, "杨磊", [{"code": "apply", "form": BANK}])
    api.post(f"/cases/{case_id}/submit", None, token)
    api.wait_for(case_id, token, awaiting_review)
    wait = services().store.get(case_id).waits["apply"]
    services().client("stepfunctions").send_task_failure(taskToken=wait["task_token"], error="Department.Unavailable", cause="下游系统故障")
    case = api.wait_for(case_id, token, finished)
    assert case["status"] == "failed" and case["matters"][0]["reason_code"] == "SYSTEM_ERROR"


def broken(*args):
    raise RuntimeError("a bug in this task")


def test_when_a_task_breaks_no_case_is_left_processing_and_the_applicant_is_told_once(api, monkeypatch):
    # pre-judgment breaks: the fallback fails every matter once and tells the applicant
    monkeypatch.setattr(workflow_tasks, "prejudge_at_submission", broken)
    resident, token, case_id = draft(api, "李强", [{"code": "activate"}])
    case = submit_and_wait(api, token, case_id)
    assert case["status"] == "failed" and [m["status"] for m in case["matters"]] == ["failed"]
    assert [e["kind"] for e in case["timeline"]].count("finished") == 1
    told = [m for m in api.get("/dev/outbox").json_body["sent"] if m["to"].endswith(resident["phone"])]
    assert len(told) == 1 and "办理失败" in told[0]["text"] and "系统" in told[0]["text"], told
    monkeypatch.undo()

    # finish_case breaks: the last matter's outcome closed the case in the same write, so the run fails and nothing changes
    monkeypatch.setattr(workflow_tasks, "finish_case", broken)
    _, token, case_id = draft(api, "李强", [{"code": "activate"}])
    submit_and_wait(api, token, case_id)
    deadline = time.monotonic() + 20
    while services().workflow.describe(case_id)["status"] == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert services().workflow.describe(case_id)["status"] == "FAILED"  # operators see the broken run
    case = api.get(f"/cases/{case_id}", token).json_body
    assert case["status"] == "completed"
    assert [e["kind"] for e in case["timeline"]].count("finished") == 1
    assert not any("系统故障" in e["text"] for e in case["timeline"])

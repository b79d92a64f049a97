"""No failure leaves a case `processing`; pre-judgment runs again at submission: each failure path of the real ASL
(its Retry, Catch, NotSentToTheDepartment and FailCase states) end to end on the local stack.

The same rules, with the workflow double playing those states, and the rules of pre-judgment at submission:
tests/service/test_no_failure_leaves_a_case_processing.py.
"""

from __future__ import annotations

import time

from chalicelib.adapters.simulators import CardSystemSimulator
from chalicelib.services import workflow_tasks
from chalicelib.wiring import services
from tests.conftest import demo_resident, finished


def draft(api, name, matters):
    resident = demo_resident(name)
    token = api.token(resident)
    created = api.create_case(token, matters, phone=resident["phone"])
    assert created.status_code == 201, created.body
    return resident, token, created.json_body["case_id"]


def submit_and_wait(api, token, case_id):
    assert api.post(f"/cases/{case_id}/submit", None, token).status_code == 202
    return api.wait_for(case_id, token, finished, timeout=30)


def test_a_transient_conflict_is_retried_and_the_matter_succeeds(api, monkeypatch):
    from chalicelib.adapters.dynamo_cases import ConcurrentUpdate

    real = CardSystemSimulator.activate
    calls = []

    def flaky(self, id_number, operation_id):
        calls.append(operation_id)
        if len(calls) == 1:
            raise ConcurrentUpdate("lost a race")
        return real(self, id_number, operation_id)

    monkeypatch.setattr(CardSystemSimulator, "activate", flaky)
    resident, token, case_id = draft(api, "李强", [{"code": "activate"}])
    case = submit_and_wait(api, token, case_id)
    assert case["status"] == "completed"
    assert len(calls) == 2 and calls[0] == calls[1]
    assert services().card_system.current_card(resident["id_number"]).status.value == "active"


def test_when_finishing_the_case_breaks_the_case_its_last_matter_closed_stays_as_it_is(api, monkeypatch):
    def broken(*args):
        raise RuntimeError("a bug in finish_case")

    monkeypatch.setattr(workflow_tasks, "finish_case", broken)
    resident, token, case_id = draft(api, "李强", [{"code": "activate"}])
    submit_and_wait(api, token, case_id)
    deadline = time.monotonic() + 20
    while services().workflow.describe(case_id)["status"] == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert services().workflow.describe(case_id)["status"] == "FAILED"  # operators see the broken run
    case = api.get(f"/cases/{case_id}", token).json_body
    # the last matter's outcome closed the case in the same write: the broken step and the fallback change nothing
    assert case["status"] == "completed"
    assert [e["kind"] for e in case["timeline"]].count("finished") == 1
    assert not any("系统故障" in e["text"] for e in case["timeline"])


def test_a_reissue_whose_loss_report_failed_does_not_go_to_the_department(api, monkeypatch):
    from chalicelib.ports import ExternalRefusal

    def refused(self, id_number, operation_id):
        raise ExternalRefusal("CARD_SYSTEM_REFUSED", "省社保卡系统拒绝挂失")

    monkeypatch.setattr(CardSystemSimulator, "report_loss", refused)
    _, token, case_id = draft(
        api,
        "王芳",
        [
            {"code": "loss", "form": {"action": "report"}},
            {"code": "reissue", "form": {"kind": "lost", "bank": "中国银行黄山分行", "branch": "屯溪支行"}},
        ],
    )
    case = submit_and_wait(api, token, case_id)
    matters = {m["code"]: m for m in case["matters"]}
    assert matters["loss"]["status"] == "failed"
    assert (matters["reissue"]["status"], matters["reissue"]["reason_code"]) == ("rejected", "CARD_NOT_LOST")
    assert case["status"] == "failed" or case["status"] == "rejected"
    assert services().store.get(case_id).waits == {}


def test_when_pre_judgment_breaks_the_fallback_fails_every_matter_once_and_tells_the_applicant(api, monkeypatch):
    def broken(*args):
        raise RuntimeError("a bug in pre-judgment")

    monkeypatch.setattr(workflow_tasks, "prejudge_at_submission", broken)
    resident, token, case_id = draft(api, "李强", [{"code": "activate"}])
    case = submit_and_wait(api, token, case_id)
    assert case["status"] == "failed"
    assert [m["status"] for m in case["matters"]] == ["failed"]
    assert [e["kind"] for e in case["timeline"]].count("finished") == 1
    told = [m for m in api.get("/dev/outbox").json_body["sent"] if m["to"].endswith(resident["phone"])]
    assert len(told) == 1 and "办理失败" in told[0]["text"] and "系统" in told[0]["text"], told

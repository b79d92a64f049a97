"""The reconciler on the local stack (moto's Step Functions running the real ASL): cases whose runs were
aborted by hand while they waited for their reviewers are resumed in new runs from what was recorded — the
review keeps its place, the reviewer's decision (before or after the reconciler came) reaches the new
run, and each case completes, judged once."""

from __future__ import annotations

import time
from datetime import timedelta

from chalicelib.wiring import services
from tests.conftest import awaiting_review, demo_resident, finished

BANK = {"bank": "中国银行黄山分行", "branch": "屯溪支行"}


def a_case_waiting_for_its_reviewer(api, name):
    person = demo_resident(name)
    citizen = api.token(person)
    case_id = api.create_case(citizen, [{"code": "apply", "form": BANK}], phone=person["phone"]).json_body["case_id"]
    api.upload_missing(citizen, case_id)
    assert api.post(f"/cases/{case_id}/submit", None, citizen).status_code == 202
    api.wait_for(case_id, citizen, awaiting_review)
    hr = api.token({"id_number": "hr-1", "name": "审核员", "phone": "13900000000"}, roles=["reviewer"], district=person["district"])
    return case_id, citizen, hr


def abort(case_id: str, run: int = 0) -> None:
    """Stop the run as an operator would in the console.

    moto's engine marks a run waiting on a task token stopped but leaves its thread parked
    on the callback until the token is answered: the test wakes it (AWS ends it at once).
    """
    workflow = services().workflow
    assert workflow.stop(case_id, "stopped by hand", run)
    token = services().store.get_wait(case_id, "apply")["task_token"]
    services().client("stepfunctions").send_task_failure(taskToken=token, error="Stopped", cause="the run was stopped by hand")
    deadline = time.monotonic() + 10
    while workflow.describe(case_id, run)["status"] == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert workflow.describe(case_id, run)["status"] in ("ABORTED", "FAILED")  # moto ends a woken stopped run FAILED
    case = services().store.get_case_item(case_id)
    assert (case["status"], case["matter_status"]) == ("processing", {"apply": "awaiting_review"})  # the run is gone, the case is not


def reconcile(api) -> dict:
    later = services().now() + timedelta(minutes=10)  # past the grace period
    answer = api.post("/dev/jobs/reconcile/run", {"time": later.isoformat()})
    assert answer.status_code == 200, answer.body
    return answer.json_body


def decide(api, hr) -> None:
    [review] = api.get("/reviews?status=pending", hr).json_body["reviews"]  # in the reviewer's queue, once
    decided = api.post(f"/reviews/{review['review_id']}/decision", {"decision": "approve"}, hr)
    assert decided.status_code == 200, decided.body


def test_runs_aborted_while_waiting_are_resumed_and_a_decision_taken_before_or_after_reaches_the_new_run(api):
    after = a_case_waiting_for_its_reviewer(api, "杨磊")  # everything shared: the apply goes straight to review
    before = a_case_waiting_for_its_reviewer(api, "赵敏")
    for case_id, _, _ in (after, before):
        abort(case_id)
    case_id, _, hr = before
    decide(api, hr)  # taken while the run is lost: kept for the next run, not refused as too late
    assert services().store.get_wait(case_id, "apply")["resume"] == "pending"
    tokens = {case_id: services().store.get_wait(case_id, "apply")["task_token"] for case_id, _, _ in (after, before)}

    assert reconcile(api)["resumed"] == 2
    for case_id, citizen, _ in (after, before):
        assert services().workflow.describe(case_id, 1)["status"] == "RUNNING"
        api.wait_for(
            case_id, citizen, lambda c, case_id=case_id: services().store.get_wait(case_id, "apply")["task_token"] != tokens[case_id]
        )

    case_id, citizen, hr = after
    decide(api, hr)
    case = api.wait_for(case_id, citizen, finished)
    assert case["status"] == "completed"
    assert [e["kind"] for e in case["timeline"]].count("prejudged") == 1  # judged once, in the first run

    case_id, citizen, _ = before
    for _ in range(100):  # the deadline job sends the kept decision to run 1
        api.post("/dev/jobs/deadline-alerts/run", {"time": services().now().isoformat()})
        if api.get(f"/cases/{case_id}", citizen).json_body["status"] in ("completed", "failed"):
            break
        time.sleep(0.1)
    case = api.wait_for(case_id, citizen, finished)
    assert case["status"] == "completed" and [m["status"] for m in case["matters"]] == ["succeeded"]
    assert [e["kind"] for e in case["timeline"]].count("prejudged") == 1
    assert reconcile(api)["forgotten"] == 2

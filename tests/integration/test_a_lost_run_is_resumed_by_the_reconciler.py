"""The reconciler on the local stack (moto's Step Functions running the real ASL): a case whose run was
aborted by hand while it waited for its reviewer is resumed in a new run from what was recorded — the
review keeps its place, the reviewer's decision (before or after the reconciler came) reaches the new
run, and the case completes with one approval SMS."""

from __future__ import annotations

import time
from datetime import timedelta

from chalicelib.wiring import services
from tests.conftest import awaiting_review, demo_resident, finished

BANK = {"bank": "中国银行黄山分行", "branch": "屯溪支行"}


def a_case_waiting_for_its_reviewer(api):
    yang = demo_resident("杨磊")  # everything shared: an apply goes straight to review
    citizen = api.token(yang)
    case_id = api.create_case(citizen, [{"code": "apply", "form": BANK}], phone=yang["phone"]).json_body["case_id"]
    assert api.post(f"/cases/{case_id}/submit", None, citizen).status_code == 202
    api.wait_for(case_id, citizen, awaiting_review)
    hr = api.token({"id_number": "hr-1", "name": "审核员", "phone": "13900000000"}, roles=["reviewer"], district=yang["district"])
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


def test_a_run_aborted_while_waiting_is_resumed_and_the_reviewer_decides_in_the_new_run(api):
    case_id, citizen, hr = a_case_waiting_for_its_reviewer(api)
    abort(case_id)
    token = services().store.get_wait(case_id, "apply")["task_token"]
    assert reconcile(api)["resumed"] == 1
    assert services().workflow.describe(case_id, 1)["status"] == "RUNNING"
    api.wait_for(case_id, citizen, lambda c: services().store.get_wait(case_id, "apply")["task_token"] != token)  # run 1 waits
    [review] = api.get("/reviews?status=pending", hr).json_body["reviews"]  # still in the reviewer's queue, once
    decided = api.post(f"/reviews/{review['review_id']}/decision", {"decision": "approve"}, hr)
    assert decided.status_code == 200, decided.body
    case = api.wait_for(case_id, citizen, finished)
    assert case["status"] == "completed"
    assert [e["kind"] for e in case["timeline"]].count("prejudged") == 1  # judged once, in the first run
    assert reconcile(api)["forgotten"] == 1


def test_a_decision_taken_after_the_run_was_lost_reaches_the_next_run(api):
    case_id, citizen, hr = a_case_waiting_for_its_reviewer(api)
    abort(case_id)
    [review] = api.get("/reviews?status=pending", hr).json_body["reviews"]
    decided = api.post(f"/reviews/{review['review_id']}/decision", {"decision": "approve"}, hr)
    assert decided.status_code == 200, decided.body  # kept for the next run, not refused as too late
    assert services().store.get_wait(case_id, "apply")["resume"] == "pending"
    token = services().store.get_wait(case_id, "apply")["task_token"]
    assert reconcile(api)["resumed"] == 1
    api.wait_for(case_id, citizen, lambda c: services().store.get_wait(case_id, "apply")["task_token"] != token)  # run 1 waits
    for _ in range(100):  # the deadline job sends the kept decision to run 1
        api.post("/dev/jobs/deadline-alerts/run", {"time": services().now().isoformat()})
        if api.get(f"/cases/{case_id}", citizen).json_body["status"] in ("completed", "failed"):
            break
        time.sleep(0.1)
    case = api.wait_for(case_id, citizen, finished)
    assert case["status"] == "completed"
    assert [m["status"] for m in case["matters"]] == ["succeeded"]

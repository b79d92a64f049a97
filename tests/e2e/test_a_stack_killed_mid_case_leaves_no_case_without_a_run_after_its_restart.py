"""`make run`'s server killed outright (SIGKILL) mid-case: after its restart no case stays open without a running run.

One kill catches three cases at three stages: one just submitted (its run has not
pre-judged it yet, or only just), one waiting for its review, and one whose review was
decided a moment before (its run recording the decision and finishing). Only the server
is killed: DynamoDB Local must follow it by itself (the parent-death signal), or the
restart would find the data folder still held. After the restart (whose reconciler
resumes the lost runs) a reconciler pass finds nothing to start, resume or fail: every
case still open has a running run. Then the waiting one is decided, and all three complete.
"""

from __future__ import annotations

import os
import signal
import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import demo_resident, jpeg
from tests.e2e.test_a_restarted_stack_keeps_what_its_users_made import APPLY, TERMINAL, Stack, alive, awaiting_review, new_case, upload

pytestmark = pytest.mark.e2e


def reviewer(stack: Stack, district: str) -> str:
    return stack.token({"sub": f"hr-{district}-01", "roles": ["reviewer"], "district": district, "id_number": "341002196506150030"})


def waiting_for_review(stack: Stack, name: str) -> tuple[str, str]:
    """A citizen's apply case, its missing materials uploaded, submitted and waiting for its review; answers (case id, token)."""
    person = demo_resident(name)
    token = stack.token({"sub": person["id_number"], "name": name, "roles": ["citizen"]})
    case = new_case(stack, token, APPLY, person["phone"]).json()
    for material in case["materials"]:
        if material["status"] not in ("provided", "uploaded"):
            upload(stack, token, case["case_id"], material["kind"], jpeg())
    assert stack.call("POST", f"/cases/{case['case_id']}/submit", token=token).status_code == 202
    stack.wait_for(case["case_id"], token, awaiting_review)
    return case["case_id"], token


def test_no_case_stays_open_without_a_running_run_after_a_kill_at_each_stage(tmp_path):
    data = tmp_path / "data"
    stack = Stack(data, tmp_path / "stack.log")
    try:
        waiting, wu = waiting_for_review(stack, "吴磊")
        decided, hu = waiting_for_review(stack, "胡国平")
        li = demo_resident("李强")
        li_token = stack.token({"sub": li["id_number"], "name": li["name"], "roles": ["citizen"]})
        submitted = new_case(stack, li_token, [{"code": "activate"}, {"code": "status_query"}], li["phone"]).json()["case_id"]
        hr = reviewer(stack, "341023")
        # the last moves, then the kill at once: a decision on its way through its run, a run just started
        assert stack.call("POST", f"/reviews/{decided}.apply/decision", {"decision": "approve"}, hr).status_code == 200
        assert stack.call("POST", f"/cases/{submitted}/submit", token=li_token).status_code == 202
    finally:
        os.kill(stack.process.pid, signal.SIGKILL)
        stack.process.wait(timeout=30)
    deadline = time.monotonic() + 30
    while any(alive(pid) for pid in stack.children):
        assert time.monotonic() < deadline, "DynamoDB Local outlived the killed server"
        time.sleep(0.2)

    again = Stack(data, tmp_path / "stack.log")
    try:
        cases = {"submitted": (submitted, li_token), "waiting for review": (waiting, wu), "decided": (decided, hu)}
        at_restart = {stage: again.case(case_id, token) for stage, (case_id, token) in cases.items()}
        # the scheduled reconciler's pass, as if its grace period were over for every case
        later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        tally = again.call("POST", "/dev/jobs/reconcile/run", {"time": later}).json()
        decision = again.call("POST", f"/reviews/{waiting}.apply/decision", {"decision": "approve"}, reviewer(again, "341003"))
        ended = {stage: again.wait_for(case_id, token, lambda c: c["status"] in TERMINAL) for stage, (case_id, token) in cases.items()}
    finally:
        again.stop()

    # which runs the kill cut short: those the restart's reconciler started again (the server's log says)
    started_again = [line for line in (tmp_path / "stack.log").read_text().splitlines() if "case run started by the reconciler" in line]
    resumed = {stage for stage, (case_id, _) in cases.items() if any(case_id in line for line in started_again)}
    print("\nafter the kill and the restart:")
    for stage, case in at_restart.items():
        cut = "its run resumed at the restart" if stage in resumed else "finished before the kill"
        print(f"  {stage} ({cut}): {case['status']}, timeline {[e['kind'] for e in case['timeline']]} -> {ended[stage]['status']}")
    print(f"  reconciler pass after the restart: {tally}")
    # nothing to start, resume or fail: each case still listed has a running run (the waiting one at least), or has finished
    assert tally["started"] == tally["resumed"] == tally["failed"] == tally["errors"] == 0, tally
    assert tally["running"] >= 1, tally
    assert "waiting for review" in resumed
    assert decision.status_code == 200, decision.text
    assert {stage: case["status"] for stage, case in ended.items()} == dict.fromkeys(cases, "completed")

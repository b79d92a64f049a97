"""What the reconciler asks of a case store, held alike in memory, on moto and on DynamoDB Local.

A submitted case is on the list of unfinished cases by its submission time; a case sent
back to draft leaves it; a finished one is forgotten when the reconciler finds it (and an
open one is not). The next run is taken once. A wait a new run reaches takes the new
run's task token, and a decision already taken goes back on the resumes to send.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.case import CaseStatus
from chalicelib.domain.outcomes import Closing
from tests.contract.test_case_store_contract import a_case, case_id
from tests.contract.test_outcomes_are_recorded_once_in_every_store import CASE, a_processing_case, succeeded
from tests.contract.waiting import open_wait

SUBMITTED = "2026-11-30T02:00:00.000+00:00"


def submitted(store: Any, n: int, at: str = SUBMITTED) -> str:
    cid = a_case(store, n)
    store.submit(cid, 1, {"status": "submitted", "submitted_at": at}, {"kind": "submitted", "text": "案件已提交"})
    return cid


def listed(store: Any, until: str = "2099") -> list[str]:
    return [c["case_id"] for c in store.unfinished_cases(until)[0]]


def test_a_submitted_case_is_on_the_unfinished_list_by_its_submission_time(store):
    first = submitted(store, 1, "2026-11-30T02:00:00.000+00:00")
    second = submitted(store, 2, "2026-11-30T03:00:00.000+00:00")
    a_case(store, 3)  # a draft is not
    assert listed(store) == [first, second]
    assert listed(store, "2026-11-30T02:30:00+00:00") == [first]
    [item] = store.unfinished_cases("2026-11-30T02:30:00+00:00")[0]
    assert (item["status"], item["submitted_at"]) == ("submitted", "2026-11-30T02:00:00.000+00:00")


def test_a_case_sent_back_to_draft_leaves_the_list(store):
    cid = submitted(store, 1)
    store.return_to_draft(cid, 2, {"status": "draft"}, {"kind": "returned", "text": "未能开始办理"})
    assert listed(store) == []


def test_only_a_finished_case_is_forgotten(store, clock):
    cid = a_processing_case(store, clock)
    other = submitted(store, 7)
    assert not store.forget_finished(other)  # still open: it stays
    assert listed(store) == [other]
    store.conclude(succeeded("activate", some_open=("status_query",)))
    closing = Closing(CaseStatus.COMPLETED, "2026-11-30T01:00:05.000+00:00")
    store.conclude(succeeded("status_query", others_final={"activate": "succeeded"}, closing=closing))
    assert store.forget_finished(cid)  # finished (it was never listed: forgetting it is harmless)
    assert store.get_case_item(cid)["status"] == "completed"


def test_the_next_run_is_taken_once_and_only_while_the_case_is_open(store, clock):
    cid = submitted(store, 1)
    assert store.next_run(cid, 0)
    assert not store.next_run(cid, 0)  # another reconciler took run 1 already
    assert store.get_case_item(cid)["run"] == 1
    assert store.next_run(cid, 1)
    assert store.get_case_item(cid)["run"] == 2
    draft = a_case(store, 2)
    assert not store.next_run(draft, 0)
    assert not store.next_run(case_id(99), 0)  # no such case


def test_a_new_run_rearms_a_pending_wait_and_sends_a_decision_already_taken_again(store, clock):
    a_processing_case(store, clock, codes=("apply",))
    assert open_wait(store, CASE, "apply", token="token-run-0")
    rearmed = store.rearm_wait(CASE, "apply", "token-run-1", "2026-11-30T04:00:00.000+00:00")
    assert (rearmed["status"], rearmed["task_token"]) == ("pending", "token-run-1")
    assert store.resumes_due("2099")[0] == []
    store.decide_wait(
        CASE,
        "apply",
        {"status": "decided", "decision": "approve", "resume": "pending"},
        decided_at="2026-11-30T05:00:00.000+00:00",
        department="hr",
        district="341003",
    )
    store.settle_resume(CASE, "apply", {"resume": "sent"})  # sent to run 1, which was then lost
    assert store.resumes_due("2099")[0] == []
    rearmed = store.rearm_wait(CASE, "apply", "token-run-2", "2026-11-30T06:00:00.000+00:00")
    assert (rearmed["status"], rearmed["task_token"], rearmed["resume"]) == ("decided", "token-run-2", "pending")
    assert [w["task_token"] for w in store.resumes_due("2026-11-30T06:00:00.000+00:00")[0]] == ["token-run-2"]
    store.end_wait(CASE, "apply", expected_status="decided", changes={"status": "timed_out"})
    assert store.rearm_wait(CASE, "apply", "token-run-3", "2026-11-30T07:00:00.000+00:00") is None
    assert store.rearm_wait(CASE, "activate", "token-x", "2026-11-30T07:00:00.000+00:00") is None  # no wait there

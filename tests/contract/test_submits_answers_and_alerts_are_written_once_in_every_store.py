"""Create and submit with the request's remembered answer, a submit undone, and the deadline job's
alert marks on waits: the same in every store."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.adapters.dynamo_cases import Answer, ConcurrentUpdate
from tests.contract.waiting import a_processing_case, open_wait

CASE = "00000000-0000-4000-8000-000000000001"
OTHER = "00000000-0000-4000-8000-000000000002"
A_DAY_AFTER_THE_CLOCKS_START = 1_796_086_400  # the clock starts at 2026-11-30T01:00Z, 1_796_000_400 in epoch seconds


def keyed(
    table: str,
    answer_id: str = "sscard-answer-create#k1",
    request: str = "digest-1",
    body: dict | None = None,
    expiration: int | None = None,
) -> Answer:
    return Answer(table, answer_id, request, body or {"case_id": CASE, "status": "draft"}, expiration or A_DAY_AFTER_THE_CLOCKS_START)


def a_draft(store: Any, case_id: str = CASE, answer: Answer | None = None) -> str:
    store.create(
        {"case_id": case_id, "person_key": "person-a", "created_at": "2026-11-30T00:00:00.000+00:00", "status": "draft"},
        [{"code": "activate", "status": "pending"}],
        {"kind": "created", "text": "案件已创建"},
        answer=answer,
    )
    return case_id


def kinds(store: Any, case_id: str = CASE) -> list[str]:
    return [e["kind"] for e in store.get(case_id).events]


# --- remembered answers ------------------------------------------------------------------


def test_a_created_case_remembers_its_requests_answer_in_the_same_write(store, answers_table):
    answer = keyed(answers_table, body={"case_id": CASE, "matters": [{"code": "activate", "名称": "启用"}]})
    a_draft(store, answer=answer)
    assert store.remembered_answer(answers_table, answer.id) == answer
    assert store.remembered_answer(answers_table, "sscard-answer-create#other") is None


def test_a_create_whose_answer_is_remembered_already_writes_nothing(store, answers_table):
    a_draft(store, answer=keyed(answers_table))
    with pytest.raises(ConcurrentUpdate):
        a_draft(store, OTHER, answer=keyed(answers_table, request="digest-2", body={"case_id": OTHER}))
    assert store.get(OTHER) is None
    assert store.remembered_answer(answers_table, "sscard-answer-create#k1").request == "digest-1"


def test_an_expired_answer_is_forgotten_and_its_key_may_answer_anew(store, answers_table, clock):
    now = int(clock().timestamp())
    a_draft(store, answer=keyed(answers_table, expiration=now + 60))
    clock.advance(seconds=60)
    assert store.remembered_answer(answers_table, "sscard-answer-create#k1") is None
    a_draft(store, OTHER, answer=keyed(answers_table, request="digest-2", expiration=now + 3600))
    assert store.remembered_answer(answers_table, "sscard-answer-create#k1").request == "digest-2"


# --- submit, and its undoing --------------------------------------------------------------


def test_a_submit_moves_the_draft_on_with_its_event_and_answer_in_one_write(store, answers_table, clock):
    a_draft(store)
    clock.advance(seconds=1)
    answer = keyed(answers_table, "sscard-answer-submit#k1", body={"case_id": CASE, "status": "submitted"})
    assert (
        store.submit(
            CASE,
            1,
            {"status": "submitted", "submitted_at": "2026-11-30T01:00:01+00:00"},
            {"kind": "submitted", "text": "案件已提交"},
            answer,
        )
        == 2
    )
    case = store.get_case_item(CASE)
    assert (case["status"], case["version"], case["submitted_at"]) == ("submitted", 2, "2026-11-30T01:00:01+00:00")
    assert kinds(store) == ["created", "submitted"]
    assert store.remembered_answer(answers_table, answer.id) == answer


@pytest.mark.parametrize("race", ["stale version", "no longer a draft", "answer taken"])
def test_a_submit_that_lost_a_race_writes_nothing_at_all(store, answers_table, clock, race):
    a_draft(store)
    taken = keyed(answers_table, "sscard-answer-submit#k1", request="another request")
    version = 1
    if race == "stale version":
        store.update_case(CASE, 1, {"contact": {"phone": "13905590003"}})
    elif race == "no longer a draft":
        version = store.update_case(CASE, 1, {"status": "withdrawn"})["version"]
    else:
        a_draft(store, OTHER, answer=taken)
    clock.advance(seconds=1)
    before = store.get_case_item(CASE)
    with pytest.raises(ConcurrentUpdate):
        store.submit(
            CASE,
            version,
            {"status": "submitted"},
            {"kind": "submitted", "text": "案件已提交"},
            keyed(answers_table, "sscard-answer-submit#k1"),
        )
    assert store.get_case_item(CASE) == before and kinds(store) == ["created"]
    assert store.remembered_answer(answers_table, "sscard-answer-submit#k1") == (taken if race == "answer taken" else None)


def test_a_submit_whose_run_could_not_start_returns_to_draft_and_forgets_its_answer(store, answers_table, clock):
    a_draft(store)
    answer = keyed(answers_table, "sscard-answer-submit#k1")
    clock.advance(seconds=1)  # events of one moment have no order among them
    store.submit(CASE, 1, {"status": "submitted"}, {"kind": "submitted", "text": "案件已提交"}, answer)
    clock.advance(seconds=1)
    assert store.return_to_draft(CASE, 2, {"status": "draft"}, {"kind": "submit_failed", "text": "请稍后重新提交"}, forget=answer) == 3
    assert (store.get_case_item(CASE)["status"], kinds(store)) == ("draft", ["created", "submitted", "submit_failed"])
    assert store.remembered_answer(answers_table, answer.id) is None
    with pytest.raises(ConcurrentUpdate):  # a draft is not returned to draft
        store.return_to_draft(CASE, 3, {"status": "draft"}, {"kind": "submit_failed", "text": "请稍后重新提交"})
    assert store.get_case_item(CASE)["version"] == 3


# --- the deadline job's alert marks ----------------------------------------------------------


def a_pending_wait(store: Any) -> None:
    assert open_wait(store, a_processing_case(store, CASE), due_at="2026-12-01T15:59:59+00:00")


def test_a_wait_is_marked_alerted_once_per_level_without_changing_its_version(store, clock):
    a_pending_wait(store)
    assert store.mark_wait_alerted(CASE, "apply", "warning", seen=None)
    assert not store.mark_wait_alerted(CASE, "apply", "warning", seen=None)  # an overlapping run
    clock.advance(hours=5)
    assert not store.mark_wait_alerted(CASE, "apply", "overdue", seen=None)
    assert store.mark_wait_alerted(CASE, "apply", "overdue", seen="warning")
    wait = store.get_wait(CASE, "apply")
    assert (wait["alerted_level"], wait["version"]) == ("overdue", 1)
    assert (wait["warning_alerted_at"], wait["overdue_alerted_at"]) == ("2026-11-30T01:00:00.000+00:00", "2026-11-30T06:00:00.000+00:00")
    assert [w["alerted_level"] for w in store.waits_due("2099")[0]] == ["overdue"]  # the job's read shows it


def test_a_wait_no_longer_pending_is_not_marked_alerted(store):
    a_pending_wait(store)
    store.update_wait(CASE, "apply", expected_status="pending", changes={"status": "decided"})
    assert not store.mark_wait_alerted(CASE, "apply", "warning", seen=None)
    assert not store.mark_wait_alerted(CASE, "reissue", "warning", seen=None)
    assert "alerted_level" not in store.get_wait(CASE, "apply")


def test_an_alert_that_could_not_be_sent_is_unmarked_back_to_the_level_before_unless_it_moved_on(store):
    a_pending_wait(store)
    store.mark_wait_alerted(CASE, "apply", "warning", seen=None)
    store.mark_wait_alerted(CASE, "apply", "overdue", seen="warning")
    store.unmark_wait_alerted(CASE, "apply", "overdue", back_to="warning")
    wait = store.get_wait(CASE, "apply")
    assert (wait["alerted_level"], "overdue_alerted_at" in wait) == ("warning", False)
    store.unmark_wait_alerted(CASE, "apply", "overdue", back_to=None)  # not at that level: nothing
    assert store.get_wait(CASE, "apply")["alerted_level"] == "warning"
    store.unmark_wait_alerted(CASE, "apply", "warning", back_to=None)
    wait = store.get_wait(CASE, "apply")
    assert "alerted_level" not in wait and "warning_alerted_at" not in wait
    assert store.mark_wait_alerted(CASE, "apply", "warning", seen=None)

"""What every case store does, the in-memory one as the DynamoDB one (on moto and on DynamoDB Local).

Races are driven deterministically: a competing write lands between a store call's
read and its write (inside `change`), or before a write made with what was read.
"""

from __future__ import annotations

import inspect
import threading
from pathlib import Path
from typing import Any

import pytest

from chalicelib.adapters.dynamo_cases import ConcurrentUpdate, DynamoCaseStore, NotFound
from chalicelib.adapters.memory_cases import InMemoryCaseStore
from chalicelib.domain.case import CaseStatus
from chalicelib.ports import CaseStore
from tests.contract.waiting import a_processing_case, open_wait


def case_id(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def a_case(
    store: Any,
    n: int = 1,
    *,
    person: str = "person-a",
    created_at: str | None = None,
    service_point: str | None = None,
    matters: tuple[str, ...] = ("activate",),
    materials: tuple[str, ...] = (),
) -> str:
    cid = case_id(n)
    case: dict[str, Any] = {
        "case_id": cid,
        "person_key": person,
        "id_number": "341003199002150037",
        "created_at": created_at or f"2026-11-{n:02d}T00:00:00.000+00:00",
        "status": "draft",
        "matter_codes": list(matters),
        "contact": {"phone": "13905590002", "address": "黄山"},
    }
    if service_point:
        case["service_point"] = service_point
    store.create(
        case,
        [{"code": code, "status": "pending", "form": {}} for code in matters],
        {"kind": "created", "text": "案件已创建"},
        [{"kind": kind, "status": "required"} for kind in materials],
    )
    return cid


def every_page(read_page: Any, limit: int) -> list[list[dict]]:
    """Page through a list to its end: each page at most `limit` long, a page after a cursor never repeats."""
    pages, cursor = [], None
    while True:
        items, cursor = read_page(limit, cursor)
        assert len(items) <= limit
        pages.append(items)
        if cursor is None:
            return pages
        assert len(pages) < 50, "the cursor never ran out"


# --- create -----------------------------------------------------------------


def test_a_created_case_reads_back_with_its_matters_materials_and_first_event_all_at_version_one(store, clock):
    cid = a_case(store, matters=("apply", "status_query"), materials=("id_front", "photo"))
    record = store.get(cid)
    assert record.case_id == cid
    assert (record.case["status"], record.case["version"], record.case["contact"]) == (
        "draft",
        1,
        {"phone": "13905590002", "address": "黄山"},
    )
    assert sorted(record.matters) == ["apply", "status_query"]
    assert {m["version"] for m in record.matters.values()} == {1}
    assert sorted(record.materials) == ["id_front", "photo"] and record.materials["photo"]["version"] == 1
    assert [(e["kind"], e["at"]) for e in record.events] == [("created", "2026-11-30T01:00:00.000+00:00")]
    assert record.waits == {}
    assert store.get_case_item(cid) == record.case
    assert store.get_matter(cid, "apply") == record.matters["apply"]


def test_a_second_create_of_the_same_case_raises_concurrent_update_and_changes_nothing(store):
    cid = a_case(store, matters=("activate",))
    with pytest.raises(ConcurrentUpdate):
        a_case(store, matters=("cancel", "status_query"))
    record = store.get(cid)
    assert list(record.matters) == ["activate"] and len(record.events) == 1 and record.case["matter_codes"] == ["activate"]


def test_a_case_that_does_not_exist_reads_as_none_and_its_parts_as_not_found(store):
    assert store.get(case_id(9)) is None
    with pytest.raises(NotFound):
        store.get_case_item(case_id(9))
    a_case(store)
    with pytest.raises(NotFound):
        store.get_matter(case_id(1), "cancel")
    assert store.get_wait(case_id(1), "apply") is None


def test_a_counter_case_is_on_its_service_points_list_and_a_citizens_case_is_not(store):
    a_case(store, 1, service_point="SP-1")
    a_case(store, 2)
    a_case(store, 3, service_point="SP-1")
    a_case(store, 4, service_point="SP-2")
    items, _ = store.list_service_point_cases("SP-1", 10, None)
    assert [i["case_id"] for i in items] == [case_id(3), case_id(1)]
    pages = every_page(lambda limit, cursor: store.list_service_point_cases("SP-1", limit, cursor), 1)
    assert [c["case_id"] for p in pages for c in p] == [case_id(3), case_id(1)]
    assert [i["case_id"] for i in store.list_service_point_cases("SP-2", 10, None)[0]] == [case_id(4)]


# --- updates on a version ---------------------------------------------------------


@pytest.mark.parametrize("part", ["case", "matter", "material"])
def test_an_update_at_the_current_version_sets_the_changes_and_moves_the_version_on(store, part):
    cid = a_case(store, materials=("photo",))
    update, read = {
        "case": (lambda v, c: store.update_case(cid, v, c), lambda: store.get_case_item(cid)),
        "matter": (lambda v, c: store.update_matter(cid, "activate", v, c), lambda: store.get_matter(cid, "activate")),
        "material": (lambda v, c: store.update_material(cid, "photo", v, c), lambda: store.get(cid).materials["photo"]),
    }[part]
    written = update(1, {"status": "submitted", "result": {"count": 2, "names": ["a", "b"]}, "reason": None})
    assert (written["status"], written["version"], written["result"], written["reason"]) == (
        "submitted",
        2,
        {"count": 2, "names": ["a", "b"]},
        None,
    )
    assert read() == written
    assert update(2, {"status": "processing"})["version"] == 3


@pytest.mark.parametrize("part", ["case", "matter", "material"])
def test_an_update_with_a_stale_version_raises_concurrent_update_and_writes_nothing(store, part):
    cid = a_case(store, materials=("photo",))
    update, read = {
        "case": (lambda v, c: store.update_case(cid, v, c), lambda: store.get_case_item(cid)),
        "matter": (lambda v, c: store.update_matter(cid, "activate", v, c), lambda: store.get_matter(cid, "activate")),
        "material": (lambda v, c: store.update_material(cid, "photo", v, c), lambda: store.get(cid).materials["photo"]),
    }[part]
    update(1, {"status": "first"})
    with pytest.raises(ConcurrentUpdate):
        update(1, {"status": "second", "extra": True})
    current = read()
    assert (current["status"], current["version"], "extra" in current) == ("first", 2, False)


def test_an_update_of_something_that_does_not_exist_raises_concurrent_update_and_creates_nothing(store):
    cid = a_case(store)
    with pytest.raises(ConcurrentUpdate):
        store.update_case(case_id(9), 1, {"status": "submitted"})
    with pytest.raises(ConcurrentUpdate):
        store.update_matter(cid, "cancel", 1, {"status": "succeeded"})
    assert store.get(case_id(9)) is None and list(store.get(cid).matters) == ["activate"]


def test_numbers_read_back_as_numbers_enums_as_strings_sets_as_sorted_lists_and_floats_are_refused(store):
    cid = a_case(store)
    written = store.update_case(cid, 1, {"count": 3, "flags": {"b", "a"}, "nested": {"n": [1, 2]}, "status": CaseStatus.SUBMITTED})
    assert written["count"] == 3 and isinstance(written["count"], int)
    assert type(written["status"]) is str and type(store.get_case_item(cid)["status"]) is str
    assert written["flags"] == ["a", "b"] and written["nested"] == {"n": [1, 2]}
    with pytest.raises(TypeError):
        store.update_case(cid, 2, {"ratio": 0.5})
    assert store.get_case_item(cid)["version"] == 2


def test_what_a_store_answers_is_a_copy_that_cannot_change_what_it_holds(store):
    cid = a_case(store)
    changes = {"result": {"card": "C1"}}
    written = store.update_matter(cid, "activate", 1, changes)
    changes["result"]["card"] = "changed by the caller"
    written["result"]["card"] = "changed too"
    store.get(cid).case["contact"]["phone"] = "changed"
    assert store.get_matter(cid, "activate")["result"] == {"card": "C1"}
    assert store.get_case_item(cid)["contact"]["phone"] == "13905590002"


# --- read, change, write ------------------------------------------------------------


def test_mutate_writes_the_change_it_computes_from_what_it_read(store):
    cid = a_case(store)
    matter = store.mutate_matter(cid, "activate", lambda m: {"status": "in_progress", "attempt": m["version"]})
    assert (matter["status"], matter["attempt"], matter["version"]) == ("in_progress", 1, 2)
    case = store.mutate_case(cid, lambda c: {"status": "submitted"} if c["status"] == "draft" else None)
    assert (case["status"], case["version"]) == ("submitted", 2)


def test_mutate_whose_change_answers_none_writes_nothing_and_answers_what_it_read(store):
    cid = a_case(store)
    assert store.mutate_case(cid, lambda c: None) == store.get_case_item(cid)
    assert store.get_case_item(cid)["version"] == 1


def test_mutate_that_loses_a_race_reads_again_and_computes_again_so_no_update_is_lost(store):
    cid = a_case(store)
    seen: list[int] = []

    def add_one(matter: dict) -> dict:
        seen.append(matter.get("count", 0))
        if len(seen) == 1:  # another writer lands between this read and this write
            store.update_matter(cid, "activate", matter["version"], {"count": 10})
        return {"count": matter.get("count", 0) + 1}

    matter = store.mutate_matter(cid, "activate", add_one)
    assert seen == [0, 10]
    assert (matter["count"], matter["version"]) == (11, 3)


def test_mutate_that_keeps_losing_gives_up_with_concurrent_update_after_its_attempts(store):
    cid = a_case(store)
    calls = []

    def always_overtaken(case: dict) -> dict:
        calls.append(case["version"])
        store.update_case(cid, case["version"], {"touched": len(calls)})
        return {"status": "submitted"}

    with pytest.raises(ConcurrentUpdate):
        store.mutate_case(cid, always_overtaken, attempts=3)
    assert calls == [1, 2, 3]
    case = store.get_case_item(cid)
    assert (case["status"], case["version"]) == ("draft", 4)


def test_mutate_of_a_case_or_matter_that_does_not_exist_raises_not_found(store):
    with pytest.raises(NotFound):
        store.mutate_case(case_id(9), lambda c: {"status": "x"})
    cid = a_case(store)
    with pytest.raises(NotFound):
        store.mutate_matter(cid, "cancel", lambda m: {"status": "x"})


# --- drafts ---------------------------------------------------------------------


def test_a_draft_change_replaces_matters_and_adds_and_removes_materials_in_one_step(store):
    cid = a_case(store, matters=("activate", "loss"), materials=("photo", "id_front"))
    case = store.replace_draft(
        cid,
        1,
        {"matter_codes": ["activate", "reissue"]},
        [{"code": "activate", "status": "pending", "form": {"x": 1}}, {"code": "reissue", "status": "pending", "form": {"kind": "lost"}}],
        ["loss"],
        [{"kind": "id_back", "status": "required"}],
        {"photo": 1},
    )
    assert (case["matter_codes"], case["version"], case["status"]) == (["activate", "reissue"], 2, "draft")
    record = store.get(cid)
    assert record.case == case
    assert sorted(record.matters) == ["activate", "reissue"]
    assert record.matters["activate"]["form"] == {"x": 1} and record.matters["activate"]["version"] == 1
    assert sorted(record.materials) == ["id_back", "id_front"]


def _try_draft_change(store: Any, cid: str, version: int, removed_materials: dict[str, int], new_kind: str = "id_back") -> None:
    store.replace_draft(
        cid,
        version,
        {"matter_codes": ["reissue"]},
        [{"code": "reissue", "status": "pending", "form": {}}],
        ["activate"],
        [{"kind": new_kind, "status": "required"}],
        removed_materials,
    )


def _unchanged(store: Any, cid: str, version: int) -> None:
    record = store.get(cid)
    assert record.case["version"] == version and record.case["matter_codes"] == ["activate"]
    assert list(record.matters) == ["activate"]
    assert "id_back" not in record.materials and "photo" in record.materials


def test_a_draft_change_at_a_stale_version_writes_nothing_at_all(store):
    cid = a_case(store, materials=("photo",))
    store.update_case(cid, 1, {"contact": {"phone": "13905590003", "address": "黄山"}})
    with pytest.raises(ConcurrentUpdate):
        _try_draft_change(store, cid, 1, {"photo": 1})
    _unchanged(store, cid, 2)


def test_a_draft_change_after_the_case_was_submitted_writes_nothing_at_all(store):
    cid = a_case(store, materials=("photo",))
    store.update_case(cid, 1, {"status": "submitted"})
    with pytest.raises(ConcurrentUpdate):
        _try_draft_change(store, cid, 2, {"photo": 1})
    _unchanged(store, cid, 2)


def test_a_draft_change_that_would_remove_a_material_uploaded_meanwhile_writes_nothing_at_all(store):
    cid = a_case(store, materials=("photo",))
    store.update_material(cid, "photo", 1, {"status": "uploaded"})
    with pytest.raises(ConcurrentUpdate):
        _try_draft_change(store, cid, 1, {"photo": 1})
    _unchanged(store, cid, 1)
    assert store.get(cid).materials["photo"]["status"] == "uploaded"


def test_a_draft_change_that_would_add_a_material_the_case_has_writes_nothing_at_all(store):
    cid = a_case(store, materials=("photo",))
    with pytest.raises(ConcurrentUpdate):
        _try_draft_change(store, cid, 1, {}, new_kind="photo")
    _unchanged(store, cid, 1)


def test_a_draft_change_of_a_case_that_does_not_exist_raises_concurrent_update(store):
    with pytest.raises(ConcurrentUpdate):
        _try_draft_change(store, case_id(9), 1, {})
    assert store.get(case_id(9)) is None


def test_deleting_a_draft_removes_the_case_and_everything_of_it(store):
    cid = a_case(store, materials=("photo",))
    store.add_event(cid, "updated", "已修改")
    other = a_case(store, 2)
    store.delete_draft(cid, 1)
    assert store.get(cid) is None
    with pytest.raises(NotFound):
        store.get_matter(cid, "activate")
    assert store.list_for_person("person-a")[0] == [store.get_case_item(other)]


def test_a_draft_submitted_before_its_delete_is_not_deleted(store):
    cid = a_case(store)
    read_version = store.get(cid).case["version"]
    store.update_case(cid, read_version, {"status": "submitted"})  # the submit wins the race
    with pytest.raises(ConcurrentUpdate):
        store.delete_draft(cid, read_version)
    record = store.get(cid)
    assert record.case["status"] == "submitted" and list(record.matters) == ["activate"]


def test_a_draft_changed_before_its_delete_is_not_deleted_nor_is_a_case_that_is_no_draft(store):
    cid = a_case(store)
    store.update_case(cid, 1, {"contact": {"phone": "13905590003", "address": "黄山"}})
    with pytest.raises(ConcurrentUpdate):
        store.delete_draft(cid, 1)
    store.update_case(cid, 2, {"status": "submitted"})
    with pytest.raises(ConcurrentUpdate):
        store.delete_draft(cid, 3)
    with pytest.raises(ConcurrentUpdate):
        store.delete_draft(case_id(9), 1)
    assert store.get(cid).case["version"] == 3


# --- the timeline ---------------------------------------------------------------


def test_the_timeline_reads_in_time_order_each_event_stamped_by_the_business_clock(store, clock):
    cid = a_case(store)
    clock.advance(minutes=5)
    first = store.add_event(cid, "submitted", "案件已提交")
    clock.advance(seconds=1)
    store.add_event(cid, "matter_succeeded", "启用：已办结", matter="activate", data={"card": "C1"})
    clock.advance(milliseconds=1)
    store.add_event(cid, "finished", "已办结")
    assert first == {"kind": "submitted", "text": "案件已提交", "at": "2026-11-30T01:05:00.000+00:00"}
    events = store.get(cid).events
    assert [e["kind"] for e in events] == ["created", "submitted", "matter_succeeded", "finished"]
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    assert (events[2]["matter"], events[2]["data"]) == ("activate", {"card": "C1"})
    assert "matter" not in events[1] and "data" not in events[1]


def test_two_events_at_the_same_moment_are_both_kept(store):
    cid = a_case(store)
    store.add_event(cid, "notification", "已发送短信通知")
    store.add_event(cid, "notification", "已发送短信通知")
    assert [e["kind"] for e in store.get(cid).events].count("notification") == 2


# --- department waits -------------------------------------------------------------


def test_a_wait_is_recorded_once_and_a_replay_keeps_the_first_and_its_token(store, clock):
    cid = a_processing_case(store, case_id(1))
    assert open_wait(store, cid, due_at="2026-12-01T15:59:59+00:00", token="t1")
    clock.advance(minutes=1)
    assert not open_wait(store, cid, due_at="2026-12-09T15:59:59+00:00", token="t2", queue="341004")
    wait = store.get_wait(cid, "apply")
    assert (wait["task_token"], wait["due_at"], wait["version"]) == ("t1", "2026-12-01T15:59:59+00:00", 1)
    assert wait["created_at"] == "2026-11-30T01:00:00.000+00:00"
    # the keys every deployed table holds: existing waits stay on their lists
    assert wait["index"] == {"gsi2pk": "REVIEW#hr#341003", "gsi3pk": "OPEN_WAIT"}
    assert store.get(cid).waits["apply"]["task_token"] == "t1"
    assert store.list_pending_reviews("hr", "341004", 10, None) == ([], None)


def test_a_department_without_districts_sees_its_reviews_in_one_queue(store):
    cid = a_processing_case(store, case_id(1), ("pension_account",))
    assert open_wait(store, cid, "pension_account", queue=None)
    assert [w["matter"] for w in store.list_pending_reviews("pension", None, 10, None)[0]] == ["pension_account"]
    assert store.get_wait(cid, "pension_account")["index"] == {"gsi2pk": "REVIEW#pension#all", "gsi3pk": "OPEN_WAIT"}
    assert store.list_pending_reviews("hr", "341003", 10, None) == ([], None)


def test_a_wait_changes_only_from_an_expected_status_and_answers_itself_as_written(store):
    cid = a_processing_case(store, case_id(1))
    open_wait(store, cid)
    with pytest.raises(ConcurrentUpdate):
        store.update_wait(cid, "apply", expected_status="decided", changes={"status": "timed_out"})
    written = store.update_wait(cid, "apply", expected_status=("decided", "pending"), changes={"status": "pending", "task_token": "t2"})
    assert (written["status"], written["version"], written["task_token"]) == ("pending", 2, "t2")
    assert store.get_wait(cid, "apply") == {**written, "index": {"gsi2pk": "REVIEW#hr#341003", "gsi3pk": "OPEN_WAIT"}}
    with pytest.raises(ConcurrentUpdate):
        store.update_wait(cid, "reissue", expected_status="pending", changes={"status": "decided"})
    assert [w["task_token"] for w in store.list_pending_reviews("hr", "341003", 10, None)[0]] == ["t2"]


def test_a_decided_wait_moves_to_the_districts_decided_reviews_and_to_the_resumes_to_send(store):
    cid = a_processing_case(store, case_id(1))
    open_wait(store, cid)
    decided = store.decide_wait(
        cid,
        "apply",
        {"status": "decided", "decision": "approve"},
        decided_at="2026-11-30T02:00:00.000+00:00",
        department="hr",
        district="341003",
    )
    assert (decided["status"], decided["decision"], decided["version"]) == ("decided", "approve", 2)
    with pytest.raises(ConcurrentUpdate):  # decided once
        store.decide_wait(
            cid, "apply", {"decision": "reject"}, decided_at="2026-11-30T03:00:00.000+00:00", department="hr", district="341003"
        )
    assert store.list_pending_reviews("hr", "341003", 10, None)[0] == []
    assert [w["decision"] for w in store.list_decided_reviews("hr", "341003", 10, None)[0]] == ["approve"]
    assert store.waits_due("2099")[0] == []
    assert [w["status"] for w in store.resumes_due("2026-11-30T02:00:00.000+00:00")[0]] == ["decided"]
    assert store.resumes_due("2026-11-30T01:59:59.000+00:00") == ([], 0)
    assert store.get_wait(cid, "apply")["index"] == {"gsi2pk": "DECIDED#hr#341003", "gsi3pk": "RESUME"}


def test_a_settled_resume_leaves_the_resumes_to_send_and_stays_among_the_decided_reviews(store):
    cid = a_processing_case(store, case_id(1))
    open_wait(store, cid)
    with pytest.raises(ConcurrentUpdate):  # nothing to settle before a decision
        store.settle_resume(cid, "apply", {"resume": "sent"})
    store.decide_wait(cid, "apply", {"status": "decided"}, decided_at="2026-11-30T02:00:00.000+00:00", department="hr", district="341003")
    settled = store.settle_resume(cid, "apply", {"resume": "sent"})
    assert (settled["resume"], settled["version"]) == ("sent", 3)
    assert store.resumes_due("2099") == ([], 0)
    assert [w["resume"] for w in store.list_decided_reviews("hr", "341003", 10, None)[0]] == ["sent"]
    assert store.get_wait(cid, "apply")["index"] == {"gsi2pk": "DECIDED#hr#341003"}


def test_a_decision_of_a_department_without_districts_leaves_every_work_list_for_the_resumes_to_send(store):
    cid = a_processing_case(store, case_id(1), ("pension_account",))
    open_wait(store, cid, "pension_account", queue=None)
    store.decide_wait(
        cid, "pension_account", {"status": "decided"}, decided_at="2026-11-30T02:00:00.000+00:00", department="pension", district=None
    )
    assert store.list_pending_reviews("pension", None, 10, None) == ([], None)
    assert store.get_wait(cid, "pension_account")["index"] == {"gsi3pk": "RESUME"}
    assert [w["matter"] for w in store.resumes_due("2099")[0]] == ["pension_account"]


def test_an_ended_wait_leaves_every_list_and_ends_only_from_an_expected_status(store):
    cid = a_processing_case(store, case_id(1))
    open_wait(store, cid)
    with pytest.raises(ConcurrentUpdate):
        store.end_wait(cid, "apply", expected_status="decided", changes={"status": "timed_out"})
    ended = store.end_wait(cid, "apply", expected_status="pending", changes={"status": "withdrawn"})
    assert (ended["status"], ended["version"]) == ("withdrawn", 2)
    assert store.get_wait(cid, "apply")["index"] == {}
    assert store.list_pending_reviews("hr", "341003", 10, None) == ([], None) and store.waits_due("2099") == ([], 0)


def _waits_due(store: Any, dues: list[str]) -> None:
    for n, due in enumerate(dues, start=1):
        open_wait(store, a_processing_case(store, case_id(n)), due_at=due)


def test_pending_reviews_page_soonest_due_first_and_their_cursors_reach_every_item_once(store):
    dues = ["2026-12-03", "2026-12-01", "2026-12-05", "2026-12-02", "2026-12-04"]
    _waits_due(store, dues)
    pages = every_page(lambda limit, cursor: store.list_pending_reviews("hr", "341003", limit, cursor), 2)
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [w["due_at"] for p in pages for w in p] == sorted(dues)


def test_decided_reviews_page_newest_decision_first(store):
    decided = ["2026-12-03T01:00:00.000+00:00", "2026-12-01T01:00:00.000+00:00", "2026-12-02T01:00:00.000+00:00"]
    _waits_due(store, ["2026-12-09"] * 3)
    for n, at in enumerate(decided, start=1):
        store.decide_wait(case_id(n), "apply", {"status": "decided", "decided_at": at}, decided_at=at, department="hr", district="341003")
    pages = every_page(lambda limit, cursor: store.list_decided_reviews("hr", "341003", limit, cursor), 2)
    assert [w["decided_at"] for p in pages for w in p] == sorted(decided, reverse=True)
    assert store.list_decided_reviews("hr", "341004", 10, None) == ([], None)


def test_a_page_that_ends_the_list_exactly_at_its_limit_has_no_next_page_or_an_empty_one(store):
    # DynamoDB may answer a next key when a page stops at its limit at the very end; callers see an empty last page
    _waits_due(store, ["2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"])
    pages = every_page(lambda limit, cursor: store.list_pending_reviews("hr", "341003", limit, cursor), 2)
    assert [len(p) for p in pages] in ([2, 2], [2, 2, 0])
    assert [w["due_at"] for p in pages for w in p] == ["2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"]


def test_a_cursor_pages_only_through_the_list_it_came_from(store):
    _waits_due(store, ["2026-12-01", "2026-12-02", "2026-12-03"])
    _, cursor = store.list_pending_reviews("hr", "341003", 1, None)
    assert cursor is not None
    assert store.list_pending_reviews("hr", "341003", 1, cursor)[0][0]["due_at"] == "2026-12-02"
    foreign_lists = [
        lambda c: store.list_pending_reviews("hr", "341004", 1, c),
        lambda c: store.list_pending_reviews("pension", None, 1, c),
        lambda c: store.list_decided_reviews("hr", "341003", 1, c),
        lambda c: store.list_bank_cards("ICBC", 1, c),
        lambda c: store.list_service_point_cases("SP-1", 1, c),
        lambda c: store.list_for_person("person-a", 1, c),
    ]
    for foreign in foreign_lists:
        with pytest.raises(ValueError):
            foreign(cursor)
    for garbage in ("not a cursor", "e30=", "W10="):  # nonsense, {} and []
        with pytest.raises(ValueError):
            store.list_pending_reviews("hr", "341003", 1, garbage)


def test_waits_due_answers_the_open_waits_due_at_or_before_the_time_soonest_first_and_counts_what_it_read(store):
    _waits_due(store, ["2026-12-02T16:00:00+08:00", "2026-12-01T10:00:00+08:00", "2026-12-03T09:00:00+08:00"])
    items, read = store.waits_due("2026-12-02T16:00:00+08:00")
    assert [w["due_at"] for w in items] == ["2026-12-01T10:00:00+08:00", "2026-12-02T16:00:00+08:00"]
    assert read == 2
    assert all("gsi3pk" not in w and "pk" not in w for w in items)
    assert store.waits_due("2026-11-30") == ([], 0)
    assert len(store.waits_due("2026-12-31")[0]) == 3
    assert store.resumes_due("2099") == ([], 0)  # a pending wait is no resume to send


# --- card orders --------------------------------------------------------------------


def an_order(card_id: str, bank_code: str, ordered_at: str, **more: Any) -> dict:
    return {"card_id": card_id, "bank_code": bank_code, "ordered_at": ordered_at, "status": "awaiting_production", **more}


def test_a_card_order_is_on_its_banks_list_once_in_the_order_it_was_ordered(store):
    cid = a_case(store, matters=("apply",))
    assert store.put_card_order(cid, an_order("C1", "ICBC", "2026-11-30T02:00:00.000+00:00", branch="屯溪支行"))
    assert not store.put_card_order(cid, an_order("C1", "ICBC", "2026-11-30T03:00:00.000+00:00", branch="other"))
    store.put_card_order(cid, an_order("C0", "ICBC", "2026-11-30T01:30:00.000+00:00", branch="屯溪支行"))
    store.put_card_order(cid, an_order("C9", "CCB", "2026-11-30T01:00:00.000+00:00", branch="屯溪支行"))
    items, _ = store.list_bank_cards("ICBC", 10, None)
    assert [(o["card_id"], o["branch"]) for o in items] == [("C0", "屯溪支行"), ("C1", "屯溪支行")]
    assert [o["card_id"] for o in store.list_bank_cards("CCB", 10, None)[0]] == ["C9"]
    assert store.get(cid).waits == {}  # a card order is no wait of the case


def test_a_closed_card_order_leaves_its_banks_list_and_closes_only_once(store):
    cid = a_case(store, matters=("apply",))
    store.put_card_order(cid, an_order("C1", "ICBC", "2026-11-30T02:00:00.000+00:00"))
    assert store.close_card_order(cid, "C1", "issued", "2026-12-01T02:00:00.000+00:00")
    assert store.list_bank_cards("ICBC", 10, None) == ([], None)
    assert not store.close_card_order(cid, "C1", "not_made", "2026-12-02T02:00:00.000+00:00")
    assert not store.close_card_order(cid, "NO-SUCH-CARD", "issued", "2026-12-02T02:00:00.000+00:00")


# --- a person's cases -------------------------------------------------------------


def test_a_persons_cases_page_newest_first_and_hold_nobody_elses(store):
    for n in range(1, 6):
        a_case(store, n, person="person-a")
    a_case(store, 6, person="person-b")
    pages = every_page(lambda limit, cursor: store.list_for_person("person-a", limit, cursor), 2)
    assert [c["case_id"] for p in pages for c in p] == [case_id(n) for n in (5, 4, 3, 2, 1)]
    assert [len(p) for p in pages] == [2, 2, 1]
    assert all("gsi1pk" not in c and "version" in c for p in pages for c in p)
    assert [c["case_id"] for c in store.list_for_person("person-b")[0]] == [case_id(6)]
    assert store.list_for_person("nobody") == ([], None)
    _, cursor = store.list_for_person("person-a", 1)
    with pytest.raises(ValueError):
        store.list_for_person("person-b", 1, cursor)


def test_a_persons_cases_at_a_service_point_are_filtered_page_by_page(store):
    points = {1: "SP-1", 2: None, 3: "SP-1", 4: "SP-2", 5: "SP-1"}
    for n, point in points.items():
        a_case(store, n, service_point=point)
    pages = every_page(lambda limit, cursor: store.list_for_person_at_point("person-a", "SP-1", limit, cursor), 2)
    # a page reads two of the person's cases (5, 4 | 3, 2 | 1) and keeps those of the point
    assert [[c["case_id"] for c in p] for p in pages][:3] == [[case_id(5)], [case_id(3)], [case_id(1)]]
    assert all(p == [] for p in pages[3:])


# --- many writers at once -------------------------------------------------------------


def test_of_eight_concurrent_updates_at_one_version_exactly_one_wins(store, request):
    if request.node.callspec.params["backend"] == "moto":
        pytest.skip("moto's backend is not thread-safe (the local stack serializes calls into it)")
    cid = a_case(store)
    barrier = threading.Barrier(8)
    results: list[Any] = [None] * 8

    def one(i: int) -> None:
        barrier.wait()
        try:
            results[i] = store.update_case(cid, 1, {"status": "submitted", "by": i})
        except ConcurrentUpdate as error:
            results[i] = error

    threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [r for r in results if isinstance(r, dict)]
    assert len(winners) == 1 and sum(isinstance(r, ConcurrentUpdate) for r in results) == 7
    assert store.get_case_item(cid)["by"] == winners[0]["by"]


# --- the port itself ---------------------------------------------------------------


def _public_methods(cls: type) -> dict[str, inspect.Signature]:
    """The class's public methods, its own and those of the project's classes it is made of (a store's WaitMoves)."""
    found: dict[str, inspect.Signature] = {}
    for klass in reversed([k for k in cls.__mro__ if k.__module__.startswith("chalicelib.")]):
        found |= {name: inspect.signature(member) for name, member in vars(klass).items() if callable(member) and not name.startswith("_")}
    return found


@pytest.mark.parametrize("adapter", [DynamoCaseStore, InMemoryCaseStore], ids=lambda cls: cls.__name__)
def test_every_store_offers_every_method_of_the_port_with_its_parameters(adapter):
    port = _public_methods(CaseStore)
    offered = _public_methods(adapter)
    assert sorted(set(port) - set(offered)) == []
    for name, signature in port.items():
        parameters = offered[name].parameters
        for parameter in signature.parameters.values():
            assert parameter.name in parameters, f"{adapter.__name__}.{name} lacks {parameter.name}"
            assert (parameters[parameter.name].kind, parameters[parameter.name].default) == (parameter.kind, parameter.default), (
                f"{adapter.__name__}.{name}({parameter.name})"
            )


def test_every_public_method_of_the_dynamodb_store_is_in_the_port_so_services_can_call_it_on_any_store():
    assert sorted(set(_public_methods(DynamoCaseStore)) - set(_public_methods(CaseStore))) == []


def test_this_suite_calls_every_method_of_the_port():
    source = "".join(path.read_text(encoding="utf-8") for path in Path(__file__).parent.glob("test_*.py"))
    assert sorted(name for name in _public_methods(CaseStore) if f"store.{name}(" not in source) == []

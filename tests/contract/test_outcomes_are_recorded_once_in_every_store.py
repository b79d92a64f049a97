"""The run's state changes, each one transaction, the same in every store: the first outcome wins,
a retry writes nothing and records no second message; the outbox sends each message once."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.case import CaseStatus, MatterStatus
from chalicelib.domain.outcomes import Channel, Closing, Conclusion, Event, Message, Outcome, PayoutSwitch, WaitChange, WaitStatus

CASE = "00000000-0000-4000-8000-000000000001"
PHONE = "13905590002"


def a_submitted_case(store: Any, codes: tuple[str, ...] = ("activate", "status_query"), phone: str = PHONE) -> str:
    store.create(
        {
            "case_id": CASE,
            "person_key": "person-a",
            "created_at": "2026-11-30T00:00:00.000+00:00",
            "status": CaseStatus.SUBMITTED.value,
            "contact": {"phone": phone, "address": "黄山"},
        },
        [{"code": code, "status": MatterStatus.PENDING.value} for code in codes],
        {"kind": "created", "text": "案件已创建"},
    )
    return CASE


def a_processing_case(store: Any, clock: Any, codes: tuple[str, ...] = ("activate", "status_query"), due: dict | None = None) -> str:
    cid = a_submitted_case(store, codes)
    clock.advance(seconds=1)  # events of one moment have no order among them
    assert store.begin_processing(
        cid, list(codes), due or {}, Event("prejudged", "提交时条件预判通过，开始办理"), {"stages": [list(codes)]}
    )
    clock.advance(seconds=1)
    return cid


def sms(purpose: str, matter: str | None = None, to: str = PHONE) -> Message:
    return Message(id=f"{CASE}.{matter or 'case'}.{purpose}", channel=Channel.SMS, text=f"短信：{purpose}", to=to, matter=matter)


def succeeded(code: str, **more: Any) -> Conclusion:
    return Conclusion(
        case_id=CASE,
        outcomes=(Outcome(code, MatterStatus.SUCCEEDED, result={"ok": True}),),
        events=(Event("matter_succeeded", f"{code}：已办结", matter=code),),
        messages=(sms("result", code),),
        **more,
    )


def kinds(store: Any) -> list[str]:
    return [e["kind"] for e in store.get(CASE).events]


# --- beginning -----------------------------------------------------------------------


def test_a_submitted_case_begins_processing_once_with_every_matter_open_and_its_due_times(store, clock):
    cid = a_submitted_case(store, ("activate", "apply"))
    clock.advance(seconds=1)
    due = {"apply": ("2026-12-01T15:59:59+00:00", "2026-12-08T15:59:59+00:00")}
    assert store.begin_processing(cid, ["activate", "apply"], due, Event("prejudged", "开始办理"), {"stages": [["activate"], ["apply"]]})
    case = store.get_case_item(cid)
    assert (case["status"], case["matter_status"], case["matter_reasons"]) == (
        "processing",
        {"activate": "pending", "apply": "pending"},
        {},
    )
    assert case["plan"] == {"stages": [["activate"], ["apply"]]} and case["updated_at"] == "2026-11-30T01:00:01.000+00:00"
    assert (store.get_matter(cid, "apply")["due_at"], store.get_matter(cid, "apply")["expires_at"]) == due["apply"]
    assert "due_at" not in store.get_matter(cid, "activate")
    clock.advance(minutes=1)
    later = {"apply": ("2026-12-02T15:59:59+00:00", "2026-12-09T15:59:59+00:00")}
    assert not store.begin_processing(cid, ["activate", "apply"], later, Event("prejudged", "开始办理"), {})
    assert kinds(store) == ["created", "prejudged"]
    assert store.get_matter(cid, "apply")["due_at"] == "2026-12-01T15:59:59+00:00"


def test_a_draft_or_withdrawn_case_does_not_begin_processing(store):
    cid = a_submitted_case(store)
    store.update_case(cid, 1, {"status": CaseStatus.WITHDRAWN.value})
    assert not store.begin_processing(cid, ["activate"], {}, Event("prejudged", "开始办理"), {})
    assert store.get_case_item(cid)["status"] == "withdrawn" and kinds(store) == ["created"]


# --- concluding a matter ----------------------------------------------------------------


def test_the_first_outcome_of_a_matter_wins_and_a_later_attempt_writes_and_records_nothing(store, clock):
    cid = a_processing_case(store, clock)
    assert store.conclude(succeeded("activate", some_open=("status_query",), contact_phone=PHONE))
    failed = Conclusion(
        case_id=cid,
        outcomes=(Outcome("activate", MatterStatus.FAILED, reason="系统故障"),),
        events=(Event("matter_failed", "启用：系统故障", matter="activate"),),
        messages=(sms("failed", "activate"),),
        some_open=("status_query",),
    )
    assert not store.conclude(failed)
    assert not store.conclude(succeeded("activate", some_open=("status_query",)))
    matter = store.get_matter(cid, "activate")
    assert (matter["status"], matter["result"], matter["version"]) == ("succeeded", {"ok": True}, 2)
    case = store.get_case_item(cid)
    assert (case["status"], case["matter_status"]["activate"], case["version"]) == ("processing", "succeeded", 2)
    assert kinds(store) == ["created", "prejudged", "matter_succeeded", "notification"]
    assert [m.id for m in store.pending_outbox(cid)] == [f"{CASE}.activate.result"]


def test_an_sms_in_the_outbox_shows_on_the_timeline_as_a_notification_with_the_phone_masked(store, clock):
    cid = a_processing_case(store, clock)
    store.conclude(succeeded("activate", some_open=("status_query",)))
    notification = store.get(cid).events[-1]
    assert notification["kind"] == "notification" and notification["matter"] == "activate"
    assert notification["data"]["text"] == "短信：result" and PHONE not in str(notification)


def test_the_last_outcome_closes_the_case_in_the_same_write(store, clock):
    cid = a_processing_case(store, clock)
    store.conclude(succeeded("activate", some_open=("status_query",)))
    closing = Closing(CaseStatus.COMPLETED, "2026-11-30T01:00:05.000+00:00", retention_due="2027-05-30T00:00:00+08:00")
    assert store.conclude(succeeded("status_query", others_final={"activate": "succeeded"}, closing=closing))
    case = store.get_case_item(cid)
    assert (case["status"], case["finished_at"]) == ("completed", "2026-11-30T01:00:05.000+00:00")
    assert case["matter_status"] == {"activate": "succeeded", "status_query": "succeeded"}
    assert [i["request_id"] for i in store.material_retentions_due("2099")[0]] == [cid]


def test_an_outcome_believed_not_last_is_refused_when_every_other_matter_has_ended(store, clock):
    cid = a_processing_case(store, clock)
    store.conclude(succeeded("status_query", some_open=("activate",)))
    assert not store.conclude(succeeded("activate", some_open=("status_query",)))  # the writer must read again and close the case
    assert store.get_matter(cid, "activate")["status"] == "pending"


def test_a_closing_outcome_is_refused_when_another_matter_ended_otherwise_than_read(store, clock):
    cid = a_processing_case(store, clock)
    failed = Conclusion(case_id=cid, outcomes=(Outcome("status_query", MatterStatus.FAILED, reason="故障"),), some_open=("activate",))
    assert store.conclude(failed)
    closing = Closing(CaseStatus.COMPLETED, "2026-11-30T01:00:05.000+00:00")
    assert not store.conclude(succeeded("activate", others_final={"status_query": "succeeded"}, closing=closing))
    case = store.get_case_item(cid)
    assert (case["status"], case["matter_reasons"]) == ("processing", {"status_query": "故障"})


def test_a_late_outcome_of_a_withdrawn_case_or_to_a_changed_phone_is_refused(store, clock):
    cid = a_processing_case(store, clock)
    assert not store.conclude(succeeded("activate", some_open=("status_query",), contact_phone="13900000000"))
    store.mutate_case(cid, lambda c: {"status": CaseStatus.WITHDRAWN.value})
    assert not store.conclude(succeeded("activate", some_open=("status_query",)))
    assert store.get_matter(cid, "activate")["status"] == "pending" and store.pending_outbox(cid) == []


def test_a_phone_change_moves_the_cases_contact_with_its_outcome(store, clock):
    cid = a_processing_case(store, clock, ("info_change", "status_query"))
    assert store.conclude(succeeded("info_change", some_open=("status_query",), contact_phone=PHONE, new_contact_phone="13905599999"))
    assert store.get_case_item(cid)["contact"] == {"phone": "13905599999", "address": "黄山"}


def test_a_refusal_at_pre_judgment_ends_every_matter_of_the_submitted_case_at_once(store):
    cid = a_submitted_case(store)
    refusal = Conclusion(
        case_id=cid,
        outcomes=(Outcome("activate", MatterStatus.REJECTED, reason="卡未发放"), Outcome("status_query", MatterStatus.REJECTED)),
        case_status=CaseStatus.SUBMITTED,
        closing=Closing(CaseStatus.REJECTED, "2026-11-30T01:00:00.000+00:00"),
    )
    assert store.conclude(refusal)
    assert not store.conclude(refusal)
    case = store.get_case_item(cid)
    assert (case["status"], case["matter_status"], case["matter_reasons"]) == (
        "rejected",
        {"activate": "rejected", "status_query": "rejected"},
        {"activate": "卡未发放"},
    )


def test_an_outcome_ends_the_matters_wait_and_takes_it_off_every_list_unless_the_wait_moved_on(store, clock):
    cid = a_processing_case(store, clock, ("apply",))
    wait = {"task_token": "t1", "status": "pending", "due_at": "2026-12-01", "case_id": cid, "matter": "apply"}
    assert store.open_wait(cid, "apply", wait, department="hr", district="341003", event=Event("awaiting_review", "待审核"))
    timed_out = Conclusion(
        case_id=cid,
        outcomes=(Outcome("apply", MatterStatus.FAILED, reason="超时"),),
        wait=WaitChange("apply", WaitStatus.TIMED_OUT, (WaitStatus.DECIDED,)),
        closing=Closing(CaseStatus.FAILED, "2026-12-09T00:00:00.000+00:00"),
    )
    assert not store.conclude(timed_out)  # the wait is pending, not decided
    assert store.conclude(
        Conclusion(**{**timed_out.__dict__, "wait": WaitChange("apply", WaitStatus.TIMED_OUT, (WaitStatus.PENDING,), {"x": 1})})
    )
    ended = store.get_wait(cid, "apply")
    assert (ended["status"], ended["x"], ended["index"], ended["version"]) == ("timed_out", 1, {}, 2)
    assert store.list_pending_reviews("hr", "341003", 10, None) == ([], None) and store.waits_due("2099") == ([], 0)


def test_an_approval_puts_the_card_on_its_banks_list_and_a_payout_change_on_the_switch_list(store, clock):
    cid = a_processing_case(store, clock, ("apply", "pension_account"))
    order = {"card_id": "C1", "bank_code": "ICBC", "ordered_at": "2026-11-30T02:00:00.000+00:00", "status": "awaiting_production"}
    switch = PayoutSwitch("k", "r1", cid, "341003195502150031", "2027-01", "2027-01-01T00:00:00+08:00")
    assert store.conclude(succeeded("apply", some_open=("pension_account",), card_order=order))
    assert store.conclude(
        Conclusion(
            case_id=cid,
            outcomes=(Outcome("pension_account", MatterStatus.SUCCEEDED),),
            others_final={"apply": "succeeded"},
            payout_switch=switch,
            closing=Closing(CaseStatus.COMPLETED, "x"),
        )
    )
    assert [o["card_id"] for o in store.list_bank_cards("ICBC", 10, None)[0]] == ["C1"]
    assert [i["request_id"] for i in store.payout_switches_due("2027-01-01T00:00:00+08:00")[0]] == ["r1"]
    assert not store.put_card_order(cid, order)  # the approval's order, kept once


def test_a_conclusion_whose_message_was_recorded_already_writes_nothing(store, clock):
    cid = a_processing_case(store, clock)
    store.put_outbox(cid, sms("result", "activate"))
    assert not store.conclude(succeeded("activate", some_open=("status_query",)))
    assert store.get_matter(cid, "activate")["status"] == "pending"


# --- handing a matter to its department ------------------------------------------------------


def test_a_matter_goes_to_its_department_once_with_its_wait_on_the_lists(store, clock):
    cid = a_processing_case(store, clock, ("apply",))
    wait = {"task_token": "t1", "status": "pending", "due_at": "2026-12-01", "case_id": cid, "matter": "apply"}
    event = Event("awaiting_review", "待审核", matter="apply")
    assert store.open_wait(cid, "apply", wait, department="hr", district="341003", event=event)
    assert not store.open_wait(cid, "apply", {**wait, "task_token": "t2"}, department="hr", district="341003", event=event)
    assert store.get_wait(cid, "apply")["task_token"] == "t1"
    assert [w["matter"] for w in store.list_pending_reviews("hr", "341003", 10, None)[0]] == ["apply"]
    assert [w["matter"] for w in store.waits_due("2026-12-01")[0]] == ["apply"]
    assert (store.get_matter(cid, "apply")["status"], store.get_case_item(cid)["matter_status"]) == (
        "awaiting_review",
        {"apply": "awaiting_review"},
    )
    assert kinds(store).count("awaiting_review") == 1


def test_a_matter_that_has_ended_does_not_go_to_its_department(store, clock):
    cid = a_processing_case(store, clock, ("apply", "status_query"))
    store.conclude(succeeded("apply", some_open=("status_query",)))
    wait = {"task_token": "t1", "status": "pending", "due_at": "2026-12-01"}
    assert not store.open_wait(cid, "apply", wait, department="hr", district="341003", event=Event("awaiting_review", "待审核"))
    assert store.get_wait(cid, "apply") is None and store.list_pending_reviews("hr", "341003", 10, None) == ([], None)


# --- the outbox ----------------------------------------------------------------------------


def test_a_message_is_recorded_once_and_claimed_by_one_sender_only(store):
    cid = a_submitted_case(store)
    message = sms("withdrawn")
    assert store.put_outbox(cid, message)
    assert not store.put_outbox(cid, sms("withdrawn", to="13900000000"))
    assert store.pending_outbox(cid) == [message]
    assert store.claim_outbox(cid, message.id)
    assert not store.claim_outbox(cid, message.id)
    assert store.pending_outbox(cid) == []
    assert not store.claim_outbox(cid, "no-such-message")


def test_a_message_whose_sending_failed_is_pending_again_for_the_retry(store):
    cid = a_submitted_case(store)
    alert = Message(
        id=f"{cid}.alert.overdue", channel=Channel.ALERT, text="超时", subject="超时", department="hr", district="341003", level="overdue"
    )
    store.put_outbox(cid, alert)
    store.claim_outbox(cid, alert.id)
    store.release_outbox(cid, alert.id)
    assert store.pending_outbox(cid) == [alert]
    assert store.claim_outbox(cid, alert.id)
    assert "notification" not in kinds(store)  # an alert is no SMS to the applicant


def test_the_messages_of_one_write_are_claimed_all_together_or_not_at_all(store):
    cid = a_submitted_case(store)
    result, copy = sms("result", "activate"), sms("copy", "activate", to="13900000000")
    store.put_outbox(cid, result)
    store.put_outbox(cid, copy)
    assert store.claim_outbox(cid, copy.id)
    assert not store.claim_outbox_all(cid, [result.id, copy.id])  # one is taken already: none is claimed
    assert store.pending_outbox(cid) == [result]
    assert not store.claim_outbox_all(cid, [result.id, "no-such-message"])
    store.release_outbox(cid, copy.id)
    assert store.claim_outbox_all(cid, [result.id, copy.id])
    assert store.pending_outbox(cid) == [] and not store.claim_outbox(cid, result.id)

"""Department reviews: the reviewer's list, decisions, the bank, deadline alerts, timeouts."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from chalicelib.domain.workdays import SHANGHAI
from chalicelib.wiring import services
from tests.conftest import awaiting_review, demo_resident, finished

BANK = {"bank": "中国银行黄山分行", "branch": "休宁支行"}


def reviewer(api, district, sub="hr-reviewer-1"):
    return api.token({"id_number": sub, "name": "审核员", "phone": "13900000000"}, roles=["reviewer"], district=district)


def bank_clerk(api):
    return api.token({"id_number": "bank-clerk-1", "name": "银行柜员", "phone": "13900000001"}, roles=["bank"], bank="boc")


def submitted_review(api, name="杨磊", matter=None):
    resident = demo_resident(name)
    token = api.token(resident)
    matter = matter or {"code": "apply", "form": BANK}
    created = api.create_case(token, [matter], phone=resident["phone"])
    assert created.status_code == 201, created.body
    case_id = created.json_body["case_id"]
    api.upload_missing(token, case_id)
    assert api.post(f"/cases/{case_id}/submit", None, token).status_code == 202
    case = api.wait_for(case_id, token, awaiting_review)
    return resident, token, case


def sms(api, phone):
    return [m["text"] for m in api.get("/dev/outbox").json_body["sent"] if m["channel"] == "sms" and m["to"] == f"+86{phone}"]


def alerts(api):
    return [m for m in api.get("/dev/outbox").json_body["sent"] if m["channel"] == "topic"]


def run_job(api, moment: datetime):
    response = api.post("/dev/jobs/deadline-alerts/run", {"time": moment.isoformat()})
    assert response.status_code == 200, response.body
    return response.json_body


def test_a_reviewer_sees_the_pending_review_with_its_due_time_and_approval_makes_the_card_at_the_bank(api):
    resident, token, case = submitted_review(api)
    due_at = case["matters"][0]["due_at"]
    submitted = datetime.fromisoformat(case["submitted_at"])
    assert due_at == services().calendar.due_at(submitted).isoformat()
    hr = reviewer(api, resident["district"])
    listing = api.get("/reviews?status=pending", hr).json_body["reviews"]
    assert [r["case_id"] for r in listing] == [case["case_id"]]
    review = listing[0]
    assert review["due_at"] == due_at and review["form"] == BANK
    assert review["applicant_id_number"] == resident["id_number"][:6] + "********" + resident["id_number"][-4:]

    decided = api.post(f"/reviews/{review['review_id']}/decision", {"decision": "approve"}, hr)
    assert decided.status_code == 200, decided.body
    assert decided.json_body["status"] == "decided"
    case = api.wait_for(case["case_id"], token, finished)
    assert case["status"] == "completed"
    result = case["matters"][0]["result"]
    assert result["card_status"] == "awaiting_collection" and result["bank"] == BANK["bank"] and result["branch"] == BANK["branch"]
    card = services().card_system.current_card(resident["id_number"])
    assert card.status.value == "awaiting_collection" and card.card_id == result["card_id"]
    assert any(BANK["bank"] in t and BANK["branch"] in t for t in sms(api, resident["phone"]))
    assert api.get("/reviews?status=pending", hr).json_body["reviews"] == []


def test_a_rejection_with_its_reason_rejects_the_matter_and_tells_the_applicant(api):
    resident, token, case = submitted_review(api)
    hr = reviewer(api, resident["district"])
    review_id = f"{case['case_id']}.apply"
    missing_reason = api.post(f"/reviews/{review_id}/decision", {"decision": "reject"}, hr)
    assert missing_reason.status_code == 422
    decided = api.post(f"/reviews/{review_id}/decision", {"decision": "reject", "reason": "照片不符合要求"}, hr)
    assert decided.status_code == 200, decided.body
    case = api.wait_for(case["case_id"], token, finished)
    assert case["status"] == "rejected"
    assert case["matters"][0]["reason"] == "照片不符合要求"
    assert any("照片不符合要求" in t for t in sms(api, resident["phone"]))
    assert services().card_system.current_card(resident["id_number"]).status.value == "cancelled"


def test_a_second_decision_from_anyone_is_409_and_changes_nothing(api):
    resident, token, case = submitted_review(api)
    review_id = f"{case['case_id']}.apply"
    first, second = reviewer(api, resident["district"], "hr-1"), reviewer(api, resident["district"], "hr-2")
    assert api.post(f"/reviews/{review_id}/decision", {"decision": "approve"}, first).status_code == 200
    for who in (first, second):
        again = api.post(f"/reviews/{review_id}/decision", {"decision": "reject", "reason": "改变主意"}, who)
        assert again.status_code == 409, again.body
    case = api.wait_for(case["case_id"], token, finished)
    assert case["status"] == "completed"
    wait = services().store.get_wait(case["case_id"], "apply")
    assert (wait["decision"], wait["decided_by"]) == ("approve", "hr-1")


def test_a_reviewer_of_another_district_gets_404(api):
    resident, token, case = submitted_review(api)
    other = reviewer(api, "341004")
    assert api.get("/reviews?status=pending", other).json_body["reviews"] == []
    response = api.post(f"/reviews/{case['case_id']}.apply/decision", {"decision": "approve"}, other)
    assert response.status_code == 404
    assert api.post("/reviews/nonsense/decision", {"decision": "approve"}, other).status_code == 404
    citizen = api.post(f"/reviews/{case['case_id']}.apply/decision", {"decision": "approve"}, token)
    assert citizen.status_code == 403
    assert services().store.get_wait(case["case_id"], "apply")["status"] == "pending"


def test_the_deadline_job_warns_once_then_alerts_overdue_once_then_ends_the_wait(api):
    resident, token, case = submitted_review(api)
    case_id = case["case_id"]
    review_id = f"{case_id}.apply"
    due = datetime.fromisoformat(case["matters"][0]["due_at"])
    before = len(alerts(api))

    assert run_job(api, due - timedelta(hours=5))["warning"] == []
    assert run_job(api, due - timedelta(hours=3))["warning"] == [review_id]
    assert run_job(api, due - timedelta(hours=2))["warning"] == []
    overdue = run_job(api, due + timedelta(minutes=1))
    assert overdue["overdue"] == [review_id] and overdue["overdue_open"] == 1
    assert run_job(api, due + timedelta(hours=6))["overdue"] == []
    levels = [m["subject"] for m in alerts(api)[before:]]
    assert len(levels) == 2 and "即将到期" in levels[0] and "已超期" in levels[1]

    record = services().store.get(case_id)
    expires = datetime.fromisoformat(record.matters["apply"]["expires_at"])
    assert expires == services().calendar.due_after_working_days(datetime.fromisoformat(case["submitted_at"]), 6)
    assert run_job(api, expires - timedelta(minutes=1))["timed_out"] == []
    assert run_job(api, expires)["timed_out"] == [review_id]
    case = api.wait_for(case_id, token, finished)
    assert case["status"] == "failed"
    assert case["matters"][0]["reason_code"] == "DEPARTMENT_TIMEOUT"
    assert any("已超时终止" in m["subject"] for m in alerts(api)[before:])
    # a decision after the wait timed out is 410 and changes nothing
    late = api.post(f"/reviews/{review_id}/decision", {"decision": "approve"}, reviewer(api, resident["district"]))
    assert late.status_code == 410, late.body
    assert api.get(f"/cases/{case_id}", token).json_body["matters"][0]["status"] == "failed"
    assert run_job(api, expires + timedelta(days=1))["timed_out"] == []


def test_a_decision_whose_resume_fails_is_kept_and_sent_again_by_the_deadline_job(api, monkeypatch):
    from botocore.exceptions import ClientError

    from chalicelib.adapters import case_keys

    resident, token, case = submitted_review(api)
    workflow = services().workflow
    real_client = workflow._sfn

    class Unavailable:
        def send_task_success(self, **kwargs):
            raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "try later"}}, "SendTaskSuccess")

    monkeypatch.setattr(workflow, "_sfn", Unavailable())
    decided = api.post(f"/reviews/{case['case_id']}.apply/decision", {"decision": "approve"}, reviewer(api, resident["district"]))
    assert decided.status_code == 200
    assert services().store.get_wait(case["case_id"], "apply")["resume"] == "pending"
    assert api.get(f"/cases/{case['case_id']}", token).json_body["status"] == "processing"
    monkeypatch.setattr(workflow, "_sfn", real_client)
    assert run_job(api, datetime.now(SHANGHAI))["resumed"] == 1
    assert api.wait_for(case["case_id"], token, finished)["status"] == "completed"
    assert case_keys.RESUMES not in str(services().store.get_wait(case["case_id"], "apply").get("index"))


def test_the_bank_issues_the_card_and_the_applicant_can_then_activate_it_in_a_new_case(api):
    resident, token, case = submitted_review(api)
    api.post(f"/reviews/{case['case_id']}.apply/decision", {"decision": "approve"}, reviewer(api, resident["district"]))
    card_id = api.wait_for(case["case_id"], token, finished)["matters"][0]["result"]["card_id"]
    bank = bank_clerk(api)
    assert api.post(f"/bank/cards/{card_id}/issued", None, token).status_code == 403
    issued = api.post(f"/bank/cards/{card_id}/issued", None, bank)
    assert issued.status_code == 200, issued.body
    assert issued.json_body["status"] == "issued"
    again = api.post(f"/bank/cards/{card_id}/issued", None, bank)
    assert again.status_code == 200 and again.json_body == issued.json_body
    assert sum("制卡发放" in t for t in sms(api, resident["phone"])) == 1
    assert api.post("/bank/cards/NO-SUCH-CARD/issued", None, bank).status_code == 404

    activation = api.create_case(token, [{"code": "activate"}], phone=resident["phone"])
    assert activation.status_code == 201, activation.body
    activation_id = activation.json_body["case_id"]
    api.post(f"/cases/{activation_id}/submit", None, token)
    assert api.wait_for(activation_id, token, finished)["status"] == "completed"
    assert services().card_system.current_card(resident["id_number"]).status.value == "active"


def test_a_reissued_card_replaces_the_old_one_when_the_bank_issues_it(api):
    resident = demo_resident("刘洋")  # a lost card
    old_card = resident["card"]["card_id"]
    _, token, case = submitted_review(api, "刘洋", {"code": "reissue", "form": {"kind": "lost", **BANK}})
    api.post(f"/reviews/{case['case_id']}.reissue/decision", {"decision": "approve"}, reviewer(api, resident["district"]))
    result = api.wait_for(case["case_id"], token, finished)["matters"][0]["result"]
    assert result["replaces"] == old_card
    cards = services().card_system
    assert cards.card_owner_item(old_card)["status"] == "lost"  # still the old one until the bank issues
    api.post(f"/bank/cards/{result['card_id']}/issued", None, bank_clerk(api))
    assert cards.card_owner_item(old_card)["status"] == "replaced"
    assert cards.current_card(resident["id_number"]).card_id == result["card_id"]


@pytest.mark.parametrize("body", [{"decision": "maybe"}, {}, {"decision": "approve", "extra": 1}])
def test_malformed_decisions_are_422_and_leave_the_review_pending(api, body):
    resident, token, case = submitted_review(api)
    response = api.post(f"/reviews/{case['case_id']}.apply/decision", body, reviewer(api, resident["district"]))
    assert response.status_code == 422
    assert services().store.get_wait(case["case_id"], "apply")["status"] == "pending"


def test_a_submission_on_new_years_eve_is_due_after_the_2027_statutory_new_year_and_operators_are_alerted_once(api):
    services().clock = lambda: datetime(2026, 12, 31, 17, 30, tzinfo=SHANGHAI)
    _, _, first = submitted_review(api, "杨磊")
    assert first["matters"][0]["due_at"] == "2027-01-04T23:59:59+08:00"  # 1 Jan statutory holiday, 2-3 Jan weekend
    _, _, second = submitted_review(api, "赵敏")
    assert second["matters"][0]["due_at"] == "2027-01-04T23:59:59+08:00"
    fallback = [m for m in alerts(api) if "2027" in m["subject"] and "节假日" in m["subject"]]
    assert len(fallback) == 1
    assert "data/holidays" in fallback[0]["text"]


def test_a_friday_evening_submission_is_due_on_monday_night(api):
    services().clock = lambda: datetime(2026, 3, 6, 21, 0, tzinfo=SHANGHAI)
    _, _, case = submitted_review(api)
    assert case["matters"][0]["due_at"] == "2026-03-09T23:59:59+08:00"
    assert any("办结时限 3月9日（星期一）24时前" in e["text"] for e in case["timeline"] if e["kind"] == "awaiting_review")

"""Pension payout account changes: the pension system's decision, the effective month, the switch."""

from __future__ import annotations

from datetime import datetime

import pytest

from chalicelib.domain.workdays import SHANGHAI
from chalicelib.wiring import services
from tests.conftest import awaiting_review, demo_resident, finished

PENSIONER = "黄秀英"


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def pension_system(api):
    return api.token({"id_number": "pension-system", "name": "养老保险系统", "phone": "13900000002"}, roles=["pension_system"])


def request_change(api, when: datetime):
    """Submit a pension_account case at `when`; answers (resident, token, case id)."""
    services().clock = lambda: when
    resident = demo_resident(PENSIONER)
    token = api.token(resident)
    created = api.create_case(
        token, [{"code": "pension_account", "form": {"account_number": resident["card"]["account_number"]}}], phone=resident["phone"]
    )
    assert created.status_code == 201, created.body
    case_id = created.json_body["case_id"]
    assert api.post(f"/cases/{case_id}/submit", None, token).status_code == 202
    api.wait_for(case_id, token, awaiting_review)
    return resident, token, case_id


def accept(api, case_id: str, when: datetime):
    services().clock = lambda: when
    response = api.post(f"/pension/requests/{case_id}.pension_account/decision", {"decision": "accept"}, pension_system(api))
    assert response.status_code == 200, response.body
    return response.json_body


def switch(api, when: datetime):
    response = api.post("/dev/jobs/payout-switch/run", {"time": when.isoformat()})
    assert response.status_code == 200, response.body
    return response.json_body


def pension_record(resident):
    return services().pension_system.record(resident["id_number"])


@pytest.mark.parametrize(
    ("submitted", "accepted", "month"),
    [
        (at(2026, 12, 15, 23, 50), at(2026, 12, 16, 9, 0), "2027-01"),
        (at(2026, 12, 15, 23, 59), at(2026, 12, 17, 15, 0), "2027-01"),
        (at(2026, 12, 16, 0, 0), at(2026, 12, 16, 9, 0), "2027-02"),
        (at(2026, 12, 16, 0, 0), at(2026, 12, 17, 9, 0), "2027-02"),
    ],
    ids=["15th-23:50-accepted-16th", "15th-23:59-accepted-17th", "16th-00:00-accepted-16th", "16th-00:00-accepted-17th"],
)
def test_the_effective_month_counts_from_the_submission_whenever_the_pension_system_accepts(api, submitted, accepted, month):
    resident, token, case_id = request_change(api, submitted)
    listed = api.get("/pension/requests?status=pending", pension_system(api)).json_body["reviews"]
    assert [r["case_id"] for r in listed] == [case_id]
    decision = accept(api, case_id, accepted)  # the business clock has moved on since the submission
    assert decision["result"]["effective_month"] == month
    case = api.wait_for(case_id, token, finished)
    assert case["status"] == "completed"
    result = case["matters"][0]["result"]
    assert result["effective_month"] == month
    assert result["new_account"].endswith(resident["card"]["account_number"][-4:])
    record = pension_record(resident)
    assert (record.payout_account, record.pending_account, record.pending_effective_month) == (
        resident["pension"]["payout_account"],
        resident["card"]["account_number"],
        month,
    )
    texts = [n["text"] for n in case["notifications"]]
    year, number = month.split("-")
    assert any(f"自{year}年{int(number)}月待遇起" in t for t in texts), texts


def test_the_switch_job_switches_on_the_effective_date_exactly_once_and_a_late_run_ends_the_same(api):
    resident, token, case_id = request_change(api, at(2026, 12, 10, 10, 0))
    accept(api, case_id, at(2026, 12, 10, 11, 0))
    api.wait_for(case_id, token, finished)
    old, new = resident["pension"]["payout_account"], resident["card"]["account_number"]

    assert switch(api, at(2026, 12, 31, 23, 59))["switched"] == []
    assert pension_record(resident).payout_account == old
    assert switch(api, at(2027, 1, 1, 0, 0))["switched"] == [f"{case_id}.pension_account"]
    record = pension_record(resident)
    assert (record.payout_account, record.pending_account) == (new, None)
    assert switch(api, at(2027, 1, 1, 0, 0))["switched"] == []
    assert switch(api, at(2027, 3, 5, 0, 5))["switched"] == []
    assert pension_record(resident) == record
    case = api.get(f"/cases/{case_id}", token).json_body
    assert sum(e["kind"] == "payout_switched" for e in case["timeline"]) == 1
    assert sum("已变更" in n["text"] for n in case["notifications"]) == 1


def test_a_switch_missed_for_days_happens_on_the_next_run(api):
    resident, token, case_id = request_change(api, at(2026, 12, 1, 10, 0))
    accept(api, case_id, at(2026, 12, 2, 10, 0))
    api.wait_for(case_id, token, finished)
    assert switch(api, at(2027, 1, 9, 0, 5))["switched"] == [f"{case_id}.pension_account"]
    assert pension_record(resident).payout_account == resident["card"]["account_number"]


def new_active_card(resident) -> str:
    """The person was given a new card meanwhile (a reissue outside this test's cases); answers its account."""
    cards = services().card_system
    old = cards.current_card(resident["id_number"])
    card = cards.issue_new_card(resident["id_number"], old.bank, old.branch, "test#reissue", "test-reissue", old.card_id)
    cards.mark_issued(card.card_id, "2026-12-18")
    cards.activate(resident["id_number"], "test#activate")
    return card.account_number


def test_two_changes_in_one_month_the_newer_replaces_the_pending_one(api):
    resident, token, first = request_change(api, at(2026, 12, 3, 9, 0))
    accept(api, first, at(2026, 12, 3, 10, 0))  # -> 2027-01
    api.wait_for(first, token, finished)
    newer = new_active_card(resident)
    services().clock = lambda: at(2026, 12, 20, 9, 0)
    created = api.create_case(token, [{"code": "pension_account", "form": {"account_number": newer}}], phone=resident["phone"])
    assert created.status_code == 201, created.body
    second = created.json_body["case_id"]
    assert api.post(f"/cases/{second}/submit", None, token).status_code == 202
    api.wait_for(second, token, awaiting_review)
    accept(api, second, at(2026, 12, 21, 10, 0))  # submitted on the 20th -> 2027-02, replaces the pending change
    api.wait_for(second, token, finished)
    record = pension_record(resident)
    assert (record.pending_account, record.pending_effective_month) == (newer, "2027-02")

    assert switch(api, at(2027, 1, 1, 0, 5))["switched"] == []
    assert pension_record(resident).payout_account == resident["pension"]["payout_account"]
    assert switch(api, at(2027, 2, 1, 0, 5))["switched"] == [f"{second}.pension_account"]
    assert pension_record(resident).payout_account == newer


def test_a_change_to_the_account_already_paid_into_is_refused_with_same_account(api):
    token = api.token("周建国")  # the pension is already paid into this card
    account = demo_resident("周建国")["card"]["account_number"]
    refused = api.create_case(token, [{"code": "pension_account", "form": {"account_number": account}}])
    assert refused.status_code == 422
    assert [(e["matter"], e["code"]) for e in refused.json_body["errors"]] == [("pension_account", "SAME_ACCOUNT")]
    prejudged = api.post("/prejudge", {"matters": [{"code": "pension_account", "form": {"account_number": account}}]}, token)
    assert prejudged.json_body["matters"][0]["errors"][0]["code"] == "SAME_ACCOUNT"


def test_a_change_to_the_pending_account_is_refused_before_the_forms_and_again_at_submission(api):
    resident = demo_resident(PENSIONER)
    token = api.token(resident)
    account = resident["card"]["account_number"]
    services().clock = lambda: at(2026, 12, 2, 9, 0)
    draft = api.create_case(token, [{"code": "pension_account", "form": {"account_number": account}}], phone=resident["phone"])
    assert draft.status_code == 201, draft.body  # nothing pending yet
    _, _, first = request_change(api, at(2026, 12, 3, 9, 0))
    accept(api, first, at(2026, 12, 3, 10, 0))
    api.wait_for(first, token, finished)
    again = api.create_case(token, [{"code": "pension_account", "form": {"account_number": account}}], phone=resident["phone"])
    assert [e["code"] for e in again.json_body["errors"]] == ["SAME_ACCOUNT"]

    # the draft made before the change was accepted is judged again, authoritatively, when submitted
    case_id = draft.json_body["case_id"]
    assert api.post(f"/cases/{case_id}/submit", None, token).status_code == 202
    case = api.wait_for(case_id, token, finished)
    assert case["status"] == "rejected"
    assert case["matters"][0]["reason_code"] == "SAME_ACCOUNT"
    assert pension_record(resident).pending_effective_month == "2027-01"


def test_a_rejection_by_the_pension_system_leaves_the_payout_account_as_it_was(api):
    resident, token, case_id = request_change(api, at(2026, 12, 10, 9, 0))
    response = api.post(
        f"/pension/requests/{case_id}.pension_account/decision",
        {"decision": "reject", "reason": "账户信息与社保卡不符"},
        pension_system(api),
    )
    assert response.status_code == 200, response.body
    case = api.wait_for(case_id, token, finished)
    assert case["status"] == "rejected"
    assert case["matters"][0]["reason"] == "账户信息与社保卡不符"
    record = pension_record(resident)
    assert (record.payout_account, record.pending_account) == (resident["pension"]["payout_account"], None)
    again = api.post(f"/pension/requests/{case_id}.pension_account/decision", {"decision": "accept"}, pension_system(api))
    assert again.status_code == 409


def test_an_unanswered_pension_request_times_out_and_the_case_finishes(api):
    resident, token, case_id = request_change(api, at(2026, 12, 10, 9, 0))
    expires = datetime.fromisoformat(services().store.get(case_id).matters["pension_account"]["expires_at"])
    response = api.post("/dev/jobs/deadline-alerts/run", {"time": expires.isoformat()})
    assert response.json_body["timed_out"] == [f"{case_id}.pension_account"]
    case = api.wait_for(case_id, token, finished)
    assert case["status"] == "failed"
    assert case["matters"][0]["reason_code"] == "DEPARTMENT_TIMEOUT"
    late = api.post(f"/pension/requests/{case_id}.pension_account/decision", {"decision": "accept"}, pension_system(api))
    assert late.status_code == 410


def test_a_reviewer_cannot_decide_a_pension_request_and_acceptance_times_are_checked(api):
    resident, token, case_id = request_change(api, at(2026, 12, 10, 9, 0))
    hr = api.token({"id_number": "hr-1", "name": "审核员", "phone": "13900000000"}, roles=["reviewer"], district=resident["district"])
    assert api.post(f"/reviews/{case_id}.pension_account/decision", {"decision": "approve"}, hr).status_code == 404
    before_submission = api.post(
        f"/pension/requests/{case_id}.pension_account/decision",
        {"decision": "accept", "accepted_at": "2026-12-09T09:00:00+08:00"},
        pension_system(api),
    )
    assert before_submission.status_code == 422
    assert before_submission.json_body["errors"][0]["field"] == "accepted_at"
    assert services().store.get_wait(case_id, "pension_account")["status"] == "pending"


def test_cancelling_the_card_that_will_become_the_payout_account_is_refused(api):
    resident, token, case_id = request_change(api, at(2026, 12, 10, 9, 0))
    accept(api, case_id, at(2026, 12, 10, 10, 0))
    api.wait_for(case_id, token, finished)
    refused = api.create_case(token, [{"code": "cancel", "form": {"reason": "other", "reason_text": "不再使用"}}], phone=resident["phone"])
    assert refused.status_code == 422
    assert [e["code"] for e in refused.json_body["errors"]] == ["PAYOUT_ACCOUNT_BOUND"]
    query = api.create_case(token, [{"code": "status_query"}], phone=resident["phone"]).json_body["case_id"]
    api.post(f"/cases/{query}/submit", None, token)
    pension = api.wait_for(query, token, finished)["matters"][0]["result"]["pension"]
    assert pension["pending_effective_month"] == "2027-01"
    assert pension["pending_account"].endswith(resident["card"]["account_number"][-4:])


def test_a_pensioner_whose_payout_is_on_the_card_cannot_cancel_it(api):
    token = api.token("周建国")
    refused = api.create_case(token, [{"code": "cancel", "form": {"reason": "emigration"}}])
    assert [e["code"] for e in refused.json_body["errors"]] == ["PAYOUT_ACCOUNT_BOUND"]

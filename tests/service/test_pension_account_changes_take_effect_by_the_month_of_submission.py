"""Pension payout account changes: the pension system's decision, the effective month, the switch (domain.md §6).

Moved from tests/integration/test_pension.py, which keeps one accepted change end to end over HTTP.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from chalicelib.domain.workdays import SHANGHAI
from chalicelib.errors import ConflictProblem, GoneProblem, NotFoundProblem, PrejudgmentFailed, ValidationProblem
from chalicelib.models import PrejudgeRequest
from chalicelib.services import prejudging
from chalicelib.validation import parse_model
from chalicelib.wiring import Services
from tests.conftest import demo_resident
from tests.service.conftest import World, awaiting_review, finished

PENSIONER = "黄秀英"


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def request_change(world: World, when: datetime, account: str | None = None) -> tuple[dict, object, str]:
    """A pension_account case submitted at `when`, waiting for the pension system: (resident, principal, case id)."""
    world.clock.set(when)
    resident = demo_resident(PENSIONER)
    who = world.citizen(resident)
    created = world.create(
        who,
        [{"code": "pension_account", "form": {"account_number": account or resident["card"]["account_number"]}}],
        phone=resident["phone"],
    )
    world.submit(who, created["case_id"])
    assert awaiting_review(world.case(who, created["case_id"]))
    return resident, who, created["case_id"]


def accept(world: World, case_id: str, when: datetime) -> dict:
    world.clock.set(when)
    return world.decide_pension(f"{case_id}.pension_account", {"decision": "accept"})


def record(world: World, resident: dict):
    return world.services.pension_system.record(resident["id_number"])


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
def test_the_effective_month_counts_from_the_submission_whenever_the_pension_system_accepts(world, submitted, accepted, month):
    resident, who, case_id = request_change(world, submitted)
    listed = world.pending_reviews(world.pension_system(), "pension")["reviews"]
    assert [r["case_id"] for r in listed] == [case_id]
    decision = accept(world, case_id, accepted)  # the business clock has moved on since the submission
    assert decision["result"]["effective_month"] == month
    case = world.case(who, case_id)
    assert case["status"] == "completed"
    result = case["matters"][0]["result"]
    assert result["effective_month"] == month
    assert result["new_account"].endswith(resident["card"]["account_number"][-4:])
    now = record(world, resident)
    assert (now.payout_account, now.pending_account, now.pending_effective_month) == (
        resident["pension"]["payout_account"],
        resident["card"]["account_number"],
        month,
    )
    texts = [n["text"] for n in case["notifications"]]
    year, number = month.split("-")
    assert any(f"自{year}年{int(number)}月待遇起" in t for t in texts), texts
    assert world.pending_reviews(world.pension_system(), "pension")["reviews"] == []


def test_the_switch_job_switches_on_the_effective_date_exactly_once_and_a_late_run_ends_the_same(world):
    resident, who, case_id = request_change(world, at(2026, 12, 10, 10, 0))
    accept(world, case_id, at(2026, 12, 10, 11, 0))
    assert finished(world.case(who, case_id))
    old, new = resident["pension"]["payout_account"], resident["card"]["account_number"]

    assert world.payout_switch_job(at(2026, 12, 31, 23, 59))["switched"] == []
    assert record(world, resident).payout_account == old
    assert world.payout_switch_job(at(2027, 1, 1, 0, 0))["switched"] == [f"{case_id}.pension_account"]
    switched = record(world, resident)
    assert (switched.payout_account, switched.pending_account) == (new, None)
    assert world.payout_switch_job(at(2027, 1, 1, 0, 0))["switched"] == []
    assert world.payout_switch_job(at(2027, 3, 5, 0, 5))["switched"] == []
    assert record(world, resident) == switched
    case = world.case(who, case_id)
    assert sum(e["kind"] == "payout_switched" for e in case["timeline"]) == 1
    assert sum("已变更" in n["text"] for n in case["notifications"]) == 1


def test_a_switch_missed_for_days_happens_on_the_next_run(world):
    resident, who, case_id = request_change(world, at(2026, 12, 1, 10, 0))
    accept(world, case_id, at(2026, 12, 2, 10, 0))
    assert world.payout_switch_job(at(2027, 1, 9, 0, 5))["switched"] == [f"{case_id}.pension_account"]
    assert record(world, resident).payout_account == resident["card"]["account_number"]


def new_active_card(world: World, resident: dict) -> str:
    """The person was given a new card meanwhile (a reissue outside this test's cases); answers its account."""
    cards = world.services.card_system
    old = cards.current_card(resident["id_number"])
    card = cards.issue_new_card(resident["id_number"], old.bank, old.branch, "test#reissue", "test-reissue", old.card_id)
    cards.mark_issued(card.card_id, "2026-12-18")
    cards.activate(resident["id_number"], "test#activate")
    return card.account_number


def test_two_changes_in_one_month_the_newer_replaces_the_pending_one(world):
    resident, who, first = request_change(world, at(2026, 12, 3, 9, 0))
    accept(world, first, at(2026, 12, 3, 10, 0))  # -> 2027-01
    newer = new_active_card(world, resident)
    _, _, second = request_change(world, at(2026, 12, 20, 9, 0), account=newer)
    accept(world, second, at(2026, 12, 21, 10, 0))  # submitted on the 20th -> 2027-02, replaces the pending change
    assert world.case(who, second)["status"] == "completed"
    pending = record(world, resident)
    assert (pending.pending_account, pending.pending_effective_month) == (newer, "2027-02")

    assert world.payout_switch_job(at(2027, 1, 1, 0, 5))["switched"] == []
    assert record(world, resident).payout_account == resident["pension"]["payout_account"]
    assert world.payout_switch_job(at(2027, 2, 1, 0, 5))["switched"] == [f"{second}.pension_account"]
    assert record(world, resident).payout_account == newer


def prejudged(world: World, who, matters: list[dict]) -> dict:
    return prejudging.prejudge_for(world.services, who, parse_model(PrejudgeRequest, {"matters": matters})).model_dump(mode="json")


def test_a_change_to_the_account_already_paid_into_is_refused_with_same_account(world):
    who = world.citizen("周建国")  # the pension is already paid into this card
    change = [{"code": "pension_account", "form": {"account_number": demo_resident("周建国")["card"]["account_number"]}}]
    with pytest.raises(PrejudgmentFailed) as refused:
        world.create(who, change)
    assert [(e["matter"], e["code"]) for e in refused.value.errors] == [("pension_account", "SAME_ACCOUNT")]
    assert prejudged(world, who, change)["matters"][0]["errors"][0]["code"] == "SAME_ACCOUNT"


def test_a_change_to_the_pending_account_is_refused_before_the_forms_and_again_at_submission(world):
    resident = demo_resident(PENSIONER)
    who = world.citizen(resident)
    change = [{"code": "pension_account", "form": {"account_number": resident["card"]["account_number"]}}]
    world.clock.set(at(2026, 12, 2, 9, 0))
    draft = world.create(who, change, phone=resident["phone"])  # nothing pending yet
    _, _, first = request_change(world, at(2026, 12, 3, 9, 0))
    accept(world, first, at(2026, 12, 3, 10, 0))
    with pytest.raises(PrejudgmentFailed) as again:
        world.create(who, change, phone=resident["phone"])
    assert [e["code"] for e in again.value.errors] == ["SAME_ACCOUNT"]

    # the draft made before the change was accepted is judged again, authoritatively, when submitted
    world.submit(who, draft["case_id"])
    case = world.case(who, draft["case_id"])
    assert case["status"] == "rejected"
    assert case["matters"][0]["reason_code"] == "SAME_ACCOUNT"
    assert record(world, resident).pending_effective_month == "2027-01"


def test_a_rejection_by_the_pension_system_leaves_the_payout_account_as_it_was(world):
    resident, who, case_id = request_change(world, at(2026, 12, 10, 9, 0))
    world.decide_pension(f"{case_id}.pension_account", {"decision": "reject", "reason": "账户信息与社保卡不符"})
    case = world.case(who, case_id)
    assert case["status"] == "rejected"
    assert case["matters"][0]["reason"] == "账户信息与社保卡不符"
    now = record(world, resident)
    assert (now.payout_account, now.pending_account) == (resident["pension"]["payout_account"], None)
    with pytest.raises(ConflictProblem):
        world.decide_pension(f"{case_id}.pension_account", {"decision": "accept"})


def expiry(services: Services, submitted: datetime) -> datetime:
    """A wait still undecided this long after its submission is ended (1 working day, then the expiry's)."""
    return services.calendar.due_after_working_days(submitted, 1 + services.settings.review_expiry_working_days)


def test_an_unanswered_pension_request_times_out_and_the_case_finishes(world):
    submitted = at(2026, 12, 10, 9, 0)
    _, who, case_id = request_change(world, submitted)
    assert world.deadline_job(expiry(world.services, submitted))["timed_out"] == [f"{case_id}.pension_account"]
    case = world.case(who, case_id)
    assert case["status"] == "failed"
    assert case["matters"][0]["reason_code"] == "DEPARTMENT_TIMEOUT"
    with pytest.raises(GoneProblem):
        world.decide_pension(f"{case_id}.pension_account", {"decision": "accept"})


def test_a_reviewer_cannot_decide_a_pension_request_and_acceptance_times_are_checked(world):
    resident, _, case_id = request_change(world, at(2026, 12, 10, 9, 0))
    with pytest.raises(NotFoundProblem):
        world.decide(world.reviewer(resident["district"], sub="hr-1"), f"{case_id}.pension_account", {"decision": "approve"})
    with pytest.raises(ValidationProblem) as before_submission:
        world.decide_pension(f"{case_id}.pension_account", {"decision": "accept", "accepted_at": "2026-12-09T09:00:00+08:00"})
    assert before_submission.value.status == 422
    assert before_submission.value.errors[0]["field"] == "accepted_at"
    assert world.pending_reviews(world.pension_system(), "pension")["reviews"][0]["status"] == "pending"


def test_cancelling_the_card_that_will_become_the_payout_account_is_refused(world):
    resident, who, case_id = request_change(world, at(2026, 12, 10, 9, 0))
    accept(world, case_id, at(2026, 12, 10, 10, 0))
    with pytest.raises(PrejudgmentFailed) as refused:
        world.create(who, [{"code": "cancel", "form": {"reason": "other", "reason_text": "不再使用"}}], phone=resident["phone"])
    assert [e["code"] for e in refused.value.errors] == ["PAYOUT_ACCOUNT_BOUND"]
    query = world.create(who, [{"code": "status_query"}], phone=resident["phone"])["case_id"]
    world.submit(who, query)
    pension = world.case(who, query)["matters"][0]["result"]["pension"]
    assert pension["pending_effective_month"] == "2027-01"
    assert pension["pending_account"].endswith(resident["card"]["account_number"][-4:])


def test_a_pensioner_whose_payout_is_on_the_card_cannot_cancel_it(world):
    with pytest.raises(PrejudgmentFailed) as refused:
        world.create(world.citizen("周建国"), [{"code": "cancel", "form": {"reason": "emigration"}}])
    assert [e["code"] for e in refused.value.errors] == ["PAYOUT_ACCOUNT_BOUND"]

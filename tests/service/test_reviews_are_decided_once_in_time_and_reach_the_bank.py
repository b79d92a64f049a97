"""Department reviews: the reviewer's list, decisions, the bank, deadline alerts, timeouts, due times.

Moved from tests/integration/test_reviews.py, which keeps an approval, a reviewer's authorization
and the deadline job's timeout end to end on the local stack.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from chalicelib.adapters import case_keys
from chalicelib.domain.workdays import SHANGHAI
from chalicelib.errors import ConflictProblem, GoneProblem, NotFoundProblem, ValidationProblem
from chalicelib.models import DecisionRequest
from chalicelib.ports import WorkflowUnavailable
from chalicelib.services import bank
from chalicelib.validation import parse_model
from tests.conftest import demo_resident
from tests.service.conftest import World, awaiting_review

BANK = {"bank": "中国银行黄山分行", "branch": "休宁支行"}


def submitted_review(world: World, name: str = "杨磊", matter: dict | None = None):
    """A demo resident's apply (or `matter`) submitted and waiting for the department: (resident, principal, case)."""
    resident, who, case = world.opened(name, [matter or {"code": "apply", "form": BANK}])
    assert awaiting_review(case), case
    return resident, who, case


def alerts(world: World) -> list[dict]:
    return world.notifier.alerts


def test_a_reviewer_sees_the_pending_review_with_its_due_time_and_approval_makes_the_card_at_the_bank(world):
    resident, who, case = submitted_review(world)
    due_at = case["matters"][0]["due_at"]
    assert due_at == world.services.calendar.due_at(datetime.fromisoformat(case["submitted_at"])).isoformat()
    hr = world.reviewer(resident["district"])
    listing = world.pending_reviews(hr)["reviews"]
    assert [r["case_id"] for r in listing] == [case["case_id"]]
    review = listing[0]
    assert review["due_at"] == due_at and review["form"] == BANK
    assert review["applicant_id_number"] == resident["id_number"][:6] + "********" + resident["id_number"][-4:]

    decided = world.decide(hr, review["review_id"], {"decision": "approve"})
    assert decided["status"] == "decided"
    case = world.case(who, case["case_id"])
    assert case["status"] == "completed"
    result = case["matters"][0]["result"]
    assert result["card_status"] == "awaiting_collection" and result["bank"] == BANK["bank"] and result["branch"] == BANK["branch"]
    card = world.services.card_system.current_card(resident["id_number"])
    assert card.status.value == "awaiting_collection" and card.card_id == result["card_id"]
    assert any(BANK["bank"] in t and BANK["branch"] in t for t in world.sms_to(resident["phone"]))
    assert world.pending_reviews(hr)["reviews"] == []


def test_a_rejection_with_its_reason_rejects_the_matter_and_tells_the_applicant(world):
    resident, who, case = submitted_review(world)
    hr = world.reviewer(resident["district"])
    review_id = f"{case['case_id']}.apply"
    with pytest.raises(ValidationProblem):
        world.decide(hr, review_id, {"decision": "reject"})
    world.decide(hr, review_id, {"decision": "reject", "reason": "照片不符合要求"})
    case = world.case(who, case["case_id"])
    assert case["status"] == "rejected"
    assert case["matters"][0]["reason"] == "照片不符合要求"
    assert any("照片不符合要求" in t for t in world.sms_to(resident["phone"]))
    assert world.services.card_system.current_card(resident["id_number"]).status.value == "cancelled"


def test_a_second_decision_from_anyone_is_409_and_changes_nothing(world):
    resident, who, case = submitted_review(world)
    review_id = f"{case['case_id']}.apply"
    first, second = world.reviewer(resident["district"], "hr-1"), world.reviewer(resident["district"], "hr-2")
    world.decide(first, review_id, {"decision": "approve"})
    for reviewer in (first, second):
        with pytest.raises(ConflictProblem):
            world.decide(reviewer, review_id, {"decision": "reject", "reason": "改变主意"})
    assert world.case(who, case["case_id"])["status"] == "completed"
    [decided] = world.decided_reviews(first)["reviews"]
    assert decided["decision"] == "approve"
    assert world.services.store.get_wait(case["case_id"], "apply")["decided_by"] == "hr-1"


def test_a_reviewer_of_another_district_gets_404(world):
    _, _, case = submitted_review(world)
    other = world.reviewer("341004")
    assert world.pending_reviews(other)["reviews"] == []
    with pytest.raises(NotFoundProblem):
        world.decide(other, f"{case['case_id']}.apply", {"decision": "approve"})
    with pytest.raises(NotFoundProblem):
        world.decide(other, "nonsense", {"decision": "approve"})
    assert world.pending_reviews(world.reviewer(demo_resident("杨磊")["district"]))["reviews"][0]["status"] == "pending"


def test_the_deadline_job_warns_once_then_alerts_overdue_once_then_ends_the_wait(world):
    resident, who, case = submitted_review(world)
    case_id = case["case_id"]
    review_id = f"{case_id}.apply"
    due = datetime.fromisoformat(case["matters"][0]["due_at"])

    assert world.deadline_job(due - timedelta(hours=5))["warning"] == []
    assert world.deadline_job(due - timedelta(hours=3))["warning"] == [review_id]
    assert world.deadline_job(due - timedelta(hours=2))["warning"] == []
    overdue = world.deadline_job(due + timedelta(minutes=1))
    assert overdue["overdue"] == [review_id] and overdue["overdue_open"] == 1
    assert world.deadline_job(due + timedelta(hours=6))["overdue"] == []
    levels = [m["subject"] for m in alerts(world)]
    assert len(levels) == 2 and "即将到期" in levels[0] and "已超期" in levels[1]

    expires = world.services.calendar.due_after_working_days(datetime.fromisoformat(case["submitted_at"]), 6)
    assert world.services.store.get_wait(case_id, "apply")["expires_at"] == expires.isoformat()
    assert world.deadline_job(expires - timedelta(minutes=1))["timed_out"] == []
    assert world.deadline_job(expires)["timed_out"] == [review_id]
    case = world.case(who, case_id)
    assert case["status"] == "failed"
    assert case["matters"][0]["reason_code"] == "DEPARTMENT_TIMEOUT"
    assert any("已超时终止" in m["subject"] for m in alerts(world))
    # a decision after the wait timed out is 410 and changes nothing
    with pytest.raises(GoneProblem):
        world.decide(world.reviewer(resident["district"]), review_id, {"decision": "approve"})
    assert world.case(who, case_id)["matters"][0]["status"] == "failed"
    assert world.deadline_job(expires + timedelta(days=1))["timed_out"] == []


def test_a_decision_whose_resume_fails_is_kept_and_sent_again_by_the_deadline_job(world):
    resident, who, case = submitted_review(world)
    world.workflow.refusing["resume"] = WorkflowUnavailable("ServiceUnavailable")
    assert world.decide(world.reviewer(resident["district"]), f"{case['case_id']}.apply", {"decision": "approve"})["status"] == "decided"
    assert world.services.store.get_wait(case["case_id"], "apply")["resume"] == "pending"
    assert world.case(who, case["case_id"])["status"] == "processing"
    world.workflow.refusing.clear()
    assert world.deadline_job(world.clock.moment)["resumed"] == 1
    assert world.case(who, case["case_id"])["status"] == "completed"
    assert case_keys.RESUMES not in str(world.services.store.get_wait(case["case_id"], "apply").get("index"))
    assert world.deadline_job(world.clock.moment)["resumed"] == 0


def test_the_bank_issues_the_card_and_the_applicant_can_then_activate_it_in_a_new_case(world):
    resident, who, case = submitted_review(world)
    world.decide(world.reviewer(resident["district"]), f"{case['case_id']}.apply", {"decision": "approve"})
    card_id = world.case(who, case["case_id"])["matters"][0]["result"]["card_id"]
    boc = world.bank("boc")
    issued = bank.card_issued(world.services, boc, card_id).model_dump(mode="json")
    assert issued["status"] == "issued"
    assert bank.card_issued(world.services, boc, card_id).model_dump(mode="json") == issued
    assert sum("制卡发放" in t for t in world.sms_to(resident["phone"])) == 1
    with pytest.raises(NotFoundProblem):
        bank.card_issued(world.services, boc, "NO-SUCH-CARD")

    _, _, activation = world.opened("杨磊", [{"code": "activate"}])
    assert activation["status"] == "completed"
    assert world.services.card_system.current_card(resident["id_number"]).status.value == "active"


def test_a_reissued_card_replaces_the_old_one_when_the_bank_issues_it(world):
    resident = demo_resident("刘洋")  # a lost card
    old_card = resident["card"]["card_id"]
    _, who, case = submitted_review(world, "刘洋", {"code": "reissue", "form": {"kind": "lost", **BANK}})
    world.decide(world.reviewer(resident["district"]), f"{case['case_id']}.reissue", {"decision": "approve"})
    result = world.case(who, case["case_id"])["matters"][0]["result"]
    assert result["replaces"] == old_card
    cards = world.services.card_system
    assert cards.card_owner_item(old_card)["status"] == "lost"  # still the old one until the bank issues
    bank.card_issued(world.services, world.bank("boc"), result["card_id"])
    assert cards.card_owner_item(old_card)["status"] == "replaced"
    assert cards.current_card(resident["id_number"]).card_id == result["card_id"]


@pytest.mark.parametrize("body", [{"decision": "maybe"}, {}, {"decision": "approve", "extra": 1}])
def test_malformed_decisions_are_422_and_leave_the_review_pending(world, body):
    resident, _, case = submitted_review(world)
    with pytest.raises(ValidationProblem) as refused:
        parse_model(DecisionRequest, body)  # what the route parses before it decides anything
    assert refused.value.status == 422
    assert world.pending_reviews(world.reviewer(resident["district"]))["reviews"][0]["review_id"] == f"{case['case_id']}.apply"


def test_a_submission_on_new_years_eve_is_due_after_the_2027_statutory_new_year_and_operators_are_alerted_once(world):
    world.clock.set(datetime(2026, 12, 31, 17, 30, tzinfo=SHANGHAI))
    _, _, first = submitted_review(world, "杨磊")
    assert first["matters"][0]["due_at"] == "2027-01-04T23:59:59+08:00"  # 1 Jan statutory holiday, 2-3 Jan weekend
    _, _, second = submitted_review(world, "赵敏")
    assert second["matters"][0]["due_at"] == "2027-01-04T23:59:59+08:00"
    fallback = [m for m in alerts(world) if "2027" in m["subject"] and "节假日" in m["subject"]]
    assert len(fallback) == 1
    assert "data/holidays" in fallback[0]["text"]


def test_a_friday_evening_submission_is_due_on_monday_night(world):
    world.clock.set(datetime(2026, 3, 6, 21, 0, tzinfo=SHANGHAI))
    _, _, case = submitted_review(world)
    assert case["matters"][0]["due_at"] == "2026-03-09T23:59:59+08:00"
    assert any("办结时限 3月9日（星期一）24时前" in e["text"] for e in case["timeline"] if e["kind"] == "awaiting_review")

"""Pre-judgment runs again at submission; a matter whose system fails, a run whose step breaks, a run that
cannot start: no case is left `processing` and the applicant is told once.

The rules moved from tests/integration/test_workflow_resilience.py, which keeps the same failures end to end
on the real ASL (its Retry, Catch and FailCase states); here the workflow double plays those states.
"""

from __future__ import annotations

import pytest

from chalicelib.adapters.dynamo_cases import ConcurrentUpdate
from chalicelib.errors import ServiceUnavailable
from chalicelib.ports import ExternalRefusal, WorkflowUnavailable
from chalicelib.services import workflow_tasks
from tests.conftest import demo_resident
from tests.service.conftest import World, awaiting_review

BANK = {"bank": "中国银行黄山分行", "branch": "休宁支行"}


def draft(world: World, name: str, matters: list[dict]):
    resident = demo_resident(name)
    who = world.citizen(resident)
    return resident, who, world.create(who, matters, phone=resident["phone"])["case_id"]


def submitted(world: World, who, case_id: str) -> dict:
    world.submit(who, case_id)
    return world.case(who, case_id)


def test_prejudgment_at_submission_rejects_the_case_when_the_card_changed_after_the_draft(world):
    resident, who, case_id = draft(world, "李强", [{"code": "activate"}, {"code": "status_query"}])
    world.services.card_system.activate(resident["id_number"], "activated-at-a-bank-counter-meanwhile")
    case = submitted(world, who, case_id)
    assert case["status"] == "rejected"
    matters = {m["code"]: m for m in case["matters"]}
    assert matters["activate"]["status"] == "rejected"
    assert matters["activate"]["reason_code"] == "CARD_ALREADY_ACTIVE"
    assert matters["status_query"]["reason_code"] == "NOT_RUN"
    assert any(e["kind"] == "prejudgment_failed" for e in case["timeline"])
    assert any("未通过条件预判" in n["text"] for n in case["notifications"])


def test_an_open_application_in_another_case_fails_prejudgment_at_submission(world):
    _, who, first = draft(world, "杨磊", [{"code": "apply", "form": BANK}])
    _, _, second = draft(world, "杨磊", [{"code": "apply", "form": BANK}])
    assert awaiting_review(submitted(world, who, first))
    case = submitted(world, who, second)
    assert case["status"] == "rejected"
    assert case["matters"][0]["reason_code"] == "APPLICATION_IN_PROGRESS"


def test_a_card_system_outage_fails_the_matter_and_the_case_finishes(world, monkeypatch):
    def outage(id_number, operation_id):
        raise ConnectionError("card system unreachable")

    monkeypatch.setattr(world.services.card_system, "activate", outage)
    _, who, case_id = draft(world, "李强", [{"code": "activate"}, {"code": "info_change", "form": {"address": "黄山市黄山区新路1号"}}])
    case = submitted(world, who, case_id)
    matters = {m["code"]: m for m in case["matters"]}
    assert matters["activate"]["status"] == "failed"
    assert matters["activate"]["reason_code"] == "SYSTEM_ERROR"
    assert matters["info_change"]["status"] == "succeeded"
    assert case["status"] == "partially_completed"


def test_a_transient_conflict_is_retried_and_the_matter_succeeds(world, monkeypatch):
    cards = world.services.card_system
    real = cards.activate
    calls = []

    def flaky(id_number, operation_id):
        calls.append(operation_id)
        if len(calls) == 1:
            raise ConcurrentUpdate("lost a race")
        return real(id_number, operation_id)

    monkeypatch.setattr(cards, "activate", flaky)
    resident, who, case_id = draft(world, "李强", [{"code": "activate"}])
    assert submitted(world, who, case_id)["status"] == "completed"
    assert len(calls) == 2 and calls[0] == calls[1]
    assert cards.current_card(resident["id_number"]).status.value == "active"


def test_when_finishing_the_case_breaks_the_case_its_last_matter_closed_stays_as_it_is(world, monkeypatch):
    def broken(*args):
        raise RuntimeError("a bug in finish_case")

    monkeypatch.setattr(workflow_tasks, "finish_case", broken)
    _, who, case_id = draft(world, "李强", [{"code": "activate"}])
    case = submitted(world, who, case_id)
    assert world.workflow.describe(case_id)["status"] == "FAILED"  # operators see the broken run
    # the last matter's outcome closed the case in the same write: the broken step and the fallback change nothing
    assert case["status"] == "completed"
    assert [e["kind"] for e in case["timeline"]].count("finished") == 1
    assert not any("系统故障" in e["text"] for e in case["timeline"])


def test_a_reissue_whose_loss_report_failed_does_not_go_to_the_department(world, monkeypatch):
    def refused(id_number, operation_id):
        raise ExternalRefusal("CARD_SYSTEM_REFUSED", "省社保卡系统拒绝挂失")

    monkeypatch.setattr(world.services.card_system, "report_loss", refused)
    _, who, case_id = draft(
        world, "王芳", [{"code": "loss", "form": {"action": "report"}}, {"code": "reissue", "form": {"kind": "lost", **BANK}}]
    )
    case = submitted(world, who, case_id)
    matters = {m["code"]: m for m in case["matters"]}
    assert matters["loss"]["status"] == "failed"
    assert (matters["reissue"]["status"], matters["reissue"]["reason_code"]) == ("rejected", "CARD_NOT_LOST")
    assert case["status"] in ("failed", "rejected")
    assert world.services.store.get(case_id).waits == {}
    assert world.pending_reviews(world.reviewer(demo_resident("王芳")["district"]))["reviews"] == []


def test_a_submit_whose_run_cannot_start_answers_503_and_leaves_a_draft_to_submit_again(world):
    _, who, case_id = draft(world, "李强", [{"code": "activate"}])
    world.workflow.refusing["start"] = WorkflowUnavailable("ThrottlingException")
    with pytest.raises(ServiceUnavailable) as refused:
        world.submit(who, case_id)
    assert refused.value.status == 503
    world.workflow.refusing.clear()
    assert world.case(who, case_id)["status"] == "draft"
    assert submitted(world, who, case_id)["status"] == "completed"


def test_when_pre_judgment_breaks_the_fallback_fails_every_matter_once_and_tells_the_applicant(world, monkeypatch):
    def broken(*args):
        raise RuntimeError("a bug in pre-judgment")

    monkeypatch.setattr(workflow_tasks, "prejudge_at_submission", broken)
    resident, who, case_id = draft(world, "李强", [{"code": "activate"}])
    case = submitted(world, who, case_id)
    assert case["status"] == "failed"
    assert [m["status"] for m in case["matters"]] == ["failed"]
    assert [e["kind"] for e in case["timeline"]].count("finished") == 1
    told = world.sms_to(resident["phone"])
    assert len(told) == 1 and "办理失败" in told[0] and "系统" in told[0], told


def test_a_case_failed_while_its_matter_waits_takes_the_review_off_the_reviewers_queue(world):
    """FailCase (the run broke, or the reconciler gave up on it): nobody is left to decide a dead case."""
    resident, who, case = world.opened("杨磊", [{"code": "apply", "form": BANK}])
    assert awaiting_review(case)
    reviewer = world.reviewer(resident["district"])
    assert [r["case_id"] for r in world.pending_reviews(reviewer)["reviews"]] == [case["case_id"]]
    workflow_tasks.fail_case(world.services, case["case_id"], {"Error": "States.Runtime", "Cause": "the run broke"})
    assert world.case(who, case["case_id"])["status"] == "failed"
    assert world.pending_reviews(reviewer)["reviews"] == []
    assert world.services.store.get_wait(case["case_id"], "apply")["status"] == "failed"
    assert world.deadline_job(world.clock.moment.replace(year=2027))["timed_out"] == []  # and no alert about it later


def test_a_submit_with_its_key_whose_run_could_not_start_leaves_a_draft_that_the_same_key_submits_again(world):
    _, who, case_id = draft(world, "王芳", [{"code": "status_query"}])
    world.workflow.refusing["start"] = WorkflowUnavailable("ThrottlingException")
    with pytest.raises(ServiceUnavailable):
        world.submit(who, case_id, key="submit-after-outage")
    case = world.case(who, case_id)
    assert case["status"] == "draft" and case["timeline"][-1]["kind"] == "submit_failed"
    world.workflow.refusing.clear()
    assert world.submit(who, case_id, key="submit-after-outage")["status"] == "submitted"
    assert world.case(who, case_id)["status"] == "completed"

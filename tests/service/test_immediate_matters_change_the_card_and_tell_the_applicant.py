"""Every immediate matter through the run: submit → pre-judgment → card system → the case's outcome → SMS.

Moved from tests/integration/test_immediate_matters.py (one end-to-end run per branch stays there).
"""

from __future__ import annotations

import pytest

from chalicelib.errors import PrejudgmentFailed
from tests.conftest import demo_resident
from tests.service.conftest import World, awaiting_review


def card_status(world: World, resident: dict) -> str | None:
    card = world.services.card_system.current_card(resident["id_number"])
    return card.status.value if card else None


def test_activating_an_issued_card_makes_it_active_and_tells_the_applicant(world):
    resident, _, case = world.opened("李强", [{"code": "activate"}])
    assert case["status"] == "completed"
    [matter] = case["matters"]
    assert matter["status"] == "succeeded"
    assert matter["result"]["card_status"] == "active"
    assert card_status(world, resident) == "active"
    texts = world.sms_to(resident["phone"])
    assert any("社会保障卡启用" in t and "已办结" in t for t in texts), texts
    assert [n["to"] for n in case["notifications"]] == ["139****0002"]


def test_a_second_activation_is_refused_by_the_card_system(world):
    resident = demo_resident("李强")
    world.services.card_system.activate(resident["id_number"], "earlier-operation")
    with pytest.raises(PrejudgmentFailed) as refused:
        world.create(world.citizen(resident), [{"code": "activate"}])
    assert refused.value.status == 422
    assert refused.value.errors == [{"matter": "activate", "code": "CARD_ALREADY_ACTIVE", "message": "您的社会保障卡已启用，无需重复启用"}]


def test_reporting_a_loss_makes_the_card_lost(world):
    resident, _, case = world.opened("王芳", [{"code": "loss", "form": {"action": "report"}}])
    assert case["status"] == "completed"
    assert card_status(world, resident) == "lost"
    assert any("挂失" in t for t in world.sms_to(resident["phone"]))


def test_revoking_a_loss_makes_the_card_active_again(world):
    resident, _, case = world.opened("刘洋", [{"code": "loss", "form": {"action": "revoke"}}])
    assert case["status"] == "completed"
    assert case["matters"][0]["result"]["action"] == "revoke"
    assert card_status(world, resident) == "active"


def test_cancelling_a_card_makes_it_cancelled(world):
    resident, _, case = world.opened("徐丽", [{"code": "cancel", "form": {"reason": "emigration"}}])
    assert case["status"] == "completed"
    assert card_status(world, resident) == "cancelled"


def test_changing_contact_details_updates_the_card_system(world):
    resident, _, case = world.opened(
        "王芳", [{"code": "info_change", "form": {"phone": "13800001111", "address": "黄山市屯溪区新园路1号"}}]
    )
    assert case["status"] == "completed"
    profile = world.services.card_system.profile(resident["id_number"])
    assert (profile.phone, profile.address) == ("13800001111", "黄山市屯溪区新园路1号")
    assert case["matters"][0]["result"] == {"changed": ["phone", "address"]}


def test_a_status_query_answers_the_card_status_without_changing_it(world):
    resident, _, case = world.opened("陈静", [{"code": "status_query"}])
    assert case["status"] == "completed"
    result = case["matters"][0]["result"]
    assert result["card_status"] == "awaiting_collection"
    assert result["account_number"].endswith(resident["card"]["account_number"][-4:])
    assert resident["card"]["account_number"] not in str(result)
    assert card_status(world, resident) == "awaiting_collection"


def test_a_status_query_without_a_card_answers_no_card(world):
    _, _, case = world.opened("吴磊", [{"code": "status_query"}])
    assert case["matters"][0]["result"]["card_status"] == "none"


def test_immediate_matters_run_in_stage_order_and_the_status_query_sees_stage_one(world):
    resident, _, case = world.opened(
        "李强", [{"code": "status_query"}, {"code": "activate"}, {"code": "info_change", "form": {"address": "黄山市黄山区新华路2号"}}]
    )
    assert case["status"] == "completed"
    done = [e["matter"] for e in case["timeline"] if e["kind"] == "matter_succeeded"]
    assert done == ["info_change", "activate", "status_query"]
    query = next(m for m in case["matters"] if m["code"] == "status_query")
    assert query["result"]["card_status"] == "active"
    assert card_status(world, resident) == "active"
    summary = [t for t in world.sms_to(resident["phone"]) if "联办业务" in t]
    assert len(summary) == 1 and "已办结" in summary[0]


def test_loss_and_reissue_report_the_loss_first_then_wait_for_the_review(world):
    resident, _, case = world.opened(
        "王芳",
        [
            {"code": "reissue", "form": {"kind": "lost", "bank": "中国工商银行黄山分行", "branch": "屯溪老街支行"}},
            {"code": "loss", "form": {"action": "report"}},
        ],
    )
    assert {m["code"]: m["status"] for m in case["matters"]} == {"loss": "succeeded", "reissue": "awaiting_review"}
    kinds = [(e["kind"], e.get("matter")) for e in case["timeline"]]
    assert kinds.index(("matter_succeeded", "loss")) < kinds.index(("awaiting_review", "reissue"))
    assert case["status"] == "processing"
    assert card_status(world, resident) == "lost"
    wait = world.services.store.get_wait(case["case_id"], "reissue")
    assert wait["task_token"] == world.workflow.token_of(case["case_id"], "reissue")
    assert wait["department"] == "hr"


@pytest.mark.parametrize(
    ("name", "matter"),
    [
        ("杨磊", {"code": "apply", "form": {"bank": "中国银行黄山分行", "branch": "休宁支行"}}),
        ("黄秀英", {"code": "pension_account", "form": {"account_number": demo_resident("黄秀英")["card"]["account_number"]}}),
    ],
)
def test_reviewed_matters_wait_for_their_department_with_a_stored_task_token(world, name, matter):
    _, who, case = world.opened(name, [matter])
    assert awaiting_review(case)
    assert case["status"] == "processing"
    wait = world.services.store.get_wait(case["case_id"], matter["code"])
    assert wait["status"] == "pending"
    # the department's answer reaches the run through this token
    assert world.workflow.resume(wait["task_token"], {"decision": "reject", "reason": "材料不清晰"})
    case = world.case(who, case["case_id"])
    assert case["status"] == "rejected"
    assert case["matters"][0]["reason"] == "材料不清晰"


def test_a_department_failure_on_the_token_fails_the_matter_and_finishes_the_case(world):
    _, who, case = world.opened("杨磊", [{"code": "apply", "form": {"bank": "中国银行黄山分行", "branch": "休宁支行"}}])
    wait = world.services.store.get_wait(case["case_id"], "apply")
    assert world.workflow.fail_wait(wait["task_token"], "Department.Unavailable", "下游系统故障")
    case = world.case(who, case["case_id"])
    assert case["status"] == "failed"
    assert case["matters"][0]["reason_code"] == "SYSTEM_ERROR"

"""Every immediate matter end to end: API → execution → simulator → case → SMS."""

from __future__ import annotations

import pytest

from chalicelib.wiring import services
from tests.conftest import awaiting_review, demo_resident, finished


def run_case(api, name, matters, phone=None):
    resident = demo_resident(name)
    token = api.token(resident)
    created = api.create_case(token, matters, phone=phone or resident["phone"])
    assert created.status_code == 201, created.body
    case_id = created.json_body["case_id"]
    assert created.json_body["status"] == "draft"
    submitted = api.post(f"/cases/{case_id}/submit", None, token)
    assert submitted.status_code == 202, submitted.body
    return resident, token, api.wait_for(case_id, token, finished)


def sms_to(api, phone):
    return [m["text"] for m in api.get("/dev/outbox").json_body["sent"] if m["channel"] == "sms" and m["to"] == f"+86{phone}"]


def card_status(resident):
    card = services().card_system.current_card(resident["id_number"])
    return card.status.value if card else None


def test_activating_an_issued_card_makes_it_active_and_tells_the_applicant(api):
    resident, _, case = run_case(api, "李强", [{"code": "activate"}])
    assert case["status"] == "completed"
    [matter] = case["matters"]
    assert matter["status"] == "succeeded"
    assert matter["result"]["card_status"] == "active"
    assert card_status(resident) == "active"
    texts = sms_to(api, resident["phone"])
    assert any("社会保障卡启用" in t and "已办结" in t for t in texts), texts
    assert [n["to"] for n in case["notifications"]] == ["139****0002"]


def test_a_second_activation_is_refused_by_the_card_system(api):
    resident = demo_resident("李强")
    services().card_system.activate(resident["id_number"], "earlier-operation")
    token = api.token(resident)
    response = api.create_case(token, [{"code": "activate"}])
    assert response.status_code == 422
    assert response.json_body["errors"] == [
        {"matter": "activate", "code": "CARD_ALREADY_ACTIVE", "message": "您的社会保障卡已启用，无需重复启用"}
    ]


def test_reporting_a_loss_makes_the_card_lost(api):
    resident, _, case = run_case(api, "王芳", [{"code": "loss", "form": {"action": "report"}}])
    assert case["status"] == "completed"
    assert card_status(resident) == "lost"
    assert any("挂失" in t for t in sms_to(api, resident["phone"]))


def test_revoking_a_loss_makes_the_card_active_again(api):
    resident, _, case = run_case(api, "刘洋", [{"code": "loss", "form": {"action": "revoke"}}])
    assert case["status"] == "completed"
    assert case["matters"][0]["result"]["action"] == "revoke"
    assert card_status(resident) == "active"


def test_cancelling_a_card_makes_it_cancelled(api):
    resident, _, case = run_case(api, "徐丽", [{"code": "cancel", "form": {"reason": "emigration"}}])
    assert case["status"] == "completed"
    assert card_status(resident) == "cancelled"


def test_changing_contact_details_updates_the_card_system(api):
    resident, _, case = run_case(
        api, "王芳", [{"code": "info_change", "form": {"phone": "13800001111", "address": "黄山市屯溪区新园路1号"}}]
    )
    assert case["status"] == "completed"
    profile = services().card_system.profile(resident["id_number"])
    assert (profile.phone, profile.address) == ("13800001111", "黄山市屯溪区新园路1号")
    assert case["matters"][0]["result"] == {"changed": ["phone", "address"]}


def test_a_status_query_answers_the_card_status_without_changing_it(api):
    resident, _, case = run_case(api, "陈静", [{"code": "status_query"}])
    assert case["status"] == "completed"
    result = case["matters"][0]["result"]
    assert result["card_status"] == "awaiting_collection"
    assert result["account_number"].endswith(resident["card"]["account_number"][-4:])
    assert resident["card"]["account_number"] not in str(result)
    assert card_status(resident) == "awaiting_collection"


def test_a_status_query_without_a_card_answers_no_card(api):
    _, _, case = run_case(api, "吴磊", [{"code": "status_query"}])
    assert case["matters"][0]["result"]["card_status"] == "none"


def test_immediate_matters_run_in_stage_order_and_the_status_query_sees_stage_one(api):
    resident, _, case = run_case(
        api,
        "李强",
        [{"code": "status_query"}, {"code": "activate"}, {"code": "info_change", "form": {"address": "黄山市黄山区新华路2号"}}],
    )
    assert case["status"] == "completed"
    done = [e["matter"] for e in case["timeline"] if e["kind"] == "matter_succeeded"]
    assert done == ["info_change", "activate", "status_query"]
    query = next(m for m in case["matters"] if m["code"] == "status_query")
    assert query["result"]["card_status"] == "active"
    assert card_status(resident) == "active"
    summary = [t for t in sms_to(api, resident["phone"]) if "联办业务" in t]
    assert len(summary) == 1 and "已办结" in summary[0]


def test_loss_and_reissue_report_the_loss_first_then_wait_for_the_review(api):
    resident = demo_resident("王芳")
    token = api.token(resident)
    created = api.create_case(
        token,
        [
            {"code": "reissue", "form": {"kind": "lost", "bank": "中国工商银行黄山分行", "branch": "屯溪老街支行"}},
            {"code": "loss", "form": {"action": "report"}},
        ],
    )
    assert created.status_code == 201, created.body
    case_id = created.json_body["case_id"]
    assert api.post(f"/cases/{case_id}/submit", None, token).status_code == 202
    case = api.wait_for(
        case_id,
        token,
        # the status moves first, its timeline event a moment later
        lambda c: (
            {m["code"]: m["status"] for m in c["matters"]} == {"loss": "succeeded", "reissue": "awaiting_review"}
            and any(e["kind"] == "awaiting_review" for e in c["timeline"])
        ),
    )
    kinds = [(e["kind"], e.get("matter")) for e in case["timeline"]]
    assert kinds.index(("matter_succeeded", "loss")) < kinds.index(("awaiting_review", "reissue"))
    assert case["status"] == "processing"
    assert card_status(resident) == "lost"
    record = services().store.get(case_id)
    assert record.waits["reissue"]["task_token"]
    assert record.waits["reissue"]["department"] == "hr"


@pytest.mark.parametrize(
    ("name", "matter"),
    [
        ("杨磊", {"code": "apply", "form": {"bank": "中国银行黄山分行", "branch": "休宁支行"}}),
        ("黄秀英", {"code": "pension_account", "form": {"account_number": demo_resident("黄秀英")["card"]["account_number"]}}),
    ],
)
def test_reviewed_matters_wait_for_their_department_with_a_stored_task_token(api, name, matter):
    resident = demo_resident(name)
    token = api.token(resident)
    created = api.create_case(token, [matter])
    assert created.status_code == 201, created.body
    case_id = created.json_body["case_id"]
    api.post(f"/cases/{case_id}/submit", None, token)
    case = api.wait_for(case_id, token, awaiting_review)
    assert case["status"] == "processing"
    wait = services().store.get(case_id).waits[matter["code"]]
    assert wait["status"] == "pending"
    # the review API of a later issue resumes the execution with this token
    sfn = services().client("stepfunctions")
    sfn.send_task_success(taskToken=wait["task_token"], output='{"decision": "reject", "reason": "材料不清晰"}')
    case = api.wait_for(case_id, token, finished)
    assert case["status"] == "rejected"
    assert case["matters"][0]["reason"] == "材料不清晰"


def test_a_department_failure_on_the_token_fails_the_matter_and_finishes_the_case(api):
    resident = demo_resident("杨磊")
    token = api.token(resident)
    case_id = api.create_case(token, [{"code": "apply", "form": {"bank": "中国银行黄山分行", "branch": "休宁支行"}}]).json_body["case_id"]
    api.post(f"/cases/{case_id}/submit", None, token)
    api.wait_for(case_id, token, awaiting_review)
    wait = services().store.get(case_id).waits["apply"]
    services().client("stepfunctions").send_task_failure(taskToken=wait["task_token"], error="Department.Unavailable", cause="下游系统故障")
    case = api.wait_for(case_id, token, finished)
    assert case["status"] == "failed"
    assert case["matters"][0]["reason_code"] == "SYSTEM_ERROR"

"""Materials once, the counter channel, withdrawal, and the 2023 application form (domain.md §4, §7, §9).

Moved from tests/integration/test_materials_and_counter.py, which keeps an upload through the
presigned POST and the bucket's event, the counter's role check, and a withdrawal stopping a running execution.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from chalicelib.errors import ConflictProblem, NotFoundProblem, ValidationProblem
from chalicelib.models import CounterCaseRequest
from chalicelib.services import case_views, form, materials, withdrawal
from chalicelib.validation import parse_model
from tests.conftest import demo_resident, jpeg, png
from tests.service.conftest import World, awaiting_review

BANK = {"bank": "中国银行黄山分行", "branch": "屯溪支行"}
# an agent the identity source knows (data/identities.demo.json): not in the card system
AGENT = {"name": "吴建华", "id_number": "341002196506150030", "phone": "13905599999", "relation": "父子"}


def html_form(world: World, who, case_id: str) -> str:
    """GET /cases/{id}/form."""
    return form.render_form(case_views.load_own_case(world.services, who, case_id), who)


def test_materials_shared_by_data_sharing_need_no_upload(world):
    who = world.citizen("杨磊")  # ID e-license and police photo both shared
    case = world.create(who, [{"code": "apply", "form": BANK}], phone="13905590005")
    assert {m["kind"]: (m["status"], m["source"]) for m in case["materials"]} == {
        "id_card_front": ("provided", "data_sharing"),
        "id_card_back": ("provided", "data_sharing"),
        "photo": ("provided", "data_sharing"),
    }
    status, answer = world.declare(who, case["case_id"], "photo")
    assert status == 200
    assert answer["status"] == "provided" and answer["source"] == "data_sharing"
    assert answer["upload"] is None


def missing(world: World, who, case_id: str) -> list[dict]:
    with pytest.raises(ValidationProblem) as refused:
        world.submit(who, case_id)
    return refused.value.errors


def test_submit_is_refused_naming_each_missing_material_then_uploads_complete_it(world):
    resident = demo_resident("吴磊")  # no card, nothing shared
    who = world.citizen(resident)
    case_id = world.create(who, [{"code": "apply", "form": BANK}, {"code": "status_query"}], phone=resident["phone"])["case_id"]
    refused = missing(world, who, case_id)
    assert [e["field"] for e in refused] == ["materials.id_card_front", "materials.id_card_back", "materials.photo"]
    assert all(e["code"] == "MATERIAL_MISSING" for e in refused)
    assert world.case(who, case_id)["status"] == "draft"

    assert world.upload(who, case_id, "id_card_front", jpeg())["status"] == "uploaded"
    world.upload(who, case_id, "id_card_back", png(), "image/png")
    assert [e["field"] for e in missing(world, who, case_id)] == ["materials.photo"]
    world.upload(who, case_id, "photo", jpeg())
    case = world.case(who, case_id)
    assert {m["status"] for m in case["materials"]} == {"uploaded"}
    assert all(m["source"] == "upload" and m["provided_at"] for m in case["materials"])
    link = next(m for m in case["materials"] if m["kind"] == "photo")["download_url"]
    assert world.materials.fetch(link) == jpeg()
    assert world.submit(who, case_id)["status"] == "submitted"
    # the same document is not handed in twice
    with pytest.raises(ConflictProblem):
        world.declare(who, case_id, "photo", size=100)


def test_an_oversize_upload_is_refused_and_a_renamed_non_image_is_rejected_and_deleted(world):
    resident = demo_resident("吴磊")
    who = world.citizen(resident)
    case_id = world.create(who, [{"code": "apply", "form": BANK}], phone=resident["phone"])["case_id"]
    with pytest.raises(ValidationProblem) as declared_too_big:
        world.declare(who, case_id, "photo", size=6 * 1024 * 1024)
    assert declared_too_big.value.errors[0]["field"] == "size"
    # a client that lies about the size: the content check catches what the POST policy would
    world.upload(who, case_id, "photo", b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024 + 10), size=1000)
    photo = next(m for m in world.case(who, case_id)["materials"] if m["kind"] == "photo")
    assert photo["status"] == "rejected" and "5MB" in photo["reason"]

    world.upload(who, case_id, "id_card_front", b"%!PS not a picture, just renamed to front.jpg")
    case = world.case(who, case_id)
    front = next(m for m in case["materials"] if m["kind"] == "id_card_front")
    assert front["status"] == "rejected" and front["reason"] == "文件不是 JPEG、PNG 图片或 PDF 文件"
    assert world.materials.delete_prefix(f"cases/{case_id}/") == 0  # both rejected files were already deleted
    texts = [n["text"] for n in case["notifications"]]
    assert any("居民身份证（人像面）" in t and "重新上传" in t for t in texts)
    assert {e["field"]: e["code"] for e in missing(world, who, case_id)}["materials.id_card_front"] == "MATERIAL_REJECTED"
    for kind, content_type in (("bogus", "image/jpeg"), ("photo", "text/plain")):
        with pytest.raises(ValidationProblem):
            world.declare(who, case_id, kind, content_type, size=10)


def test_an_agent_case_at_the_counter_runs_end_to_end_and_the_applicant_sees_it_too(world):
    desk = world.clerk()
    case = world.counter_case(desk, "杨磊", [{"code": "apply", "form": BANK}], agent=AGENT)
    assert (case["channel"], case["service_point"], case["clerk"]) == ("offline", "HS-TX-01", "clerk-1")
    assert case["agent"]["id_number"] == "341002********0030"
    assert {m["kind"]: m["status"] for m in case["materials"]} == {
        "id_card_front": "provided",
        "id_card_back": "provided",
        "photo": "provided",
        "agent_id_card_front": "required",
        "agent_id_card_back": "required",
    }
    case_id = case["case_id"]
    world.upload(desk, case_id, "agent_id_card_front", jpeg())
    world.upload(desk, case_id, "agent_id_card_back", jpeg())
    world.submit(desk, case_id)
    resident = demo_resident("杨磊")
    citizen = world.citizen(resident)
    assert [c["case_id"] for c in case_views.list_cases(world.services, citizen, 20, None).model_dump()["cases"]] == [case_id]
    assert awaiting_review(world.case(citizen, case_id))
    hr = world.reviewer(resident["district"])
    review = world.pending_reviews(hr)["reviews"][0]
    assert review["channel"] == "offline"
    # every material has its link: the uploaded ones and those taken from data sharing
    assert [m["kind"] for m in review["materials"] if m.get("download_url")] == [
        "id_card_front",
        "id_card_back",
        "photo",
        "agent_id_card_front",
        "agent_id_card_back",
    ]
    world.decide(hr, review["review_id"], {"decision": "approve"})
    assert world.case(desk, case_id)["status"] == "completed"


def test_a_clerk_of_another_service_point_and_a_citizen_not_party_get_404(world):
    desk = world.clerk()
    case_id = world.counter_case(desk, "王芳", [{"code": "status_query"}])["case_id"]
    for stranger in (world.clerk(point="HS-HZ-02", sub="clerk-2"), world.citizen("徐丽")):
        for call in (
            lambda who=stranger: world.case(who, case_id),
            lambda who=stranger: world.submit(who, case_id),
            lambda who=stranger: html_form(world, who, case_id),
            lambda who=stranger: withdrawal.withdraw_case(world.services, who, case_id),
        ):
            with pytest.raises(NotFoundProblem):
                call()
    assert world.case(desk, case_id)["status"] == "draft"
    assert world.case(world.citizen("王芳"), case_id)["status"] == "draft"


def test_a_counter_case_needs_a_valid_applicant_id(world):
    body = {
        "consent": {"notice_version": "2023.1", "agreed": True},
        "matters": [{"code": "status_query"}],
        "contact": {"phone": "13905590001", "address": "黄山市"},
        "applicant": {"id_number": "341002198503120023", "name": "王芳"},
    }
    with pytest.raises(ValidationProblem) as bad:
        parse_model(CounterCaseRequest, body)  # what the route parses before the case is opened
    assert bad.value.errors[0]["field"] == "applicant.id_number"


def withdraw(world: World, who, case_id: str) -> dict:
    return withdrawal.withdraw_case(world.services, who, case_id).model_dump(mode="json")


def test_withdraw_before_review_stops_the_case_and_after_review_is_409(world):
    resident = demo_resident("王芳")
    who = world.citizen(resident)
    draft = world.create(who, [{"code": "status_query"}])["case_id"]
    withdrawn = withdraw(world, who, draft)
    assert withdrawn["status"] == "withdrawn"
    assert withdrawn["matters"][0]["reason_code"] == "WITHDRAWN"
    with pytest.raises(ConflictProblem):
        world.submit(who, draft)
    with pytest.raises(ConflictProblem):
        withdraw(world, who, draft)

    # after a matter went to the department: 409, and nothing changes
    reviewed = world.create(who, [{"code": "reissue", "form": {"kind": "damaged", **BANK}}])["case_id"]
    world.submit(who, reviewed)
    assert awaiting_review(world.case(who, reviewed))
    with pytest.raises(ConflictProblem):
        withdraw(world, who, reviewed)
    assert world.case(who, reviewed)["status"] == "processing"


def test_withdraw_of_a_submitted_case_stops_its_execution_before_it_changes_the_card(world):
    resident = demo_resident("李强")
    who = world.citizen(resident)
    case_id = world.create(who, [{"code": "activate"}], phone=resident["phone"])["case_id"]
    world.workflow.held = True  # the run is started, its first task not yet done
    world.submit(who, case_id)
    withdrawn = withdraw(world, who, case_id)
    assert withdrawn["status"] == "withdrawn"
    assert world.workflow.describe(case_id)["status"] == "ABORTED"
    world.workflow.go(case_id)  # a task the engine would still deliver runs nothing on a stopped run
    case = world.case(who, case_id)
    assert case["status"] == "withdrawn" and case["matters"][0]["status"] == "failed"
    assert world.services.card_system.current_card(resident["id_number"]).status.value == "issued"
    assert sum("撤回" in t for t in world.sms_to(resident["phone"])) == 1


def test_the_form_of_a_multi_matter_counter_case_holds_every_field_of_the_2023_form(world):
    desk = world.clerk()
    case_id = world.counter_case(
        desk,
        "刘洋",
        [
            {"code": "reissue", "form": {"kind": "lost", **BANK}},
            {"code": "status_query"},
            {"code": "info_change", "form": {"address": "黄山市徽州区新路8号"}},
        ],
        agent={**AGENT, "name": "徐丽", "id_number": demo_resident("徐丽")["id_number"]},
    )["case_id"]
    html = html_form(world, desk, case_id)
    resident = demo_resident("刘洋")
    for text in (
        "“我要办理社会保障卡”一件事申请表（2023版）",
        "申请人",
        resident["name"],
        "居民身份证号码",
        "社会保障号码",
        resident["id_number"],  # the counter copy is the paper the applicant signs and the counter files
        "联系电话",
        resident["phone"],
        "联系地址",
        resident["address"],
        "服务事项名称",
        "需要办理",
        "所需材料",
        "办理时限",
        "结果反馈",
        "社会保障卡申领",
        "社会保障卡补领换领换发",
        "社会保障卡启用",
        "社会保障卡挂失解挂",
        "社会保障卡注销",
        "社会保障卡信息修改",
        "社会保障卡信息查询",
        "养老保险待遇发放账号维护申请",
        "1个工作日",
        "即时办结",
        "数据共享获取",
        "代办人居民身份证（人像面）",
        "承诺提交的所有材料真实、合法、有效。并承诺对因提交虚假材料引发的后果承担相应法律责任。",
        "申请人/代办人：（签名）",
        "年　　月　　日",
        "必需提供",
        "依申请提供",
        "本人身份证件（代办需提供双方身份证件）",
        "支持通过安徽政务服务网、“皖事通”APP查询办理结果。",
        "补换类型：补领",
        "新联系地址：黄山市徽州区新路8号",
        "本表由本人或代办人填写，申报多项业务时，存在重复申报资料的，仅需提交一份。",
        "每月1至15日选择变更发放账号业务的，变更的新卡号将于次月生效用于待遇发放，本月待遇仍将打至原卡。",
        "HS-TX-01",
        "@page { size: A4",
    ):
        assert text in html, text
    assert html.count("☑") == 3 and html.count("☐") == 5
    assert not re.search(r"(src|href)=\"?https?://", html), "no external resources"


def test_the_form_shows_the_full_id_to_the_applicant_and_the_online_consent_time(world):
    resident = demo_resident("王芳")
    who = world.citizen(resident)
    case_id = world.create(who, [{"code": "status_query"}])["case_id"]
    html = html_form(world, who, case_id)
    assert resident["id_number"] in html
    assert "在线阅读用户须知（版本 2023.1）并勾选同意" in html


def test_materials_are_deleted_after_retention_and_the_case_keeps_the_record(world):
    resident = demo_resident("吴磊")
    who = world.citizen(resident)
    case_id = world.create(who, [{"code": "apply", "form": BANK}], phone=resident["phone"])["case_id"]
    world.upload_missing(who, case_id)
    finished_at = datetime.fromisoformat(withdraw(world, who, case_id)["finished_at"])
    assert world.retention_job(finished_at + timedelta(days=179))["cleaned"] == []
    assert world.retention_job(finished_at + timedelta(days=180, minutes=1))["cleaned"] == [case_id]
    case = world.case(who, case_id)
    assert {m["status"] for m in case["materials"]} == {"deleted"}
    assert all(m["provided_at"] and m["source"] == "upload" and not m.get("download_url") for m in case["materials"])
    assert world.materials.delete_prefix(f"cases/{case_id}/") == 0
    assert world.retention_job(finished_at + timedelta(days=200))["cleaned"] == []


def test_a_repeated_upload_event_keeps_the_accepted_file(world):
    resident = demo_resident("吴磊")
    who = world.citizen(resident)
    case_id = world.create(who, [{"code": "apply", "form": BANK}], phone=resident["phone"])["case_id"]
    world.upload(who, case_id, "photo", jpeg())
    key = world.services.store.get(case_id).materials["photo"]["key"]
    assert materials.check_uploaded_object(world.services, key)["status"] == "already_checked"
    assert world.materials.size(key) == len(jpeg())


def test_an_object_nobody_asked_for_is_deleted_and_one_outside_the_layout_is_ignored(world):
    stray = "cases/00000000-0000-4000-8000-000000000000/photo/" + "0" * 32 + ".jpg"
    world.materials.put(stray, jpeg())
    assert materials.check_uploaded_object(world.services, stray)["status"] == "deleted_unexpected"
    assert world.materials.size(stray) is None
    assert materials.check_uploaded_object(world.services, "elsewhere/file.jpg")["status"] == "ignored"


def test_a_clerk_sees_where_materials_came_from_but_gets_no_links_to_the_files(world):
    desk = world.clerk()
    case_id = world.counter_case(desk, "吴磊", [{"code": "apply", "form": BANK}])["case_id"]
    world.upload(desk, case_id, "photo", jpeg())
    photo = next(m for m in world.case(desk, case_id)["materials"] if m["kind"] == "photo")
    assert photo["status"] == "uploaded" and photo["download_url"] is None
    own = next(m for m in world.case(world.citizen("吴磊"), case_id)["materials"] if m["kind"] == "photo")
    assert own["download_url"]

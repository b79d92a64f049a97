"""Materials once, the counter channel, withdrawal, and the 2023 application form."""

from __future__ import annotations

import re

import requests

from chalicelib.wiring import services
from tests.conftest import awaiting_review, demo_resident, finished, jpeg, png

BANK = {"bank": "中国银行黄山分行", "branch": "屯溪支行"}
# an agent the identity source knows (data/identities.demo.json): not in the card system
AGENT = {"name": "吴建华", "id_number": "341002196506150030", "phone": "13905599999", "relation": "父子"}


def clerk(api, point="HS-TX-01", sub="clerk-1"):
    return api.token({"id_number": sub, "name": "窗口人员", "phone": "13900000003"}, roles=["clerk"], service_point=point)


def reviewer(api, district):
    return api.token({"id_number": "hr-1", "name": "审核员", "phone": "13900000000"}, roles=["reviewer"], district=district)


def counter_case(api, token, applicant_name, matters, agent=None):
    applicant = demo_resident(applicant_name)
    body = {
        "consent": {"notice_version": "2023.1", "agreed": True},
        "matters": matters,
        "contact": {"phone": applicant["phone"], "address": applicant["address"]},
        "applicant": {"id_number": applicant["id_number"], "name": applicant["name"]},
    }
    if agent:
        body["agent"] = agent
    return api.post("/counter/cases", body, token)


def test_materials_shared_by_data_sharing_need_no_upload(api):
    token = api.token("杨磊")  # ID e-license and police photo both shared
    case = api.create_case(token, [{"code": "apply", "form": BANK}], phone="13905590005").json_body
    assert {m["kind"]: (m["status"], m["source"]) for m in case["materials"]} == {
        "id_card_front": ("provided", "data_sharing"),
        "id_card_back": ("provided", "data_sharing"),
        "photo": ("provided", "data_sharing"),
    }
    answer = api.post(f"/cases/{case['case_id']}/materials", {"kind": "photo", "content_type": "image/jpeg", "size": 1000}, token)
    assert answer.status_code == 200
    assert answer.json_body["status"] == "provided" and answer.json_body["source"] == "data_sharing"
    assert answer.json_body["upload"] is None


def test_submit_is_refused_naming_each_missing_material_then_uploads_complete_it(api):
    resident = demo_resident("吴磊")  # no card, nothing shared
    token = api.token(resident)
    case_id = api.create_case(token, [{"code": "apply", "form": BANK}, {"code": "status_query"}], phone=resident["phone"]).json_body[
        "case_id"
    ]
    refused = api.post(f"/cases/{case_id}/submit", None, token)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json_body["errors"]] == ["materials.id_card_front", "materials.id_card_back", "materials.photo"]
    assert all(e["code"] == "MATERIAL_MISSING" for e in refused.json_body["errors"])
    assert api.get(f"/cases/{case_id}", token).json_body["status"] == "draft"

    front = api.upload(token, case_id, "id_card_front", jpeg())
    assert front.status_code in (200, 204), front.text
    api.upload(token, case_id, "id_card_back", png(), "image/png")
    still = api.post(f"/cases/{case_id}/submit", None, token)
    assert [e["field"] for e in still.json_body["errors"]] == ["materials.photo"]
    api.upload(token, case_id, "photo", jpeg())
    case = api.get(f"/cases/{case_id}", token).json_body
    assert {m["status"] for m in case["materials"]} == {"uploaded"}
    assert all(m["source"] == "upload" and m["provided_at"] for m in case["materials"])
    link = next(m for m in case["materials"] if m["kind"] == "photo")["download_url"]
    assert requests.get(link, timeout=10).content == jpeg()
    assert api.post(f"/cases/{case_id}/submit", None, token).status_code == 202
    # the same document is not handed in twice
    again = api.post(f"/cases/{case_id}/materials", {"kind": "photo", "content_type": "image/jpeg", "size": 100}, token)
    assert again.status_code == 409


def test_an_oversize_upload_is_refused_and_a_renamed_non_image_is_rejected_and_deleted(api):
    resident = demo_resident("吴磊")
    token = api.token(resident)
    case_id = api.create_case(token, [{"code": "apply", "form": BANK}], phone=resident["phone"]).json_body["case_id"]
    declared_too_big = api.post(
        f"/cases/{case_id}/materials", {"kind": "photo", "content_type": "image/jpeg", "size": 6 * 1024 * 1024}, token
    )
    assert declared_too_big.status_code == 422 and declared_too_big.json_body["errors"][0]["field"] == "size"
    # a client that lies about the size: the content check catches what the POST policy would
    lying = api.upload(token, case_id, "photo", b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024 + 10), size=1000)
    assert lying.status_code in (200, 204)
    photo = next(m for m in api.get(f"/cases/{case_id}", token).json_body["materials"] if m["kind"] == "photo")
    assert photo["status"] == "rejected" and "5MB" in photo["reason"]

    renamed = api.upload(token, case_id, "id_card_front", b"%!PS not a picture, just renamed to front.jpg")
    assert renamed.status_code in (200, 204)
    case = api.get(f"/cases/{case_id}", token).json_body
    front = next(m for m in case["materials"] if m["kind"] == "id_card_front")
    assert front["status"] == "rejected" and front["reason"] == "文件不是 JPEG、PNG 图片或 PDF 文件"
    s3 = services().materials
    assert s3.delete_prefix(f"cases/{case_id}/") == 0  # both rejected files were already deleted
    texts = [n["text"] for n in case["notifications"]]
    assert any("居民身份证（人像面）" in t and "重新上传" in t for t in texts)
    refused = api.post(f"/cases/{case_id}/submit", None, token).json_body
    assert {e["field"]: e["code"] for e in refused["errors"]}["materials.id_card_front"] == "MATERIAL_REJECTED"
    assert api.post(f"/cases/{case_id}/materials", {"kind": "bogus", "content_type": "image/jpeg", "size": 10}, token).status_code == 422
    assert api.post(f"/cases/{case_id}/materials", {"kind": "photo", "content_type": "text/plain", "size": 10}, token).status_code == 422


def test_an_agent_case_at_the_counter_runs_end_to_end_and_the_applicant_sees_it_too(api):
    desk = clerk(api)
    created = counter_case(api, desk, "杨磊", [{"code": "apply", "form": BANK}], agent=AGENT)
    assert created.status_code == 201, created.body
    case = created.json_body
    assert (case["channel"], case["service_point"], case["clerk"]) == ("offline", "HS-TX-01", "clerk-1")
    assert case["agent"]["id_number"] == "341002********0030"
    kinds = {m["kind"]: m["status"] for m in case["materials"]}
    assert kinds == {
        "id_card_front": "provided",
        "id_card_back": "provided",
        "photo": "provided",
        "agent_id_card_front": "required",
        "agent_id_card_back": "required",
    }
    case_id = case["case_id"]
    api.upload(desk, case_id, "agent_id_card_front", jpeg())
    api.upload(desk, case_id, "agent_id_card_back", jpeg())
    assert api.post(f"/cases/{case_id}/submit", None, desk).status_code == 202
    resident = demo_resident("杨磊")
    citizen = api.token(resident)
    assert [c["case_id"] for c in api.get("/cases", citizen).json_body["cases"]] == [case_id]
    api.wait_for(case_id, citizen, awaiting_review)
    review = api.get("/reviews?status=pending", reviewer(api, resident["district"])).json_body["reviews"][0]
    assert review["channel"] == "offline"
    # every material has its link: the uploaded ones and those taken from data sharing
    assert [m["kind"] for m in review["materials"] if m.get("download_url")] == [
        "id_card_front",
        "id_card_back",
        "photo",
        "agent_id_card_front",
        "agent_id_card_back",
    ]
    api.post(f"/reviews/{review['review_id']}/decision", {"decision": "approve"}, reviewer(api, resident["district"]))
    assert api.wait_for(case_id, desk, finished)["status"] == "completed"


def test_a_clerk_of_another_service_point_and_a_citizen_not_party_get_404(api):
    desk = clerk(api)
    case_id = counter_case(api, desk, "王芳", [{"code": "status_query"}]).json_body["case_id"]
    other_desk = clerk(api, point="HS-HZ-02", sub="clerk-2")
    stranger = api.token("徐丽")
    for token in (other_desk, stranger):
        assert api.get(f"/cases/{case_id}", token).status_code == 404
        assert api.post(f"/cases/{case_id}/submit", None, token).status_code == 404
        assert api.get(f"/cases/{case_id}/form", token).status_code == 404
        assert api.post(f"/cases/{case_id}/withdraw", None, token).status_code == 404
    assert api.get(f"/cases/{case_id}", desk).status_code == 200
    assert api.get(f"/cases/{case_id}", api.token("王芳")).status_code == 200


def test_a_counter_case_needs_the_clerk_role_and_a_valid_applicant_id(api):
    citizen = api.token("王芳")
    assert counter_case(api, citizen, "王芳", [{"code": "status_query"}]).status_code == 403
    desk = clerk(api)
    bad = api.post(
        "/counter/cases",
        {
            "consent": {"notice_version": "2023.1", "agreed": True},
            "matters": [{"code": "status_query"}],
            "contact": {"phone": "13905590001", "address": "黄山市"},
            "applicant": {"id_number": "341002198503120023", "name": "王芳"},
        },
        desk,
    )
    assert bad.status_code == 422 and bad.json_body["errors"][0]["field"] == "applicant.id_number"


def test_withdraw_before_review_stops_the_case_and_after_review_is_409(api):
    resident = demo_resident("王芳")
    token = api.token(resident)
    draft = api.create_case(token, [{"code": "status_query"}]).json_body["case_id"]
    withdrawn = api.post(f"/cases/{draft}/withdraw", None, token)
    assert withdrawn.status_code == 200 and withdrawn.json_body["status"] == "withdrawn"
    assert withdrawn.json_body["matters"][0]["reason_code"] == "WITHDRAWN"
    assert api.post(f"/cases/{draft}/submit", None, token).status_code == 409
    assert api.post(f"/cases/{draft}/withdraw", None, token).status_code == 409

    # after a matter went to the department: 409, and nothing changes
    reviewed = api.create_case(token, [{"code": "reissue", "form": {"kind": "damaged", **BANK}}]).json_body["case_id"]
    api.post(f"/cases/{reviewed}/submit", None, token)
    api.wait_for(reviewed, token, awaiting_review)
    late = api.post(f"/cases/{reviewed}/withdraw", None, token)
    assert late.status_code == 409
    assert api.get(f"/cases/{reviewed}", token).json_body["status"] == "processing"


def test_withdraw_of_a_submitted_case_stops_its_execution_cleanly(api, monkeypatch):
    from chalicelib.services import workflow_tasks

    resident = demo_resident("李强")
    token = api.token(resident)
    case_id = api.create_case(token, [{"code": "activate"}]).json_body["case_id"]
    # hold the run before it starts: the case is submitted, the execution is running
    import threading

    entered, release = threading.Event(), threading.Event()
    real = workflow_tasks.prejudge_at_submission

    def held(services_, case_id_, *rest):
        entered.set()
        release.wait(10)
        return real(services_, case_id_, *rest)

    monkeypatch.setattr(workflow_tasks, "prejudge_at_submission", held)
    assert api.post(f"/cases/{case_id}/submit", None, token).status_code == 202
    assert entered.wait(10)  # the execution is running its first task
    withdrawn = api.post(f"/cases/{case_id}/withdraw", None, token)
    release.set()
    assert withdrawn.status_code == 200, withdrawn.body
    assert withdrawn.json_body["status"] == "withdrawn"
    import time

    deadline = time.monotonic() + 10
    while services().workflow.describe(case_id)["status"] == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert services().workflow.describe(case_id)["status"] == "ABORTED"
    case = api.get(f"/cases/{case_id}", token).json_body
    assert case["status"] == "withdrawn" and case["matters"][0]["status"] == "failed"
    assert services().card_system.current_card(resident["id_number"]).status.value == "issued"


def test_the_form_of_a_multi_matter_counter_case_holds_every_field_of_the_2023_form(api):
    desk = clerk(api)
    created = counter_case(
        api,
        desk,
        "刘洋",
        [
            {"code": "reissue", "form": {"kind": "lost", **BANK}},
            {"code": "status_query"},
            {"code": "info_change", "form": {"address": "黄山市徽州区新路8号"}},
        ],
        agent={**AGENT, "name": "徐丽", "id_number": demo_resident("徐丽")["id_number"]},
    )
    assert created.status_code == 201, created.body
    case_id = created.json_body["case_id"]
    response = api.get(f"/cases/{case_id}/form", desk)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    html = response.body.decode()
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


def test_the_form_shows_the_full_id_to_the_applicant_and_the_online_consent_time(api):
    resident = demo_resident("王芳")
    token = api.token(resident)
    case_id = api.create_case(token, [{"code": "status_query"}]).json_body["case_id"]
    html = api.get(f"/cases/{case_id}/form", token).body.decode()
    assert resident["id_number"] in html
    assert "在线阅读用户须知（版本 2023.1）并勾选同意" in html


def test_materials_are_deleted_after_retention_and_the_case_keeps_the_record(api):
    from datetime import datetime, timedelta

    resident = demo_resident("吴磊")
    token = api.token(resident)
    case_id = api.create_case(token, [{"code": "apply", "form": BANK}], phone=resident["phone"]).json_body["case_id"]
    api.upload_missing(token, case_id)
    withdrawn = api.post(f"/cases/{case_id}/withdraw", None, token).json_body
    finished_at = datetime.fromisoformat(withdrawn["finished_at"])
    early = api.post("/dev/jobs/materials-retention/run", {"time": (finished_at + timedelta(days=179)).isoformat()}).json_body
    assert early["cleaned"] == []
    due = api.post("/dev/jobs/materials-retention/run", {"time": (finished_at + timedelta(days=180, minutes=1)).isoformat()}).json_body
    assert due["cleaned"] == [case_id]
    case = api.get(f"/cases/{case_id}", token).json_body
    assert {m["status"] for m in case["materials"]} == {"deleted"}
    assert all(m["provided_at"] and m["source"] == "upload" and not m.get("download_url") for m in case["materials"])
    assert services().materials.delete_prefix(f"cases/{case_id}/") == 0
    assert (
        api.post("/dev/jobs/materials-retention/run", {"time": (finished_at + timedelta(days=200)).isoformat()}).json_body["cleaned"] == []
    )


def test_a_repeated_upload_event_keeps_the_accepted_file(api):
    from chalicelib.services.materials import check_uploaded_object

    resident = demo_resident("吴磊")
    token = api.token(resident)
    case_id = api.create_case(token, [{"code": "apply", "form": BANK}], phone=resident["phone"]).json_body["case_id"]
    api.upload(token, case_id, "photo", jpeg())
    key = services().store.get(case_id).materials["photo"]["key"]
    assert check_uploaded_object(services(), key)["status"] == "already_checked"
    assert services().materials.size(key) == len(jpeg())


def test_a_clerk_sees_where_materials_came_from_but_gets_no_links_to_the_files(api):
    desk = clerk(api)
    case_id = counter_case(api, desk, "吴磊", [{"code": "apply", "form": BANK}]).json_body["case_id"]
    api.upload(desk, case_id, "photo", jpeg())
    photo = next(m for m in api.get(f"/cases/{case_id}", desk).json_body["materials"] if m["kind"] == "photo")
    assert photo["status"] == "uploaded" and photo["download_url"] is None
    own = next(m for m in api.get(f"/cases/{case_id}", api.token("吴磊")).json_body["materials"] if m["kind"] == "photo")
    assert own["download_url"]

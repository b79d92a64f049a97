"""Drafts (issue 9 point 8): `PATCH` and `DELETE /cases/{caseId}` before submission, on moto and the real ASL."""

from __future__ import annotations

import json

from chalicelib.wiring import services
from tests.conftest import demo_resident, finished, jpeg

BANK = {"bank": "中国银行黄山分行", "branch": "屯溪支行"}


def patch(api, case_id, body, token, headers=None):
    h = {"Content-Type": "application/json", "Authorization": f"Bearer {token}", **(headers or {})}
    return api.client.http.patch(f"/cases/{case_id}", headers=h, body=json.dumps(body))


def delete(api, case_id, token):
    return api.client.http.delete(f"/cases/{case_id}", headers={"Authorization": f"Bearer {token}"})


def problem(response, status, field=None):
    assert response.status_code == status, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.json_body
    if field:
        assert field in [e.get("field") for e in body["errors"]], body
    return body


def clerk(api, point="HS-TX-01", sub="clerk-1"):
    return api.token({"id_number": sub, "name": "窗口人员", "phone": "13900000003"}, roles=["clerk"], service_point=point)


def counter_case(api, token, applicant_name, matters):
    applicant = demo_resident(applicant_name)
    body = {
        "consent": {"notice_version": "2023.1", "agreed": True},
        "matters": matters,
        "contact": {"phone": applicant["phone"], "address": applicant["address"]},
        "applicant": {"id_number": applicant["id_number"], "name": applicant["name"]},
    }
    response = api.post("/counter/cases", body, token)
    assert response.status_code == 201, response.body
    return response.json_body["case_id"]


def stored(case_id):
    return services().store.get(case_id)


def test_a_contact_change_keeps_what_the_body_leaves_out(api):
    token = api.token("王芳")
    case = api.create_case(token, [{"code": "status_query"}]).json_body
    changed = patch(api, case["case_id"], {"contact": {"phone": "13905590111"}}, token)
    assert changed.status_code == 200, changed.body
    body = changed.json_body
    assert body["contact"] == {"phone": "13905590111", "address": case["contact"]["address"]}
    assert [m["code"] for m in body["matters"]] == ["status_query"] and body["status"] == "draft"
    assert body["timeline"][-1]["kind"] == "updated" and "联系方式已更新" in body["timeline"][-1]["text"]
    assert api.get(f"/cases/{case['case_id']}", token).json_body["contact"]["phone"] == "13905590111"


def test_changing_the_matters_is_prejudged_again_and_the_materials_follow(api):
    resident = demo_resident("吴磊")  # no card, nothing shared: apply needs three uploads
    token = api.token(resident)
    case_id = api.create_case(token, [{"code": "apply", "form": BANK}], phone=resident["phone"]).json_body["case_id"]
    assert api.upload(token, case_id, "photo", jpeg()).status_code in (200, 204)
    photo_key = stored(case_id).materials["photo"]["key"]

    # another branch: the photo already uploaded is still needed, and kept
    moved = patch(
        api, case_id, {"matters": [{"code": "apply", "form": {"bank": "boc", "branch": "休宁支行"}}, {"code": "status_query"}]}, token
    )
    assert moved.status_code == 200, moved.body
    assert {m["code"]: m["form"] for m in moved.json_body["matters"]} == {
        "apply": {"bank": "中国银行黄山分行", "branch": "休宁支行"},
        "status_query": {},
    }
    assert {m["kind"]: m["status"] for m in moved.json_body["materials"]} == {
        "id_card_front": "required",
        "id_card_back": "required",
        "photo": "uploaded",
    }
    assert services().materials.size(photo_key) is not None

    # only the status query: no material is needed any more, the uploaded photo goes with its file
    narrowed = patch(api, case_id, {"matters": [{"code": "status_query"}]}, token)
    assert narrowed.status_code == 200, narrowed.body
    assert narrowed.json_body["materials"] == []
    assert set(stored(case_id).matters) == {"status_query"}
    assert services().materials.size(photo_key) is None
    assert "取消事项：社会保障卡申领" in narrowed.json_body["timeline"][-1]["text"]

    # apply again: the materials are asked for again
    again = patch(api, case_id, {"matters": [{"code": "apply", "form": BANK}]}, token)
    assert {m["kind"]: m["status"] for m in again.json_body["materials"]} == {
        "id_card_front": "required",
        "id_card_back": "required",
        "photo": "required",
    }


def test_a_change_that_fails_prejudgment_is_422_with_every_failing_matter_and_changes_nothing(api):
    resident = demo_resident("吴磊")  # no card at all
    token = api.token(resident)
    case_id = api.create_case(token, [{"code": "status_query"}], phone=resident["phone"]).json_body["case_id"]
    before = stored(case_id)
    refused = patch(
        api,
        case_id,
        {"matters": [{"code": "loss", "form": {"action": "report"}}, {"code": "info_change", "form": {"phone": "13905590222"}}]},
        token,
    )
    body = problem(refused, 422)
    assert body["title"] == "条件预判未通过"
    assert sorted((e["matter"], e["code"]) for e in body["errors"]) == [("info_change", "NO_CARD"), ("loss", "NO_CARD")]
    conflicting = problem(patch(api, case_id, {"matters": [{"code": "apply", "form": BANK}, {"code": "activate"}]}, token), 422)
    assert {e["matter"] for e in conflicting["errors"] if e["code"] == "CONFLICTING_MATTERS"} == {"apply", "activate"}
    # bad input: the field is named
    problem(
        patch(api, case_id, {"matters": [{"code": "apply", "form": {"bank": "不存在的银行", "branch": "屯溪支行"}}]}, token),
        422,
        "matters[0].form.bank",
    )
    problem(patch(api, case_id, {"contact": {"phone": "123"}}, token), 422, "contact.phone")
    problem(patch(api, case_id, {}, token), 422, "body")
    problem(patch(api, case_id, {"consent": {"notice_version": "2023.1", "agreed": True}}, token), 422, "consent")
    problem(patch(api, case_id, {"matters": [{"code": "status_query"}, {"code": "status_query"}]}, token), 422, "matters")
    after = stored(case_id)
    assert after.case == before.case and after.matters == before.matters and after.materials == before.materials


def test_someone_else_gets_404_and_the_draft_is_unchanged(api):
    owner = api.token("王芳")
    case_id = api.create_case(owner, [{"code": "status_query"}]).json_body["case_id"]
    stranger = api.token("李强")
    problem(patch(api, case_id, {"contact": {"phone": "13905590333"}}, stranger), 404)
    problem(delete(api, case_id, stranger), 404)
    problem(delete(api, case_id, clerk(api)), 404)  # an online case is no clerk's
    problem(delete(api, "not-a-case", owner), 404)
    assert api.get(f"/cases/{case_id}", owner).json_body["contact"]["phone"] == "13905590001"


def test_deleting_a_draft_removes_it_and_its_files(api):
    resident = demo_resident("吴磊")
    token = api.token(resident)
    keep = api.create_case(token, [{"code": "status_query"}], phone=resident["phone"]).json_body["case_id"]
    case_id = api.create_case(token, [{"code": "apply", "form": BANK}], phone=resident["phone"]).json_body["case_id"]
    api.upload(token, case_id, "photo", jpeg())
    key = stored(case_id).materials["photo"]["key"]

    deleted = delete(api, case_id, token)
    assert deleted.status_code == 204 and not deleted.body
    problem(api.get(f"/cases/{case_id}", token), 404)
    assert [c["case_id"] for c in api.get("/cases", token).json_body["cases"]] == [keep]
    assert services().materials.size(key) is None
    assert services().materials.delete_prefix(f"cases/{case_id}/") == 0
    problem(delete(api, case_id, token), 404)  # gone: a repeat finds nothing
    problem(patch(api, case_id, {"contact": {"phone": "13905590333"}}, token), 404)
    # nothing of the case is left in its partition
    from boto3.dynamodb.conditions import Key

    table = services().store._table
    assert table.query(KeyConditionExpression=Key("pk").eq(f"CASE#{case_id}"))["Items"] == []
    # and it no longer counts as an open application: a new apply passes
    assert api.create_case(token, [{"code": "apply", "form": BANK}], phone=resident["phone"]).status_code == 201


def test_once_submitted_or_withdrawn_a_case_can_be_neither_changed_nor_deleted(api):
    token = api.token("王芳")
    submitted = api.create_case(token, [{"code": "status_query"}]).json_body["case_id"]
    assert api.post(f"/cases/{submitted}/submit", None, token).status_code == 202
    problem(patch(api, submitted, {"contact": {"phone": "13905590444"}}, token), 409)
    problem(delete(api, submitted, token), 409)
    api.wait_for(submitted, token, finished)
    problem(delete(api, submitted, token), 409)

    withdrawn = api.create_case(token, [{"code": "status_query"}]).json_body["case_id"]
    api.post(f"/cases/{withdrawn}/withdraw", None, token)
    assert "撤回" in problem(patch(api, withdrawn, {"contact": {"phone": "13905590444"}}, token), 409)["detail"]
    problem(delete(api, withdrawn, token), 409)
    assert api.get(f"/cases/{withdrawn}", token).json_body["contact"]["phone"] == "13905590001"


def test_the_clerk_of_the_service_point_may_change_and_delete_a_counter_draft(api):
    desk = clerk(api)
    case_id = counter_case(api, desk, "杨磊", [{"code": "apply", "form": BANK}])
    other_point = clerk(api, point="HS-HZ-02", sub="clerk-2")
    problem(patch(api, case_id, {"contact": {"address": "安徽省黄山市休宁县海阳镇某路1号"}}, other_point), 404)
    changed = patch(api, case_id, {"matters": [{"code": "apply", "form": {"bank": "中国银行黄山分行", "branch": "休宁支行"}}]}, desk)
    assert changed.status_code == 200, changed.body
    assert changed.json_body["channel"] == "offline" and changed.json_body["matters"][0]["form"]["branch"] == "休宁支行"
    problem(delete(api, case_id, other_point), 404)
    assert delete(api, case_id, desk).status_code == 204
    problem(api.get(f"/cases/{case_id}", desk), 404)


def test_a_submit_between_the_read_and_the_write_of_a_delete_wins_and_the_delete_is_409(api, monkeypatch):
    token = api.token("王芳")
    case_id = api.create_case(token, [{"code": "status_query"}]).json_body["case_id"]
    store = services().store
    real = store.delete_draft

    def submit_first(case_id_, version):
        assert api.post(f"/cases/{case_id_}/submit", None, token).status_code == 202
        return real(case_id_, version)

    monkeypatch.setattr(store, "delete_draft", submit_first)
    problem(delete(api, case_id, token), 409)
    monkeypatch.undo()
    assert api.wait_for(case_id, token, finished)["status"] == "completed"


def test_a_delete_between_the_read_and_the_write_of_a_submit_wins_and_the_submit_is_404(api, monkeypatch):
    token = api.token("王芳")
    case_id = api.create_case(token, [{"code": "status_query"}]).json_body["case_id"]
    store = services().store
    real = store.submit

    def delete_first(case_id_, version, changes, *args, **kwargs):
        assert delete(api, case_id_, token).status_code == 204
        return real(case_id_, version, changes, *args, **kwargs)

    monkeypatch.setattr(store, "submit", delete_first)
    problem(api.post(f"/cases/{case_id}/submit", None, token), 404)
    monkeypatch.undo()
    assert services().workflow.describe(case_id) is None  # nothing was started
    problem(api.get(f"/cases/{case_id}", token), 404)


def test_a_submit_between_the_read_and_the_write_of_a_change_wins_and_the_change_is_409(api, monkeypatch):
    token = api.token("王芳")
    case_id = api.create_case(token, [{"code": "status_query"}]).json_body["case_id"]
    store = services().store
    real = store.replace_draft

    def submit_first(case_id_, *args):
        assert api.post(f"/cases/{case_id_}/submit", None, token).status_code == 202
        return real(case_id_, *args)

    monkeypatch.setattr(store, "replace_draft", submit_first)
    problem(patch(api, case_id, {"matters": [{"code": "info_change", "form": {"address": "安徽省黄山市屯溪区某路2号"}}]}, token), 409)
    monkeypatch.undo()
    case = api.wait_for(case_id, token, finished)
    assert [m["code"] for m in case["matters"]] == ["status_query"]


def test_a_change_repeated_with_its_idempotency_key_is_done_once(api):
    token = api.token("王芳")
    case_id = api.create_case(token, [{"code": "status_query"}]).json_body["case_id"]
    body = {"contact": {"phone": "13905590555"}}
    first = patch(api, case_id, body, token, {"Idempotency-Key": "draft-change-1"})
    again = patch(api, case_id, body, token, {"Idempotency-Key": "draft-change-1"})
    assert first.status_code == again.status_code == 200
    assert first.json_body == again.json_body
    updates = [e for e in api.get(f"/cases/{case_id}", token).json_body["timeline"] if e["kind"] == "updated"]
    assert len(updates) == 1
    problem(
        patch(api, case_id, {"contact": {"phone": "13905590666"}}, token, {"Idempotency-Key": "draft-change-1"}), 422, "Idempotency-Key"
    )

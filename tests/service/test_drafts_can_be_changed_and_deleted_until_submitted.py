"""Drafts (issue 9 point 8): a change is pre-judged again, the materials follow, a delete takes the files;
once submitted or withdrawn, neither; a submit racing a change or a delete has one winner.

PATCH and DELETE over HTTP, and a change repeated with its Idempotency-Key: tests/integration/test_every_route_reaches_its_service.py;
who may (404 as problem+json): tests/security (the authorization matrix).
"""

from __future__ import annotations

import pytest

from chalicelib.errors import ConflictProblem, NotFoundProblem, PrejudgmentFailed, ValidationProblem
from chalicelib.models import UpdateCaseRequest
from chalicelib.services import case_views, drafts
from chalicelib.validation import parse_model
from tests.conftest import demo_resident, jpeg
from tests.service.conftest import World

BANK = {"bank": "中国银行黄山分行", "branch": "屯溪支行"}


def patch(world: World, who, case_id: str, body: dict) -> dict:
    """PATCH /cases/{id}."""
    return drafts.update_draft(world.services, who, case_id, parse_model(UpdateCaseRequest, body))


def delete(world: World, who, case_id: str) -> None:
    """DELETE /cases/{id}."""
    drafts.delete_draft(world.services, who, case_id)


def materials_of(world: World, case_id: str) -> dict:
    return world.services.store.get(case_id).materials


def test_a_contact_change_keeps_what_the_body_leaves_out(world):
    who = world.citizen("王芳")
    case = world.create(who, [{"code": "status_query"}])
    body = patch(world, who, case["case_id"], {"contact": {"phone": "13905590111"}})
    assert body["contact"] == {"phone": "13905590111", "address": case["contact"]["address"]}
    assert [m["code"] for m in body["matters"]] == ["status_query"] and body["status"] == "draft"
    assert body["timeline"][-1]["kind"] == "updated" and "联系方式已更新" in body["timeline"][-1]["text"]
    assert world.case(who, case["case_id"])["contact"]["phone"] == "13905590111"


def test_changing_the_matters_is_prejudged_again_and_the_materials_follow(world):
    resident = demo_resident("吴磊")  # no card, nothing shared: apply needs three uploads
    who = world.citizen(resident)
    case_id = world.create(who, [{"code": "apply", "form": BANK}], phone=resident["phone"])["case_id"]
    assert world.upload(who, case_id, "photo", jpeg())["status"] == "uploaded"
    photo_key = materials_of(world, case_id)["photo"]["key"]

    # another branch: the photo already uploaded is still needed, and kept
    moved = patch(
        world, who, case_id, {"matters": [{"code": "apply", "form": {"bank": "boc", "branch": "休宁支行"}}, {"code": "status_query"}]}
    )
    assert {m["code"]: m["form"] for m in moved["matters"]} == {
        "apply": {"bank": "中国银行黄山分行", "branch": "休宁支行"},
        "status_query": {},
    }
    assert {m["kind"]: m["status"] for m in moved["materials"]} == {
        "id_card_front": "required",
        "id_card_back": "required",
        "photo": "uploaded",
    }
    assert world.materials.size(photo_key) is not None

    # only the status query: no material is needed any more, the uploaded photo goes with its file
    narrowed = patch(world, who, case_id, {"matters": [{"code": "status_query"}]})
    assert narrowed["materials"] == []
    assert [m["code"] for m in world.case(who, case_id)["matters"]] == ["status_query"]
    assert world.materials.size(photo_key) is None
    assert "取消事项：社会保障卡申领" in narrowed["timeline"][-1]["text"]

    # apply again: the materials are asked for again
    again = patch(world, who, case_id, {"matters": [{"code": "apply", "form": BANK}]})
    assert {m["kind"]: m["status"] for m in again["materials"]} == {
        "id_card_front": "required",
        "id_card_back": "required",
        "photo": "required",
    }


def test_a_change_that_fails_prejudgment_is_422_with_every_failing_matter_and_changes_nothing(world):
    resident = demo_resident("吴磊")  # no card at all
    who = world.citizen(resident)
    case_id = world.create(who, [{"code": "status_query"}], phone=resident["phone"])["case_id"]
    before = world.services.store.get(case_id)
    with pytest.raises(PrejudgmentFailed) as refused:
        patch(
            world,
            who,
            case_id,
            {"matters": [{"code": "loss", "form": {"action": "report"}}, {"code": "info_change", "form": {"phone": "13905590222"}}]},
        )
    assert refused.value.status == 422 and refused.value.title == "条件预判未通过"
    assert sorted((e["matter"], e["code"]) for e in refused.value.errors) == [("info_change", "NO_CARD"), ("loss", "NO_CARD")]
    with pytest.raises(PrejudgmentFailed) as conflicting:
        patch(world, who, case_id, {"matters": [{"code": "apply", "form": BANK}, {"code": "activate"}]})
    assert {e["matter"] for e in conflicting.value.errors if e["code"] == "CONFLICTING_MATTERS"} == {"apply", "activate"}
    # bad input: the field is named
    for body, field in (
        ({"matters": [{"code": "apply", "form": {"bank": "不存在的银行", "branch": "屯溪支行"}}]}, "matters[0].form.bank"),
        ({"contact": {"phone": "123"}}, "contact.phone"),
        ({}, "body"),
        ({"consent": {"notice_version": "2023.1", "agreed": True}}, "consent"),
        ({"matters": [{"code": "status_query"}, {"code": "status_query"}]}, "matters"),
    ):
        with pytest.raises(ValidationProblem) as bad:
            patch(world, who, case_id, body)
        assert field in [e.get("field") for e in bad.value.errors], (body, bad.value.errors)
    after = world.services.store.get(case_id)
    assert after.case == before.case and after.matters == before.matters and after.materials == before.materials


def test_someone_else_gets_404_and_the_draft_is_unchanged(world):
    owner = world.citizen("王芳")
    case_id = world.create(owner, [{"code": "status_query"}])["case_id"]
    stranger = world.citizen("李强")
    with pytest.raises(NotFoundProblem):
        patch(world, stranger, case_id, {"contact": {"phone": "13905590333"}})
    for who, target in ((stranger, case_id), (world.clerk(), case_id), (owner, "not-a-case")):  # an online case is no clerk's
        with pytest.raises(NotFoundProblem):
            delete(world, who, target)
    assert world.case(owner, case_id)["contact"]["phone"] == "13905590001"


def test_deleting_a_draft_removes_it_and_its_files(world):
    resident = demo_resident("吴磊")
    who = world.citizen(resident)
    keep = world.create(who, [{"code": "status_query"}], phone=resident["phone"])["case_id"]
    case_id = world.create(who, [{"code": "apply", "form": BANK}], phone=resident["phone"])["case_id"]
    world.upload(who, case_id, "photo", jpeg())
    key = materials_of(world, case_id)["photo"]["key"]

    assert delete(world, who, case_id) is None
    with pytest.raises(NotFoundProblem):
        world.case(who, case_id)
    assert [c["case_id"] for c in case_views.list_cases(world.services, who, 20, None).model_dump()["cases"]] == [keep]
    assert world.materials.size(key) is None
    assert world.materials.delete_prefix(f"cases/{case_id}/") == 0
    with pytest.raises(NotFoundProblem):
        delete(world, who, case_id)  # gone: a repeat finds nothing
    with pytest.raises(NotFoundProblem):
        patch(world, who, case_id, {"contact": {"phone": "13905590333"}})
    assert world.services.store.get(case_id) is None  # nothing of the case is left
    # and it no longer counts as an open application: a new apply passes
    assert world.create(who, [{"code": "apply", "form": BANK}], phone=resident["phone"])["status"] == "draft"


def test_once_submitted_or_withdrawn_a_case_can_be_neither_changed_nor_deleted(world):
    from chalicelib.services import withdrawal

    who = world.citizen("王芳")
    submitted = world.create(who, [{"code": "status_query"}])["case_id"]
    world.workflow.held = True
    world.submit(who, submitted)
    with pytest.raises(ConflictProblem):
        patch(world, who, submitted, {"contact": {"phone": "13905590444"}})
    with pytest.raises(ConflictProblem):
        delete(world, who, submitted)
    world.workflow.go(submitted)
    assert world.case(who, submitted)["status"] == "completed"
    with pytest.raises(ConflictProblem):
        delete(world, who, submitted)

    withdrawn = world.create(who, [{"code": "status_query"}])["case_id"]
    withdrawal.withdraw_case(world.services, who, withdrawn)
    with pytest.raises(ConflictProblem) as refused:
        patch(world, who, withdrawn, {"contact": {"phone": "13905590444"}})
    assert "撤回" in refused.value.detail
    with pytest.raises(ConflictProblem):
        delete(world, who, withdrawn)
    assert world.case(who, withdrawn)["contact"]["phone"] == "13905590001"


def test_the_clerk_of_the_service_point_may_change_and_delete_a_counter_draft(world):
    desk = world.clerk()
    case_id = world.counter_case(desk, "杨磊", [{"code": "apply", "form": BANK}])["case_id"]
    other_point = world.clerk(point="HS-HZ-02", sub="clerk-2")
    with pytest.raises(NotFoundProblem):
        patch(world, other_point, case_id, {"contact": {"address": "安徽省黄山市休宁县海阳镇某路1号"}})
    changed = patch(world, desk, case_id, {"matters": [{"code": "apply", "form": {"bank": "中国银行黄山分行", "branch": "休宁支行"}}]})
    assert changed["channel"] == "offline" and changed["matters"][0]["form"]["branch"] == "休宁支行"
    with pytest.raises(NotFoundProblem):
        delete(world, other_point, case_id)
    delete(world, desk, case_id)
    with pytest.raises(NotFoundProblem):
        world.case(desk, case_id)


def test_a_submit_between_the_read_and_the_write_of_a_delete_wins_and_the_delete_is_409(world, monkeypatch):
    who = world.citizen("王芳")
    case_id = world.create(who, [{"code": "status_query"}])["case_id"]
    store = world.services.store
    real = store.delete_draft

    def submit_first(case_id_, version):
        world.submit(who, case_id_)
        return real(case_id_, version)

    monkeypatch.setattr(store, "delete_draft", submit_first)
    with pytest.raises(ConflictProblem):
        delete(world, who, case_id)
    monkeypatch.undo()
    assert world.case(who, case_id)["status"] == "completed"


def test_a_delete_between_the_read_and_the_write_of_a_submit_wins_and_the_submit_is_404(world, monkeypatch):
    who = world.citizen("王芳")
    case_id = world.create(who, [{"code": "status_query"}])["case_id"]
    store = world.services.store
    real = store.submit

    def delete_first(case_id_, version, changes, *args, **kwargs):
        delete(world, who, case_id_)
        return real(case_id_, version, changes, *args, **kwargs)

    monkeypatch.setattr(store, "submit", delete_first)
    with pytest.raises(NotFoundProblem):
        world.submit(who, case_id)
    monkeypatch.undo()
    assert world.workflow.describe(case_id) is None  # nothing was started
    with pytest.raises(NotFoundProblem):
        world.case(who, case_id)


def test_a_submit_between_the_read_and_the_write_of_a_change_wins_and_the_change_is_409(world, monkeypatch):
    who = world.citizen("王芳")
    case_id = world.create(who, [{"code": "status_query"}])["case_id"]
    store = world.services.store
    real = store.replace_draft

    def submit_first(case_id_, *args):
        world.submit(who, case_id_)
        return real(case_id_, *args)

    monkeypatch.setattr(store, "replace_draft", submit_first)
    with pytest.raises(ConflictProblem):
        patch(world, who, case_id, {"matters": [{"code": "info_change", "form": {"address": "安徽省黄山市屯溪区某路2号"}}]})
    monkeypatch.undo()
    case = world.case(who, case_id)
    assert case["status"] == "completed"
    assert [m["code"] for m in case["matters"]] == ["status_query"]

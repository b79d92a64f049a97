"""A change of contact phone (info_change) is confirmed to the old and the new number, and every later
message of the case goes to the new one (domain.md §8).

Moved from tests/integration/test_phone_change_is_confirmed_to_both_numbers.py.
"""

from __future__ import annotations

from tests.conftest import demo_resident
from tests.service.conftest import World, awaiting_review

NEW_PHONE = "13800002222"


def masked(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}"


def run(world: World, name: str, matters: list[dict], phone: str) -> tuple[dict, object, dict]:
    resident = demo_resident(name)
    who = world.citizen(resident)
    case_id = world.create(who, matters, phone=phone)["case_id"]
    world.submit(who, case_id)
    return resident, who, world.case(who, case_id)


def test_the_change_is_confirmed_to_both_numbers_and_the_status_query_answer_goes_to_the_new_one_only(world):
    old = demo_resident("王芳")["phone"]
    resident, _, case = run(world, "王芳", [{"code": "status_query"}, {"code": "info_change", "form": {"phone": NEW_PHONE}}], old)
    assert case["status"] == "completed"

    to_old, to_new = world.sms_to(old), world.sms_to(NEW_PHONE)
    confirmation = [t for t in to_old if "联系电话已由尾号" in t]
    assert len(confirmation) == 1 and f"尾号{old[-4:]}" in confirmation[0] and f"尾号{NEW_PHONE[-4:]}" in confirmation[0]
    assert confirmation[0] in to_new
    # everything after the change goes to the new number only: the status query's answer, the case summary
    assert to_old == confirmation
    assert any("社会保障卡应用状态查询" in t and "已办结" in t for t in to_new), to_new
    assert any("联办业务" in t for t in to_new), to_new

    assert case["contact"]["phone"] == NEW_PHONE
    assert world.services.card_system.profile(resident["id_number"]).phone == NEW_PHONE
    sent_for_change = [n["to"] for n in case["notifications"] if "联系电话已由尾号" in n["text"]]
    assert sorted(sent_for_change) == sorted([masked(old), masked(NEW_PHONE)])


def test_the_number_on_file_is_told_even_when_the_case_was_opened_with_another_contact_phone(world):
    on_file = demo_resident("王芳")["phone"]
    contact = "13800003333"
    run(world, "王芳", [{"code": "info_change", "form": {"phone": NEW_PHONE, "address": "黄山市屯溪区新园路1号"}}], contact)
    for phone in (on_file, contact, NEW_PHONE):
        changed = [t for t in world.sms_to(phone) if "联系电话已由尾号" in t]
        assert len(changed) == 1, (phone, changed)
        assert "联系地址已同时变更" in changed[0]


def test_an_address_only_change_is_told_as_before_to_the_contact_phone(world):
    phone = demo_resident("王芳")["phone"]
    _, _, case = run(world, "王芳", [{"code": "info_change", "form": {"address": "黄山市屯溪区新园路1号"}}], phone)
    assert case["contact"]["phone"] == phone
    assert any("社会保障卡信息变更" in t and "已变更联系地址" in t for t in world.sms_to(phone))


def test_a_case_still_waiting_for_its_department_tells_its_result_to_the_new_number(world):
    resident = demo_resident("黄秀英")
    old = resident["phone"]
    who = world.citizen(resident)
    change = [{"code": "pension_account", "form": {"account_number": resident["card"]["account_number"]}}]
    waiting = world.create(who, change, phone=old)["case_id"]
    world.submit(who, waiting)
    assert awaiting_review(world.case(who, waiting))
    draft = world.create(who, [{"code": "status_query"}], phone=old)["case_id"]
    relative = world.create(who, [{"code": "status_query"}], phone="13800004444")["case_id"]

    run(world, "黄秀英", [{"code": "info_change", "form": {"phone": NEW_PHONE}}], old)
    assert world.case(who, draft)["contact"]["phone"] == NEW_PHONE
    assert world.case(who, relative)["contact"]["phone"] == "13800004444"  # not the holder's number

    world.decide_pension(f"{waiting}.pension_account", {"decision": "accept"})
    case = world.case(who, waiting)
    assert case["status"] == "completed" and case["contact"]["phone"] == NEW_PHONE
    assert any("待遇发放账号变更已受理" in t for t in world.sms_to(NEW_PHONE))
    assert not any("待遇发放账号变更已受理" in t for t in world.sms_to(old))

"""A change of contact phone (info_change) is confirmed to the old and the new number, and every later
message of the case goes to the new one (domain.md §8)."""

from __future__ import annotations

from chalicelib.wiring import services
from tests.conftest import awaiting_review, demo_resident, finished

NEW_PHONE = "13800002222"


def sms(api) -> list[dict]:
    return [m for m in api.get("/dev/outbox").json_body["sent"] if m["channel"] == "sms"]


def texts_to(api, phone: str) -> list[str]:
    return [m["text"] for m in sms(api) if m["to"] == f"+86{phone}"]


def run(api, name: str, matters: list[dict], phone: str) -> tuple[dict, str, dict]:
    resident = demo_resident(name)
    token = api.token(resident)
    created = api.create_case(token, matters, phone=phone)
    assert created.status_code == 201, created.body
    case_id = created.json_body["case_id"]
    assert api.post(f"/cases/{case_id}/submit", None, token).status_code == 202
    return resident, token, api.wait_for(case_id, token, finished)


def test_the_change_is_confirmed_to_both_numbers_and_the_status_query_answer_goes_to_the_new_one_only(api):
    old = demo_resident("王芳")["phone"]
    resident, token, case = run(api, "王芳", [{"code": "status_query"}, {"code": "info_change", "form": {"phone": NEW_PHONE}}], old)
    assert case["status"] == "completed"

    to_old, to_new = texts_to(api, old), texts_to(api, NEW_PHONE)
    confirmation = [t for t in to_old if "联系电话已由尾号" in t]
    assert len(confirmation) == 1 and f"尾号{old[-4:]}" in confirmation[0] and f"尾号{NEW_PHONE[-4:]}" in confirmation[0]
    assert confirmation[0] in to_new
    # everything after the change goes to the new number only: the status query's answer, the case summary
    assert to_old == confirmation
    assert any("社会保障卡应用状态查询" in t and "已办结" in t for t in to_new), to_new
    assert any("联办业务" in t for t in to_new), to_new

    assert case["contact"]["phone"] == NEW_PHONE
    assert services().card_system.profile(resident["id_number"]).phone == NEW_PHONE
    sent_for_change = [n["to"] for n in case["notifications"] if "联系电话已由尾号" in n["text"]]
    assert sorted(sent_for_change) == sorted([f"{old[:3]}****{old[-4:]}", f"{NEW_PHONE[:3]}****{NEW_PHONE[-4:]}"])


def test_the_number_on_file_is_told_even_when_the_case_was_opened_with_another_contact_phone(api):
    on_file = demo_resident("王芳")["phone"]
    contact = "13800003333"
    run(api, "王芳", [{"code": "info_change", "form": {"phone": NEW_PHONE, "address": "黄山市屯溪区新园路1号"}}], contact)
    for phone in (on_file, contact, NEW_PHONE):
        changed = [t for t in texts_to(api, phone) if "联系电话已由尾号" in t]
        assert len(changed) == 1, (phone, changed)
        assert "联系地址已同时变更" in changed[0]


def test_an_address_only_change_is_told_as_before_to_the_contact_phone(api):
    phone = demo_resident("王芳")["phone"]
    _, _, case = run(api, "王芳", [{"code": "info_change", "form": {"address": "黄山市屯溪区新园路1号"}}], phone)
    assert case["contact"]["phone"] == phone
    assert any("社会保障卡信息变更" in t and "已变更联系地址" in t for t in texts_to(api, phone))


def test_a_case_still_waiting_for_its_department_tells_its_result_to_the_new_number(api):
    resident = demo_resident("黄秀英")
    old = resident["phone"]
    token = api.token(resident)
    change = [{"code": "pension_account", "form": {"account_number": resident["card"]["account_number"]}}]
    waiting = api.create_case(token, change, phone=old).json_body["case_id"]
    assert api.post(f"/cases/{waiting}/submit", None, token).status_code == 202
    api.wait_for(waiting, token, awaiting_review)
    draft = api.create_case(token, [{"code": "status_query"}], phone=old).json_body["case_id"]
    relative = api.create_case(token, [{"code": "status_query"}], phone="13800004444").json_body["case_id"]

    run(api, "黄秀英", [{"code": "info_change", "form": {"phone": NEW_PHONE}}], old)
    assert api.get(f"/cases/{draft}", token).json_body["contact"]["phone"] == NEW_PHONE
    assert api.get(f"/cases/{relative}", token).json_body["contact"]["phone"] == "13800004444"  # not the holder's number

    pension = api.token({"id_number": "pension-system", "name": "养老保险系统", "phone": "13900000002"}, roles=["pension_system"])
    accepted = api.post(f"/pension/requests/{waiting}.pension_account/decision", {"decision": "accept"}, pension)
    assert accepted.status_code == 200, accepted.body
    case = api.wait_for(waiting, token, finished)
    assert case["contact"]["phone"] == NEW_PHONE
    assert any("待遇发放账号变更已受理" in t for t in texts_to(api, NEW_PHONE))
    assert not any("待遇发放账号变更已受理" in t for t in texts_to(api, old))

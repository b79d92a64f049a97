"""The identity check at the counter (domain.md §7a): names against ID numbers through data sharing."""

from __future__ import annotations

import json
from pathlib import Path

from chalicelib.wiring import services
from tests.conftest import demo_resident

IDENTITIES = Path(__file__).resolve().parents[2] / "data" / "identities.demo.json"
STRANGER = "110101198001010053"  # a well-formed number that neither the card system nor the register knows


def known_non_resident(name: str) -> dict:
    return next(i for i in json.loads(IDENTITIES.read_text(encoding="utf-8"))["identities"] if i["name"] == name)


def clerk(api):
    return api.token({"id_number": "clerk-1", "name": "窗口人员", "phone": "13900000003"}, roles=["clerk"], service_point="HS-TX-01")


def agent(name: str, id_number: str) -> dict:
    return {"name": name, "id_number": id_number, "phone": "13905599999", "relation": "子女"}


def counter_body(applicant: dict, agent_: dict | None = None, **extra) -> dict:
    body = {
        "consent": {"notice_version": "2023.1", "agreed": True},
        "matters": [{"code": "status_query"}],
        "contact": {"phone": "13905590011", "address": "安徽省黄山市屯溪区老街168号"},
        "applicant": applicant,
        **extra,
    }
    if agent_:
        body["agent"] = agent_
    return body


def stored_cases() -> list[str]:
    """Every case in the cases table (each test has a fresh stack; the banks' lists of cards to make are not cases)."""
    table = services().dynamodb.Table(services().settings.cases_table)
    return sorted({item["case_id"] for item in table.scan()["Items"] if "case_id" in item and item.get("entity") != "card_order"})


def test_matching_applicant_and_agent_open_the_case_and_the_check_is_recorded(api):
    desk = clerk(api)
    pensioner = demo_resident("汪德华")  # born 1950 under 341002, a code created in 1987
    son = known_non_resident("吴建华")
    created = api.post(
        "/counter/cases", counter_body({"name": "汪德华", "id_number": pensioner["id_number"]}, agent("吴建华", son["id_number"])), desk
    )
    assert created.status_code == 201, created.body
    check = created.json_body["identity_check"]
    assert (check["applicant"], check["agent"], check["id_card_checked"], check["source"]) == ("match", "match", False, "data_sharing")
    assert check["summary"] == "申请人身份核验一致；代办人身份核验一致"
    case_id = created.json_body["case_id"]
    # the check is part of the case as everyone party to it sees it, and of the printed form
    assert api.get(f"/cases/{case_id}", api.token(pensioner)).json_body["identity_check"] == check
    assert "身份核验：申请人身份核验一致；代办人身份核验一致" in api.get(f"/cases/{case_id}/form", desk).body.decode()
    assert "申请人身份核验一致" in created.json_body["timeline"][0]["text"]


def test_a_name_written_with_spaces_or_full_width_forms_still_matches(api):
    desk = clerk(api)
    created = api.post("/counter/cases", counter_body({"name": "汪 德华", "id_number": demo_resident("汪德华")["id_number"]}), desk)
    assert created.status_code == 201, created.body
    assert created.json_body["identity_check"]["applicant"] == "match"


def test_an_applicant_name_that_does_not_match_the_id_is_refused_and_nothing_is_created(api):
    desk = clerk(api)
    refused = api.post("/counter/cases", counter_body({"name": "汪德化", "id_number": demo_resident("汪德华")["id_number"]}), desk)
    assert refused.status_code == 422, refused.body
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert [(e["field"], e["code"]) for e in refused.json_body["errors"]] == [("applicant.name", "IDENTITY_MISMATCH")]
    assert "申请人姓名与身份证号码不一致" in refused.json_body["errors"][0]["message"]
    assert stored_cases() == []


def test_a_mismatch_is_refused_even_when_the_clerk_ticked_the_id_card_check(api):
    desk = clerk(api)
    body = counter_body({"name": "王芳", "id_number": demo_resident("李强")["id_number"]}, id_card_checked=True)
    refused = api.post("/counter/cases", body, desk)
    assert refused.status_code == 422
    assert [(e["field"], e["code"]) for e in refused.json_body["errors"]] == [("applicant.name", "IDENTITY_MISMATCH")]
    assert stored_cases() == []


def test_an_agent_name_that_does_not_match_the_id_is_refused_naming_the_agent(api):
    desk = clerk(api)
    applicant = demo_resident("汪德华")
    body = counter_body({"name": "汪德华", "id_number": applicant["id_number"]}, agent("吴建国", known_non_resident("吴建华")["id_number"]))
    refused = api.post("/counter/cases", body, desk)
    assert refused.status_code == 422, refused.body
    assert [(e["field"], e["code"]) for e in refused.json_body["errors"]] == [("agent.name", "IDENTITY_MISMATCH")]
    assert "代办人姓名与身份证号码不一致" in refused.json_body["errors"][0]["message"]
    assert stored_cases() == []


def test_both_mismatches_are_reported_together(api):
    desk = clerk(api)
    body = counter_body(
        {"name": "汪德化", "id_number": demo_resident("汪德华")["id_number"]}, agent("王芳", demo_resident("李强")["id_number"])
    )
    refused = api.post("/counter/cases", body, desk)
    assert [(e["field"], e["code"]) for e in refused.json_body["errors"]] == [
        ("applicant.name", "IDENTITY_MISMATCH"),
        ("agent.name", "IDENTITY_MISMATCH"),
    ]


def test_an_applicant_the_source_does_not_know_needs_the_clerks_id_card_check(api):
    desk = clerk(api)
    applicant = {"name": "赵小明", "id_number": STRANGER}
    refused = api.post("/counter/cases", counter_body(applicant), desk)
    assert refused.status_code == 422, refused.body
    (error,) = refused.json_body["errors"]
    assert (error["field"], error["code"]) == ("applicant", "IDENTITY_UNKNOWN")
    assert "居民身份证原件" in error["message"] and "勾选" in error["message"]
    assert not any("a" <= c.lower() <= "z" for c in error["message"])  # Chinese only: no field names inside
    assert stored_cases() == []

    created = api.post("/counter/cases", counter_body(applicant, id_card_checked=True), desk)
    assert created.status_code == 201, created.body
    check = created.json_body["identity_check"]
    assert (check["applicant"], check["agent"], check["id_card_checked"]) == ("unknown", None, True)
    assert check["summary"] == "申请人未查到身份信息；窗口人员已查验身份证原件"
    stored = services().store.get(created.json_body["case_id"]).case["identity_check"]
    assert stored["id_card_checked"] is True and stored["applicant"] == "unknown"
    assert stored_cases() == [created.json_body["case_id"]]


def test_an_agent_the_source_does_not_know_needs_the_clerks_id_card_check(api):
    desk = clerk(api)
    applicant = {"name": "汪德华", "id_number": demo_resident("汪德华")["id_number"]}
    refused = api.post("/counter/cases", counter_body(applicant, agent("赵小明", STRANGER)), desk)
    assert refused.status_code == 422
    assert [(e["field"], e["code"]) for e in refused.json_body["errors"]] == [("agent", "IDENTITY_UNKNOWN")]
    assert "代办人" in refused.json_body["errors"][0]["message"]
    assert stored_cases() == []

    created = api.post("/counter/cases", counter_body(applicant, agent("赵小明", STRANGER), id_card_checked=True), desk)
    assert created.status_code == 201, created.body
    check = created.json_body["identity_check"]
    assert (check["applicant"], check["agent"], check["id_card_checked"]) == ("match", "unknown", True)


def test_id_card_checked_must_be_a_boolean(api):
    desk = clerk(api)
    body = counter_body({"name": "汪德华", "id_number": demo_resident("汪德华")["id_number"]}, id_card_checked="maybe")
    refused = api.post("/counter/cases", body, desk)
    assert refused.status_code == 422
    assert refused.json_body["errors"][0]["field"] == "id_card_checked"


def test_a_wrong_check_character_at_the_counter_names_the_part(api):
    desk = clerk(api)
    number = demo_resident("汪德华")["id_number"]
    wrong = number[:17] + ("1" if number[17] != "1" else "2")
    refused = api.post("/counter/cases", counter_body({"name": "汪德华", "id_number": wrong}), desk)
    assert refused.status_code == 422
    (error,) = refused.json_body["errors"]
    assert (error["field"], error["code"], error["message"]) == (
        "applicant.id_number",
        "ID_NUMBER_CHECK_CHARACTER",
        "身份证号码校验位不正确",
    )


def test_an_online_case_has_no_counter_identity_check(api):
    token = api.token("汪德华")
    case = api.create_case(token, [{"code": "status_query"}], phone="13905590011").json_body
    assert case["identity_check"] is None

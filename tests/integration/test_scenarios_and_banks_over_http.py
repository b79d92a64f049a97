"""GET /scenarios (domain.md §8a) and GET /banks over HTTP; each scenario's proposal pre-judged for demo residents."""

from __future__ import annotations

import pytest

from chalicelib.domain.banks import DISTRICTS

RESIDENTS = ["王芳", "李强", "刘洋", "陈静", "杨磊", "黄秀英", "周建国", "吴磊"]

# The situation each resident is in: its proposal passes for them (the demo data's cards).
PASSES_FOR = {
    "first_card": "吴磊",  # no card
    "card_lost": "王芳",  # active card
    "card_damaged": "王芳",
    "card_received": "李强",  # issued, not yet activated
    "card_found": "刘洋",  # lost
    "contact_changed": "王芳",
    "pension_account": "黄秀英",  # pensioner with an active card
    "stop_using": "王芳",
    "card_status": "吴磊",
}


def scenarios(api):
    response = api.get("/scenarios")
    assert response.status_code == 200, response.body
    return {s["code"]: s for s in response.json_body["scenarios"]}


def proposal(scenario):
    return {"matters": [{"code": m["code"], "form": m["form"]} for m in scenario["matters"]]}


def test_the_scenarios_need_no_login_and_say_which_fields_remain(api):
    listed = scenarios(api)
    assert len(listed) == 10 and listed["card_lost"]["title"] == "卡丢了"
    lost = {m["code"]: m for m in listed["card_lost"]["matters"]}
    assert lost["loss"]["form"] == {"action": "report"} and lost["loss"]["remaining"] == []
    assert lost["reissue"]["form"] == {"kind": "lost"}
    assert [f["name"] for f in lost["reissue"]["remaining"]] == ["bank", "branch"]
    assert all(f["label"] for f in lost["reissue"]["remaining"])
    assert listed["card_lost"]["complete"] is False and listed["card_received"]["complete"] is True
    document = api.get("/openapi.json").json_body
    assert document["paths"]["/scenarios"]["get"]["security"] == [] and document["paths"]["/banks"]["get"]["security"] == []


@pytest.mark.parametrize("name", RESIDENTS)
def test_every_scenario_proposal_gets_a_per_matter_answer_for_a_demo_resident(api, name):
    token = api.token(name)
    for code, scenario in scenarios(api).items():
        response = api.post("/prejudge", proposal(scenario), token)
        assert response.status_code == 200, (code, response.body)
        answer = response.json_body
        assert sorted(v["matter"] for v in answer["matters"]) == sorted(m["code"] for m in scenario["matters"])
        for verdict in answer["matters"]:
            assert verdict["passed"] == (not verdict["errors"])
            assert all(e["code"] and e["message"] for e in verdict["errors"])
        if PASSES_FOR.get(code) == name:
            assert answer["passed"], (code, answer)


def test_a_scenario_for_someone_in_another_situation_says_why_not(api):
    listed = scenarios(api)
    answer = api.post("/prejudge", proposal(listed["card_found"]), api.token("王芳")).json_body
    assert answer["passed"] is False
    assert [e["code"] for e in answer["matters"][0]["errors"]] == ["CARD_NOT_LOST"]
    bound = api.post("/prejudge", proposal(listed["stop_using"]), api.token("周建国")).json_body
    assert {e["code"] for v in bound["matters"] for e in v["errors"]} == {"PAYOUT_ACCOUNT_BOUND"}


def test_a_completed_scenario_opens_a_case(api):
    token = api.token("刘洋")
    found = scenarios(api)["card_found"]
    assert found["complete"] is True
    assert api.create_case(token, proposal(found)["matters"], phone="13905590003").status_code == 201


def test_the_banks_are_listed_with_their_branches_and_can_be_filtered_by_district(api):
    every = api.get("/banks")
    assert every.status_code == 200
    banks = {b["name"]: b for b in every.json_body["banks"]}
    assert "屯溪支行" in [x["name"] for x in banks["中国银行黄山分行"]["branches"]]
    assert {x["district"] for b in banks.values() for x in b["branches"]} == set(DISTRICTS)
    qimen = api.get("/banks?district=341024").json_body["banks"]
    assert qimen and {x["district_name"] for b in qimen for x in b["branches"]} == {"祁门县"}
    bad = api.get("/banks?district=110101")
    assert bad.status_code == 422 and bad.json_body["errors"][0]["field"] == "district"


def test_a_case_naming_an_unknown_bank_or_another_banks_branch_is_refused_naming_the_field(api):
    token = api.token("吴磊")
    unknown = api.create_case(token, [{"code": "apply", "form": {"bank": "花旗银行", "branch": "屯溪支行"}}], phone="13905590009")
    assert unknown.status_code == 422 and [e["field"] for e in unknown.json_body["errors"]] == ["matters[0].form.bank"]
    elsewhere = api.create_case(
        token, [{"code": "apply", "form": {"bank": "中国银行黄山分行", "branch": "屯溪老街支行"}}], phone="13905590009"
    )
    assert elsewhere.status_code == 422 and [e["field"] for e in elsewhere.json_body["errors"]] == ["matters[0].form.branch"]
    assert api.get("/cases", token).json_body["cases"] == []
    by_code = api.create_case(token, [{"code": "apply", "form": {"bank": "icbc", "branch": "icbc-tunxi-laojie"}}], phone="13905590009")
    assert by_code.status_code == 201
    assert by_code.json_body["matters"][0]["form"] == {"bank": "中国工商银行黄山分行", "branch": "屯溪老街支行"}

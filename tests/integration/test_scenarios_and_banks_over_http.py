"""GET /scenarios (domain.md §8a) and GET /banks over HTTP, without login; the banks' district filter.

Each scenario's proposal pre-judged for demo residents, and the bank and branch of a form:
tests/service/test_every_scenario_proposes_matters_pre_judged_for_the_person.py.
"""

from __future__ import annotations

from chalicelib.domain.banks import DISTRICTS


def scenarios(api):
    response = api.get("/scenarios")
    assert response.status_code == 200, response.body
    return {s["code"]: s for s in response.json_body["scenarios"]}


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

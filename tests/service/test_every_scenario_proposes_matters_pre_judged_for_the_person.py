"""Scenarios (domain.md §8a): each proposal gets a per-matter answer for each demo resident, passes for those
in its situation and says why not to others; a completed one opens a case; a form's bank and branch are checked.

The scenarios' fields still to fill and the banks' district filter are checked here too; the two routes
answering without login: tests/integration/test_api_contract.py.
"""

from __future__ import annotations

import pytest

from chalicelib.errors import ValidationProblem
from chalicelib.models import PrejudgeRequest
from chalicelib.services import case_views, guidance, prejudging
from chalicelib.validation import parse_model
from tests.service.conftest import World

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


def scenarios() -> dict[str, dict]:
    return {s["code"]: s for s in guidance.list_scenarios().model_dump(mode="json")["scenarios"]}


def proposal(scenario: dict) -> list[dict]:
    return [{"code": m["code"], "form": m["form"]} for m in scenario["matters"]]


def prejudged(world: World, name: str, matters: list[dict]) -> dict:
    request = parse_model(PrejudgeRequest, {"matters": matters})
    return prejudging.prejudge_for(world.services, world.citizen(name), request).model_dump(mode="json")


@pytest.mark.parametrize("name", RESIDENTS)
def test_every_scenario_proposal_gets_a_per_matter_answer_for_a_demo_resident(world, name):
    for code, scenario in scenarios().items():
        answer = prejudged(world, name, proposal(scenario))
        assert sorted(v["matter"] for v in answer["matters"]) == sorted(m["code"] for m in scenario["matters"])
        for verdict in answer["matters"]:
            assert verdict["passed"] == (not verdict["errors"])
            assert all(e["code"] and e["message"] for e in verdict["errors"])
        if PASSES_FOR.get(code) == name:
            assert answer["passed"], (code, answer)


def test_a_scenario_for_someone_in_another_situation_says_why_not(world):
    listed = scenarios()
    answer = prejudged(world, "王芳", proposal(listed["card_found"]))
    assert answer["passed"] is False
    assert [e["code"] for e in answer["matters"][0]["errors"]] == ["CARD_NOT_LOST"]
    bound = prejudged(world, "周建国", proposal(listed["stop_using"]))
    assert {e["code"] for v in bound["matters"] for e in v["errors"]} == {"PAYOUT_ACCOUNT_BOUND"}


def test_a_completed_scenario_opens_a_case(world):
    found = scenarios()["card_found"]
    assert found["complete"] is True
    assert world.create(world.citizen("刘洋"), proposal(found), phone="13905590003")["status"] == "draft"


def test_a_case_naming_an_unknown_bank_or_another_banks_branch_is_refused_naming_the_field(world):
    who = world.citizen("吴磊")
    for form, field in (
        ({"bank": "花旗银行", "branch": "屯溪支行"}, "matters[0].form.bank"),
        ({"bank": "中国银行黄山分行", "branch": "屯溪老街支行"}, "matters[0].form.branch"),
    ):
        with pytest.raises(ValidationProblem) as refused:
            world.create(who, [{"code": "apply", "form": form}], phone="13905590009")
        assert [e["field"] for e in refused.value.errors] == [field]
    assert case_views.list_cases(world.services, who, 20, None).cases == []
    by_code = world.create(who, [{"code": "apply", "form": {"bank": "icbc", "branch": "icbc-tunxi-laojie"}}], phone="13905590009")
    assert by_code["matters"][0]["form"] == {"bank": "中国工商银行黄山分行", "branch": "屯溪老街支行"}


def test_the_scenarios_say_which_fields_remain_and_need_no_login():
    from chalicelib import openapi

    listed = scenarios()
    assert len(listed) == 10 and listed["card_lost"]["title"] == "卡丢了"
    lost = {m["code"]: m for m in listed["card_lost"]["matters"]}
    assert lost["loss"]["form"] == {"action": "report"} and lost["loss"]["remaining"] == []
    assert lost["reissue"]["form"] == {"kind": "lost"}
    assert [f["name"] for f in lost["reissue"]["remaining"]] == ["bank", "branch"]
    assert all(f["label"] for f in lost["reissue"]["remaining"])
    assert listed["card_lost"]["complete"] is False and listed["card_received"]["complete"] is True
    paths = openapi.document(include_dev=False)["paths"]
    assert paths["/scenarios"]["get"]["security"] == [] and paths["/banks"]["get"]["security"] == []


def test_the_banks_are_listed_with_their_branches_and_can_be_filtered_by_district():
    from chalicelib.domain.banks import DISTRICTS

    banks = {b["name"]: b for b in guidance.list_banks(None).model_dump(mode="json")["banks"]}
    assert "屯溪支行" in [x["name"] for x in banks["中国银行黄山分行"]["branches"]]
    assert {x["district"] for b in banks.values() for x in b["branches"]} == set(DISTRICTS)
    qimen = guidance.list_banks("341024").model_dump(mode="json")["banks"]
    assert qimen and {x["district_name"] for b in qimen for x in b["branches"]} == {"祁门县"}
    with pytest.raises(ValidationProblem) as refused:
        guidance.list_banks("110101")
    assert [e["field"] for e in refused.value.errors] == ["district"]

"""The identity check at the counter (domain.md §7a) over HTTP: a mismatch is a 422 problem+json naming the field,
and nothing is stored. Every rule of the check is tested at service level:
tests/service/test_the_counter_checks_names_against_id_numbers.py.
"""

from __future__ import annotations

from chalicelib.wiring import services
from tests.conftest import demo_resident


def clerk(api):
    return api.token({"id_number": "clerk-1", "name": "窗口人员", "phone": "13900000003"}, roles=["clerk"], service_point="HS-TX-01")


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


def test_an_applicant_name_that_does_not_match_the_id_is_refused_and_nothing_is_created(api):
    desk = clerk(api)
    refused = api.post("/counter/cases", counter_body({"name": "汪德化", "id_number": demo_resident("汪德华")["id_number"]}), desk)
    assert refused.status_code == 422, refused.body
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert [(e["field"], e["code"]) for e in refused.json_body["errors"]] == [("applicant.name", "IDENTITY_MISMATCH")]
    assert "申请人姓名与身份证号码不一致" in refused.json_body["errors"][0]["message"]
    assert stored_cases() == []

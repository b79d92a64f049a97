"""The identity check at the counter (domain.md §7a): names against ID numbers through data sharing.

That a refusal is answered as problem+json naming the field: tests/security.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chalicelib.errors import ValidationProblem
from chalicelib.services import case_views
from tests.conftest import demo_resident
from tests.service.conftest import World

IDENTITIES = Path(__file__).resolve().parents[2] / "data" / "identities.demo.json"
STRANGER = "110101198001010053"  # a well-formed number that neither the card system nor the register knows


def known_non_resident(name: str) -> dict:
    return next(i for i in json.loads(IDENTITIES.read_text(encoding="utf-8"))["identities"] if i["name"] == name)


def agent(name: str, id_number: str) -> dict:
    return {"name": name, "id_number": id_number, "phone": "13905599999", "relation": "子女"}


def open_at_counter(world: World, applicant: dict, agent_: dict | None = None, **extra) -> dict:
    """POST /counter/cases with the applicant's (and agent's) name and ID as the clerk typed them."""
    from chalicelib.models import CounterCaseRequest
    from chalicelib.services import cases
    from chalicelib.validation import parse_model

    body = {
        "consent": {"notice_version": "2023.1", "agreed": True},
        "matters": [{"code": "status_query"}],
        "contact": {"phone": "13905590011", "address": "安徽省黄山市屯溪区老街168号"},
        "applicant": applicant,
        **extra,
    }
    if agent_:
        body["agent"] = agent_
    return cases.create_counter_case(world.services, world.clerk(), parse_model(CounterCaseRequest, body))


def refused(world: World, applicant: dict, agent_: dict | None = None, **extra) -> list[dict]:
    with pytest.raises(ValidationProblem) as problem:
        open_at_counter(world, applicant, agent_, **extra)
    assert problem.value.status == 422
    return problem.value.errors


def counter_cases(world: World) -> list[str]:
    return [c["case_id"] for c in case_views.list_counter_cases(world.services, world.clerk(), None, 50, None).model_dump()["cases"]]


def wang_dehua(name: str = "汪德华") -> dict:
    return {"name": name, "id_number": demo_resident("汪德华")["id_number"]}  # born 1950 under 341002, a code created in 1987


def test_matching_applicant_and_agent_open_the_case_and_the_check_is_recorded(world):
    from chalicelib.services import form

    created = open_at_counter(world, wang_dehua(), agent("吴建华", known_non_resident("吴建华")["id_number"]))
    check = created["identity_check"]
    assert (check["applicant"], check["agent"], check["id_card_checked"], check["source"]) == ("match", "match", False, "data_sharing")
    assert check["summary"] == "申请人身份核验一致；代办人身份核验一致"
    case_id = created["case_id"]
    # the check is part of the case as everyone party to it sees it, and of the printed form
    assert world.case(world.citizen("汪德华"), case_id)["identity_check"] == check
    html = form.render_form(case_views.load_own_case(world.services, world.clerk(), case_id), world.clerk())
    assert "身份核验：申请人身份核验一致；代办人身份核验一致" in html
    assert "申请人身份核验一致" in created["timeline"][0]["text"]


def test_a_name_written_with_spaces_or_full_width_forms_still_matches(world):
    assert open_at_counter(world, wang_dehua("汪 德华"))["identity_check"]["applicant"] == "match"


def test_an_applicant_name_that_does_not_match_the_id_is_refused_and_nothing_is_created(world):
    errors = refused(world, wang_dehua("汪德化"))
    assert [(e["field"], e["code"]) for e in errors] == [("applicant.name", "IDENTITY_MISMATCH")]
    assert "申请人姓名与身份证号码不一致" in errors[0]["message"]
    assert counter_cases(world) == []


def test_a_mismatch_is_refused_even_when_the_clerk_ticked_the_id_card_check(world):
    errors = refused(world, {"name": "王芳", "id_number": demo_resident("李强")["id_number"]}, id_card_checked=True)
    assert [(e["field"], e["code"]) for e in errors] == [("applicant.name", "IDENTITY_MISMATCH")]
    assert counter_cases(world) == []


def test_an_agent_name_that_does_not_match_the_id_is_refused_naming_the_agent(world):
    errors = refused(world, wang_dehua(), agent("吴建国", known_non_resident("吴建华")["id_number"]))
    assert [(e["field"], e["code"]) for e in errors] == [("agent.name", "IDENTITY_MISMATCH")]
    assert "代办人姓名与身份证号码不一致" in errors[0]["message"]
    assert counter_cases(world) == []


def test_both_mismatches_are_reported_together(world):
    errors = refused(world, wang_dehua("汪德化"), agent("王芳", demo_resident("李强")["id_number"]))
    assert [(e["field"], e["code"]) for e in errors] == [("applicant.name", "IDENTITY_MISMATCH"), ("agent.name", "IDENTITY_MISMATCH")]


def test_an_applicant_the_source_does_not_know_needs_the_clerks_id_card_check(world):
    applicant = {"name": "赵小明", "id_number": STRANGER}
    (error,) = refused(world, applicant)
    assert (error["field"], error["code"]) == ("applicant", "IDENTITY_UNKNOWN")
    assert "居民身份证原件" in error["message"] and "勾选" in error["message"]
    assert not any("a" <= c.lower() <= "z" for c in error["message"])  # Chinese only: no field names inside
    assert counter_cases(world) == []

    created = open_at_counter(world, applicant, id_card_checked=True)
    check = created["identity_check"]
    assert (check["applicant"], check["agent"], check["id_card_checked"]) == ("unknown", None, True)
    assert check["summary"] == "申请人未查到身份信息；窗口人员已查验身份证原件"
    stored = world.services.store.get(created["case_id"]).case["identity_check"]
    assert stored["id_card_checked"] is True and stored["applicant"] == "unknown"
    assert counter_cases(world) == [created["case_id"]]


def test_an_agent_the_source_does_not_know_needs_the_clerks_id_card_check(world):
    errors = refused(world, wang_dehua(), agent("赵小明", STRANGER))
    assert [(e["field"], e["code"]) for e in errors] == [("agent", "IDENTITY_UNKNOWN")]
    assert "代办人" in errors[0]["message"]
    assert counter_cases(world) == []
    check = open_at_counter(world, wang_dehua(), agent("赵小明", STRANGER), id_card_checked=True)["identity_check"]
    assert (check["applicant"], check["agent"], check["id_card_checked"]) == ("match", "unknown", True)


def test_id_card_checked_must_be_a_boolean(world):
    assert refused(world, wang_dehua(), id_card_checked="maybe")[0]["field"] == "id_card_checked"


def test_a_wrong_check_character_at_the_counter_names_the_part(world):
    number = demo_resident("汪德华")["id_number"]
    wrong = number[:17] + ("1" if number[17] != "1" else "2")
    (error,) = refused(world, {"name": "汪德华", "id_number": wrong})
    assert (error["field"], error["code"], error["message"]) == (
        "applicant.id_number",
        "ID_NUMBER_CHECK_CHARACTER",
        "身份证号码校验位不正确",
    )


def test_an_online_case_has_no_counter_identity_check(world):
    assert world.create(world.citizen("汪德华"), [{"code": "status_query"}], phone="13905590011")["identity_check"] is None

"""Cooperating banks: the list of cards to make, a card made and handed over, a card that could not be made.

The bank routes over HTTP: tests/integration/test_reviews.py; every caller × action: tests/security (the
authorization matrix). A bank token naming no cooperating bank is refused here.
"""

from __future__ import annotations

import json

import pytest

from chalicelib.errors import ConflictProblem, ValidationProblem
from chalicelib.models import CardNotMadeRequest
from chalicelib.services import bank
from chalicelib.validation import parse_model
from tests.conftest import demo_resident
from tests.service.conftest import World
from tests.service.test_reviews_are_decided_once_in_time_and_reach_the_bank import submitted_review

BANK_A = {"bank": "中国银行黄山分行", "branch": "休宁支行"}  # code boc


def approved_card(world: World, name: str = "杨磊", matter: dict | None = None):
    """A card of bank A, approved and waiting to be made: (resident, principal, case, card id)."""
    resident, who, case = submitted_review(world, name, matter or {"code": "apply", "form": BANK_A})
    code = case["matters"][0]["code"]
    world.decide(world.reviewer(resident["district"]), f"{case['case_id']}.{code}", {"decision": "approve"})
    case = world.case(who, case["case_id"])
    return resident, who, case, case["matters"][0]["result"]["card_id"]


def listed(world: World, code: str) -> list[dict]:
    return bank.list_cards(world.services, world.bank(code), 20, None).model_dump(mode="json")["cards"]


def not_made(world: World, card_id: str, reason: str = "芯片写入失败") -> dict:
    request = parse_model(CardNotMadeRequest, {"reason": reason})
    return bank.card_not_made(world.services, world.bank("boc"), card_id, request).model_dump(mode="json")


def issued(world: World, card_id: str) -> dict:
    return bank.card_issued(world.services, world.bank("boc"), card_id).model_dump(mode="json")


def test_the_own_bank_lists_the_card_with_its_branch_and_the_applicant_masked_and_another_bank_does_not(world):
    resident, _, _, card_id = approved_card(world)
    assert card_id not in [c["card_id"] for c in listed(world, "icbc")]
    [card] = [c for c in listed(world, "boc") if c["card_id"] == card_id]
    assert card["bank"] == "boc" and card["bank_name"] == BANK_A["bank"] and card["branch"] == BANK_A["branch"]
    assert card["branch_district"] == "341022" and card["matter"] == "apply" and card["status"] == "awaiting_production"
    assert card["applicant_name"] == resident["name"][0] + "*" * (len(resident["name"]) - 1)
    assert card["applicant_id_number"] == resident["id_number"][:6] + "********" + resident["id_number"][-4:]
    assert resident["id_number"] not in json.dumps(listed(world, "boc"))


def test_the_own_bank_records_that_the_card_could_not_be_made_the_matter_fails_and_the_applicant_is_told_once(world):
    resident, who, case, card_id = approved_card(world)
    failed = not_made(world, card_id)
    assert failed["status"] == "not_made"
    assert not_made(world, card_id) == failed

    case = world.case(who, case["case_id"])
    matter = case["matters"][0]
    assert matter["status"] == "failed" and matter["reason_code"] == "CARD_NOT_MADE" and "芯片写入失败" in matter["reason"]
    assert case["status"] == "failed"
    told = [t for t in world.sms_to(resident["phone"]) if "芯片写入失败" in t]
    assert len(told) == 1 and "社会保障卡申领" in told[0]
    assert card_id not in [c["card_id"] for c in listed(world, "boc")]
    with pytest.raises(ConflictProblem):
        issued(world, card_id)
    # the person holds no valid card: a new application is possible
    assert world.services.card_system.current_card(resident["id_number"]).status.value != "awaiting_collection"
    assert world.create(who, [{"code": "apply", "form": BANK_A}], phone=resident["phone"])["status"] == "draft"


def test_the_own_bank_issues_the_card_it_leaves_the_list_and_can_no_longer_fail(world):
    _, _, _, card_id = approved_card(world)
    assert issued(world, card_id)["status"] == "issued"
    assert card_id not in [c["card_id"] for c in listed(world, "boc")]
    with pytest.raises(ConflictProblem):
        not_made(world, card_id)


def test_a_failed_reissue_leaves_the_old_card_as_it_was(world):
    resident = demo_resident("刘洋")  # a lost card
    _, who, case, card_id = approved_card(world, "刘洋", {"code": "reissue", "form": {"kind": "lost", **BANK_A}})
    not_made(world, card_id)
    current = world.services.card_system.current_card(resident["id_number"])
    assert current.card_id == resident["card"]["card_id"] and current.status.value == "lost"
    assert world.case(who, case["case_id"])["matters"][0]["status"] == "failed"


@pytest.mark.parametrize("body", [{}, {"reason": "x"}, {"reason": "芯片写入失败", "extra": 1}])
def test_a_failure_without_a_proper_reason_is_422_and_changes_nothing(world, body):
    _, _, _, card_id = approved_card(world)
    with pytest.raises(ValidationProblem):
        parse_model(CardNotMadeRequest, body)  # what the route parses before the bank's report is taken
    assert world.services.card_system.card_owner_item(card_id)["status"] == "awaiting_collection"


def test_a_card_failed_while_its_approval_is_still_being_recorded_stays_failed_and_is_not_listed_again(world):
    resident, who, case = submitted_review(world, "杨磊", {"code": "apply", "form": BANK_A})
    case_id = case["case_id"]
    # the approval's first attempt made the card, then the bank answered before the matter was recorded
    card = world.services.card_system.issue_new_card(
        resident["id_number"], BANK_A["bank"], BANK_A["branch"], f"{case_id}#apply", case_id, None, bank_code="boc"
    )
    not_made(world, card.card_id)
    assert world.case(who, case_id)["matters"][0]["status"] == "failed"
    world.decide(world.reviewer(resident["district"]), f"{case_id}.apply", {"decision": "approve"})
    case = world.case(who, case_id)
    assert case["status"] == "failed" and case["matters"][0]["reason_code"] == "CARD_NOT_MADE"
    assert card.card_id not in [c["card_id"] for c in listed(world, "boc")]
    assert not any("已审核通过" in t for t in world.sms_to(resident["phone"]))


def test_the_seeded_card_of_chen_jing_is_on_hsbanks_list_only_and_leaves_it_once_issued(world):
    """A card already waiting at its bank when the service started (moved from its own integration file)."""
    assert [(c["card_id"], c["branch"], c["applicant_name"], c["applicant_id_number"]) for c in listed(world, "hsbank")] == [
        ("HS0004", "歙县支行", "陈*", "341021********0051")
    ]
    assert listed(world, "boc") == []
    hsbank = world.bank("hsbank")
    assert bank.card_issued(world.services, hsbank, "HS0004").status == "issued"
    assert listed(world, "hsbank") == []
    assert bank.card_issued(world.services, hsbank, "HS0004").status == "issued"  # a repeat changes nothing


def test_a_bank_token_naming_no_cooperating_bank_is_refused():
    from chalicelib.auth import require_staff
    from chalicelib.errors import Forbidden

    assert require_staff(World.bank("boc"), "bank").bank == "boc"
    for code in (None, "nosuchbank"):
        with pytest.raises(Forbidden):
            require_staff(World.bank(code), "bank")

"""Cooperating banks: each sees, issues and fails only its own bank's cards (a matrix of callers × actions)."""

from __future__ import annotations

import hashlib
import json

import pytest

from chalicelib.wiring import services
from tests.conftest import demo_resident, finished
from tests.integration.test_reviews import reviewer, sms, submitted_review

BANK_A = {"bank": "中国银行黄山分行", "branch": "休宁支行"}  # code boc
UNKNOWN_CARD = "HS0123456789ABCDEF"


def staff(api, roles, **claims):
    return api.token({"id_number": "staff-1", "name": "工作人员", "phone": "13900000009"}, roles=roles, **claims)


def approved_card(api, name="杨磊", matter=None):
    """A card of bank A, approved and waiting to be made."""
    resident, token, case = submitted_review(api, name, matter or {"code": "apply", "form": BANK_A})
    code = case["matters"][0]["code"]
    decided = api.post(f"/reviews/{case['case_id']}.{code}/decision", {"decision": "approve"}, reviewer(api, resident["district"]))
    assert decided.status_code == 200, decided.body
    case = api.wait_for(case["case_id"], token, finished)
    return resident, token, case, case["matters"][0]["result"]["card_id"]


def callers(api):
    return {
        "bank_a": staff(api, ["bank"], bank="boc"),
        "bank_b": staff(api, ["bank"], bank="icbc"),
        "no_bank_claim": staff(api, ["bank"]),
        "citizen": api.token("杨磊"),
        "reviewer": reviewer(api, "341022"),
    }


def act(api, token, action, card_id):
    if action == "list":
        return api.get("/bank/cards?status=awaiting_production", token)
    if action == "issued":
        return api.post(f"/bank/cards/{card_id}/issued", None, token)
    return api.post(f"/bank/cards/{card_id}/failed", {"reason": "芯片写入失败"}, token)


# (caller, action) -> expected status on a card of bank A; bank A's own row is checked in the tests below
MATRIX = {
    ("bank_b", "list"): 200,
    ("bank_b", "issued"): 404,
    ("bank_b", "failed"): 404,
    ("no_bank_claim", "list"): 403,
    ("no_bank_claim", "issued"): 403,
    ("no_bank_claim", "failed"): 403,
    ("citizen", "list"): 403,
    ("citizen", "issued"): 403,
    ("citizen", "failed"): 403,
    ("reviewer", "list"): 403,
    ("reviewer", "issued"): 403,
    ("reviewer", "failed"): 403,
}


def test_no_caller_but_the_cards_own_bank_can_list_issue_or_fail_it_and_another_bank_learns_nothing(api):
    resident, token, case, card_id = approved_card(api)
    who = callers(api)
    for (caller, action), expected in MATRIX.items():
        response = act(api, who[caller], action, card_id)
        assert response.status_code == expected, (caller, action, response.body)
        if caller == "bank_b" and action == "list":
            assert card_id not in [c["card_id"] for c in response.json_body["cards"]]
        if expected == 404:  # exactly what an unknown card answers
            assert response.json_body == act(api, who["bank_a"], action, UNKNOWN_CARD).json_body
    assert services().card_system.card_owner_item(card_id)["status"] == "awaiting_collection"
    assert api.get(f"/cases/{case['case_id']}", token).json_body["matters"][0]["status"] == "succeeded"

    listing = act(api, who["bank_a"], "list", card_id)
    assert listing.status_code == 200, listing.body
    [card] = [c for c in listing.json_body["cards"] if c["card_id"] == card_id]
    assert card["bank"] == "boc" and card["bank_name"] == BANK_A["bank"] and card["branch"] == BANK_A["branch"]
    assert card["branch_district"] == "341022" and card["matter"] == "apply" and card["status"] == "awaiting_production"
    assert card["applicant_name"] == resident["name"][0] + "*" * (len(resident["name"]) - 1)
    assert card["applicant_id_number"] == resident["id_number"][:6] + "********" + resident["id_number"][-4:]
    assert resident["id_number"] not in json.dumps(listing.json_body)


def test_the_own_bank_records_that_the_card_could_not_be_made_the_matter_fails_and_the_applicant_is_told_once(api):
    resident, token, case, card_id = approved_card(api)
    bank_a = staff(api, ["bank"], bank="boc")
    failed = act(api, bank_a, "failed", card_id)
    assert failed.status_code == 200, failed.body
    assert failed.json_body["status"] == "not_made"
    again = act(api, bank_a, "failed", card_id)
    assert again.status_code == 200 and again.json_body == failed.json_body

    case = api.get(f"/cases/{case['case_id']}", token).json_body
    matter = case["matters"][0]
    assert matter["status"] == "failed" and matter["reason_code"] == "CARD_NOT_MADE" and "芯片写入失败" in matter["reason"]
    assert case["status"] == "failed"
    told = [t for t in sms(api, resident["phone"]) if "芯片写入失败" in t]
    assert len(told) == 1 and "社会保障卡申领" in told[0]
    assert card_id not in [c["card_id"] for c in act(api, bank_a, "list", card_id).json_body["cards"]]
    assert act(api, bank_a, "issued", card_id).status_code == 409
    # the person holds no valid card: a new application is possible
    assert services().card_system.current_card(resident["id_number"]).status.value != "awaiting_collection"
    prejudged = api.post("/prejudge", {"matters": [{"code": "apply", "form": BANK_A}]}, token)
    assert prejudged.status_code == 200 and prejudged.json_body["passed"], prejudged.body


def test_the_own_bank_issues_the_card_it_leaves_the_list_and_can_no_longer_fail(api):
    _, _, _, card_id = approved_card(api)
    bank_a = staff(api, ["bank"], bank="boc")
    issued = act(api, bank_a, "issued", card_id)
    assert issued.status_code == 200 and issued.json_body["status"] == "issued", issued.body
    assert card_id not in [c["card_id"] for c in act(api, bank_a, "list", card_id).json_body["cards"]]
    assert act(api, bank_a, "failed", card_id).status_code == 409


def test_a_failed_reissue_leaves_the_old_card_as_it_was(api):
    resident = demo_resident("刘洋")  # a lost card
    _, token, case, card_id = approved_card(api, "刘洋", {"code": "reissue", "form": {"kind": "lost", **BANK_A}})
    assert act(api, staff(api, ["bank"], bank="boc"), "failed", card_id).status_code == 200
    current = services().card_system.current_card(resident["id_number"])
    assert current.card_id == resident["card"]["card_id"] and current.status.value == "lost"
    assert api.get(f"/cases/{case['case_id']}", token).json_body["matters"][0]["status"] == "failed"


@pytest.mark.parametrize("body", [{}, {"reason": "x"}, {"reason": "芯片写入失败", "extra": 1}])
def test_a_failure_without_a_proper_reason_is_422_and_changes_nothing(api, body):
    _, _, _, card_id = approved_card(api)
    response = api.post(f"/bank/cards/{card_id}/failed", body, staff(api, ["bank"], bank="boc"))
    assert response.status_code == 422, response.body
    assert services().card_system.card_owner_item(card_id)["status"] == "awaiting_collection"


def test_a_token_naming_no_cooperating_bank_is_refused(api):
    assert api.get("/bank/cards", staff(api, ["bank"], bank="nosuchbank")).status_code == 403
    assert api.get("/bank/cards?status=issued", staff(api, ["bank"], bank="boc")).status_code == 422


def test_card_ids_are_random_yet_a_replayed_approval_finds_the_same_card(api):
    resident = demo_resident("杨磊")
    cards = services().card_system
    first = cards.issue_new_card(resident["id_number"], "中国银行黄山分行", "休宁支行", "case-x#apply", "case-x", None, bank_code="boc")
    replay = cards.issue_new_card(resident["id_number"], "中国银行黄山分行", "休宁支行", "case-x#apply", "case-x", None, bank_code="boc")
    other = cards.issue_new_card(resident["id_number"], "中国银行黄山分行", "休宁支行", "case-y#apply", "case-y", None, bank_code="boc")
    assert replay == first and other.card_id != first.card_id
    assert first.card_id != "HS" + hashlib.sha256(b"case-x#apply").hexdigest()[:10].upper()
    assert first.card_id.startswith("HS") and len(first.card_id) == 18
    assert first.bank_code == "boc"


def test_a_card_failed_while_its_approval_is_still_being_recorded_stays_failed_and_is_not_listed_again(api):
    resident, token, case = submitted_review(api, "杨磊", {"code": "apply", "form": BANK_A})
    case_id = case["case_id"]
    # the approval's first attempt made the card, then the bank answered before the matter was recorded
    card = services().card_system.issue_new_card(
        resident["id_number"], BANK_A["bank"], BANK_A["branch"], f"{case_id}#apply", case_id, None, bank_code="boc"
    )
    bank_a = staff(api, ["bank"], bank="boc")
    assert act(api, bank_a, "failed", card.card_id).status_code == 200
    assert api.get(f"/cases/{case_id}", token).json_body["matters"][0]["status"] == "failed"
    decided = api.post(f"/reviews/{case_id}.apply/decision", {"decision": "approve"}, reviewer(api, resident["district"]))
    assert decided.status_code == 200, decided.body
    case = api.wait_for(case_id, token, finished)
    assert case["status"] == "failed" and case["matters"][0]["reason_code"] == "CARD_NOT_MADE"
    assert card.card_id not in [c["card_id"] for c in act(api, bank_a, "list", card.card_id).json_body["cards"]]
    assert not any("已审核通过" in t for t in sms(api, resident["phone"]))

"""Cooperating banks: each sees, issues and fails only its own bank's cards (a matrix of callers × actions over HTTP).

What a bank's report does to the card, the case and the applicant is tested at service level:
tests/service/test_banks_make_and_hand_over_only_their_own_cards.py.
"""

from __future__ import annotations

import hashlib
import json

from chalicelib.wiring import services
from tests.conftest import demo_resident, finished
from tests.integration.test_reviews import reviewer, submitted_review

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


def test_a_token_naming_no_cooperating_bank_is_refused(api):
    assert api.get("/bank/cards", staff(api, ["bank"], bank="nosuchbank")).status_code == 403
    assert api.get("/bank/cards?status=issued", staff(api, ["bank"], bank="boc")).status_code == 422

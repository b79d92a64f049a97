"""A card that was already waiting at its bank when the service started is on that bank's list, and leaves it when made."""

from __future__ import annotations

from tests.integration.test_banks_see_and_handle_only_their_own_cards import staff


def test_the_seeded_card_of_chen_jing_is_on_hsbanks_list_only_and_leaves_it_once_issued(api):
    hsbank, boc = staff(api, ["bank"], bank="hsbank"), staff(api, ["bank"], bank="boc")
    listed = api.get("/bank/cards?status=awaiting_production", hsbank).json_body["cards"]
    assert [(c["card_id"], c["branch"], c["applicant_name"], c["applicant_id_number"]) for c in listed] == [
        ("HS0004", "歙县支行", "陈*", "341021********0051")
    ]
    assert api.get("/bank/cards?status=awaiting_production", boc).json_body["cards"] == []
    issued = api.post("/bank/cards/HS0004/issued", None, hsbank)
    assert issued.status_code == 200 and issued.json_body["status"] == "issued", issued.body
    assert api.get("/bank/cards?status=awaiting_production", hsbank).json_body["cards"] == []
    assert api.post("/bank/cards/HS0004/issued", None, hsbank).json_body["status"] == "issued"  # a repeat changes nothing

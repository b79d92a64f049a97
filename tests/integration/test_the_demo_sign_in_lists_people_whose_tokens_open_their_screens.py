"""GET /dev/people: the demo sign-in page's list. Every person on it gets a token that opens their own screens."""

from __future__ import annotations

import json

import pytest

from chalicelib.domain.banks import CITY, DISTRICTS
from tests.conftest import ROOT

# the first list each role's console reads: a token from the list must open it
FIRST_SCREEN = {
    "citizen": "/cases",
    "reviewer": "/reviews?status=pending",
    "clerk": "/counter/cases",
    "bank": "/bank/cards?status=awaiting_production",
    "pension_system": "/pension/requests?status=pending",
    "operator": "/admin/calendar/2026",
    "auditor": "/audit/accesses?staff=clerk-01",
}


def test_every_resident_of_the_seeded_file_is_listed_by_name_with_a_masked_id(api):
    people = api.get("/dev/people").json_body
    residents = json.loads((ROOT / "data" / "residents.demo.json").read_text(encoding="utf-8"))["residents"]
    assert [r["name"] for r in people["residents"]] == [r["name"] for r in residents]
    for listed, seeded in zip(people["residents"], residents, strict=True):
        assert listed["id_number_masked"] == seeded["id_number"][:6] + "********" + seeded["id_number"][-4:]
        assert listed["claims"] == {**listed["claims"], "sub": seeded["id_number"], "roles": ["citizen"], "phone_number": seeded["phone"]}
        assert listed["district_name"] and listed["card_status_text"]
    assert next(r for r in people["residents"] if r["name"] == "吴磊")["card_status_text"] == "尚未办卡"


def test_the_staff_cover_every_role_and_a_reviewer_for_every_district_and_the_city():
    from chalicelib.services.demo_people import load_staff

    staff = load_staff()
    roles = {role for member in staff for role in member.claims.roles}
    assert roles == set(FIRST_SCREEN) - {"citizen"}
    reviewer_districts = {m.claims.district for m in staff if "reviewer" in m.claims.roles}
    assert reviewer_districts == {CITY, *DISTRICTS}


@pytest.mark.parametrize("kind", ["residents", "staff"])
def test_each_listed_person_signs_in_and_opens_their_first_screen(api, kind):
    for person in api.get("/dev/people").json_body[kind]:
        claims = {k: v for k, v in person["claims"].items() if v is not None}
        response = api.post("/dev/token", claims)
        assert response.status_code == 201, (claims["sub"], response.json_body)
        role = claims["roles"][0]
        opened = api.get(FIRST_SCREEN[role], response.json_body["token"])
        assert opened.status_code == 200, (claims["sub"], opened.json_body)

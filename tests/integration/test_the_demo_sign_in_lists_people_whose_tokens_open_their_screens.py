"""GET /dev/people: the demo sign-in page's list. Every person on it gets a token that opens their own screens.

What the list holds (every resident masked, staff of every role):
tests/service/test_the_demo_sign_in_lists_every_resident_masked_and_staff_of_every_role.py.
"""

from __future__ import annotations

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


def test_each_listed_person_signs_in_and_opens_their_first_screen(api):
    people = api.get("/dev/people").json_body
    assert people["residents"] and people["staff"]
    for person in people["residents"] + people["staff"]:
        claims = {k: v for k, v in person["claims"].items() if v is not None}
        response = api.post("/dev/token", claims)
        assert response.status_code == 201, (claims["sub"], response.json_body)
        role = claims["roles"][0]
        opened = api.get(FIRST_SCREEN[role], response.json_body["token"])
        assert opened.status_code == 200, (claims["sub"], opened.json_body)
    assert {p["claims"]["roles"][0] for p in people["residents"] + people["staff"]} == set(FIRST_SCREEN)

"""The demo sign-in page's list (GET /dev/people) at service level: every resident of the seeded file by name with
the ID masked and the claims of their token, and staff for every role and a reviewer for every district and the city.

Moved from tests/integration/test_the_demo_sign_in_lists_people_whose_tokens_open_their_screens.py, which keeps
each listed person signing in over HTTP and opening their first screen.
"""

from __future__ import annotations

import json

from chalicelib.domain.banks import CITY, DISTRICTS
from chalicelib.services.demo_people import demo_people, load_staff
from chalicelib.settings import Settings
from tests.conftest import DEMO_RESIDENTS

ROLES = {"reviewer", "clerk", "bank", "pension_system", "operator", "auditor"}  # every role but the citizen's


def test_every_resident_of_the_seeded_file_is_listed_by_name_with_a_masked_id():
    people = demo_people(Settings(stage="test")).model_dump(mode="json")
    residents = json.loads(DEMO_RESIDENTS.read_text(encoding="utf-8"))["residents"]
    assert [r["name"] for r in people["residents"]] == [r["name"] for r in residents]
    for listed, seeded in zip(people["residents"], residents, strict=True):
        assert listed["id_number_masked"] == seeded["id_number"][:6] + "********" + seeded["id_number"][-4:]
        assert listed["claims"] == {**listed["claims"], "sub": seeded["id_number"], "roles": ["citizen"], "phone_number": seeded["phone"]}
        assert listed["district_name"] and listed["card_status_text"]
    assert next(r for r in people["residents"] if r["name"] == "吴磊")["card_status_text"] == "尚未办卡"


def test_the_staff_cover_every_role_and_a_reviewer_for_every_district_and_the_city():
    staff = load_staff()
    assert {role for member in staff for role in member.claims.roles} == ROLES
    assert {m.claims.district for m in staff if "reviewer" in m.claims.roles} == {CITY, *DISTRICTS}

"""Counter clerks list and search the cases of their own service point, never another's.

The route's checks (an invalid ID number, the clerk role, the page size): tests/integration/test_api_contract.py.
"""

from __future__ import annotations

import pytest

from chalicelib.errors import ValidationProblem
from chalicelib.services import case_views
from tests.conftest import demo_resident
from tests.service.conftest import World


def listed(world: World, clerk, id_number: str | None = None, limit: int = 20, cursor: str | None = None) -> dict:
    return case_views.list_counter_cases(world.services, clerk, id_number, limit, cursor).model_dump(mode="json")


def ids(page: dict) -> list[str]:
    return [c["case_id"] for c in page["cases"]]


def test_a_clerk_lists_their_points_cases_newest_first_and_finds_one_persons_by_id_number(world):
    here, there = world.clerk("HS-TX-01"), world.clerk("HS-SX-02", sub="clerk-2")
    first = world.counter_case(here, "杨磊", [{"code": "status_query"}])["case_id"]
    second = world.counter_case(here, "王芳", [{"code": "status_query"}])["case_id"]
    elsewhere = world.counter_case(there, "杨磊", [{"code": "status_query"}])["case_id"]
    online = world.create(world.citizen("杨磊"), [{"code": "status_query"}], phone="13905590005")["case_id"]

    assert ids(listed(world, here)) == [second, first]
    assert ids(listed(world, there)) == [elsewhere]
    listing = listed(world, here)["cases"]
    wang = demo_resident("王芳")
    assert listing[0]["applicant_name"] == "王芳"
    assert listing[0]["applicant_id_number"] == wang["id_number"][:6] + "********" + wang["id_number"][-4:]

    yang = demo_resident("杨磊")["id_number"]
    assert ids(listed(world, here, yang)) == [first]
    assert ids(listed(world, there, yang)) == [elsewhere]
    assert online not in ids(listed(world, here, yang))
    assert ids(listed(world, here, demo_resident("刘洋")["id_number"])) == []

    page = listed(world, here, limit=1)
    assert ids(page) == [second] and page["next_cursor"]
    assert ids(listed(world, here, limit=1, cursor=page["next_cursor"])) == [first]
    # another point's cursor does not page through this point's list
    with pytest.raises(ValidationProblem):
        listed(world, there, limit=1, cursor=page["next_cursor"])

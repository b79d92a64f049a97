"""Counter clerks list and search the cases of their own service point, never another's."""

from __future__ import annotations

from tests.conftest import demo_resident
from tests.integration.test_materials_and_counter import clerk, counter_case


def ids(response):
    assert response.status_code == 200, response.body
    return [c["case_id"] for c in response.json_body["cases"]]


def test_a_clerk_lists_their_points_cases_newest_first_and_finds_one_persons_by_id_number(api):
    here, there = clerk(api, "HS-TX-01"), clerk(api, "HS-SX-02", sub="clerk-2")
    first = counter_case(api, here, "杨磊", [{"code": "status_query"}]).json_body["case_id"]
    second = counter_case(api, here, "王芳", [{"code": "status_query"}]).json_body["case_id"]
    elsewhere = counter_case(api, there, "杨磊", [{"code": "status_query"}]).json_body["case_id"]
    online = api.create_case(api.token("杨磊"), [{"code": "status_query"}], phone="13905590005").json_body["case_id"]

    assert ids(api.get("/counter/cases", here)) == [second, first]
    assert ids(api.get("/counter/cases", there)) == [elsewhere]
    listing = api.get("/counter/cases", here).json_body["cases"]
    wang = demo_resident("王芳")
    assert listing[0]["applicant_name"] == "王芳"
    assert listing[0]["applicant_id_number"] == wang["id_number"][:6] + "********" + wang["id_number"][-4:]

    yang = demo_resident("杨磊")["id_number"]
    assert ids(api.get(f"/counter/cases?id_number={yang}", here)) == [first]
    assert ids(api.get(f"/counter/cases?id_number={yang}", there)) == [elsewhere]
    assert online not in ids(api.get(f"/counter/cases?id_number={yang}", here))
    assert ids(api.get(f"/counter/cases?id_number={demo_resident('刘洋')['id_number']}", here)) == []

    page = api.get("/counter/cases?limit=1", here).json_body
    assert [c["case_id"] for c in page["cases"]] == [second] and page["next_cursor"]
    assert ids(api.get(f"/counter/cases?limit=1&cursor={page['next_cursor']}", here)) == [first]
    # another point's cursor does not page through this point's list
    assert api.get(f"/counter/cases?limit=1&cursor={page['next_cursor']}", there).status_code == 422


def test_an_invalid_id_number_is_422_naming_the_field_and_only_clerks_may_list(api):
    here = clerk(api)
    for bad in ("342701198001010068", "12345", "abc"):
        response = api.get(f"/counter/cases?id_number={bad}", here)
        assert response.status_code == 422, bad
        assert response.json_body["errors"][0]["field"] == "id_number"
    assert api.get("/counter/cases", api.token("杨磊")).status_code == 403
    assert api.get("/counter/cases?limit=0", here).status_code == 422
